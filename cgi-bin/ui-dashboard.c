/* ui-dashboard.c - GET /: counts, then every stream, down first, 200 a page (?page=N), with
 * state, since, latency, uptime, a bar of recent heartbeats and the thumbnail; ?q= filters by
 * name, ?state=up|down|never. When the list has more than one page, every down stream is named
 * at the top of each page, so no problem hides on a later page.
 * The streams part is rendered without user data and kept per worker (cache.h); the page
 * around it (user, CSRF token, filter form) is rendered per request.
 * Outcomes: 200 page; 304 unchanged (If-None-Match); 400 bad filter or page; 404 page beyond
 * the last; 503 database unreadable. */
#include <ClearSilver/ClearSilver.h>
#include <stdio.h>
#include <string.h>

#include "cache.h"
#include "status.h"

#define PAGE_ROWS 200
#define BAR_PX 4 /* per heartbeat, as the old one-span-per-beat bar */

struct dash {
	struct web *w;
	struct status_list list;
	const char *q, *state;
	long long page, pages;
	int64_t until;          /* end of the uptime window (cache.h) */
	const char *live;       /* the rendered streams part, for the page around it */
};

static void set_times(struct web *w, HDF *hdf, const char *p, const struct status_row *r)
{
	char key[128], when[64];
#define SET(field, value) (snprintf(key, sizeof key, "%s.%s", p, field), hdf_set_value(hdf, key, value))
	if (r->s.state >= 0) {
		web_time(w, r->s.last_ms, when, sizeof when);
		SET("Checked", when);
		web_time(w, r->s.since_ms, when, sizeof when);
		SET("SinceAt", when);
		snprintf(when, sizeof when, "%lld", (long long)r->s.since_ms);
		SET("SinceMs", when);
	}
	if (r->thumb_mtime_ms) {
		web_time(w, r->thumb_mtime_ms, when, sizeof when);
		SET("ThumbAt", when);
		snprintf(when, sizeof when, "%lld", (long long)r->thumb_mtime_ms);
		SET("ThumbMs", when);
	}
#undef SET
}

/* Absolute times only ("since" and thumbnail ages become relative in app.js): the part stays
 * right while cached. */
static void set_row(struct web *w, HDF *hdf, const char *p, const struct status_row *r)
{
	char key[128], text[64];
#define SET(field, value) (snprintf(key, sizeof key, "%s.%s", p, field), hdf_set_value(hdf, key, value))
#define SETI(field, value) (snprintf(key, sizeof key, "%s.%s", p, field), hdf_set_int_value(hdf, key, value))
	SET("Name", r->s.name);
	SET("State", status_state_name(r->s.state));
	SETI("Enabled", r->enabled);
	set_times(w, hdf, p, r);
	if (r->s.latency_ms >= 0)
		SETI("Latency", r->s.latency_ms);
	if (r->s.uptime_24h >= 0) {
		snprintf(text, sizeof text, "%.1f", r->s.uptime_24h);
		SET("Uptime", text);
	}
	SET("Error", r->s.error);
	SET("Message", r->s.message);
	if (r->s.codec[0]) {
		snprintf(text, sizeof text, "%s %dx%d", r->s.codec, r->s.width, r->s.height);
		SET("Video", text);
	}
#undef SET
#undef SETI
}

/* The bar: one SVG, a path of runs per state (down, up, degraded, skipped: enum hb_state
 * order), oldest on the left. A title per heartbeat made 3 KB a row; the stream's page has
 * the details. */
static void set_bar(struct web *w, HDF *hdf, const char *p, const struct status_row *r)
{
	static const char *const keys[4] = { "Down", "Up", "Degraded", "Skipped" };
	struct beat beats[STATUS_RECENT];
	size_t n = status_recent(w, r, beats), count[4] = { 0 };
	struct buf path[4] = { { 0 } };
	char key[128], title[128];
	for (size_t i = 0; i < n;) {
		size_t run = 1;
		int s = beats[n - 1 - i].state & 3;
		while (i + run < n && (beats[n - 1 - i - run].state & 3) == s)
			run++;
		buf_printf(&path[s], "M%zu .5h%zu", i, run);
		count[s] += run;
		i += run;
	}
	snprintf(title, sizeof title, "last %zu heartbeats: %zu up, %zu degraded, %zu down, %zu skipped",
		 n, count[HB_UP], count[HB_DEGRADED], count[HB_DOWN], count[HB_SKIPPED]);
	snprintf(key, sizeof key, "%s.Bar.N", p);
	hdf_set_int_value(hdf, key, (int)n);
	snprintf(key, sizeof key, "%s.Bar.Title", p);
	hdf_set_value(hdf, key, title);
	for (int s = 0; s < 4; s++) {
		snprintf(key, sizeof key, "%s.Bar.%s", p, keys[s]);
		hdf_set_value(hdf, key, path[s].p ? path[s].p : "");
		buf_free(&path[s]);
	}
}

/* Every down stream of the filtered list (they sort first), when paging could hide some. */
static size_t set_problems(HDF *hdf, const struct dash *d)
{
	char key[64];
	size_t n = 0;
	while (n < d->list.n && (d->list.rows[n].s.state == HB_DOWN || d->list.rows[n].s.state == HB_DEGRADED))
		n++;
	for (size_t i = 0; d->pages > 1 && i < n; i++) {
		snprintf(key, sizeof key, "Problems.%zu.Name", i);
		hdf_set_value(hdf, key, d->list.rows[i].s.name);
		snprintf(key, sizeof key, "Problems.%zu.Error", i);
		hdf_set_value(hdf, key, d->list.rows[i].s.error);
		snprintf(key, sizeof key, "Problems.%zu.Message", i);
		hdf_set_value(hdf, key, d->list.rows[i].s.message);
	}
	return n;
}

