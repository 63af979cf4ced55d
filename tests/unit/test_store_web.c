/* test_store_web.c - the web's reads: dashboard status, history pages, incidents, CSV, renames. */
#include <stdlib.h>
#include <unistd.h>

#include "store_web.h"
#include "unit.h"

static struct heartbeat beat(int64_t id, int64_t ts, int up, const char *message)
{
	return (struct heartbeat){ .stream_id = id, .ts_ms = ts, .state = up,
				   .latency_ms = up ? 250 : -1, .connect_ms = up ? 12 : -1,
				   .error = up ? NULL : "refused", .message = up ? NULL : message,
				   .codec = up ? "h264" : NULL, .width = 640, .height = 360 };
}

struct rows {
	int n, stop_after;
	char seen[8][80];
};

static int collect(void *ctx, const char *stream, const struct beat *b)
{
	struct rows *r = ctx;
	if (r->n < 8)
		snprintf(r->seen[r->n], sizeof r->seen[0], "%s@%lld:%d", stream, (long long)b->ts_ms, b->state);
	r->n++;
	return r->stop_after && r->n >= r->stop_after ? -1 : 0;
}

int main(void)
{
	char dir[] = "/tmp/sp-store-web-XXXXXX", path[128], err[256], sql[256];
	struct store *st = NULL;
	int64_t ids[4];
	size_t n = 0;

	if (!CHECK(mkdtemp(dir) != NULL))
		return unit_done();
	snprintf(path, sizeof path, "%s/streams.db", dir);
	if (!CHECK_INT(store_open(path, &st, err, sizeof err), 0))
		return unit_done();
	CHECK_INT(store_web_monitor_write_ms(st), 0);

	const char *names[] = { "Front Door", "Garage", "Never Probed", "History" };
	CHECK_INT(store_sync_streams(st, names, 4, ids, 500, err, sizeof err), 0);

	/* Front Door: up, then down twice: down since the first failure */
	struct heartbeat hb[] = { beat(ids[0], 1000, 1, NULL), beat(ids[0], 2000, 0, "connection refused"),
				  beat(ids[0], 3000, 0, "connection refused again"),
				  beat(ids[1], 1500, 1, NULL) };
	CHECK_INT(store_insert_heartbeats(st, hb, 4, 3100, err, sizeof err), 0);
	CHECK_INT(store_web_monitor_write_ms(st), 3100);

	/* the dashboard: configured order kept, unknown and never-probed names shown as such */
	const char *shown[] = { "Front Door", "Not In Db", "Never Probed", "Garage" };
	struct stream_status ss[4];
	CHECK_INT(store_web_status(st, shown, 4, 3500, ss, err, sizeof err), 0);
	CHECK_STR(ss[0].name, "Front Door");
	CHECK_INT(ss[0].id, ids[0]);
	CHECK_INT(ss[0].state, 0);
	CHECK_INT(ss[0].since_ms, 2000);
	CHECK_INT(ss[0].last_ms, 3000);
	CHECK_INT(ss[0].latency_ms, -1);
	CHECK_STR(ss[0].error, "refused");
	CHECK_STR(ss[0].message, "connection refused again");
	CHECK_STR(ss[0].codec, "h264"); /* the last decoded codec stays while it is down */
	CHECK(ss[0].uptime_24h > 33.3 && ss[0].uptime_24h < 33.4, "uptime %f", ss[0].uptime_24h);
	CHECK_STR(ss[1].name, "Not In Db");
	CHECK_INT(ss[1].id, 0);
	CHECK_INT(ss[1].state, -1);
	CHECK_INT(ss[1].last_ms, 0);
	CHECK_INT(ss[1].latency_ms, -1);
	CHECK(ss[1].uptime_24h < 0);
	CHECK_INT(ss[2].id, ids[2]);
	CHECK_INT(ss[2].state, -1);
	CHECK_INT(ss[2].since_ms, 0);
	CHECK(ss[2].uptime_24h < 0);
	CHECK_INT(ss[3].state, 1);
	CHECK_INT(ss[3].since_ms, 1500);
	CHECK_INT(ss[3].latency_ms, 250);
	CHECK_INT(ss[3].width, 640);
	CHECK_INT(ss[3].height, 360);
	CHECK_STR(ss[3].error, "");
	CHECK(ss[3].uptime_24h == 100.0, "uptime %f", ss[3].uptime_24h);
	/* uptime_24h is the last day only: a day later the old heartbeats no longer count */
	CHECK_INT(store_web_status(st, shown, 1, 3000 + 24 * 3600 * 1000 + 1, ss, err, sizeof err), 0);
	CHECK(ss[0].uptime_24h < 0, "uptime %f", ss[0].uptime_24h);
	CHECK_INT(ss[0].state, 0);

	/* uptime over a range: since inclusive, until exclusive */
	CHECK(store_web_uptime(st, ids[0], 1000, 2000) == 100.0);
	CHECK(store_web_uptime(st, ids[0], 1000, 3000) == 50.0);
	CHECK(store_web_uptime(st, ids[0], 2000, 3001) == 0.0);
	CHECK(store_web_uptime(st, ids[0], 5000, 6000) < 0);

	/* History: up 10..40, down 50..60, up 70, down 80..100 (still down), ten heartbeats. */
	static const int ups[] = { 1, 1, 1, 1, 0, 0, 1, 0, 0, 0 };
	static const char *const msgs[] = { NULL, NULL, NULL, NULL, "first outage", "still out",
					    NULL, "second outage", "x", "y" };
	struct heartbeat h[10];
	for (int i = 0; i < 10; i++)
		h[i] = beat(ids[3], 10 * (i + 1), ups[i], msgs[i]);
	CHECK_INT(store_insert_heartbeats(st, h, 10, 4000, err, sizeof err), 0);

	struct beat b[4];
	CHECK_INT(store_web_beats(st, ids[3], 0, 1000, 0, b, 4, &n, err, sizeof err), 0);
	if (CHECK_INT(n, 4)) {
		CHECK_INT(b[0].ts_ms, 100);
		CHECK_INT(b[3].ts_ms, 70);
		CHECK_INT(b[3].state, 1);
		CHECK_INT(b[3].latency_ms, 250);
		CHECK_INT(b[3].connect_ms, 12);
		CHECK_INT(b[0].state, 0);
		CHECK_INT(b[0].latency_ms, -1);
		CHECK_INT(b[0].connect_ms, -1);
		CHECK_STR(b[0].error, "refused");
		CHECK_STR(b[0].message, "y");
	}
	CHECK_INT(store_web_beats(st, ids[3], 0, 1000, 4, b, 4, &n, err, sizeof err), 0);
	if (CHECK_INT(n, 4))
		CHECK_INT(b[0].ts_ms, 60);
	CHECK_INT(store_web_beats(st, ids[3], 0, 1000, 8, b, 4, &n, err, sizeof err), 0);
	if (CHECK_INT(n, 2))
		CHECK_INT(b[1].ts_ms, 10);
	CHECK_INT(store_web_beats(st, ids[3], 30, 60, 0, b, 4, &n, err, sizeof err), 0);
	if (CHECK_INT(n, 3))
		CHECK_INT(b[0].ts_ms, 50);

	/* incidents, newest first: the open one, then the closed one with its first message */
	struct incident inc[4];
	CHECK_INT(store_web_incidents(st, ids[3], 0, 1000, inc, 4, &n, err, sizeof err), 0);
	if (CHECK_INT(n, 2)) {
		CHECK_INT(inc[0].start_ms, 80);
		CHECK_INT(inc[0].end_ms, 0);
		CHECK_STR(inc[0].message, "second outage");
		CHECK_INT(inc[1].start_ms, 50);
		CHECK_INT(inc[1].end_ms, 70);
		CHECK_STR(inc[1].error, "refused");
		CHECK_STR(inc[1].message, "first outage");
	}
	CHECK_INT(store_web_incidents(st, ids[3], 0, 1000, inc, 1, &n, err, sizeof err), 0);
	if (CHECK_INT(n, 1))
		CHECK_INT(inc[0].start_ms, 80);
	/* a range ending inside an outage still gets its real end; one starting inside it too its
	 * real start (incidents are recorded whole, doc/health.md) */
	CHECK_INT(store_web_incidents(st, ids[3], 0, 55, inc, 4, &n, err, sizeof err), 0);
	if (CHECK_INT(n, 1)) {
		CHECK_INT(inc[0].start_ms, 50);
		CHECK_INT(inc[0].end_ms, 70);
	}
	CHECK_INT(store_web_incidents(st, ids[3], 60, 75, inc, 4, &n, err, sizeof err), 0);
	if (CHECK_INT(n, 1)) {
		CHECK_INT(inc[0].start_ms, 50);
		CHECK_INT(inc[0].end_ms, 70);
		CHECK_STR(inc[0].message, "first outage");
	}
	CHECK_INT(store_web_incidents(st, ids[3], 10, 45, inc, 4, &n, err, sizeof err), 0);
	CHECK_INT(n, 0);

	/* CSV export: one stream oldest first; all streams in id order; the writer can stop it */
	struct rows r = { 0 };
	CHECK_INT(store_web_export(st, ids[0], collect, &r, err, sizeof err), 0);
	CHECK_INT(r.n, 3);
	CHECK_STR(r.seen[0], "Front Door@1000:1");
	CHECK_STR(r.seen[2], "Front Door@3000:0");
	memset(&r, 0, sizeof r);
	CHECK_INT(store_web_export(st, 0, collect, &r, err, sizeof err), 0);
	CHECK_INT(r.n, 14);
	CHECK_STR(r.seen[3], "Garage@1500:1");
	CHECK_STR(r.seen[4], "History@10:1");
	memset(&r, 0, sizeof r);
	r.stop_after = 2;
	CHECK_INT(store_web_export(st, 0, collect, &r, err, sizeof err), -1);
	CHECK_INT(r.n, 2);

	/* rename keeps the id and the history; a taken name (removed ones too) is refused */
	CHECK_INT(store_web_stream_id(st, "Garage"), ids[1]);
	CHECK_INT(store_web_rename(st, "Garage", "Back Yard", err, sizeof err), 0);
	CHECK_INT(store_web_stream_id(st, "Garage"), 0);
	CHECK_INT(store_web_stream_id(st, "Back Yard"), ids[1]);
	CHECK(store_web_uptime(st, ids[1], 0, 10000) == 100.0);
	const char *renamed[] = { "Back Yard" };
	CHECK_INT(store_web_status(st, renamed, 1, 3500, ss, err, sizeof err), 0);
	CHECK_INT(ss[0].id, ids[1]);
	CHECK_INT(ss[0].last_ms, 1500);
	err[0] = '\0';
	CHECK_INT(store_web_rename(st, "Back Yard", "Front Door", err, sizeof err), -1);
	CHECK(strstr(err, "Front Door") && strstr(err, "taken"), "err: %s", err);
	CHECK_INT(store_web_stream_id(st, "Back Yard"), ids[1]);
	const char *fewer[] = { "Front Door", "Back Yard" };
	int64_t ids2[2];
	CHECK_INT(store_sync_streams(st, fewer, 2, ids2, 5000, err, sizeof err), 0);
	CHECK_INT(store_web_stream_id(st, "History"), ids[3]); /* removed, still known */
	CHECK_INT(store_web_rename(st, "Back Yard", "History", err, sizeof err), -1);
	CHECK(strstr(err, "taken"), "err: %s", err);
	CHECK_INT(store_web_rename(st, "No Such", "Whatever", err, sizeof err), -1);
	CHECK(strstr(err, "no stream"), "err: %s", err);

	store_close(st);
	snprintf(sql, sizeof sql, "rm -rf '%s'", dir);
	CHECK_INT(system(sql), 0);
	return unit_done();
}
