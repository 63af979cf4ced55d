/* url.c - camera URL helpers: password masking and scrubbing, scheme extraction. */
#include "url.h"

#include <ctype.h>
#include <string.h>

/* The userinfo password of scheme://user:pass@host/...: [*start, *end), or 0 when absent.
 * The authority ends at the first '/', '?' or '#'; the last '@' in it ends userinfo,
 * since cameras' passwords hold unencoded '@' more often than they should. */
static int find_password(const char *url, size_t *start, size_t *end)
{
	const char *p = strstr(url, "://");
	if (!p)
		return 0;
	const char *auth = p + 3;
	size_t alen = strcspn(auth, "/?#");
	const char *at = NULL;
	for (size_t i = 0; i < alen; i++)
		if (auth[i] == '@')
			at = auth + i;
	if (!at)
		return 0;
	const char *colon = memchr(auth, ':', (size_t)(at - auth));
	if (!colon)
		return 0;
	*start = (size_t)(colon + 1 - url);
	*end = (size_t)(at - url);
	return 1;
}

static void copy_cut(char *out, size_t outlen, const char *src, size_t n)
{
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, src, n);
	out[n] = '\0';
}

void url_mask_password(const char *url, char *out, size_t outlen)
{
	size_t s, e;
	if (!outlen)
		return;
	if (!find_password(url, &s, &e)) {
		copy_cut(out, outlen, url, strlen(url));
		return;
	}
	if (s + strlen(URL_MASK) + strlen(url + e) >= outlen) {
		/* Too long to mask whole: cut before the password rather than leak part of it. */
		copy_cut(out, outlen, url, s);
		return;
	}
	memcpy(out, url, s);
	strcpy(out + s, URL_MASK);
	strcat(out, url + e);
}

void url_password(const char *url, char *out, size_t outlen)
{
	size_t s, e;
	if (!outlen)
		return;
	if (!find_password(url, &s, &e))
		s = e = 0;
	copy_cut(out, outlen, url + s, e - s);
}

static void replace_all(char *text, size_t textlen, const char *needle)
{
	size_t nlen = strlen(needle), mlen = strlen(URL_MASK);
	char *p = text;
	if (!nlen)
		return;
	while ((p = strstr(p, needle)) != NULL) {
		size_t tail = strlen(p + nlen);
		if ((size_t)(p - text) + mlen + tail >= textlen) {
			*p = '\0'; /* no room for the mask: drop the rest rather than leak */
			return;
		}
		memmove(p + mlen, p + nlen, tail + 1);
		memcpy(p, URL_MASK, mlen);
		p += mlen;
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void percent_decode(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	for (size_t i = 0; in[i] && o + 1 < outlen; i++) {
		int hi, lo;
		if (in[i] == '%' && (hi = hexval(in[i + 1])) >= 0 && (lo = hexval(in[i + 2])) >= 0) {
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[o++] = in[i];
		}
	}
	out[o] = '\0';
}

void url_scrub(char *text, size_t textlen, const char *secret)
{
	char decoded[512];
	if (!secret || !*secret || !textlen)
		return;
	replace_all(text, textlen, secret);
	percent_decode(secret, decoded, sizeof decoded);
	replace_all(text, textlen, decoded);
}

int url_scheme(const char *url, char *out, size_t outlen)
{
	size_t n = strcspn(url, ":");
	if (!n || url[n] != ':' || n >= outlen)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)url[i];
		if (!isalnum(c) && c != '+' && c != '-' && c != '.')
			return -1;
		out[i] = (char)tolower(c);
	}
	out[n] = '\0';
	return 0;
}
