/* engine.c - what the monitor does with finished probes: the verdict, the anti-flap state
 * machine, incidents, the log, the store (doc/health.md). */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "log.h"

/* Queued heartbeats beyond this (hours of a full disk at scale) are dropped oldest first. */
#define MAX_QUEUED 200000
#define PRUNE_BATCH 500

struct queued {
	struct heartbeat hb;
	char error[16], codec[24], message[320];
};

struct qchange {
	struct state_change c;
	char reason[16], message[320];
};

/* What the engine knows of one stream, by id. */
struct track {
	int loaded;
	int confirmed;             /* HB_UP/DOWN/DEGRADED, -1 unknown */
	int last;                  /* the latest non-skipped heartbeat's state, -1 none */
	struct streak run;         /* the newest run of one state */
	struct health_memory mem;  /* for the frozen check */
	struct health_conf health;
	int configured;
	char name[CONFIG_NAME_MAX + 1];
};

struct engine {
	struct store *st;
	struct queued *q;
	size_t nq, capq;
	struct qchange *ch;
	size_t nch, capch;
	struct track **t;          /* by stream id */
	size_t nt;
	int fail_threshold, recover_threshold;
	engine_event_fn on_change;
	void *on_change_ctx;
	int urgent;                /* a queued state change: write it before the cycle ends */
	int write_failing;         /* log a failing store once, and its recovery once */
	uint64_t written, cancelled;
};

struct engine *engine_create(struct store *st)
{
	struct engine *e = calloc(1, sizeof *e);
	if (e) {
		e->st = st;
		e->fail_threshold = 2;
		e->recover_threshold = 1;
	}
	return e;
}

void engine_destroy(struct engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nt; i++)
		free(e->t[i]);
	free(e->t);
	free(e->q);
	free(e->ch);
	free(e);
}

void engine_on_change(struct engine *e, engine_event_fn fn, void *ctx)
{
	e->on_change = fn;
	e->on_change_ctx = ctx;
}

static struct track *track_of(struct engine *e, int64_t id)
{
	if (id < 0)
		return NULL;
	if ((size_t)id >= e->nt) {
		size_t n = (size_t)id * 2 + 16;
		struct track **t = realloc(e->t, n * sizeof *t);
		if (!t)
			return NULL;
		memset(t + e->nt, 0, (n - e->nt) * sizeof *t);
		e->t = t;
		e->nt = n;
	}
	if (!e->t[id] && !(e->t[id] = calloc(1, sizeof *e->t[id])))
		return NULL;
	return e->t[id];
}

/* Loaded from the store the first time a stream is seen, so a restart (or the next --once
 * run) neither re-logs known states as changes nor restarts the anti-flap count. */
static void load_track(struct engine *e, struct track *t, int64_t id)
{
	int max = e->fail_threshold > e->recover_threshold ? e->fail_threshold : e->recover_threshold;
	int64_t since = 0;
	t->loaded = 1;
	t->confirmed = store_stream_state(e->st, id, &since);
	if (store_streak(e->st, id, max, &t->run) < 0)
		memset(&t->run, 0, sizeof t->run);
	t->last = t->run.count ? t->run.state : -1;
}

int engine_apply(struct engine *e, const struct config *cfg, const int64_t *ids)
{
	e->fail_threshold = cfg->fail_threshold;
	e->recover_threshold = cfg->recover_threshold;
	for (size_t i = 0; i < e->nt; i++)
		if (e->t[i])
			e->t[i]->configured = 0;
	for (size_t i = 0; i < cfg->nstreams; i++) {
		struct track *t = track_of(e, ids[i]);
		if (!t)
			return -1;
		t->health = cfg->streams[i].health;
		t->configured = cfg->streams[i].enabled;
		snprintf(t->name, sizeof t->name, "%s", cfg->streams[i].name);
	}
	return 0;
}

static void log_probe(const struct done *d, const struct health_verdict *v)
{
	const struct probe_result *r = &d->res;
	if (!log_verbose)
		return;
	if (v->state == HB_UP)
		log_line("probe: '%s' up: %s %dx%d, first frame in %d ms (%d damaged skipped)%s",
			 d->job.name, r->codec, r->width, r->height, r->first_frame_ms,
			 r->damaged_frames, d->from_preview ? " (a preview's frame)" : "");
	else
		log_line("probe: '%s' %s: %s: %s (after %d ms)", d->job.name, hb_state_name(v->state),
			 v->reason, v->message, r->elapsed_ms);
}

static void log_change(const struct done *d, const struct health_verdict *v, int prev,
		       const struct track *t)
{
	const struct probe_result *r = &d->res;
	const char *what = prev < 0 ? "first state" : "state change";
	if (v->state == HB_UP)
		log_line("%s: '%s' up: %s %dx%d, first frame in %d ms", what, d->job.name, r->codec,
			 r->width, r->height, r->first_frame_ms);
	else
		log_line("%s: '%s' %s: %s: %s (%d probe%s in a row)", what, d->job.name,
			 hb_state_name(v->state), t->run.reason, t->run.message, t->run.count,
			 t->run.count == 1 ? "" : "s");
}

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	size_t c = *cap ? *cap * 2 : 256;
	void *q = realloc(p, c * size);
	if (q)
		*cap = c;
	return q;
}

