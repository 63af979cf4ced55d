/* alerts.c - the alert thread: takes events from the monitor's loop without blocking it, sends
 * them to every channel with retries and backoff, and logs each attempt in alert_log. */
#include "alerts.h"

#include <mosquitto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert_int.h"
#include "log.h"
#include "store.h"
#include "store_alerts.h"

#define DRAIN_MS 3000          /* what alerts_destroy waits for queued alerts at most */
#define IDLE_WAKE_MS 1000      /* retry MQTT's retained states at least this often */
#define BACKOFF_MAX_MS 60000
#define PRUNE_MS (3600 * 1000)  /* alert_log rows older than retention_days go hourly */

/* One channel's copy of an event: attempts so far and when the next one is due. */
struct delivery {
	struct alert_event ev;
	size_t channel;
	int attempt;               /* the next attempt's number, 1 = first */
	int64_t due_ms;            /* monotonic */
};

/* What one config says about alerts; owned by whoever holds the pointer. */
struct settings {
	struct alert_conf *ch;
	size_t n;
	char *dashboard;
	int retention_days;
};

struct alerts {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct store *st;              /* the alert thread's own connection */
	/* shared, under mu */
	int started, stop, poke;
	int64_t drain_until_ms;
	struct settings *pending;      /* a reload's, for the thread to take */
	int percent;
	struct alert_group group;
	struct alert_event *events;    /* released by alerts_cycle, not yet fanned out */
	size_t nevents, capevents;
	struct state_table states;
	/* the thread's own */
	struct settings cur;
	struct alert_mqtt **mqtt;      /* by channel; NULL for other types */
	unsigned *session;             /* by channel: the MQTT session the states were sent in */
	uint64_t *sent;                /* by channel: change number of the states sent */
	struct delivery *dq;
	size_t ndq, capdq;
	int64_t next_prune_ms;         /* monotonic */
};

/* ---- settings ---- */

static void settings_free(struct settings *s)
{
	if (!s)
		return;
	config_alert_list_free(s->ch, s->n);
	free(s->dashboard);
	free(s);
}

static struct settings *settings_of(const struct config *cfg)
{
	struct settings *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->n = cfg->nalerts;
	s->retention_days = cfg->retention_days;
	if (config_alert_list_copy(cfg->alerts, cfg->nalerts, &s->ch) < 0 ||
	    (cfg->dashboard_url && !(s->dashboard = strdup(cfg->dashboard_url)))) {
		s->n = s->ch ? s->n : 0;
		settings_free(s);
		return NULL;
	}
	return s;
}

static int same_channels(const struct settings *a, const struct settings *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (!config_alert_same(&a->ch[i], &b->ch[i]))
			return 0;
	return 1;
}

