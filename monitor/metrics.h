/* metrics.h - the monitor's self metrics: counted in memory, published at most once a minute. */
#ifndef SP_METRICS_H
#define SP_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "pool.h"
#include "store.h"
#include "store_meta.h"

struct metrics {
	struct monitor_metrics m;
	uint64_t busy;               /* probes not made: the host's client slots were taken */
	int64_t last_cycle_ms;       /* UTC ms the last cycle ended; 0 before the first */
};

void metrics_start(struct metrics *x, int64_t now_utc_ms);

/* Counts finished probes into the duration histogram; cancelled ones and previews' results
 * say nothing, busy ones (no client slot) count as skipped. */
void metrics_observe(struct metrics *x, const struct done *d, size_t n);

/* At the end of each cycle (its heartbeat commit): the cycle's wall time is the time since
 * the previous call. */
void metrics_cycle(struct metrics *x, int64_t now_utc_ms);

/* Stages the counters for the next heartbeat commit (store_meta_stage_metrics).
 * started/skipped are the scheduler's counts (busy ones are added). */
void metrics_publish(struct metrics *x, struct store *st, uint64_t started, uint64_t skipped);

#endif