static void queue_heartbeat(struct engine *e, const struct done *d, const struct health_verdict *v)
{
	const struct probe_result *r = &d->res;
	if (e->nq == MAX_QUEUED) {
		memmove(e->q, e->q + 1, (e->nq - 1) * sizeof *e->q);
		e->nq--;
		log_line("store unavailable for too long: oldest queued heartbeat dropped");
	}
	struct queued *q = grow(e->q, &e->capq, e->nq, sizeof *q);
	if (!q) {
		log_line("out of memory: heartbeat of '%s' lost", d->job.name);
		return;
	}
	e->q = q;
	q = &e->q[e->nq++];
	memset(q, 0, sizeof *q);
	snprintf(q->error, sizeof q->error, "%s", v->reason);
	snprintf(q->codec, sizeof q->codec, "%s", r->codec);
	snprintf(q->message, sizeof q->message, "%s", v->message);
	int pic = v->state == HB_UP || v->state == HB_DEGRADED;
	q->hb = (struct heartbeat){
		.stream_id = d->job.stream_id,
		.ts_ms = d->job.ts_ms,
		.state = v->state,
		.latency_ms = pic ? r->first_frame_ms : -1,
		.connect_ms = r->connect_ms,
		.width = pic ? r->width : -1,
		.height = pic ? r->height : -1,
	};
}

static void queue_change(struct engine *e, int64_t id, const struct track *t)
{
	struct qchange *c = grow(e->ch, &e->capch, e->nch, sizeof *c);
	if (!c) {
		log_line("out of memory: state change of '%s' not recorded", t->name);
		return;
	}
	e->ch = c;
	c = &e->ch[e->nch++];
	snprintf(c->reason, sizeof c->reason, "%s", t->run.state == HB_UP ? "" : t->run.reason);
	snprintf(c->message, sizeof c->message, "%s", t->run.state == HB_UP ? "" : t->run.message);
	c->c = (struct state_change){ id, t->confirmed, t->run.start_ms, NULL, NULL };
	e->urgent = 1;
}

/* The run of equal verdicts grows or starts over; it becomes the confirmed state once it is
 * fail_threshold long (down, degraded) or recover_threshold long (up). Returns 1 on a change. */
static int advance(struct engine *e, struct track *t, const struct done *d,
		   const struct health_verdict *v)
{
	if (v->state == HB_SKIPPED)
		return 0;
	t->last = v->state;
	if (!t->run.count || t->run.state != v->state) {
		t->run = (struct streak){ .state = v->state, .start_ms = d->job.ts_ms };
		snprintf(t->run.reason, sizeof t->run.reason, "%s", v->reason);
		snprintf(t->run.message, sizeof t->run.message, "%s", v->message);
	}
	t->run.count++;
	int need = v->state == HB_UP ? e->recover_threshold : e->fail_threshold;
	if (t->confirmed == v->state || t->run.count < need)
		return 0;
	return 1;
}

static void notify(struct engine *e, const struct done *d, const struct track *t, int prev)
{
	if (!e->on_change)
		return;
	struct engine_event ev = {
		.ts_ms = d->job.ts_ms, .stream = d->job.name, .state = t->confirmed,
		.prev_state = prev, .reason = t->confirmed == HB_UP ? "" : t->run.reason,
		.message = t->confirmed == HB_UP ? "" : t->run.message, .since_ms = t->run.start_ms,
		.latency_ms = d->res.up ? d->res.first_frame_ms : -1,
	};
	e->on_change(e->on_change_ctx, &ev);
}

static void take_one(struct engine *e, const struct done *d)
{
	struct health_verdict v;
	struct track *t = track_of(e, d->job.stream_id);
	if (t && !t->loaded)
		load_track(e, t, d->job.stream_id);
	health_judge(&d->res, t ? &t->health : NULL, t ? &t->mem : NULL, &v);
	log_probe(d, &v);
	queue_heartbeat(e, d, &v);
	if (!t || !advance(e, t, d, &v))
		return;
	int prev = t->confirmed;
	t->confirmed = v.state;
	log_change(d, &v, prev, t);
	queue_change(e, d->job.stream_id, t);
	notify(e, d, t, prev);
}

void engine_take(struct engine *e, const struct done *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (d[i].res.error == PROBE_CANCELLED)
			e->cancelled++;
		else
			take_one(e, &d[i]);
	}
}

void engine_failing(const struct engine *e, size_t *total, size_t *failing)
{
	*total = *failing = 0;
	for (size_t i = 0; i < e->nt; i++) {
		const struct track *t = e->t[i];
		if (!t || !t->configured)
			continue;
		(*total)++;
		*failing += t->last == HB_DOWN;
	}
}

size_t engine_flush(struct engine *e)
{
	char err[256];
	struct heartbeat *hb;
	struct state_change *ch;
	if (!e->nq && !e->nch)
		return 0;
	hb = malloc((e->nq ? e->nq : 1) * sizeof *hb);
	ch = malloc((e->nch ? e->nch : 1) * sizeof *ch);
	if (!hb || !ch) {
		free(hb);
		free(ch);
		return e->nq;
	}
	/* Pointers are taken now: the queues do not move until the write is done. */
	for (size_t i = 0; i < e->nq; i++) {
		int pic = e->q[i].hb.state == HB_UP || e->q[i].hb.state == HB_DEGRADED;
		hb[i] = e->q[i].hb;
		hb[i].error = e->q[i].hb.state == HB_UP ? NULL : e->q[i].error;
		hb[i].message = e->q[i].hb.state == HB_UP ? NULL : e->q[i].message;
		hb[i].codec = pic ? e->q[i].codec : NULL;
	}
	for (size_t i = 0; i < e->nch; i++) {
		ch[i] = e->ch[i].c;
		ch[i].reason = e->ch[i].reason;
		ch[i].message = e->ch[i].message;
	}
	int rc = store_write_batch(e->st, hb, e->nq, ch, e->nch, clock_utc_ms(), err, sizeof err);
	free(hb);
	free(ch);
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
	e->nq = e->nch = 0;
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
