/* scheduler.c - when each stream is probed: slots spread over the interval, skips counted. */
#include "scheduler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "url.h"

static struct sched_stream *find(struct sched_stream *s, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].id == id)
			return &s[i];
	return NULL;
}

static void free_streams(struct sched_stream *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i].url);
	free(s);
}

struct host_key {
	char host[256];
	size_t stream;
};

static int by_host(const void *a, const void *b)
{
	return strcmp(((const struct host_key *)a)->host, ((const struct host_key *)b)->host);
}

/* Numbers the hosts of s[0..n) (same host name, same number) and counts the probes still
 * running on each, so per-host limits hold across a reload. */
static int *number_hosts(struct sched_stream *s, size_t n)
{
	struct host_key *k = calloc(n ? n : 1, sizeof *k);
	int *busy = calloc(n ? n : 1, sizeof *busy);
	int h = -1;
	if (!k || !busy) {
		free(k);
		free(busy);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (url_host(s[i].url, k[i].host, sizeof k[i].host) < 0)
			snprintf(k[i].host, sizeof k[i].host, "#%zu", i); /* unparsable: its own host */
		k[i].stream = i;
	}
	qsort(k, n, sizeof *k, by_host);
	for (size_t i = 0; i < n; i++) {
		if (!i || strcmp(k[i].host, k[i - 1].host))
			h++;
		s[k[i].stream].host = h;
		busy[h] += s[k[i].stream].in_flight;
	}
	free(k);
	return busy;
}

static size_t count_enabled(const struct config *cfg)
{
	size_t n = 0;
	for (size_t i = 0; i < cfg->nstreams; i++)
		n += cfg->streams[i].enabled != 0;
	return n;
}

int sched_apply(struct scheduler *sc, const struct config *cfg, const int64_t *ids, int64_t now_ms)
{
	size_t n = count_enabled(cfg), k = 0, nnew = 0, fresh = 0;
	int interval = cfg->heartbeat_seconds * 1000;
	struct sched_stream *s = calloc(n ? n : 1, sizeof *s);
	if (!s)
		return -1;
	for (size_t i = 0; i < cfg->nstreams; i++) {
		const struct stream_conf *c = &cfg->streams[i];
		if (!c->enabled)
			continue;
		struct sched_stream *old = find(sc->s, sc->n, ids[i]);
		struct sched_stream *t = &s[k++];
		t->id = ids[i];
		snprintf(t->name, sizeof t->name, "%s", c->name);
		t->url = strdup(c->url);
		t->transport = c->transport;
		t->transport_ok = old && !strcmp(old->url, c->url) ? old->transport_ok : TRANSPORT_TCP;
		t->max_clients = c->health.max_clients;
		t->timeout_ms = config_stream_timeout(cfg, c) * 1000;
		t->last_up = old ? old->last_up : -1;
		t->thumb_ms = old ? old->thumb_ms : 0;
		if (old && interval == sc->interval_ms) {
			t->next_ms = old->next_ms;
			t->in_flight = old->in_flight;
		} else {
			t->next_ms = -1;
			t->in_flight = old ? old->in_flight : 0;
			nnew++;
		}
		if (!t->url) {
			free_streams(s, k);
			return -1;
		}
	}
	/* Even spread: the k-th unslotted stream of m starts k/m of an interval from now. */
	for (size_t i = 0; i < n; i++)
		if (s[i].next_ms < 0)
			s[i].next_ms = now_ms + (int64_t)interval * (int64_t)fresh++ / (int64_t)nnew;
	int *busy = number_hosts(s, n);
	if (!busy) {
		free_streams(s, n);
		return -1;
	}
	free_streams(sc->s, sc->n);
	free(sc->host_busy);
	sc->host_busy = busy;
	sc->per_host = cfg->max_probes_per_host;
	sc->s = s;
	sc->n = n;
	sc->interval_ms = interval;
	sc->thumb_interval_ms = cfg->thumbnail_seconds * 1000;
	return 0;
}

static int thumbnail_due(const struct scheduler *sc, const struct sched_stream *t, int64_t now_ms)
{
	if (!sc->thumb_dir || sc->thumb_interval_ms <= 0)
		return 0;
	return t->last_up != 1 || !t->thumb_ms || now_ms - t->thumb_ms >= sc->thumb_interval_ms;
}

