/* health.c - the verdict on one probe. Interim: down/skipped/slow only; the picture checks
 * (black, uniform, frozen) land with lib/picture.c. */
#include "health.h"

#include <stdio.h>
#include <string.h>

void health_judge(const struct probe_result *r, const struct health_conf *h,
		  struct health_memory *mem, struct health_verdict *out)
{
	(void)mem;
	memset(out, 0, sizeof *out);
	if (r->error == PROBE_BUSY) {
		out->state = HB_SKIPPED;
		snprintf(out->reason, sizeof out->reason, "busy");
		snprintf(out->message, sizeof out->message, "%s", r->message);
	} else if (!r->up) {
		out->state = HB_DOWN;
		snprintf(out->reason, sizeof out->reason, "%s", probe_class_name(r->error));
		snprintf(out->message, sizeof out->message, "%s", r->message);
	} else if (h && h->max_latency_ms > 0 && r->first_frame_ms > h->max_latency_ms) {
		out->state = HB_DEGRADED;
		snprintf(out->reason, sizeof out->reason, "slow");
		snprintf(out->message, sizeof out->message, "first frame in %d ms (max_latency_ms %d)",
			 r->first_frame_ms, h->max_latency_ms);
	} else {
		out->state = HB_UP;
	}
}
