/* store_metrics.h - the reads GET /metrics needs for every stream at once: uptime over several
 * windows and the newest up heartbeat. */
#ifndef SP_STORE_METRICS_H
#define SP_STORE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define UPTIME_WINDOWS_MAX 4

/* Heartbeats of a window that were probed (skipped ones left out) and those that were up. */
struct uptime_count {
	double probed, ups;
};

struct stream_metrics {
	struct uptime_count win[UPTIME_WINDOWS_MAX];
	int64_t last_up_ms;          /* newest up heartbeat, 0 when none */
};

/* What the compacted part (rollups, blocks) gave, kept by the caller between requests: valid
 * while the rollups stay as the last compaction left them and the hour stays the same. */
struct metrics_cache {
	int valid;
	int64_t compacted_ms, hour;  /* the key: meta monitor_write_ms, the current hour */
	int hours[UPTIME_WINDOWS_MAX];
	size_t nwin;
	int64_t max_id;
	struct uptime_count *by_id;  /* [id * nwin + w], ids 0..max_id */
	int64_t *last_up;            /* by id: newest up beat in the blocks; -1 not looked up yet */
};
void store_metrics_cache_free(struct metrics_cache *c);

/* For the streams ids[0..n) (0: none): counts over nwin windows, window w being the hours[w]
 * hours that end with the current one, from the start of the hour hours[w] - 1 h before
 * now_ms's (24 covers 23-24 h, as the dashboard's uptime_24h) to now; and the newest up
 * heartbeat. One snapshot: the rollups (cached, else one scan of rollup_hour), the journal
 * once, and the blocks only for streams with no up heartbeat in the journal (cached too).
 * 0, or -1 with err. */
int store_metrics_read(struct store *st, const int64_t *ids, size_t n, int64_t now_ms,
		       const int *hours, size_t nwin, struct metrics_cache *cache,
		       struct stream_metrics *out, char *err, size_t errlen);

#endif