int sched_job(struct scheduler *sc, size_t i, struct job *job, int64_t slot_ms, int64_t now_ms)
{
	struct sched_stream *t = &sc->s[i];
	char path[4096];
	memset(job, 0, sizeof *job);
	job->stream_id = t->id;
	snprintf(job->name, sizeof job->name, "%s", t->name);
	job->transport = t->transport;
	job->transport_first = t->transport_ok;
	job->timeout_ms = t->timeout_ms;
	job->max_clients = t->max_clients;
	job->proof_max_ms = sc->interval_ms;
	job->ts_ms = clock_utc_ms();
	job->slot_ms = slot_ms;
	job->url = strdup(t->url);
	job->data_dir = sc->data_dir ? strdup(sc->data_dir) : NULL;
	int thumb = thumbnail_due(sc, t, now_ms);
	if (thumb) {
		t->thumb_ms = now_ms;
		snprintf(path, sizeof path, "%s/%lld.jpg", sc->thumb_dir, (long long)t->id);
		job->thumb_path = strdup(path);
	}
	if (!job->url || (thumb && !job->thumb_path) || (sc->data_dir && !job->data_dir)) {
		job_free(job);
		return -1;
	}
	return 0;
}

static void skip(struct scheduler *sc, const struct sched_stream *t, const char *why)
{
	sc->skipped++;
	log_line("skipped probe of '%s': %s (%llu skipped so far)", t->name, why,
		 (unsigned long long)sc->skipped);
}

void sched_dispatch(struct scheduler *sc, struct pool *p, int64_t now_ms)
{
	for (size_t i = 0; i < sc->n; i++) {
		struct sched_stream *t = &sc->s[i];
		struct job job;
		if (t->next_ms > now_ms)
			continue;
		if (t->in_flight)
			skip(sc, t, "its previous probe is still running");
		else if (sc->per_host && sc->host_busy[t->host] >= sc->per_host)
			skip(sc, t, "its host already has max_probes_per_host probes running");
		else if (sched_job(sc, i, &job, t->next_ms, now_ms) < 0)
			skip(sc, t, "out of memory");
		else if (pool_try_submit(p, &job) < 0) {
			job_free(&job);
			skip(sc, t, "all probe workers are busy (max_concurrent_probes)");
		} else {
			t->in_flight = 1;
			sc->host_busy[t->host]++;
			sc->started++;
		}
		t->next_ms += sc->interval_ms;
		if (t->next_ms <= now_ms) {
			/* Woke up late (suspend, stall): the slots passed are skipped, not burst. */
			int64_t missed = (now_ms - t->next_ms) / sc->interval_ms + 1;
			t->next_ms += missed * sc->interval_ms;
			sc->skipped += (uint64_t)missed;
			log_line("'%s': %lld slot(s) missed while the monitor was stalled", t->name,
				 (long long)missed);
		}
	}
}

void sched_finished(struct scheduler *sc, const struct done *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct sched_stream *t = find(sc->s, sc->n, d[i].job.stream_id);
		if (!t)
			continue;
		if (t->in_flight && sc->host_busy[t->host] > 0)
			sc->host_busy[t->host]--;
		t->in_flight = 0;
		/* Cancelled or busy: not a verdict on the camera. */
		if (d[i].res.error != PROBE_CANCELLED && d[i].res.error != PROBE_BUSY)
			t->last_up = d[i].res.up;
		if (d[i].res.up && !d[i].from_preview)
			t->transport_ok = d[i].res.transport;
	}
}

int64_t sched_next_due(const struct scheduler *sc)
{
	int64_t next = INT64_MAX;
	for (size_t i = 0; i < sc->n; i++)
		if (sc->s[i].next_ms < next)
			next = sc->s[i].next_ms;
	return next;
}

void sched_free(struct scheduler *sc)
{
	free_streams(sc->s, sc->n);
	free(sc->thumb_dir);
	free(sc->data_dir);
	free(sc->host_busy);
	memset(sc, 0, sizeof *sc);
}
