/* alert_int.h - what the alert thread's files share: the grouping, texts, and the channels. */
#ifndef SP_ALERT_INT_H
#define SP_ALERT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "alerts.h"
#include "config.h"

/* ---- alert_group.c: per-stream events in, what to send out (site-down grouping) ----
 * A failure is held for one cycle after the one it arrived in (unless the site is down), so
 * that a site going down is seen before its streams' failures are sent one by one. The site
 * is down after confirm_cycles cycles in a row over the percentage. After a
 * site_up, a stream still failing gets its own alert settle_cycles cycles later unless it
 * recovered meanwhile. */
struct group_held;
struct group_mark;
struct alert_group {
	struct group_held *held;       /* events not decided on yet, in order */
	size_t nheld, capheld;
	struct group_mark *marks;      /* streams failing, or alerted and not yet up again */
	size_t nmarks, capmarks;
	int site_down;
	int64_t site_since_ms;
	int settle_cycles;             /* recover_threshold: cycles a recovery may take to confirm */
	int confirm_cycles;            /* fail_threshold: cycles in a row over the percentage */
	int site_run;                  /* cycles in a row over it so far */
};

int group_hold(struct alert_group *g, const struct alert_event *ev);
/* Appends what this cycle sends to *out (malloc'ed, *nout entries); -1 when out of memory. */
int group_cycle(struct alert_group *g, size_t total, size_t failing, int percent, int64_t now_ms,
		struct alert_event **out, size_t *nout);
void group_free(struct alert_group *g);

/* ---- alert_states.c: each stream's confirmed state, stamped with a change number ---- */
struct state_entry {
	struct alert_event st;
	uint64_t seq;                  /* 0: empty slot */
};
struct state_table {
	struct state_entry *e;
	size_t n, cap;                 /* cap: a power of two */
	uint64_t seq;                  /* the latest change number */
};
int states_set(struct state_table *t, const struct alert_event *st);
/* Copies of the entries changed after change number 'after' (malloc'ed); their count. */
size_t states_since(const struct state_table *t, uint64_t after, struct alert_event **out);
void states_free(struct state_table *t);

/* ---- alert_text.c: what a person reads, and the JSON payload ---- */
const char *alert_event_name(const struct alert_event *ev); /* down, degraded, up, site_down, site_up */
const char *alert_state_name(int state);                    /* down, degraded, up */
void alert_text(const struct alert_event *ev, char *out, size_t outlen);
void alert_title(const struct alert_event *ev, char *out, size_t outlen);
/* dashboard_url + "stream/<name>" (or the dashboard itself for site events); NULL when unset. */
char *alert_link(const char *dashboard_url, const char *stream);
/* {"event","stream","state","reason","message","since","since_ms","latency_ms","dashboard"};
 * malloc'ed, NULL when out of memory. */
char *alert_json(const struct alert_event *ev, const char *link);

/* ---- the channels: 0 delivered, -1 failed; detail never holds a secret ---- */
int alert_webhook_send(const struct alert_conf *c, const struct alert_event *ev, const char *link,
		       int timeout_ms, char *detail, size_t detaillen);
int alert_command_run(const struct alert_conf *c, const struct alert_event *ev, int timeout_ms,
		      char *detail, size_t detaillen);

struct alert_mqtt;
/* Connects in the background (libmosquitto's thread); wake(ctx) is called on (re)connect. */
struct alert_mqtt *alert_mqtt_create(const struct alert_conf *c, void (*wake)(void *), void *ctx,
				     char *err, size_t errlen);
/* A number that changes with every new connection; 0 while not connected. */
unsigned alert_mqtt_session(struct alert_mqtt *m);
int alert_mqtt_send_event(struct alert_mqtt *m, const struct alert_event *ev, const char *link,
			  int timeout_ms, char *detail, size_t detaillen);
/* Retained state, attributes and Home Assistant discovery of one stream. */
int alert_mqtt_publish_state(struct alert_mqtt *m, const struct alert_event *st, const char *link);
void alert_mqtt_destroy(struct alert_mqtt *m);

#endif