static void wake(void *ctx)
{
	struct alerts *a = ctx;
	pthread_mutex_lock(&a->mu);
	a->poke = 1;
	pthread_cond_signal(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

/* ---- the thread's channels ---- */

static void channels_close(struct alerts *a)
{
	for (size_t i = 0; a->mqtt && i < a->cur.n; i++)
		alert_mqtt_destroy(a->mqtt[i]);
	free(a->mqtt);
	free(a->session);
	free(a->sent);
	a->mqtt = NULL;
	a->session = NULL;
	a->sent = NULL;
	config_alert_list_free(a->cur.ch, a->cur.n);
	free(a->cur.dashboard);
	memset(&a->cur, 0, sizeof a->cur);
}

static void channels_open(struct alerts *a)
{
	char err[256];
	a->mqtt = calloc(a->cur.n + 1, sizeof *a->mqtt);
	a->session = calloc(a->cur.n + 1, sizeof *a->session);
	a->sent = calloc(a->cur.n + 1, sizeof *a->sent);
	if (!a->mqtt || !a->session || !a->sent) {
		log_line("alerts: out of memory: alerts are off until the next reload");
		config_alert_list_free(a->cur.ch, a->cur.n);
		a->cur.ch = NULL;
		a->cur.n = 0;
		return;
	}
	for (size_t i = 0; i < a->cur.n; i++)
		if (a->cur.ch[i].type == ALERT_MQTT &&
		    !(a->mqtt[i] = alert_mqtt_create(&a->cur.ch[i], wake, a, err, sizeof err)))
			log_line("alerts[%zu]: %s", i, err);
}

/* A reload's settings: the connections stay when the channels did; queued retries are for the
 * old channels' indexes and go with them. */
static void install(struct alerts *a, struct settings *s)
{
	if (same_channels(&a->cur, s) && a->mqtt) {
		a->cur.retention_days = s->retention_days;
		free(a->cur.dashboard);
		a->cur.dashboard = s->dashboard;
		s->dashboard = NULL;
		settings_free(s);
		return;
	}
	if (a->ndq)
		log_line("alerts: channels changed: %zu queued deliveries dropped", a->ndq);
	a->ndq = 0;
	channels_close(a);
	a->cur = *s;
	free(s);
	channels_open(a);
}

/* ---- deliveries ---- */

static int queue_delivery(struct alerts *a, const struct alert_event *ev, size_t channel, int64_t due_ms)
{
	if (a->ndq == a->capdq) {
		size_t cap = a->capdq ? a->capdq * 2 : 16;
		struct delivery *d = realloc(a->dq, cap * sizeof *d);
		if (!d)
			return -1;
		a->dq = d;
		a->capdq = cap;
	}
	a->dq[a->ndq++] = (struct delivery){ *ev, channel, 1, due_ms };
	return 0;
}

/* Events released by alerts_cycle become one delivery per channel. Called with mu held. */
static void fan_out(struct alerts *a)
{
	int64_t now = clock_mono_ms();
	for (size_t e = 0; e < a->nevents; e++)
		for (size_t i = 0; i < a->cur.n; i++)
			if (queue_delivery(a, &a->events[e], i, now) < 0)
				log_line("alerts: out of memory: %s alert lost", alert_event_name(&a->events[e]));
	a->nevents = 0;
}

static const char *type_name(enum alert_type t)
{
	return t == ALERT_WEBHOOK ? "webhook" : t == ALERT_MQTT ? "mqtt" : "command";
}

static int attempt(struct alerts *a, const struct delivery *d, int timeout_ms, char *detail, size_t len)
{
	const struct alert_conf *c = &a->cur.ch[d->channel];
	char *link = alert_link(a->cur.dashboard, d->ev.stream);
	int rc;
	if (c->type == ALERT_WEBHOOK)
		rc = alert_webhook_send(c, &d->ev, link, timeout_ms, detail, len);
	else if (c->type == ALERT_COMMAND)
		rc = alert_command_run(c, &d->ev, timeout_ms, detail, len);
	else if (a->mqtt[d->channel])
		rc = alert_mqtt_send_event(a->mqtt[d->channel], &d->ev, link, timeout_ms, detail, len);
	else {
		snprintf(detail, len, "no connection (see the monitor's log)");
		rc = -1;
	}
	free(link);
	return rc;
}

static void log_attempt(struct alerts *a, const struct delivery *d, int ok, const char *detail)
{
	char channel[32], err[256];
	const struct alert_conf *c = &a->cur.ch[d->channel];
	struct alert_log_row r = { clock_utc_ms(), channel, alert_event_name(&d->ev),
				   d->ev.stream[0] ? d->ev.stream : NULL, d->attempt, ok, detail };
	snprintf(channel, sizeof channel, "%s#%zu", type_name(c->type), d->channel);
	if (!ok || log_verbose)
		log_line("alert %s %s%s%s%s: attempt %d %s: %s", channel, r.event, r.stream ? " '" : "",
			 r.stream ? r.stream : "", r.stream ? "'" : "", d->attempt, ok ? "sent" : "failed", detail);
	if (a->st && store_alert_log(a->st, &r, err, sizeof err) < 0)
		log_line("alerts: %s", err);
}

/* One attempt; 1 when the delivery is done (sent, or out of retries). */
static int deliver(struct alerts *a, struct delivery *d, int64_t drain_until)
{
	const struct alert_conf *c = &a->cur.ch[d->channel];
	char detail[300];
	int64_t now = clock_mono_ms(), backoff;
	int timeout_ms = c->timeout_seconds * 1000, ok;
	if (drain_until && drain_until - now < timeout_ms)
		timeout_ms = drain_until - now > 100 ? (int)(drain_until - now) : 100;
	ok = attempt(a, d, timeout_ms, detail, sizeof detail) == 0;
	log_attempt(a, d, ok, detail);
	if (ok || d->attempt > c->retries)
		return 1;
	backoff = 1000LL << (d->attempt - 1 < 16 ? d->attempt - 1 : 16);
	d->due_ms = clock_mono_ms() + (backoff < BACKOFF_MAX_MS ? backoff : BACKOFF_MAX_MS);
	d->attempt++;
	return 0;
}

static void deliver_due(struct alerts *a, int64_t drain_until)
{
	for (size_t i = 0; i < a->ndq;) {
		if (a->dq[i].due_ms > clock_mono_ms() || (drain_until && clock_mono_ms() >= drain_until)) {
			i++;
			continue;
		}
		if (deliver(a, &a->dq[i], drain_until))
			memmove(&a->dq[i], &a->dq[i + 1], (--a->ndq - i) * sizeof *a->dq);
		else
			i++;
	}
}

static int64_t next_due(const struct alerts *a, int64_t now)
{
	int64_t due = now + IDLE_WAKE_MS;
	for (size_t i = 0; i < a->ndq; i++)
		if (a->dq[i].due_ms < due)
			due = a->dq[i].due_ms;
	return due;
}

/* ---- MQTT's retained states ---- */

static void publish_states(struct alerts *a, size_t i)
{
	struct alert_event *st = NULL;
	unsigned session = alert_mqtt_session(a->mqtt[i]);
	uint64_t upto;
	size_t n = 0, k;
	char *link;
	if (!session)
		return;
	if (session != a->session[i]) { /* a new connection: the broker may have lost everything */
		a->session[i] = session;
		a->sent[i] = 0;
	}
	pthread_mutex_lock(&a->mu);
	upto = a->states.seq;
	if (upto > a->sent[i])
		n = states_since(&a->states, a->sent[i], &st);
	pthread_mutex_unlock(&a->mu);
	for (k = 0; k < n; k++) {
		link = alert_link(a->cur.dashboard, st[k].stream);
		int rc = alert_mqtt_publish_state(a->mqtt[i], &st[k], link);
		free(link);
		if (rc < 0)
			break;
	}
	if (k == n && (n || upto == a->sent[i]))
		a->sent[i] = upto; /* else (a publish failed, or no memory) all again next time */
	free(st);
}

static void publish_all_states(struct alerts *a)
{
	for (size_t i = 0; a->mqtt && i < a->cur.n; i++)
		if (a->mqtt[i])
			publish_states(a, i);
}

static void prune_log(struct alerts *a)
{
	char err[256];
	int64_t now = clock_mono_ms();
	if (now < a->next_prune_ms || !a->st)
		return;
	a->next_prune_ms = now + PRUNE_MS;
	if (store_alert_log_prune(a->st, clock_utc_ms() - (int64_t)a->cur.retention_days * 86400000, err,
				  sizeof err) < 0)
		log_line("alerts: %s", err);
}

/* ---- the thread ---- */

static void wait_for_work(struct alerts *a)
{
	int64_t now = clock_mono_ms(), until = next_due(a, now);
	struct timespec ts;
	if (a->poke || a->pending || a->nevents || a->stop || until <= now)
		return;
	ts.tv_sec = (time_t)(until / 1000);
	ts.tv_nsec = (long)(until % 1000) * 1000000L;
	pthread_cond_timedwait(&a->cv, &a->mu, &ts);
}

static int drained(const struct alerts *a)
{
	if (clock_mono_ms() >= a->drain_until_ms)
		return 1;
	for (size_t i = 0; i < a->ndq; i++)
		if (a->dq[i].due_ms < a->drain_until_ms)
			return 0;
	return 1;
}

static void *run(void *arg)
{
	struct alerts *a = arg;
	struct settings *s;
	int64_t drain_until;
	pthread_mutex_lock(&a->mu);
	for (;;) {
		if ((s = a->pending)) {
			a->pending = NULL;
			pthread_mutex_unlock(&a->mu);
			install(a, s);
			pthread_mutex_lock(&a->mu);
		}
		fan_out(a);
		if (a->stop && drained(a))
			break;
		a->poke = 0;
		drain_until = a->stop ? a->drain_until_ms : 0;
		pthread_mutex_unlock(&a->mu);
		publish_all_states(a);
		deliver_due(a, drain_until);
		prune_log(a);
		pthread_mutex_lock(&a->mu);
		wait_for_work(a);
	}
	pthread_mutex_unlock(&a->mu);
	if (a->ndq)
		log_line("alerts: stopping with %zu deliveries not sent", a->ndq);
	channels_close(a);
	return NULL;
}

/* ---- the monitor's side ---- */

struct alerts *alerts_create(const struct config *cfg, char *err, size_t errlen)
{
	struct alerts *a = calloc(1, sizeof *a);
	if (!a)
		return snprintf(err, errlen, "alerts: out of memory"), NULL;
	pthread_condattr_t ca;
	pthread_mutex_init(&a->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* a wall clock step must not stall it */
	pthread_cond_init(&a->cv, &ca);
	pthread_condattr_destroy(&ca);
	a->percent = cfg->site_down_percent;
	a->group.settle_cycles = cfg->recover_threshold;
	a->group.confirm_cycles = cfg->fail_threshold;
	mosquitto_lib_init(); /* once per alerts: the monitor makes one, before its thread */
	if (store_open(cfg->database, &a->st, err, errlen) < 0) {
		alerts_destroy(a);
		return NULL;
	}
	if (!(a->pending = settings_of(cfg))) {
		snprintf(err, errlen, "alerts: out of memory");
		alerts_destroy(a);
		return NULL;
	}
	if (pthread_create(&a->thread, NULL, run, a) != 0) {
		snprintf(err, errlen, "alerts: cannot start the alert thread");
		alerts_destroy(a);
		return NULL;
	}
	a->started = 1;
	return a;
}

int alerts_apply(struct alerts *a, const struct config *cfg, char *err, size_t errlen)
{
	struct settings *s = a ? settings_of(cfg) : NULL;
	if (!a)
		return 0;
	if (!s)
		return snprintf(err, errlen, "alerts: out of memory"), -1;
	pthread_mutex_lock(&a->mu);
	settings_free(a->pending);
	a->pending = s;
	a->percent = cfg->site_down_percent;
	a->group.settle_cycles = cfg->recover_threshold;
	a->group.confirm_cycles = cfg->fail_threshold;
	a->poke = 1;
	pthread_cond_signal(&a->cv);
	pthread_mutex_unlock(&a->mu);
	return 0;
}

void alerts_stream_event(struct alerts *a, const struct alert_event *ev)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->mu);
	if (group_hold(&a->group, ev) < 0)
		log_line("alerts: out of memory: %s alert of '%s' lost", alert_event_name(ev), ev->stream);
	pthread_mutex_unlock(&a->mu);
}

void alerts_stream_state(struct alerts *a, const char *stream, int state, const char *reason,
			 int64_t since_ms, int latency_ms)
{
	struct alert_event st = { .ts_ms = since_ms, .state = state, .prev_state = state,
				  .since_ms = since_ms, .latency_ms = latency_ms };
	if (!a)
		return;
	snprintf(st.stream, sizeof st.stream, "%s", stream);
	snprintf(st.reason, sizeof st.reason, "%s", reason ? reason : "");
	pthread_mutex_lock(&a->mu);
	if (states_set(&a->states, &st) < 0)
		log_line("alerts: out of memory: MQTT state of '%s' not kept", stream);
	a->poke = 1;
	pthread_cond_signal(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

/* Called with mu held. */
static int append_events(struct alerts *a, const struct alert_event *ev, size_t n)
{
	if (a->nevents + n > a->capevents) {
		size_t cap = (a->nevents + n) * 2;
		struct alert_event *e = realloc(a->events, cap * sizeof *e);
		if (!e)
			return -1;
		a->events = e;
		a->capevents = cap;
	}
	memcpy(a->events + a->nevents, ev, n * sizeof *ev);
	a->nevents += n;
	return 0;
}

void alerts_cycle(struct alerts *a, size_t streams_total, size_t streams_failing, int64_t now_ms)
{
	struct alert_event *out = NULL;
	size_t n = 0;
	if (!a)
		return;
	pthread_mutex_lock(&a->mu);
	if (group_cycle(&a->group, streams_total, streams_failing, a->percent, now_ms, &out, &n) < 0)
		log_line("alerts: out of memory: some alerts of this cycle lost");
	if (n && append_events(a, out, n) < 0)
		log_line("alerts: out of memory: %zu alerts lost", n);
	if (n) {
		a->poke = 1;
		pthread_cond_signal(&a->cv);
	}
	pthread_mutex_unlock(&a->mu);
	free(out);
}

void alerts_destroy(struct alerts *a)
{
	if (!a)
		return;
	if (a->started) {
		pthread_mutex_lock(&a->mu);
		a->stop = 1;
		a->drain_until_ms = clock_mono_ms() + DRAIN_MS;
		pthread_cond_signal(&a->cv);
		pthread_mutex_unlock(&a->mu);
		pthread_join(a->thread, NULL);
	}
	settings_free(a->pending);
	channels_close(a);
	group_free(&a->group);
	states_free(&a->states);
	free(a->events);
	free(a->dq);
	store_close(a->st);
	mosquitto_lib_cleanup();
	pthread_cond_destroy(&a->cv);
	pthread_mutex_destroy(&a->mu);
	free(a);
}
