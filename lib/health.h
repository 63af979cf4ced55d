/* health.h - the verdict on one probe: up, degraded (black, uniform, frozen, slow) or down. */
#ifndef SP_HEALTH_H
#define SP_HEALTH_H

#include "config.h"
#include "picture.h"
#include "probe.h"
#include "store.h"

/* What frozen needs to remember of a stream between probes (the monitor keeps one per stream;
 * --check has none). Zero it to start. */
struct health_memory {
	struct picture last;
	int same;                  /* consecutive probes whose picture matched the previous one */
};

struct health_verdict {
	int state;                 /* HB_UP, HB_DEGRADED, HB_DOWN or HB_SKIPPED */
	char reason[16];           /* degraded: "black", "uniform", "frozen", "slow"; down: the probe
				    * class ("timeout"...); skipped: "busy"; up: "" */
	char message[320];         /* for people: "mean luma 3 (black_max_luma 40)" */
};

/* Judges r under h. mem (may be NULL) carries the picture history for the frozen check and is
 * updated. A down or skipped probe leaves mem as it was. */
void health_judge(const struct probe_result *r, const struct health_conf *h,
		  struct health_memory *mem, struct health_verdict *out);

#endif