static int fill_live(HDF *hdf, void *ctx)
{
	struct dash *d = ctx;
	struct web *w = d->w;
	size_t first = (size_t)(d->page - 1) * PAGE_ROWS, last = first + PAGE_ROWS;
	char p[32];
	if (last > d->list.n)
		last = d->list.n;
	hdf_set_int_value(hdf, "Counts.Up", d->list.up);
	hdf_set_int_value(hdf, "Counts.Down", d->list.down);
	hdf_set_int_value(hdf, "Counts.Degraded", d->list.degraded);
	hdf_set_int_value(hdf, "Counts.Never", d->list.never);
	hdf_set_int_value(hdf, "Counts.Total", (int)w->cfg->nstreams);
	hdf_set_int_value(hdf, "Counts.Shown", (int)d->list.n);
	hdf_set_int_value(hdf, "Refresh", w->cfg->heartbeat_seconds);
	hdf_set_value(hdf, "Timezone", w->cfg->timezone);
	hdf_set_value(hdf, "Filter.Q", d->q);
	hdf_set_value(hdf, "Filter.State", d->state);
	hdf_set_int_value(hdf, "Paging.Page", (int)d->page);
	hdf_set_int_value(hdf, "Paging.Pages", (int)d->pages);
	hdf_set_int_value(hdf, "Paging.First", (int)first + 1);
	hdf_set_int_value(hdf, "Paging.Last", (int)last);
	hdf_set_int_value(hdf, "Paging.Down", (int)set_problems(hdf, d));
	hdf_set_int_value(hdf, "Bar.Max", STATUS_RECENT);
	hdf_set_int_value(hdf, "Bar.Width", STATUS_RECENT * BAR_PX);
	for (size_t i = first; i < last; i++) {
		snprintf(p, sizeof p, "Streams.%zu", i - first);
		set_row(w, hdf, p, &d->list.rows[i]);
		set_bar(w, hdf, p, &d->list.rows[i]);
	}
	return 0;
}

/* The streams part into out: 0, or -1 after ui_error. */
static int render_live(struct web *w, struct dash *d, struct buf *out)
{
	if (status_load(w, d->q, d->state, d->until, &d->list) < 0)
		return -1;
	d->pages = ((long long)d->list.n + PAGE_ROWS - 1) / PAGE_ROWS;
	if (d->pages < 1)
		d->pages = 1;
	int rc = -1;
	if (d->page > d->pages)
		ui_error(w, 404, "no page %lld: the list has %lld", d->page, d->pages);
	else if (render_fragment("dashboard-live.cs", fill_live, d, out) < 0)
		ui_error(w, 500, "the dashboard did not render (see the error log)");
	else
		rc = 0;
	status_free(&d->list);
	return rc;
}

static int fill_page(struct web *w, HDF *hdf, void *ctx)
{
	const struct dash *d = ctx;
	(void)w;
	hdf_set_value(hdf, "Filter.Q", d->q);
	hdf_set_value(hdf, "Filter.State", d->state);
	hdf_set_value(hdf, "Live", d->live);
	return 0;
}

/* The page's ETag: the streams part's, and everything the page around it shows. */
static void page_etag(const struct web *w, const struct dash *d, const char *live_etag,
		      char out[CACHE_ETAG])
{
	char flags[64];
	snprintf(flags, sizeof flags, "%d/%d/%lld", (int)w->user.role, w->user.must_change, d->page);
	const char *parts[] = { live_etag, w->user.name, flags, w->csrf, d->q, d->state };
	cache_etag_of(parts, sizeof parts / sizeof parts[0], out);
}

void ui_dashboard(struct web *w)
{
	struct dash d = { .w = w, .q = "", .state = "" };
	struct buf key = { 0 }, fresh = { 0 };
	const struct buf *live;
	const char *live_etag;
	char etag[CACHE_ETAG];
	if (input_text(&w->req.query, "q", 64, &d.q) < 0 || input_text(&w->req.query, "state", 8, &d.state) < 0 ||
	    (*d.state && strcmp(d.state, "up") && strcmp(d.state, "down") && strcmp(d.state, "degraded") &&
	     strcmp(d.state, "never")) ||
	    input_int(&w->req.query, "page", 1, 1000000, 1, &d.page) < 0) {
		ui_error(w, 400, "filter: q is up to 64 characters, state is up, down, degraded or never, page a number from 1");
		return;
	}
	d.until = cache_key_base(w, &key);
	buf_printf(&key, "dashboard|page=%lld|state=%s|q=%s", d.page, d.state, d.q); /* q last: it may hold '|' */
	if (!(live = cache_get(key.p, &live_etag))) {
		if (render_live(w, &d, &fresh) < 0)
			goto end;
		live_etag = cache_put(key.p, &fresh);
		live = &fresh;
	}
	if (!live_etag)
		res_header(w, "Cache-Control: no-store");
	else {
		page_etag(w, &d, live_etag, etag);
		if (cache_not_modified(w, etag))
			goto end;
	}
	d.live = live->p ? live->p : "";
	render(w, "dashboard.cs", "Dashboard", fill_page, &d);
end:
	buf_free(&key);
	buf_free(&fresh);
}
