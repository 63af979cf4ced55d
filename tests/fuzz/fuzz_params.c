/* fuzz_params.c - libFuzzer target: query string / form body and Cookie header parsing, and the
 * typed reads (input_int, input_text) handlers do on the result. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"

/* Percent-encodes every byte but unreserved ones: what a browser would send for this list. */
static size_t encode(char *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			out[o++] = (char)*p;
		} else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	return o;
}

static int same_list(const struct kvlist *a, const struct kvlist *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].key, b->v[i].key) || strcmp(a->v[i].val, b->v[i].val))
			return 0;
	return 1;
}

/* What handlers rely on: an int in its range, a text short and free of control characters. */
static void check_inputs(const struct kvlist *l)
{
	/* The first fields only: each read scans the list, and all of them made every run
	 * quadratic, fuzzing the harness instead of the parser. */
	for (size_t i = 0; i < l->n && i < 32; i++) {
		long long v;
		const char *t, *raw = kv_get(l, l->v[i].key);
		if (input_int(l, l->v[i].key, -1000, 1000, 7, &v) == 0 &&
		    (raw[0] ? v < -1000 || v > 1000 || v != strtoll(raw, NULL, 10) : v != 7))
			abort();
		if (input_text(l, l->v[i].key, 64, &t) == 0) {
			if (strlen(t) > 64)
				abort();
			for (const unsigned char *p = (const unsigned char *)t; *p; p++)
				if (*p < 0x20 || *p == 0x7f)
					abort();
		}
	}
}

static void fuzz_urlencoded(const char *s, size_t len)
{
	struct kvlist l = { 0 }, again = { 0 };
	size_t segments = 0;
	for (size_t i = 0, start = 0; i <= len; i++)
		if (i == len || s[i] == '&') {
			segments += i > start;
			start = i + 1;
		}
	params_parse_urlencoded(&l, s, len);
	/* One field per non-empty segment, none dropped or invented (up to the cap). */
	if (l.n != (segments < 20000 ? segments : 20000))
		abort();
	check_inputs(&l);
	/* Encoding the parsed list the way a browser does and parsing it again changes nothing. */
	size_t cap = 1;
	for (size_t i = 0; i < l.n; i++)
		cap += 3 * (strlen(l.v[i].key) + strlen(l.v[i].val)) + 2;
	char *enc = malloc(cap), *p = enc;
	if (!enc)
		abort();
	for (size_t i = 0; i < l.n; i++) {
		if (i)
			*p++ = '&';
		p += encode(p, l.v[i].key);
		*p++ = '=';
		p += encode(p, l.v[i].val);
	}
	params_parse_urlencoded(&again, enc, (size_t)(p - enc));
	/* Fields with an empty key and value encode to "=": still one field each. */
	if (!same_list(&l, &again))
		abort();
	free(enc);
	params_free(&again);
	params_free(&l);
}

static void fuzz_cookies(const char *s)
{
	struct kvlist l = { 0 };
	params_parse_cookies(&l, s);
	for (size_t i = 0; i < l.n; i++) {
		const char *k = l.v[i].key, *v = l.v[i].val;
		if (!k[0] || k[0] == ' ' || strchr(k, ';') || strchr(k, '=') || strchr(v, ';'))
			abort();
	}
	check_inputs(&l);
	params_free(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: the urlencoded parser takes a length, and must not read past it. */
	char *body = malloc(size ? size : 1);
	if (!body)
		return 0;
	memcpy(body, data, size);
	fuzz_urlencoded(body, size);
	free(body);
	/* The environment's strings (QUERY_STRING, HTTP_COOKIE) end at the first NUL. */
	size_t n = strnlen((const char *)data, size);
	char *env = malloc(n + 1);
	if (!env)
		return 0;
	memcpy(env, data, n);
	env[n] = '\0';
	fuzz_urlencoded(env, n);
	fuzz_cookies(env);
	free(env);
	return 0;
}
