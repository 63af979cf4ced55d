/* metrics.c - the monitor's self metrics (probe duration histogram, counts, cycle time), kept
 * since start and written to the meta table each cycle for the web's GET /metrics. */
#include "metrics.h"

#include <string.h>

#include "log.h"

void metrics_start(struct metrics *x, int64_t now_utc_ms)
{
	memset(x, 0, sizeof *x);
	x->m.start_ms = now_utc_ms;
	x->m.cycle_ms = -1;
}

static int bucket_of(int ms)
{
	int b = 0;
	while (b < PROBE_BUCKETS - 1 && ms > store_probe_bucket_ms[b])
		b++;
	return b;
}

void metrics_observe(struct metrics *x, const struct done *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (d[i].res.error == PROBE_CANCELLED || d[i].from_preview)
			continue;
		if (d[i].res.error == PROBE_BUSY) { /* the host's client slots were taken: not probed */
			x->busy++;
			continue;
		}
		int ms = d[i].res.elapsed_ms > 0 ? d[i].res.elapsed_ms : 0;
		x->m.bucket[bucket_of(ms)]++;
		x->m.duration_sum_ms += ms;
	}
}

void metrics_cycle(struct metrics *x, int64_t now_utc_ms)
{
	int64_t prev = x->last_cycle_ms ? x->last_cycle_ms : x->m.start_ms;
	x->m.cycle_ms = now_utc_ms - prev;
	x->last_cycle_ms = now_utc_ms;
}

void metrics_publish(struct metrics *x, struct store *st, uint64_t started, uint64_t skipped)
{
	x->m.probes_started = started;
	x->m.probes_skipped = skipped + x->busy;
	/* Written with the cycle's heartbeats (a failing write keeps it staged with them). */
	store_meta_stage_metrics(st, &x->m);
}
