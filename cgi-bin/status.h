/* status.h - the dashboard's data, shared by the HTML page and /api/streams. */
#ifndef SP_STATUS_H
#define SP_STATUS_H

#include "store_web.h"
#include "web.h"

#define STATUS_RECENT 50            /* heartbeats in each stream's bar */

struct status_row {
	struct stream_status s;
	int enabled;
	int64_t thumb_mtime_ms;         /* 0: no thumbnail */
};

struct status_list {
	struct status_row *rows;
	size_t n;
	int up, down, degraded, never;  /* counts over all streams, before filtering */
};

/* Every configured stream, down first, then degraded, never probed, up, each by name; only
 * rows matching q (case-insensitive substring of the name) and state ("up", "down",
 * "degraded", "never", "")
 * are kept. Uptime covers the 24 h before until_ms. 0, or -1 after ui_error. */
int status_load(struct web *w, const char *q, const char *state, int64_t until_ms,
		struct status_list *out);
void status_free(struct status_list *l);

/* The last STATUS_RECENT heartbeats of a row, newest first, into beats; returns the count.
 * Read per row while emitting, so 2,000 streams never hold 100,000 beats at once. */
size_t status_recent(struct web *w, const struct status_row *r, struct beat beats[STATUS_RECENT]);
/* Inline so the API's emitter (api_format.c) links without the loader, e.g. into its fuzzer. */
static inline const char *status_state_name(int state)
{
	return state == 1 ? "up" : state == 0 ? "down" : state == 2 ? "degraded" : "never";
}

#endif
