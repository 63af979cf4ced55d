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

/* Stages the row for the next heartbeat commit (store_write_batch), which writes it in the
 * same transaction: no page of its own. A newer stage replaces one not yet written. */
void store_meta_stage_metrics(struct store *st, const struct monitor_metrics *m);

/* Writes a staged row in a transaction of its own (at shutdown, when no heartbeat commit
 * follows). 0, or -1. */
int store_meta_commit_staged(struct store *st);

/* 1 and *m filled, 0 when the monitor never wrote the row (or an older format), -1 on error. */
int store_meta_get_metrics(struct store *st, struct monitor_metrics *m);

#endif
