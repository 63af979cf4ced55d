/* health.c - the verdict on one probe: up, degraded (black, uniform, frozen, slow) or down. */
#include "health.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Cells (of 32x18) a picture may change in and still count as frozen: a clock or date
 * overlay, a blinking REC dot. Measured: a GStreamer clockoverlay on 640x360 changes 6 to 9
 * cells second to second; a moving scene changes far more (doc/health.md). */
#define FROZEN_IGNORE_CELLS 16

static void verdict(struct health_verdict *out, int state, const char *reason, const char *fmt, ...)
	__attribute__((format(__printf__, 4, 5)));

static void verdict(struct health_verdict *out, int state, const char *reason, const char *fmt, ...)
{
	va_list ap;
	out->state = state;
	snprintf(out->reason, sizeof out->reason, "%s", reason);
	va_start(ap, fmt);
	vsnprintf(out->message, sizeof out->message, fmt, ap);
	va_end(ap);
}

/* Counts how many probes in a row showed the same picture; returns that count. */
static int remember(struct health_memory *mem, const struct picture *p, const struct health_conf *h,
		    int *diff)
{
	*diff = picture_diff(&mem->last, p, FROZEN_IGNORE_CELLS);
	if (p->valid && mem->last.valid && *diff <= h->frozen_max_diff)
		mem->same++;
	else
		mem->same = 0;
	mem->last = *p;
	return mem->same;
}

/* Black and uniform first: they say what the picture shows, and an unchanging black screen
 * is "black", not "frozen". Frozen next, slow last: a picture fault matters more than a late
 * one. */
static void judge_picture(const struct probe_result *r, const struct health_conf *h, int same,
			  int diff, struct health_verdict *out)
{
	const struct picture *p = &r->picture;
	if (p->valid && (h->checks & CHECK_BLACK) && p->mean <= h->black_max_luma &&
	    p->stddev <= 2.0 * h->uniform_max_stddev)
		verdict(out, HB_DEGRADED, "black", "picture is black (mean luma %.0f, black_max_luma %d; "
			"luma stddev %.1f)", p->mean, h->black_max_luma, p->stddev);
	else if (p->valid && (h->checks & CHECK_UNIFORM) && p->stddev <= h->uniform_max_stddev)
		verdict(out, HB_DEGRADED, "uniform", "picture is uniform (luma stddev %.1f, "
			"uniform_max_stddev %d; mean luma %.0f)", p->stddev, h->uniform_max_stddev, p->mean);
	else if (p->valid && (h->checks & CHECK_FROZEN) && same + 1 >= h->frozen_after)
		verdict(out, HB_DEGRADED, "frozen", "picture is frozen (the same for the last %d probes; "
			"largest cell change %d, frozen_max_diff %d)", same + 1, diff, h->frozen_max_diff);
	else if (h->max_latency_ms > 0 && r->first_frame_ms > h->max_latency_ms)
		verdict(out, HB_DEGRADED, "slow", "first frame after %d ms (max_latency_ms %d)",
			r->first_frame_ms, h->max_latency_ms);
	else
		verdict(out, HB_UP, "", "%s", "");
}

void health_judge(const struct probe_result *r, const struct health_conf *h,
		  struct health_memory *mem, struct health_verdict *out)
{
	int same = 0, diff = 255;
	if (r->error == PROBE_BUSY) {
		verdict(out, HB_SKIPPED, "busy", "%s", r->message[0] ? r->message :
			"not probed: every client slot of the host was taken");
		return;
	}
	if (!r->up) {
		verdict(out, HB_DOWN, probe_class_name(r->error), "%s", r->message);
		return;
	}
	if (mem)
		same = remember(mem, &r->picture, h, &diff);
	judge_picture(r, h, same, diff, out);
}
