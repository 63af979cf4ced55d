/* url.c - camera URL helpers: password masking and scrubbing, scheme extraction. */
#include "url.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

size_t url_scheme_length(const char *s, size_t len)
{
	size_t i = 0;
	if (!len || !isalpha((unsigned char)s[0]))
		return 0;
	while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
		i++;
	return len - i >= 3 && memcmp(s + i, "://", 3) == 0 ? i : 0;
}

int url_password_span(const char *s, size_t len, size_t *from, size_t *to)
{
	size_t start = url_scheme_length(s, len), at = len, i;
	if (start > 0)
		start += 3;
	for (i = len; i > start && at == len; i--)
		if (s[i - 1] == '@')
			at = i - 1;
	if (at == len)
		return 0; /* no userinfo: a ':' is a port, not a password */
	for (i = start; i < at; i++)
		if (s[i] == ':') {
			*from = i + 1;
			*to = at;
			return 1;
		}
	return 0;
}

static int find_password(const char *url, size_t *start, size_t *end)
{
	return url_password_span(url, strlen(url), start, end);
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

int url_restore_password(const char *edited, const char *stored, char *out, size_t outlen)
{
	size_t from, to, sfrom, sto, mlen = strlen(URL_MASK), n;
	if (!outlen)
		return -2;
	out[0] = '\0';
	if (!find_password(edited, &from, &to) || to - from != mlen ||
	    memcmp(edited + from, URL_MASK, mlen) != 0) {
		n = strlen(edited);
		if (n >= outlen)
			return -2;
		memcpy(out, edited, n + 1);
		return 0;
	}
	if (!stored || !find_password(stored, &sfrom, &sto))
		return -1;
	/* The kept password goes only to the camera it was for: same scheme, user, host, port. */
	size_t ehost = strcspn(edited + to, "/?#"), shost = strcspn(stored + sto, "/?#");
	if (from != sfrom || strncasecmp(edited, stored, from) || ehost != shost ||
	    strncasecmp(edited + to, stored + sto, ehost))
		return -3;
	n = from + (sto - sfrom) + strlen(edited + to);
	if (n >= outlen)
		return -2;
	memcpy(out, edited, from);
	memcpy(out + from, stored + sfrom, sto - sfrom);
	strcpy(out + from + (sto - sfrom), edited + to);
	return 0;
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
	size_t n = url_scheme_length(url, strlen(url));
	if (!n || n >= outlen)
		return -1;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)url[i]);
	out[n] = '\0';
	return 0;
}

int url_host(const char *url, char *out, size_t outlen)
{
	CURLU *u = curl_url();
	char *host = NULL;
	int rc = -1;
	if (u && curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    (size_t)snprintf(out, outlen, "%s", host) < outlen) {
		for (char *p = out; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		rc = 0;
	}
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}
