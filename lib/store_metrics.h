/* store_metrics.h - the reads GET /metrics needs for every stream at once: uptime over several
 * windows, the last up heartbeat. */
#ifndef SP_STORE_METRICS_H
#define SP_STORE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define UPTIME_WINDOWS_MAX 4

struct uptime_count {
	double beats, ups;
};

/* The rollup part of the counts, kept by the caller between requests: valid while the
 * rollups stay as the last compaction left them and the hour stays the same. */
struct uptime_cache {
	int valid;
	int64_t compacted_ms, hour;          /* the key: meta monitor_write_ms, the current hour */
	int hours[UPTIME_WINDOWS_MAX];
	size_t nwin;
	struct uptime_count *by_id;          /* [id * nwin + w], ids 0..max_id */
	int64_t max_id;
};
void store_uptime_cache_free(struct uptime_cache *c);

/* Heartbeat counts of the streams ids[0..n) (0: none) over nwin windows, window w being the
 * hours[w] hours that end with the current one: from the start of the hour hours[w] - 1 h
 * before now_ms's (so 24 covers 23-24 h, as the dashboard's uptime_24h) to now. out[i * nwin
 * + w]. Reads, in one snapshot, the rollups (from cache when still valid, else one scan of
 * rollup_hour) and the journal once. 0, or -1 with err. */
int store_uptime_windows(struct store *st, const int64_t *ids, size_t n, int64_t now_ms,
			 const int *hours, size_t nwin, struct uptime_cache *cache,
			 struct uptime_count *out, char *err, size_t errlen);

/* UTC ms of the stream's newest up heartbeat before before_ms; 0 when none, -1 on error. */
int64_t store_last_up(struct store *st, int64_t stream_id, int64_t before_ms);

#endif
