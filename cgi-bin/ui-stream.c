/* ui-stream.c - GET /stream/NAME: latency chart (server-side SVG), uptime 24 h / 7 d / 30 d,
 * incidents, recent heartbeats (?page=N, 50 a page).
 * Outcomes: 200 page; 400 bad page number; 404 unknown stream; 503 database unreadable. */
#include <ClearSilver/ClearSilver.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_web.h"
#include "web.h"

#define PAGE_SIZE 50
#define CHART_W 800
#define CHART_H 160
#define CHART_BUCKETS 288          /* 5-minute buckets over 24 h */
#define DAY_MS 86400000LL
#define MAX_INCIDENTS 50

struct history {
	const struct stream_conf *s;
	int64_t id;
	long long page;
};

static void set_uptime(struct web *w, HDF *hdf, const char *key, int64_t id, int64_t span)
{
	char v[32];
	int64_t now = web_now_ms();
	double u = id ? store_web_uptime(w->st, id, now - span, now + 1) : -1;
	if (u < 0)
		snprintf(v, sizeof v, "no data");
	else
		snprintf(v, sizeof v, "%.2f %%", u);
	hdf_set_value(hdf, key, v);
}

/* The chart: per 5-minute bucket the worst (highest) latency, and red marks where it was down. */
static void set_chart(struct web *w, HDF *hdf, int64_t id)
{
	size_t cap = (size_t)(DAY_MS / 1000 / w->cfg->heartbeat_seconds) + 100, n = 0;
	struct beat *b = calloc(cap, sizeof *b);
	int worst[CHART_BUCKETS], down[CHART_BUCKETS], max = 1;
	int64_t now = web_now_ms(), start = now - DAY_MS;
	char err[128], pt[64], key[64];
	struct buf points = { 0 };
	if (!b || store_web_beats(w->st, id, start, now + 1, 0, b, cap, &n, err, sizeof err) < 0)
		n = 0;
	for (int i = 0; i < CHART_BUCKETS; i++)
		worst[i] = -1, down[i] = 0;
	for (size_t i = 0; i < n; i++) {
		int k = (int)((b[i].ts_ms - start) * CHART_BUCKETS / DAY_MS);
		if (k < 0 || k >= CHART_BUCKETS)
			continue;
		if (b[i].state == HB_DOWN)
			down[k] = 1;
		else if (b[i].latency_ms > worst[k])
			worst[k] = b[i].latency_ms;
	}
	for (int i = 0; i < CHART_BUCKETS; i++)
		if (worst[i] > max)
			max = worst[i];
	for (int i = 0, d = 0; i < CHART_BUCKETS; i++) {
		int x = i * CHART_W / CHART_BUCKETS;
		if (worst[i] >= 0) {
			snprintf(pt, sizeof pt, "%d,%d ", x, CHART_H - worst[i] * (CHART_H - 10) / max);
			buf_add(&points, pt, strlen(pt));
		}
		if (down[i]) {
			snprintf(key, sizeof key, "Chart.Down.%d", d++);
			hdf_set_int_value(hdf, key, x);
		}
	}
	hdf_set_value(hdf, "Chart.Points", points.p ? points.p : "");
	hdf_set_int_value(hdf, "Chart.Max", max);
	hdf_set_int_value(hdf, "Chart.Beats", (int)n);
	buf_free(&points);
	free(b);
}

