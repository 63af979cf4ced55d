/* engine.c - what the monitor does with finished probes: state changes, the log, the store. */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "config.h"
#include "log.h"

/* Queued heartbeats beyond this (hours of a full disk at scale) are dropped oldest first. */
#define MAX_QUEUED 200000
#define PRUNE_BATCH 500

struct queued {
	struct heartbeat hb;
	char error[16], codec[24], message[320];
};

/* TEMPORARY anti-flap state per stream id (the lead's engine replaces it). */
struct confirm {
	int fails, ups;
	int state;                 /* HB_UP, HB_DOWN, -1 not confirmed yet */
	int64_t since_ms;          /* first heartbeat of the current run */
	char reason[16], message[320];
};

struct engine {
	struct alerts *alerts;
	int fail_threshold, recover_threshold;
	struct confirm *conf;
	size_t nconf;
	struct store *st;
	struct queued *q;
	size_t nq, capq;
	signed char *state;        /* by stream id: 1 up, 0 down, -1 unknown, -2 not loaded */
	size_t nstate;
	int urgent;                /* a queued heartbeat changed its stream's state */
	int write_failing;         /* log a failing store once, and its recovery once */
	uint64_t written, cancelled;
};

struct engine *engine_create(struct store *st)
{
	struct engine *e = calloc(1, sizeof *e);
	if (e)
		e->st = st;
	return e;
}

void engine_destroy(struct engine *e)
{
	if (!e)
		return;
	free(e->q);
	free(e->conf);
	free(e->state);
	free(e);
}

/* Last known state of a stream, loaded from the store the first time it is seen so a
 * restart does not log every camera as a fresh change. */
static signed char *state_of(struct engine *e, int64_t id)
{
	if (id < 0)
		return NULL;
	if ((size_t)id >= e->nstate) {
		size_t n = (size_t)id * 2 + 16;
		signed char *s = realloc(e->state, n);
		if (!s)
			return NULL;
		memset(s + e->nstate, -2, n - e->nstate);
		e->state = s;
		e->nstate = n;
	}
	if (e->state[id] == -2)
		e->state[id] = (signed char)store_latest_state(e->st, id, NULL);
	return &e->state[id];
}

static void log_probe(const struct done *d, int old)
{
	const struct probe_result *r = &d->res;
	int changed = old != r->up;
	if (!changed && !log_verbose)
		return;
	const char *what = changed ? (old < 0 ? "first state" : "state change") : "probe";
	if (r->up)
		log_line("%s: '%s' up: %s %dx%d, first frame in %d ms (%d damaged skipped)", what,
			 d->job.name, r->codec, r->width, r->height, r->first_frame_ms,
			 r->damaged_frames);
	else
		log_line("%s: '%s' down: %s: %s (after %d ms)", what, d->job.name,
			 probe_class_name(r->error), r->message, r->elapsed_ms);
	if (d->thumb_error[0])
		log_line("thumbnail of '%s' not written: %s", d->job.name, d->thumb_error);
}

static struct queued *queue_slot(struct engine *e)
{
	if (e->nq == MAX_QUEUED) {
		memmove(e->q, e->q + 1, (e->nq - 1) * sizeof *e->q);
		e->nq--;
		log_line("store unavailable for too long: oldest queued heartbeat dropped");
	}
	if (e->nq == e->capq) {
		size_t cap = e->capq ? e->capq * 2 : 256;
		struct queued *nq = realloc(e->q, cap * sizeof *nq);
		if (!nq)
			return NULL;
		e->q = nq;
		e->capq = cap;
	}
	return &e->q[e->nq++];
}

static void queue_heartbeat(struct engine *e, const struct done *d)
{
	const struct probe_result *r = &d->res;
	struct queued *q = queue_slot(e);
	if (!q) {
		log_line("out of memory: heartbeat of '%s' lost", d->job.name);
		return;
	}
	memset(q, 0, sizeof *q);
	snprintf(q->error, sizeof q->error, "%s", probe_class_name(r->error));
	snprintf(q->codec, sizeof q->codec, "%s", r->codec);
	snprintf(q->message, sizeof q->message, "%s", r->message);
	q->hb = (struct heartbeat){
		.stream_id = d->job.stream_id,
		.ts_ms = d->job.ts_ms,
		.up = r->up,
		.latency_ms = r->up ? r->first_frame_ms : -1,
		.connect_ms = r->connect_ms,
		.width = r->width,
		.height = r->height,
	};
}

void engine_set_alerts(struct engine *e, struct alerts *a, const struct config *cfg)
{
	e->alerts = a;
	e->fail_threshold = cfg->fail_threshold;
	e->recover_threshold = cfg->recover_threshold;
}

void engine_failing(const struct engine *e, size_t *total, size_t *failing)
{
	*total = *failing = 0;
	for (size_t i = 0; i < e->nconf; i++) {
		*total += e->conf[i].state >= 0;
		*failing += e->conf[i].state == HB_DOWN;
	}
}

