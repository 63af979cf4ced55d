/* alerts.h - alerts on incident open and close, sent by their own thread (doc/health.md). */
#ifndef SP_ALERTS_H
#define SP_ALERTS_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* An incident opened (state HB_DOWN or HB_DEGRADED) or closed (state HB_UP). */
struct alert_event {
	int64_t ts_ms;            /* UTC ms of the change */
	char stream[65];          /* "" for the site events the grouping makes */
	int state;                /* HB_UP, HB_DOWN, HB_DEGRADED (lib/store.h) */
	int prev_state;
	char reason[16];          /* probe class or picture verdict: timeout, black, frozen, ... */
	char message[320];
	int64_t since_ms;         /* UTC ms the current state began (the first failing heartbeat) */
	int latency_ms;           /* first frame, -1 when none */
};

struct alerts;

/* Starts the alert thread and opens its own connection to cfg->database for alert_log.
 * NULL with err filled. */
struct alerts *alerts_create(const struct config *cfg, char *err, size_t errlen);

/* A reloaded config: channels, dashboard_url, site_down_percent. Unchanged channels keep their
 * connections; changed ones are rebuilt and their queued retries dropped. 0, or -1 with err. */
int alerts_apply(struct alerts *a, const struct config *cfg, char *err, size_t errlen);

/* An incident opened or closed: held until the next alerts_cycle, which decides whether the
 * site-down grouping covers it. Never blocks on a channel. */
void alerts_stream_event(struct alerts *a, const struct alert_event *ev);

/* The confirmed state of a stream (at start and on every change), for MQTT's retained topics. */
void alerts_stream_state(struct alerts *a, const char *stream, int state, const char *reason,
			 int64_t since_ms, int latency_ms);

/* Once per heartbeat interval: streams_failing of streams_total are down or degraded now.
 * Releases the held events (or one site_down/site_up in their place) to the channels. */
void alerts_cycle(struct alerts *a, size_t streams_total, size_t streams_failing, int64_t now_ms);

/* Sends what is queued within a short deadline, then stops the thread and frees everything. */
void alerts_destroy(struct alerts *a);

#endif
