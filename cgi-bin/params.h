/* params.h - query strings, form bodies and cookies as key/value lists, and typed reads of them. */
#ifndef SP_PARAMS_H
#define SP_PARAMS_H

/* More fields than any form has: a 2,000-camera config form posts about 8,000 (4 a row, 5 when
 * marked for deletion). One more is kept to tell "too many" (400) from "exactly the limit": a
 * form cut short would silently drop config rows. */
#define PARAMS_MAX_FIELDS 9000

#include <stddef.h>

struct kv {
	char *key, *val;
};

struct kvlist {
	struct kv *v;
	size_t n;
};

/* application/x-www-form-urlencoded (a query string or a form body): a=1&b=two+words&c=%3C,
 * appended to l. A value's tail from a %00 on is dropped; past a fixed count, fields are
 * ignored. No environment, no request: pure text in, list out. */
void params_parse_urlencoded(struct kvlist *l, const char *s, size_t len);
/* A Cookie header: a=b; c=d (values are ours: hex tokens, never decoded). NULL is no cookies. */
void params_parse_cookies(struct kvlist *l, const char *s);
void params_free(struct kvlist *l);

/* The first value of key, or NULL. */
const char *kv_get(const struct kvlist *l, const char *key);

/* Typed inputs (kcgi's validators): 0 and *out set, or -1 when present but invalid. A missing
 * key gives def. */
int input_int(const struct kvlist *l, const char *key, long long min, long long max,
	      long long def, long long *out);
/* A text field: missing gives "", too long or holding control characters gives -1. */
int input_text(const struct kvlist *l, const char *key, size_t max, const char **out);

#endif
