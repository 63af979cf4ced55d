/* alert_group.c - the site-down grouping: which held events are sent, and when one "site down"
 * stands for them all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_int.h"
#include "store.h"

/* A stream that is failing, or was alerted as failing and is not up again. */
struct group_mark {
	struct alert_event last;   /* its latest failing event, sent after a site_up */
	int alerted;               /* its failing state was sent: its recovery is sent too */
	int settle;                /* cycles to wait after a site_up before its own alert */
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap * 2 : 16;
	void *q;
	if (need <= *cap)
		return 0;
	if (!(q = realloc(*p, n * size)))
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

/* An event waiting for a cycle to decide on it. */
struct group_held {
	struct alert_event ev;
	int aged;                  /* it has seen one cycle already */
};

int group_hold(struct alert_group *g, const struct alert_event *ev)
{
	if (grow((void **)&g->held, &g->capheld, g->nheld + 1, sizeof *g->held) < 0)
		return -1;
	g->held[g->nheld++] = (struct group_held){ *ev, 0 };
	return 0;
}

static struct group_mark *find_mark(struct alert_group *g, const char *stream)
{
	for (size_t i = 0; i < g->nmarks; i++)
		if (!strcmp(g->marks[i].last.stream, stream))
			return &g->marks[i];
	return NULL;
}

static struct group_mark *add_mark(struct alert_group *g, const struct alert_event *ev)
{
	struct group_mark *m = find_mark(g, ev->stream);
	if (m)
		return m;
	if (grow((void **)&g->marks, &g->capmarks, g->nmarks + 1, sizeof *g->marks) < 0)
		return NULL;
	m = &g->marks[g->nmarks++];
	memset(m, 0, sizeof *m);
	m->last = *ev;
	return m;
}

static void drop_mark(struct alert_group *g, struct group_mark *m)
{
	*m = g->marks[--g->nmarks];
}

struct sink {
	struct alert_event *ev;
	size_t n, cap;
	int failed;
};

static void emit(struct sink *s, const struct alert_event *ev)
{
	if (grow((void **)&s->ev, &s->cap, s->n + 1, sizeof *s->ev) < 0) {
		s->failed = 1;
		return;
	}
	s->ev[s->n++] = *ev;
}

static void emit_site(struct sink *s, struct alert_group *g, int up, size_t total, size_t failing,
		      int64_t now_ms)
{
	struct alert_event ev = { .ts_ms = now_ms, .state = up ? HB_UP : HB_DOWN,
				  .prev_state = up ? HB_DOWN : HB_UP, .latency_ms = -1 };
	snprintf(ev.reason, sizeof ev.reason, "%s", up ? "" : "site");
	snprintf(ev.message, sizeof ev.message, "%zu of %zu streams failing", failing, total);
	ev.since_ms = up ? now_ms : g->site_since_ms;
	emit(s, &ev);
}

/* A held event while the site is up: failing ones are sent; a recovery is sent unless its
 * failure never was (covered by a site_down). Unknown streams (alerted before a restart)
 * get their recovery sent. */
static void release(struct sink *s, struct alert_group *g, const struct alert_event *ev)
{
	struct group_mark *m = ev->state == HB_UP ? find_mark(g, ev->stream) : add_mark(g, ev);
	if (ev->state != HB_UP) {
		if (!m) {
			s->failed = 1;
			return;
		}
		m->last = *ev;
		if (!g->site_down) {
			m->alerted = 1;
			emit(s, ev);
		}
		return;
	}
	if (!m || m->alerted)
		emit(s, ev);
	if (m)
		drop_mark(g, m);
}

int group_cycle(struct alert_group *g, size_t total, size_t failing, int percent, int64_t now_ms,
		struct alert_event **out, size_t *nout)
{
	struct sink s = { 0 };
	size_t i;
	int over = total > 0 && failing * 100 > (size_t)percent * total;
	int site;
	/* Like a stream's fail_threshold: the count is of latest probes, and one bad second on
	 * the network must not page anyone. Back below at once is site_up. */
	g->site_run = over ? g->site_run + 1 : 0;
	site = g->site_down ? over : over && g->site_run >= g->confirm_cycles;
	if (site && !g->site_down) {
		g->site_down = 1;
		g->site_since_ms = now_ms;
		emit_site(&s, g, 0, total, failing, now_ms);
	} else if (!site && g->site_down) {
		g->site_down = 0;
		emit_site(&s, g, 1, total, failing, now_ms);
		for (i = 0; i < g->nmarks; i++)
			g->marks[i].settle = g->settle_cycles;
	}
	/* A failure waits one more cycle while the site is up: the streams of a site that
	 * went down confirm their failures over about one interval, and the first ones must
	 * not slip out before the count says "site down". Events stay in order per stream. */
	for (i = 0; i < g->nheld; i++) {
		if (!g->site_down && g->held[i].ev.state != HB_UP && !g->held[i].aged)
			break;
		release(&s, g, &g->held[i].ev);
	}
	if (i > 0 && i < g->nheld)
		memmove(g->held, g->held + i, (g->nheld - i) * sizeof *g->held);
	g->nheld -= i;
	for (i = 0; i < g->nheld; i++)
		g->held[i].aged = 1;
	/* After a site_up, a stream still failing gets its own alert once it has had the time to
	 * confirm a recovery (the count is of latest probes, confirmation lags behind). */
	for (i = 0; !g->site_down && i < g->nmarks; i++) {
		if (!g->marks[i].alerted && g->marks[i].settle-- <= 0) {
			g->marks[i].alerted = 1;
			emit(&s, &g->marks[i].last);
		}
	}
	*out = s.ev;
	*nout = s.n;
	return s.failed ? -1 : 0;
}

void group_free(struct alert_group *g)
{
	free(g->held);
	free(g->marks);
	memset(g, 0, sizeof *g);
}
