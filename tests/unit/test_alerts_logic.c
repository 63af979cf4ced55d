/* test_alerts_logic.c - unit tests for the alert thread's logic: site-down grouping
 * (alert_group.c), the payload and texts (alert_text.c), the command channel (alert_command.c). */
#include "../../monitor/alert_int.h"
#include "../../monitor/log.h"
#include "store.h"
#include "store_alerts.h"
#include "unit.h"

#include <sqlite3.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct alert_event event(const char *stream, int state)
{
	struct alert_event ev = { .ts_ms = 1764136800000, .state = state, .since_ms = 1764136790000,
				  .latency_ms = state == HB_UP ? 250 : -1 };
	snprintf(ev.stream, sizeof ev.stream, "%s", stream);
	snprintf(ev.reason, sizeof ev.reason, "%s", state == HB_UP ? "" : "timeout");
	snprintf(ev.message, sizeof ev.message, "%s", state == HB_UP ? "" : "no frame within 10 s");
	return ev;
}

/* One cycle; returns what it sends as "event:stream event:stream ..." */
static const char *cycle(struct alert_group *g, size_t total, size_t failing)
{
	static char out[512];
	struct alert_event *ev;
	size_t n, o = 0;
	out[0] = '\0';
	CHECK(group_cycle(g, total, failing, 50, 1764136800000, &ev, &n) == 0);
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, sizeof out - o, "%s%s:%s", i ? " " : "", alert_event_name(&ev[i]),
				      ev[i].stream);
	free(ev);
	return out;
}

static void hold(struct alert_group *g, const char *stream, int state)
{
	struct alert_event ev = event(stream, state);
	CHECK(group_hold(g, &ev) == 0);
}

static void test_one_stream(void)
{
	struct alert_group g = { 0 };
	CHECK_STR(cycle(&g, 4, 0), "");
	hold(&g, "a", HB_DOWN);
	CHECK_STR(cycle(&g, 4, 1), ""); /* held one more cycle: the site may be going down */
	CHECK_STR(cycle(&g, 4, 1), "down:a");
	CHECK_STR(cycle(&g, 4, 1), "");
	hold(&g, "a", HB_UP);
	CHECK_STR(cycle(&g, 4, 0), "up:a"); /* recoveries go at once */
	hold(&g, "b", HB_UP);               /* unknown (alerted before a restart): sent */
	CHECK_STR(cycle(&g, 4, 0), "up:b");
	hold(&g, "c", HB_DEGRADED);
	hold(&g, "c", HB_UP);
	CHECK_STR(cycle(&g, 4, 0), "");
	CHECK_STR(cycle(&g, 4, 0), "degraded:c up:c"); /* in order, never the up alone */
	group_free(&g);
}

static void test_site(void)
{
	struct alert_group g = { .settle_cycles = 1 };
	hold(&g, "a", HB_DOWN);
	CHECK_STR(cycle(&g, 4, 1), "");
	CHECK_STR(cycle(&g, 4, 1), "down:a");
	hold(&g, "b", HB_DOWN);
	hold(&g, "c", HB_DOWN);
	CHECK_STR(cycle(&g, 4, 2), ""); /* 50 % is not more than 50 %: held */
	hold(&g, "d", HB_DOWN);
	CHECK_STR(cycle(&g, 4, 4), "site_down:");
	CHECK_STR(cycle(&g, 4, 4), "");
	hold(&g, "b", HB_UP);           /* covered, so its recovery is not sent either */
	CHECK_STR(cycle(&g, 4, 3), "");
	hold(&g, "a", HB_UP);           /* alerted on its own before: its recovery is sent */
	hold(&g, "d", HB_UP);
	CHECK_STR(cycle(&g, 4, 1), "site_up: up:a");
	CHECK_STR(cycle(&g, 4, 1), "down:c"); /* c is still down a cycle later: now its own alert */
	hold(&g, "c", HB_UP);
	CHECK_STR(cycle(&g, 4, 0), "up:c");
	group_free(&g);
}

