/* cache.h - rendered bodies kept across requests, keyed by everything they depend on, and the
 * ETag / If-None-Match exchange that lets a browser skip the download. */
#ifndef SP_CACHE_H
#define SP_CACHE_H

#include <stdint.h>

#include "web.h"

#define CACHE_ETAG 35 /* "\"" + 32 hex + "\"" + NUL */
/* Cached bodies that read the clock (uptime over the last 24 h) use windows ending at this
 * step, so every render within one step gives the same bytes. */
#define CACHE_STEP_MS 60000

/* The body kept under key, with its ETag, or NULL. Valid until the next cache_put. */
const struct buf *cache_get(const char *key, const char **etag);

/* Keeps a copy of body under key (the least recently used entry makes room) and returns its
 * ETag: a hash of the bytes. NULL when out of memory (the response goes out uncached). */
const char *cache_put(const char *key, const struct buf *body);

/* The key's parts every cached body shares: the config file's identity and the monitor's last
 * write (every heartbeat batch updates it), and the current CACHE_STEP_MS step. Returns that
 * step's end: the fixed "now" of the body's 24 h window, to render with (read once, so a key
 * and its body never straddle two steps). */
int64_t cache_key_base(struct web *w, struct buf *key);

/* A strong ETag over several parts (e.g. a cached fragment's ETag and the user's name). */
void cache_etag_of(const char *const *parts, size_t n, char out[CACHE_ETAG]);

/* Sets ETag and Cache-Control (private: per login; no-cache: revalidate every time). 1 and a
 * bodiless 304 when the request's If-None-Match names etag, else 0. */
int cache_not_modified(struct web *w, const char *etag);

void cache_free(void);

#endif
