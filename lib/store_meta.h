/* store_meta.h - the monitor's self metrics, kept in the meta table for GET /metrics. */
#ifndef SP_STORE_META_H
#define SP_STORE_META_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Probe duration histogram: upper bounds in ms of every bucket but the last (+Inf). */
#define PROBE_BUCKETS 8
extern const int store_probe_bucket_ms[PROBE_BUCKETS - 1];

/* What the monitor counted since it started; counters restart with it, which Prometheus
 * reads as a counter reset. */
struct monitor_metrics {
	int64_t start_ms;              /* UTC ms the monitor started */
	int64_t cycle_ms;              /* wall time of the last cycle: commit to commit; -1 none yet */
	uint64_t probes_started;       /* probes the scheduler started */
	uint64_t probes_skipped;       /* not probed: every worker busy, or the host's client slots */
	uint64_t bucket[PROBE_BUCKETS]; /* finished probes by duration, not cumulative */
	int64_t duration_sum_ms;       /* of those probes */
};

/* Writes the row (key monitor_metrics, a line of numbers: ~100 bytes, one page). Outside a
 * transaction it commits on its own without an fsync of its own: the WAL frame is synced
 * by the next heartbeat commit (synchronous=FULL), so the card sees no extra flush and a
 * power cut loses at most this row's newest values. 0, or -1 with err. */
int store_meta_put_metrics(struct store *st, const struct monitor_metrics *m, char *err, size_t errlen);

/* 1 and *m filled, 0 when the monitor never wrote the row (or an older format), -1 on error. */
int store_meta_get_metrics(struct store *st, struct monitor_metrics *m);

#endif