/* After a site_up, streams that recover within settle_cycles never get their own alert. */
static void test_site_settle(void)
{
	struct alert_group g = { .settle_cycles = 2 };
	hold(&g, "a", HB_DOWN);
	hold(&g, "b", HB_DOWN);
	hold(&g, "c", HB_DOWN);
	CHECK_STR(cycle(&g, 4, 3), "site_down:");
	CHECK_STR(cycle(&g, 4, 1), "site_up:");
	hold(&g, "a", HB_UP);
	CHECK_STR(cycle(&g, 4, 1), "");
	hold(&g, "b", HB_UP);
	CHECK_STR(cycle(&g, 4, 0), "down:c");
	CHECK_STR(cycle(&g, 4, 0), "");
	group_free(&g);
}

/* Over the percentage for one cycle (a network blip) is no site_down; fail_threshold
 * cycles in a row are, and they cover the failures held meanwhile. */
static void test_site_confirm(void)
{
	struct alert_group g = { .settle_cycles = 1, .confirm_cycles = 2 };
	CHECK_STR(cycle(&g, 4, 4), "");
	CHECK_STR(cycle(&g, 4, 0), "");
	hold(&g, "a", HB_DOWN);
	hold(&g, "b", HB_DOWN);
	CHECK_STR(cycle(&g, 4, 4), "");
	hold(&g, "c", HB_DOWN);
	CHECK_STR(cycle(&g, 4, 4), "site_down:");
	CHECK_STR(cycle(&g, 4, 4), "");
	CHECK_STR(cycle(&g, 4, 2), "site_up:"); /* back below: at once */
	group_free(&g);
}

static void test_texts(void)
{
	struct alert_event ev = event("Front \"Door\"/1", HB_DOWN);
	char text[400], *link = alert_link("http://nvr:8000", ev.stream), *json;
	json_t *j;
	CHECK_STR(link, "http://nvr:8000/stream/Front%20%22Door%22%2F1");
	json = alert_json(&ev, link);
	j = json ? json_loads(json, 0, NULL) : NULL;
	if (CHECK(j != NULL, "%s", json ? json : "no JSON")) {
		CHECK_STR(json_string_value(json_object_get(j, "event")), "down");
		CHECK_STR(json_string_value(json_object_get(j, "stream")), "Front \"Door\"/1");
		CHECK_STR(json_string_value(json_object_get(j, "since")), "2025-11-26T05:59:50Z");
		CHECK_INT(json_integer_value(json_object_get(j, "since_ms")), 1764136790000);
		CHECK(json_is_null(json_object_get(j, "latency_ms")));
		CHECK_STR(json_string_value(json_object_get(j, "dashboard")), link);
		json_decref(j);
	}
	free(json);
	free(link);
	CHECK(alert_link(NULL, "x") == NULL);
	alert_text(&ev, text, sizeof text);
	CHECK_STR(text, "Front \"Door\"/1 is down: timeout: no frame within 10 s (since 2025-11-26T05:59:50Z)");
	ev = event("Yard", HB_UP);
	alert_text(&ev, text, sizeof text);
	CHECK_STR(text, "Yard is up again after 10 s (first frame in 250 ms)");
	ev.message[0] = '\xff'; /* not UTF-8: the payload still goes, message null */
	json = alert_json(&ev, NULL);
	CHECK(json && strstr(json, "\"message\":null") && strstr(json, "\"dashboard\":null"), "%s", json);
	free(json);
}