static struct confirm *confirm_of(struct engine *e, int64_t id)
{
	if (id < 0)
		return NULL;
	if ((size_t)id >= e->nconf) {
		size_t n = (size_t)id * 2 + 16;
		struct confirm *c = realloc(e->conf, n * sizeof *c);
		if (!c)
			return NULL;
		for (size_t i = e->nconf; i < n; i++)
			c[i] = (struct confirm){ .state = -1 };
		e->conf = c;
		e->nconf = n;
	}
	return &e->conf[id];
}

static void confirm_change(struct engine *e, const struct done *d, struct confirm *c, int state)
{
	struct alert_event ev = { .ts_ms = d->job.ts_ms, .state = state, .prev_state = c->state,
				  .since_ms = c->since_ms, .latency_ms = d->res.up ? d->res.first_frame_ms : -1 };
	snprintf(ev.stream, sizeof ev.stream, "%s", d->job.name);
	snprintf(ev.reason, sizeof ev.reason, "%s", state == HB_UP ? "" : c->reason);
	snprintf(ev.message, sizeof ev.message, "%s", state == HB_UP ? "" : c->message);
	if (!(c->state < 0 && state == HB_UP))
		alerts_stream_event(e->alerts, &ev);
	c->state = state;
	alerts_stream_state(e->alerts, ev.stream, state, ev.reason, c->since_ms, ev.latency_ms);
}

static void confirm(struct engine *e, const struct done *d)
{
	struct confirm *c = confirm_of(e, d->job.stream_id);
	if (!c || !e->alerts)
		return;
	if (d->res.up) {
		if (c->ups++ == 0 && c->state != HB_UP)
			c->since_ms = d->job.ts_ms;
		c->fails = 0;
		if (c->state != HB_UP && c->ups >= e->recover_threshold)
			confirm_change(e, d, c, HB_UP);
		return;
	}
	if (c->fails++ == 0) {
		c->since_ms = d->job.ts_ms;
		snprintf(c->reason, sizeof c->reason, "%s", probe_class_name(d->res.error));
		snprintf(c->message, sizeof c->message, "%s", d->res.message);
	}
	c->ups = 0;
	if (c->state != HB_DOWN && c->fails >= e->fail_threshold)
		confirm_change(e, d, c, HB_DOWN);
}

void engine_take(struct engine *e, const struct done *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (d[i].res.error == PROBE_CANCELLED) {
			e->cancelled++;
			continue;
		}
		signed char *st = state_of(e, d[i].job.stream_id);
		log_probe(&d[i], st ? *st : -1);
		if (!st || *st != d[i].res.up)
			e->urgent = 1;
		if (st)
			*st = (signed char)d[i].res.up;
		queue_heartbeat(e, &d[i]);
		confirm(e, &d[i]);
	}
}

size_t engine_flush(struct engine *e)
{
	char err[256];
	struct heartbeat *hb;
	if (!e->nq)
		return 0;
	hb = malloc(e->nq * sizeof *hb);
	if (!hb)
		return e->nq;
	/* Pointers are taken now: the queue does not move until the write is done. */
	for (size_t i = 0; i < e->nq; i++) {
		hb[i] = e->q[i].hb;
		hb[i].error = e->q[i].hb.up ? NULL : e->q[i].error;
		hb[i].message = e->q[i].hb.up ? NULL : e->q[i].message;
		hb[i].codec = e->q[i].hb.up ? e->q[i].codec : NULL;
	}
	int rc = store_insert_heartbeats(e->st, hb, e->nq, clock_utc_ms(), err, sizeof err);
	free(hb);
	if (rc < 0) {
		if (!e->write_failing)
			log_line("cannot write heartbeats (%zu kept, retrying): %s", e->nq, err);
		e->write_failing = 1;
		return e->nq;
	}
	e->urgent = 0;
	if (e->write_failing)
		log_line("writing heartbeats again (%zu written)", e->nq);
	e->write_failing = 0;
	e->written += e->nq;
	e->nq = 0;
	return 0;
}

void engine_prune(struct engine *e, int retention_days)
{
	int64_t *ids;
	size_t n;
	char err[256];
	int64_t before = clock_utc_ms() - (int64_t)retention_days * 86400 * 1000;
	if (store_stream_ids(e->st, &ids, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (store_prune_stream(e->st, ids[i], before, PRUNE_BATCH, err, sizeof err) < 0) {
			log_line("pruning old heartbeats failed: %s", err);
			break;
		}
	}
	free(ids);
}

int engine_urgent(const struct engine *e)
{
	return e->urgent && !e->write_failing;
}

void engine_counts(const struct engine *e, uint64_t *written, uint64_t *cancelled)
{
	*written = e->written;
	*cancelled = e->cancelled;
}