static void set_incidents(struct web *w, HDF *hdf, int64_t id)
{
	struct incident inc[MAX_INCIDENTS];
	size_t n = 0;
	char err[128], key[64], v[64];
	int64_t now = web_now_ms();
	if (store_web_incidents(w->st, id, now - 30 * DAY_MS, now + 1, inc, MAX_INCIDENTS, &n, err, sizeof err) < 0)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t end = inc[i].end_ms ? inc[i].end_ms : now;
		snprintf(key, sizeof key, "Incidents.%zu.Start", i);
		web_time(w, inc[i].start_ms, v, sizeof v);
		hdf_set_value(hdf, key, v);
		snprintf(key, sizeof key, "Incidents.%zu.End", i);
		if (inc[i].end_ms)
			web_time(w, inc[i].end_ms, v, sizeof v);
		hdf_set_value(hdf, key, inc[i].end_ms ? v : inc[i].state == HB_DEGRADED ? "still degraded" : "still down");
		snprintf(key, sizeof key, "Incidents.%zu.State", i);
		hdf_set_value(hdf, key, hb_state_name(inc[i].state));
		snprintf(key, sizeof key, "Incidents.%zu.Duration", i);
		web_duration(end - inc[i].start_ms, v, sizeof v);
		hdf_set_value(hdf, key, v);
		snprintf(key, sizeof key, "Incidents.%zu.Reason", i);
		snprintf(v, sizeof v, "%s", inc[i].error);
		hdf_set_value(hdf, key, v);
		snprintf(key, sizeof key, "Incidents.%zu.Message", i);
		hdf_set_value(hdf, key, inc[i].message);
	}
}

static void set_recent(struct web *w, HDF *hdf, int64_t id, long long page)
{
	struct beat b[PAGE_SIZE + 1];
	size_t n = 0;
	char err[128], key[64], v[64];
	if (store_web_beats(w->st, id, 0, web_now_ms() + 1, (int)(page * PAGE_SIZE), b, PAGE_SIZE + 1, &n,
			    err, sizeof err) < 0)
		n = 0;
	hdf_set_int_value(hdf, "Recent.Page", (int)page);
	hdf_set_int_value(hdf, "Recent.HasNext", n > PAGE_SIZE);
	for (size_t i = 0; i < n && i < PAGE_SIZE; i++) {
		snprintf(key, sizeof key, "Recent.Beats.%zu.Time", i);
		web_time(w, b[i].ts_ms, v, sizeof v);
		hdf_set_value(hdf, key, v);
		snprintf(key, sizeof key, "Recent.Beats.%zu.State", i);
		hdf_set_value(hdf, key, hb_state_name(b[i].state));
		snprintf(key, sizeof key, "Recent.Beats.%zu.Latency", i);
		if (b[i].latency_ms >= 0)
			hdf_set_int_value(hdf, key, b[i].latency_ms);
		snprintf(key, sizeof key, "Recent.Beats.%zu.Error", i);
		hdf_set_value(hdf, key, b[i].error);
		snprintf(key, sizeof key, "Recent.Beats.%zu.Message", i);
		hdf_set_value(hdf, key, b[i].message);
	}
}

static int fill_history(struct web *w, HDF *hdf, void *ctx)
{
	const struct history *h = ctx;
	hdf_set_value(hdf, "Stream.Name", h->s->name);
	hdf_set_value(hdf, "Timezone", w->cfg->timezone);
	set_uptime(w, hdf, "Uptime.Day", h->id, DAY_MS);
	set_uptime(w, hdf, "Uptime.Week", h->id, 7 * DAY_MS);
	set_uptime(w, hdf, "Uptime.Month", h->id, 30 * DAY_MS);
	if (h->id) {
		set_chart(w, hdf, h->id);
		set_incidents(w, hdf, h->id);
		set_recent(w, hdf, h->id, h->page);
	}
	return 0;
}

void ui_stream(struct web *w, const char *name)
{
	struct history h = { web_stream(w, name), 0, 0 };
	if (!h.s) {
		ui_error(w, 404, "no stream named '%s'", name);
		return;
	}
	if (input_int(&w->req.query, "page", 0, 100000, 0, &h.page) < 0) {
		ui_error(w, 400, "page is a whole number from 0");
		return;
	}
	h.id = store_web_stream_id(w->st, name);
	res_header(w, "Cache-Control: no-store");
	render(w, "stream.cs", name, fill_history, &h);
}
