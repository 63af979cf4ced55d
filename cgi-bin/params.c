/* params.c - query strings, form bodies and cookies as key/value lists, and typed reads of them.
 * Kept apart from request.c (which reads the environment) so the fuzzer can drive it alone. */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"

/* More fields than any form has: a hostile body cannot make us allocate without bound. */

static char *decode(const char *s, size_t n)
{
	char *plus = strndup(s, n), *out = NULL;
	int outlen = 0;
	if (!plus)
		return NULL;
	for (char *p = plus; *p; p++)
		if (*p == '+')
			*p = ' ';
	char *d = curl_easy_unescape(NULL, plus, 0, &outlen);
	free(plus);
	if (!d)
		return NULL;
	/* A %00 would cut strings short later: refuse it by dropping the value's tail. */
	out = strndup(d, (size_t)outlen);
	curl_free(d);
	return out;
}

static int kv_push(struct kvlist *l, char *key, char *val)
{
	struct kv *nv;
	if (!key || !val || l->n > PARAMS_MAX_FIELDS || !(nv = realloc(l->v, (l->n + 1) * sizeof *nv))) {
		free(key);
		free(val);
		return -1;
	}
	l->v = nv;
	l->v[l->n++] = (struct kv){ key, val };
	return 0;
}

void params_parse_urlencoded(struct kvlist *l, const char *s, size_t len)
{
	const char *end = s + len;
	while (s < end) {
		const char *amp = memchr(s, '&', (size_t)(end - s));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(s, '=', (size_t)(stop - s));
		if (stop > s) {
			const char *kend = eq ? eq : stop;
			kv_push(l, decode(s, (size_t)(kend - s)),
				eq ? decode(eq + 1, (size_t)(stop - eq - 1)) : strdup(""));
		}
		if (stop == end)
			break; /* stop + 1 would point past the end: undefined, even unread */
		s = stop + 1;
	}
}

void params_parse_cookies(struct kvlist *l, const char *s)
{
	while (s && *s) {
		while (*s == ' ' || *s == ';')
			s++;
		size_t n = strcspn(s, ";");
		const char *eq = memchr(s, '=', n);
		if (eq && eq > s)
			kv_push(l, strndup(s, (size_t)(eq - s)), strndup(eq + 1, n - (size_t)(eq - s) - 1));
		s += n;
	}
}

void params_free(struct kvlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].val);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

const char *kv_get(const struct kvlist *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].key, key))
			return l->v[i].val;
	return NULL;
}

int input_int(const struct kvlist *l, const char *key, long long min, long long max,
	      long long def, long long *out)
{
	const char *v = kv_get(l, key);
	char *end;
	*out = def;
	if (!v || !*v)
		return 0;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno || *end || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

int input_text(const struct kvlist *l, const char *key, size_t max, const char **out)
{
	const char *v = kv_get(l, key);
	*out = v ? v : "";
	if (strlen(*out) > max)
		return -1;
	for (const unsigned char *p = (const unsigned char *)*out; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return -1;
	return 0;
}
