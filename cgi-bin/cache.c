/* cache.c - rendered bodies kept across requests in this worker, least recently used out first.
 * At 2,000 streams the dashboard and /api/streams read every stream's state and uptime: once
 * per monitor write and minute per worker, instead of once per request. Only what is the same
 * for every logged-in user is kept here; the caller checks identity before asking. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "hash.h"
#include "store_web.h"

#define SLOTS 16 /* dashboard pages, filters and the API: a handful at a time */

struct slot {
	char *key;
	struct buf body;
	char etag[CACHE_ETAG];
	uint64_t used;
};

static struct slot slots[SLOTS];
static uint64_t tick;

static void slot_clear(struct slot *s)
{
	free(s->key);
	buf_free(&s->body);
	memset(s, 0, sizeof *s);
}

const struct buf *cache_get(const char *key, const char **etag)
{
	for (size_t i = 0; i < SLOTS; i++)
		if (slots[i].key && !strcmp(slots[i].key, key)) {
			slots[i].used = ++tick;
			*etag = slots[i].etag;
			return &slots[i].body;
		}
	return NULL;
}

const char *cache_put(const char *key, const struct buf *body)
{
	struct slot *s = &slots[0];
	char hex[65];
	for (size_t i = 0; i < SLOTS; i++) {
		if (slots[i].key && !strcmp(slots[i].key, key)) {
			s = &slots[i];
			break;
		}
		if (slots[i].used < s->used)
			s = &slots[i];
	}
	slot_clear(s);
	if (!(s->key = strdup(key)) || hash_sha256_hex(body->p ? body->p : "", body->len, hex) < 0) {
		slot_clear(s);
		return NULL;
	}
	buf_add(&s->body, body->p ? body->p : "", body->len);
	snprintf(s->etag, sizeof s->etag, "\"%.32s\"", hex);
	s->used = ++tick;
	return s->etag;
}

void cache_free(void)
{
	for (size_t i = 0; i < SLOTS; i++)
		slot_clear(&slots[i]);
}

int64_t cache_key_base(struct web *w, struct buf *key)
{
	int64_t step_end = (web_now_ms() / CACHE_STEP_MS + 1) * CACHE_STEP_MS;
	buf_printf(key, "cfg=%s|write=%lld|step=%lld|", w->cfg_id,
		   (long long)store_web_monitor_write_ms(w->st), (long long)step_end);
	return step_end;
}

void cache_etag_of(const char *const *parts, size_t n, char out[CACHE_ETAG])
{
	struct buf b = { 0 };
	char hex[65];
	/* Lengths first: "ab"+"c" and "a"+"bc" must not hash alike. */
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%zu:%s|", strlen(parts[i]), parts[i]);
	if (hash_sha256_hex(b.p, b.len, hex) < 0)
		hex[0] = '\0';
	snprintf(out, CACHE_ETAG, "\"%.32s\"", hex);
	buf_free(&b);
}

/* If-None-Match: "*", one tag, or a comma-separated list; W/ prefixes compare weakly, which
 * RFC 9110 allows for If-None-Match. */
static int names(const char *header, const char *etag)
{
	size_t n = strlen(etag);
	const char *p = header;
	while (*p) {
		p += strspn(p, " \t,");
		if (*p == '*')
			return 1;
		if (!strncmp(p, "W/", 2))
			p += 2;
		if (!strncmp(p, etag, n) && (p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
			return 1;
		p += strcspn(p, ",");
	}
	return 0;
}

int cache_not_modified(struct web *w, const char *etag)
{
	res_header(w, "ETag: %s", etag);
	res_header(w, "Cache-Control: private, no-cache");
	if (!w->req.if_none_match[0] || !names(w->req.if_none_match, etag))
		return 0;
	w->res.status = 304;
	w->res.body.len = 0;
	return 1;
}