static void test_command(void)
{
	char dir[] = "/tmp/sp-alerts-XXXXXX", script[128], out[160], detail[300], buf[1024] = "";
	char *args[] = { "one", "two words", NULL };
	struct alert_conf c = { .type = ALERT_COMMAND, .command = script, .args = args };
	struct alert_event ev = event("Front Door", HB_DOWN);
	FILE *f;
	if (!CHECK(mkdtemp(dir) != NULL))
		return;
	snprintf(script, sizeof script, "%s/notify.sh", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	f = fopen(script, "w");
	fprintf(f, "#!/bin/sh\n[ \"$1\" = sleep ] && exec sleep 5\n"
		   "printf '%%s|%%s|%%s|%%s|%%s|%%s|%%s|%%s|%%s' \"$1\" \"$2\" \"$STREAMPULSE_EVENT\" \"$STREAMPULSE_STREAM\" "
		   "\"$STREAMPULSE_STATE\" \"$STREAMPULSE_REASON\" \"$STREAMPULSE_MESSAGE\" \"$STREAMPULSE_SINCE\" "
		   "\"$STREAMPULSE_LATENCY_MS\" >%s\n[ \"$1\" = fail ] && exit 3\nexit 0\n", out);
	fclose(f);
	chmod(script, 0755);
	CHECK(alert_command_run(&c, &ev, 5000, detail, sizeof detail) == 0, "%s", detail);
	CHECK_STR(detail, "exit status 0");
	f = fopen(out, "r");
	if (CHECK(f != NULL)) {
		CHECK(fgets(buf, sizeof buf, f) != NULL);
		fclose(f);
	}
	CHECK_STR(buf, "one|two words|down|Front Door|down|timeout|no frame within 10 s|1764136790|-1");
	args[0] = "fail";
	CHECK(alert_command_run(&c, &ev, 5000, detail, sizeof detail) < 0);
	CHECK_STR(detail, "exit status 3");
	args[0] = "sleep";
	int64_t t0 = clock_mono_ms();
	CHECK(alert_command_run(&c, &ev, 300, detail, sizeof detail) < 0);
	CHECK(clock_mono_ms() - t0 < 2000, "took %lld ms", (long long)(clock_mono_ms() - t0));
	CHECK_STR(detail, "timed out after 300 ms, killed");
	c.command = "/nonexistent/notify.sh";
	CHECK(alert_command_run(&c, &ev, 300, detail, sizeof detail) < 0);
	CHECK(strstr(detail, "No such file"), "%s", detail);
	unlink(out);
	unlink(script);
	rmdir(dir);
}

static void test_log(void)
{
	char dir[] = "/tmp/sp-alert-log-XXXXXX", path[128], err[256];
	struct store *st;
	sqlite3_stmt *q;
	struct alert_log_row old = { 1000, "webhook#0", "down", "Front Door", 1, 0, "HTTP 500" },
			     site = { 5000, "mqtt#1", "site_down", NULL, 2, 1, "published to streampulse/event" };
	if (!CHECK(mkdtemp(dir) != NULL))
		return;
	snprintf(path, sizeof path, "%s/streams.db", dir);
	if (!CHECK(store_open(path, &st, err, sizeof err) == 0, "%s", err))
		return;
	CHECK(store_alert_log(st, &old, err, sizeof err) == 0, "%s", err);
	CHECK(store_alert_log(st, &site, err, sizeof err) == 0, "%s", err);
	CHECK_INT(store_alert_log_prune(st, 2000, err, sizeof err), 1);
	if (CHECK(sqlite3_prepare_v2((sqlite3 *)store_db(st), "SELECT ts_ms, channel, event, stream IS NULL, "
				     "attempt, ok, detail FROM alert_log", -1, &q, NULL) == SQLITE_OK)) {
		if (CHECK(sqlite3_step(q) == SQLITE_ROW)) {
			CHECK_INT(sqlite3_column_int64(q, 0), 5000);
			CHECK_STR((const char *)sqlite3_column_text(q, 1), "mqtt#1");
			CHECK_STR((const char *)sqlite3_column_text(q, 2), "site_down");
			CHECK_INT(sqlite3_column_int(q, 3), 1);
			CHECK_INT(sqlite3_column_int(q, 4), 2);
			CHECK_INT(sqlite3_column_int(q, 5), 1);
		}
		CHECK(sqlite3_step(q) == SQLITE_DONE);
		sqlite3_finalize(q);
	}
	store_close(st);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	CHECK(system(path) == 0);
}

int main(void)
{
	test_log();
	test_one_stream();
	test_site();
	test_site_settle();
	test_site_confirm();
	test_texts();
	test_command();
	return unit_done();
}
