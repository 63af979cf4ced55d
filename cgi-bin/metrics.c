/* metrics.c - GET /metrics: stream health and the monitor's self metrics in the Prometheus
 * text exposition format 0.0.4. Outcomes: 200 text; 401 without an API token (unless
 * metrics_public); 503 when the database cannot be read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_meta.h"
#include "store_metrics.h"
#include "store_web.h"
#include "web.h"

static const int window_hours[] = { 24, 7 * 24, 30 * 24 };
static const char *const window_names[] = { "24h", "7d", "30d" };
#define NWIN (sizeof window_hours / sizeof window_hours[0])

/* Rollup sums kept per worker: rebuilt when a compaction changed them or the hour turned. */
static struct metrics_cache compacted_cache;

void metrics_cache_free(void)
{
	store_metrics_cache_free(&compacted_cache);
}

/* A label value as the format wants it: backslash, double quote and line feed escaped. */
static void label_value(struct buf *b, const char *s)
{
	for (;;) {
		size_t plain = strcspn(s, "\\\"\n");
		buf_add(b, s, plain);
		s += plain;
		if (!*s)
			return;
		buf_add(b, *s == '\n' ? "\\n" : *s == '"' ? "\\\"" : "\\\\", 2);
		s++;
	}
}

static void header(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{stream="..."[,extra]} : the caller adds the value. */
static void series(struct buf *b, const char *name, const char *stream, const char *extra)
{
	buf_printf(b, "%s{stream=\"", name);
	label_value(b, stream);
	buf_printf(b, "\"%s%s} ", extra ? "," : "", extra ? extra : "");
}

static void seconds(struct buf *b, int64_t ms)
{
	buf_printf(b, "%lld.%03lld\n", (long long)(ms / 1000), (long long)(ms % 1000));
}

static const char *state_name(int state)
{
	return state == HB_UP ? "up" : state == HB_DOWN ? "down" : state == HB_DEGRADED ? "degraded" : "unknown";
}

static void emit_state(struct buf *b, const struct stream_status *s, size_t n)
{
	static const char *const states[] = { "up", "down", "degraded", "unknown" };
	header(b, "streampulse_stream_up", "gauge",
	       "1 when the stream's confirmed state (after fail_threshold/recover_threshold) is up, else 0.");
	for (size_t i = 0; i < n; i++) {
		series(b, "streampulse_stream_up", s[i].name, NULL);
		buf_printf(b, "%d\n", s[i].state == HB_UP);
	}
	header(b, "streampulse_stream_state", "gauge",
	       "The stream's confirmed state: 1 on the series of the current one (unknown: never probed).");
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < sizeof states / sizeof states[0]; k++) {
			char extra[32];
			snprintf(extra, sizeof extra, "state=\"%s\"", states[k]);
			series(b, "streampulse_stream_state", s[i].name, extra);
			buf_printf(b, "%d\n", !strcmp(state_name(s[i].state), states[k]));
		}
}

static void emit_latency(struct buf *b, const struct stream_status *s, size_t n)
{
	header(b, "streampulse_stream_latency_seconds", "gauge",
	       "Time to the first clean frame at the stream's last heartbeat (none when it had no frame).");
	for (size_t i = 0; i < n; i++)
		if (s[i].latency_ms >= 0) {
			series(b, "streampulse_stream_latency_seconds", s[i].name, NULL);
			seconds(b, s[i].latency_ms);
		}
}

static void emit_last_success(struct buf *b, const struct stream_status *s, const struct stream_metrics *m,
			      size_t n)
{
	header(b, "streampulse_stream_last_success_timestamp_seconds", "gauge",
	       "UTC time of the stream's newest up heartbeat.");
	for (size_t i = 0; i < n; i++)
		if (m[i].last_up_ms > 0) {
			series(b, "streampulse_stream_last_success_timestamp_seconds", s[i].name, NULL);
			seconds(b, m[i].last_up_ms);
		}
}

static void emit_uptime(struct buf *b, const struct stream_status *s, const struct stream_metrics *m, size_t n)
{
	header(b, "streampulse_stream_uptime_ratio", "gauge",
	       "Share of the stream's probed heartbeats (skipped ones left out) that were up, over the window's whole hours and the current one.");
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < NWIN; k++) {
			const struct uptime_count *x = &m[i].win[k];
			char extra[32];
			if (x->probed <= 0)
				continue;
			snprintf(extra, sizeof extra, "window=\"%s\"", window_names[k]);
			series(b, "streampulse_stream_uptime_ratio", s[i].name, extra);
			buf_printf(b, "%.9g\n", x->ups / x->probed);
		}
}

