/* ui-dashboard.c - GET /: every stream, down first, with state, since, latency, uptime, the bar
 * of recent heartbeats and the thumbnail. ?q= filters by name, ?state=up|down|never.
 * Outcomes: 200 page; 400 bad filter; 503 database unreadable. */
#include <ClearSilver/ClearSilver.h>
#include <stdio.h>
#include <string.h>

#include "status.h"

struct dash {
	struct status_list list;
	const char *q, *state;
};

static void set_row(struct web *w, HDF *hdf, const char *p, const struct status_row *r)
{
	char key[128], when[64], dur[64];
	int64_t now = web_now_ms();
#define SET(field, value) (snprintf(key, sizeof key, "%s.%s", p, field), hdf_set_value(hdf, key, value))
#define SETI(field, value) (snprintf(key, sizeof key, "%s.%s", p, field), hdf_set_int_value(hdf, key, value))
	SET("Name", r->s.name);
	SET("State", status_state_name(r->s.state));
	SETI("Id", (int)r->s.id);
	SETI("Enabled", r->enabled);
	if (r->s.state >= 0) {
		web_time(w, r->s.last_ms, when, sizeof when);
		SET("Checked", when);
		web_duration(now - r->s.since_ms, dur, sizeof dur);
		SET("Since", dur);
		web_time(w, r->s.since_ms, when, sizeof when);
		SET("SinceAt", when);
	}
	if (r->s.latency_ms >= 0)
		SETI("Latency", r->s.latency_ms);
	if (r->s.uptime_24h >= 0) {
		snprintf(dur, sizeof dur, "%.1f", r->s.uptime_24h);
		SET("Uptime", dur);
	}
	SET("Error", r->s.error);
	SET("Message", r->s.message);
	if (r->s.codec[0]) {
		snprintf(dur, sizeof dur, "%s %dx%d", r->s.codec, r->s.width, r->s.height);
		SET("Video", dur);
	}
	if (r->thumb_mtime_ms) {
		web_duration(now - r->thumb_mtime_ms, dur, sizeof dur);
		SET("ThumbAge", dur);
	}
#undef SET
#undef SETI
}

static void set_beats(struct web *w, HDF *hdf, const char *p, const struct status_row *r)
{
	struct beat beats[STATUS_RECENT];
	size_t n = status_recent(w, r, beats);
	char key[160], when[64], title[512];
	/* Oldest on the left, as a timeline reads. */
	for (size_t i = 0; i < n; i++) {
		const struct beat *b = &beats[n - 1 - i];
		web_time(w, b->ts_ms, when, sizeof when);
		if (b->up)
			snprintf(title, sizeof title, "%s up, %d ms", when, b->latency_ms);
		else
			snprintf(title, sizeof title, "%s down: %s: %s", when, b->error, b->message);
		snprintf(key, sizeof key, "%s.Beats.%zu.Up", p, i);
		hdf_set_int_value(hdf, key, b->up);
		snprintf(key, sizeof key, "%s.Beats.%zu.Title", p, i);
		hdf_set_value(hdf, key, title);
	}
}

static int fill_dashboard(struct web *w, HDF *hdf, void *ctx)
{
	struct dash *d = ctx;
	char p[32];
	hdf_set_int_value(hdf, "Counts.Up", d->list.up);
	hdf_set_int_value(hdf, "Counts.Down", d->list.down);
	hdf_set_int_value(hdf, "Counts.Never", d->list.never);
	hdf_set_int_value(hdf, "Counts.Total", (int)w->cfg.nstreams);
	hdf_set_int_value(hdf, "Counts.Shown", (int)d->list.n);
	hdf_set_int_value(hdf, "Refresh", w->cfg.heartbeat_seconds);
	hdf_set_value(hdf, "Timezone", w->cfg.timezone);
	hdf_set_value(hdf, "Filter.Q", d->q);
	hdf_set_value(hdf, "Filter.State", d->state);
	for (size_t i = 0; i < d->list.n; i++) {
		snprintf(p, sizeof p, "Streams.%zu", i);
		set_row(w, hdf, p, &d->list.rows[i]);
		set_beats(w, hdf, p, &d->list.rows[i]);
	}
	return 0;
}

void ui_dashboard(struct web *w)
{
	struct dash d = { .q = "", .state = "" };
	if (input_text(&w->req.query, "q", 64, &d.q) < 0 || input_text(&w->req.query, "state", 8, &d.state) < 0 ||
	    (*d.state && strcmp(d.state, "up") && strcmp(d.state, "down") && strcmp(d.state, "never"))) {
		ui_error(w, 400, "filter: q is up to 64 characters, state is up, down or never");
		return;
	}
	if (status_load(w, d.q, d.state, &d.list) < 0)
		return;
	res_header(w, "Cache-Control: no-store");
	render(w, "dashboard.cs", "Dashboard", fill_dashboard, &d);
	status_free(&d.list);
}
