/* api.c - the JSON API and the CSV export. All JSON goes through jansson, which escapes any name.
 * Outcomes: 200 JSON/CSV; 400 bad parameter named; 404 unknown stream; 503 database or monitor
 * not healthy (/api/health). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_format.h"
#include "cache.h"
#include "status.h"

static void send_json(struct web *w, json_t *o)
{
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!text) {
		ui_error(w, 500, "out of memory building JSON");
		return;
	}
	snprintf(w->res.content_type, sizeof w->res.content_type, "application/json");
	res_header(w, "Cache-Control: no-store");
	buf_printf(&w->res.body, "%s\n", text);
	free(text);
}

/* The list as JSON text into out; 0, or -1 after ui_error. */
static int streams_json(struct web *w, const char *q, const char *state, int64_t until,
			struct buf *out)
{
	struct status_list l;
	if (status_load(w, q, state, until, &l) < 0)
		return -1;
	json_t *streams = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(streams, api_stream_json(&l.rows[i]));
	/* No generation time: every worker then renders the same bytes, and one ETag serves all. */
	json_t *o = json_pack("{s:I, s:i, s:s, s:{s:i, s:i, s:i, s:i}, s:o}", "uptime_until_ms", (json_int_t)until,
			      "heartbeat_seconds", w->cfg->heartbeat_seconds, "timezone", w->cfg->timezone,
			      "counts", "up", l.up, "down", l.down, "degraded", l.degraded, "never", l.never,
			      "streams", streams);
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	status_free(&l);
	if (!text) {
		ui_error(w, 500, "out of memory building JSON");
		return -1;
	}
	buf_printf(out, "%s\n", text);
	free(text);
	return 0;
}

/* GET /api/streams[?q=NAME-PART][&state=up|down|never]: every configured stream, down first.
 * The body is kept per worker (cache.h) until the config, the data or the minute changes. */
void api_streams(struct web *w)
{
	const char *q, *state, *etag;
	struct buf key = { 0 };
	const struct buf *body;
	if (input_text(&w->req.query, "q", 64, &q) < 0 || input_text(&w->req.query, "state", 8, &state) < 0 ||
	    (*state && strcmp(state, "up") && strcmp(state, "down") && strcmp(state, "never"))) {
		ui_error(w, 400, "q is up to 64 characters, state is up, down or never");
		return;
	}
	int64_t until = cache_key_base(w, &key);
	buf_printf(&key, "api|state=%s|q=%s", state, q); /* q last: it may hold '|' */
	if (!(body = cache_get(key.p, &etag))) {
		if (streams_json(w, q, state, until, &w->res.body) < 0)
			goto end;
		etag = cache_put(key.p, &w->res.body);
		body = &w->res.body;
	}
	snprintf(w->res.content_type, sizeof w->res.content_type, "application/json");
	if (!etag)
		res_header(w, "Cache-Control: no-store");
	else if (cache_not_modified(w, etag))
		goto end;
	/* Sent from the cache itself: it stays put until this worker's next request. */
	w->res.kept_body = body;
end:
	buf_free(&key);
}

void api_heartbeats(struct web *w, const char *name)
{
	long long since, until, limit, now = web_now_ms();
	char err[256];
	int64_t id = web_stream(w, name) ? store_web_stream_id(w->st, name) : 0;
	if (!web_stream(w, name)) {
		ui_error(w, 404, "no stream named '%s'", name);
		return;
	}
	if (input_int(&w->req.query, "since", 0, INT64_MAX / 2, now - 86400000LL, &since) < 0 ||
	    input_int(&w->req.query, "until", 0, INT64_MAX / 2, now + 1, &until) < 0 ||
	    input_int(&w->req.query, "limit", 1, 10000, 100, &limit) < 0) {
		ui_error(w, 400, "since/until are UTC milliseconds, limit is 1 to 10000");
		return;
	}
	struct beat *b = calloc((size_t)limit, sizeof *b);
	size_t n = 0;
	if (!b || (id && store_web_beats(w->st, id, since, until, 0, b, (size_t)limit, &n, err, sizeof err) < 0)) {
		free(b);
		ui_error(w, 503, "cannot read heartbeats");
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, api_beat_json(&b[i]));
	free(b);
	send_json(w, json_pack("{s:o, s:I, s:I, s:o}", "name", api_text(name), "since", (json_int_t)since,
			       "until", (json_int_t)until, "heartbeats", arr));
}

/* No login: for load balancers and uptime checkers. Healthy when the database reads and the
 * monitor wrote within three intervals. */
void api_health(struct web *w)
{
	int64_t last = store_web_monitor_write_ms(w->st), now = web_now_ms();
	int64_t limit = 3LL * w->cfg->heartbeat_seconds * 1000;
	int ok = last > 0 && now - last <= limit;
	json_t *o = json_pack("{s:b, s:b}", "ok", ok, "database", 1);
	json_object_set_new(o, "monitor_write_ms", last ? json_integer(last) : json_null());
	if (last)
		json_object_set_new(o, "monitor_age_s", json_integer((now - last) / 1000));
	if (!ok)
		json_object_set_new(o, "problem", json_string(last ? "the monitor has not written for over three intervals" : "the monitor has never written"));
	w->res.status = ok ? 200 : 503;
	send_json(w, o);
}

static int csv_row(void *ctx, const char *stream, const struct beat *bt)
{
	struct buf *b = ctx;
	char ts[32], num[32];
	time_t t = (time_t)(bt->ts_ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	api_csv_cell(b, stream);
	buf_printf(b, ",%s.%03dZ,%s,", ts, (int)(bt->ts_ms % 1000), hb_state_name(bt->state));
	if (bt->latency_ms >= 0) {
		snprintf(num, sizeof num, "%d", bt->latency_ms);
		buf_add(b, num, strlen(num));
	}
	buf_add(b, ",", 1);
	api_csv_cell(b, bt->state == HB_UP ? "" : bt->message);
	buf_add(b, ",", 1);
	api_csv_cell(b, bt->state == HB_UP ? "" : bt->error);
	buf_printf(b, ",%lld\r\n", (long long)bt->ts_ms);
	return 0;
}

void api_export_csv(struct web *w)
{
	const char *name;
	char err[256];
	int64_t id = 0;
	if (input_text(&w->req.query, "stream", 64, &name) < 0) {
		ui_error(w, 400, "stream is a stream name");
		return;
	}
	if (*name && !(id = store_web_stream_id(w->st, name))) {
		ui_error(w, 404, "no stream named '%s'", name);
		return;
	}
	buf_printf(&w->res.body, "stream,ts_utc,status,latency_ms,message,error,ts_ms\r\n");
	if (store_web_export(w->st, id, csv_row, &w->res.body, err, sizeof err) < 0) {
		w->res.body.len = 0;
		ui_error(w, 503, "cannot export: %s", err);
		return;
	}
	snprintf(w->res.content_type, sizeof w->res.content_type, "text/csv; charset=utf-8");
	res_header(w, "Content-Disposition: attachment; filename=\"streampulse.csv\"");
}