/* Uptime and last success of every stream; NULL after ui_error. The caller frees. */
static struct stream_metrics *read_metrics(struct web *w, const struct stream_status *s, size_t n, int64_t now)
{
	char err[256];
	int64_t *ids = calloc(n + 1, sizeof *ids);
	struct stream_metrics *m = calloc(n + 1, sizeof *m);
	for (size_t i = 0; ids && i < n; i++)
		ids[i] = s[i].id;
	if (!ids || !m || store_metrics_read(w->st, ids, n, now, window_hours, NWIN, &compacted_cache, m,
					     err, sizeof err) < 0) {
		free(m);
		m = NULL;
		ui_error(w, 503, "cannot read uptime: %s", ids ? err : "out of memory");
	}
	free(ids);
	return m;
}

static void emit_histogram(struct buf *b, const struct monitor_metrics *m)
{
	uint64_t cum = 0;
	header(b, "streampulse_probe_duration_seconds", "histogram",
	       "Duration of the monitor's finished probes (connect to first clean frame or failure), since it started.");
	for (int i = 0; i < PROBE_BUCKETS; i++) {
		cum += m->bucket[i];
		if (i < PROBE_BUCKETS - 1)
			buf_printf(b, "streampulse_probe_duration_seconds_bucket{le=\"%g\"} %llu\n",
				   store_probe_bucket_ms[i] / 1000.0, (unsigned long long)cum);
		else
			buf_printf(b, "streampulse_probe_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
				   (unsigned long long)cum);
	}
	buf_printf(b, "streampulse_probe_duration_seconds_sum ");
	seconds(b, m->duration_sum_ms);
	buf_printf(b, "streampulse_probe_duration_seconds_count %llu\n", (unsigned long long)cum);
}

static void emit_monitor(struct web *w, struct buf *b, int64_t now)
{
	struct monitor_metrics m;
	int64_t last = store_web_monitor_write_ms(w->st);
	int up = last > 0 && now - last <= 3LL * w->cfg->heartbeat_seconds * 1000;
	header(b, "streampulse_monitor_up", "gauge", "1 when the monitor wrote heartbeats within three heartbeat intervals.");
	buf_printf(b, "streampulse_monitor_up %d\n", up);
	if (store_meta_get_metrics(w->st, &m) != 1)
		return; /* never published: only the gauge above says anything */
	emit_histogram(b, &m);
	header(b, "streampulse_monitor_probes_total", "counter", "Probes the monitor started since it started.");
	buf_printf(b, "streampulse_monitor_probes_total %llu\n", (unsigned long long)m.probes_started);
	header(b, "streampulse_monitor_skipped_probes_total", "counter",
	       "Scheduled probes not made since the monitor started: every probe worker busy, or the camera's client slots taken.");
	buf_printf(b, "streampulse_monitor_skipped_probes_total %llu\n", (unsigned long long)m.probes_skipped);
	if (m.cycle_ms >= 0) {
		header(b, "streampulse_monitor_cycle_duration_seconds", "gauge",
		       "Wall time of the monitor's last cycle: from one heartbeat commit to the next.");
		buf_printf(b, "streampulse_monitor_cycle_duration_seconds ");
		seconds(b, m.cycle_ms);
	}
	header(b, "streampulse_monitor_start_time_seconds", "gauge", "UTC time the monitor started.");
	buf_printf(b, "streampulse_monitor_start_time_seconds ");
	seconds(b, m.start_ms);
}

/* GET /metrics: every configured stream, in config order, then the monitor. */
void metrics_page(struct web *w)
{
	size_t n = w->cfg->nstreams;
	char err[256];
	int64_t now = web_now_ms();
	const char **names = config_names(w->cfg);
	struct stream_status *s = calloc(n + 1, sizeof *s);
	struct stream_metrics *m = NULL;
	if (!names || !s) {
		ui_error(w, 500, "out of memory");
		goto end;
	}
	if (store_web_status(w->st, names, n, now, s, err, sizeof err) < 0) {
		ui_error(w, 503, "cannot read stream states: %s", err);
		goto end;
	}
	if (!(m = read_metrics(w, s, n, now)))
		goto end;
	emit_state(&w->res.body, s, n);
	emit_latency(&w->res.body, s, n);
	emit_last_success(&w->res.body, s, m, n);
	emit_uptime(&w->res.body, s, m, n);
	emit_monitor(w, &w->res.body, now);
	snprintf(w->res.content_type, sizeof w->res.content_type, "text/plain; version=0.0.4; charset=utf-8");
	res_header(w, "Cache-Control: no-store");
end:
	free(names);
	free(s);
	free(m);
}
