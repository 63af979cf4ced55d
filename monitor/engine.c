/* engine.c - what the monitor does with finished probes: state changes, the log, the store. */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* Queued heartbeats beyond this (hours of a full disk at scale) are dropped oldest first. */
#define MAX_QUEUED 200000
#define PRUNE_BATCH 500

struct queued {
	struct heartbeat hb;
	char error[16], codec[24], message[320];
};

struct engine {
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
