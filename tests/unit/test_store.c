/* test_store.c - the SQLite store: stable ids, removed streams keep history, batches, retention. */
#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "store_web.h"
#include "unit.h"

#define HOUR 3600000LL

/* Uptime from rollups + partial hours must equal a count over the raw heartbeats: while
 * they sit in the journal, and after the compaction a commit in a later hour runs. */
static int uptime_mismatches(struct store *st, int64_t id, const struct heartbeat *hb, int n, int64_t base)
{
	unsigned seed = 7;
	int bad = 0;
	for (int k = 0; k < 300; k++) {
		seed = seed * 1103515245 + 12345;
		int64_t a = base - HOUR + (int64_t)(seed % 30000000u);
		seed = seed * 1103515245 + 12345;
		int64_t b = a + (int64_t)(seed % 20000000u);
		double count = 0, ups = 0;
		for (int i = 0; i < n; i++)
			if (hb[i].ts_ms >= a && hb[i].ts_ms < b) {
				count++;
				ups += hb[i].state;
			}
		double want = count > 0 ? 100.0 * ups / count : -1;
		double got = store_web_uptime(st, id, a, b);
		if (got < want - 1e-9 || got > want + 1e-9)
			bad++;
	}
	return bad;
}

static void check_rollups(struct store *st, int64_t id)
{
	enum { N = 2000 };
	static struct heartbeat hb[N];
	char err[256];
	int64_t base = 1795600000000LL - 1795600000000LL % HOUR - 7 * HOUR + 123456;
	for (int i = 0; i < N; i++) /* 12.6 s apart over ~7 hours; down in a pattern */
		hb[i] = (struct heartbeat){ .stream_id = id, .ts_ms = base + (int64_t)i * 12600,
					    .state = (i % 7) != 0 && (i / 300) != 3, .latency_ms = 200,
					    .connect_ms = 5, .error = "refused", .message = "x" };
	CHECK_INT(store_insert_heartbeats(st, hb, N, base, err, sizeof err), 0);
	CHECK_INT(uptime_mismatches(st, id, hb, N, base), 0);
	/* a commit a day on (out of the ranges checked) compacts the journal into blocks and rollups */
	struct heartbeat later = hb[N - 1];
	later.ts_ms = base + 24 * HOUR;
	CHECK_INT(store_insert_heartbeats(st, &later, 1, later.ts_ms, err, sizeof err), 0);
	CHECK_INT(uptime_mismatches(st, id, hb, N, base), 0);
	sqlite3_stmt *s;
	sqlite3_prepare_v2(store_db(st), "SELECT (SELECT count(*) FROM journal), (SELECT total(beats) FROM "
			   "rollup_hour WHERE stream_id = ? AND hour >= ?)", -1, &s, NULL);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, base / HOUR);
	if (CHECK(sqlite3_step(s) == SQLITE_ROW)) {
		CHECK_INT(sqlite3_column_int(s, 0), 1); /* only the later commit */
		CHECK_INT(sqlite3_column_int(s, 1), N);
	}
	sqlite3_finalize(s);
}

static struct heartbeat beat(int64_t id, int64_t ts, int up)
{
	return (struct heartbeat){ .stream_id = id, .ts_ms = ts, .state = up,
				   .latency_ms = up ? 250 : -1, .connect_ms = 12,
				   .error = up ? NULL : "refused",
				   .message = up ? NULL : "connection refused",
				   .codec = up ? "h264" : NULL, .width = 640, .height = 360 };
}

int main(void)
{
	char dir[] = "/tmp/sp-store-XXXXXX", path[128], err[256];
	struct store *st = NULL;
	int64_t ids[3], ids2[3], ts = 0;

	if (!CHECK(mkdtemp(dir) != NULL))
		return unit_done();
	snprintf(path, sizeof path, "%s/streams.db", dir);
	CHECK_INT(store_open(path, &st, err, sizeof err), 0);

	const char *names[] = { "Front Door", "Garage", "<script>" };
	CHECK_INT(store_sync_streams(st, names, 3, ids, 1000, err, sizeof err), 0);
	CHECK(ids[0] != ids[1] && ids[1] != ids[2]);
	CHECK_INT(store_stream_state(st, ids[0], NULL), -1);

	struct heartbeat hb[] = { beat(ids[0], 1000, 1), beat(ids[0], 2000, 0), beat(ids[1], 1500, 1),
				  beat(ids[2], 1600, 0) };
	CHECK_INT(store_insert_heartbeats(st, hb, 4, 3000, err, sizeof err), 0);
	CHECK_INT(store_stream_state(st, ids[0], &ts), 0);
	CHECK_INT(ts, 2000);
	CHECK_INT(store_stream_state(st, ids[1], &ts), 1);
	/* the current state sits beside the stream, since its first heartbeat */
	char sql0[512];
	snprintf(sql0, sizeof sql0, "sqlite3 '%s' \"SELECT state || ',' || since_ms || ',' || last_ms || ',' || last_error "
		 "FROM streams WHERE name = 'Front Door'\" > '%s/state.txt'", path, dir);
	if (system(sql0) == 0) {
		char line[128] = "", file[160];
		snprintf(file, sizeof file, "%s/state.txt", dir);
		FILE *f = fopen(file, "r");
		if (f && fgets(line, sizeof line, f))
			line[strcspn(line, "\n")] = '\0';
		if (f)
			fclose(f);
		CHECK_STR(line, "0,2000,2000,refused");
	}

	/* "Garage" leaves the config, "New" arrives: ids stay, history stays. */
	const char *names2[] = { "Front Door", "New" };
	CHECK_INT(store_sync_streams(st, names2, 2, ids2, 5000, err, sizeof err), 0);
	CHECK_INT(ids2[0], ids[0]);
	CHECK(ids2[1] != ids[1] && ids2[1] != ids[2]);
	CHECK_INT(store_stream_state(st, ids[1], NULL), 1);
	/* and it comes back with the same id */
	CHECK_INT(store_sync_streams(st, names, 3, ids2, 6000, err, sizeof err), 0);
	CHECK_INT(ids2[1], ids[1]);

	/* retention: whole hours older than the cut, oldest first, about max_rows per call (at
	 * least one hour); a commit in a later hour first compacts them into hourly blocks */
	struct heartbeat old[30];
	for (int i = 0; i < 30; i++)
		old[i] = beat(ids[1], (i / 10) * HOUR + 10000 + i, 1);
	CHECK_INT(store_insert_heartbeats(st, old, 30, 7000, err, sizeof err), 0);
	struct heartbeat now = beat(ids[1], 5 * HOUR, 1);
	CHECK_INT(store_insert_heartbeats(st, &now, 1, 5 * HOUR, err, sizeof err), 0);
	CHECK_INT(store_prune_stream(st, ids[1], 2 * HOUR + 500, 4, err, sizeof err), 11); /* + 1500 */
	CHECK(store_web_uptime(st, ids[1], 0, HOUR) < 0);
	CHECK(store_web_uptime(st, ids[1], 0, 3 * HOUR) == 100.0);
	CHECK_INT(store_prune_stream(st, ids[1], 2 * HOUR + 500, 100, err, sizeof err), 10);
	CHECK_INT(store_prune_stream(st, ids[1], 2 * HOUR + 500, 100, err, sizeof err), 0);
	CHECK(store_web_uptime(st, ids[1], 0, 2 * HOUR) < 0);
	CHECK(store_web_uptime(st, ids[1], 2 * HOUR, 3 * HOUR) == 100.0);
	CHECK_INT(store_stream_state(st, ids[1], &ts), 1);
	CHECK_INT(ts, 1500); /* up since its first heartbeat, pruned or not */

	/* a failing batch is rolled back whole (the engine keeps it and retries) */
	struct heartbeat bad[] = { beat(ids[0], 9000, 1), beat(999999, 9001, 1) };
	CHECK_INT(store_insert_heartbeats(st, bad, 2, 5 * HOUR + 9100, err, sizeof err), -1);
	CHECK(strstr(err, "writing heartbeats") != NULL, "err: %s", err);
	CHECK_INT(store_stream_state(st, ids[0], &ts), 0);
	CHECK_INT(ts, 2000);

	check_rollups(st, ids[2]);

	int64_t *all = NULL;
	size_t n = 0;
	CHECK_INT(store_stream_ids(st, &all, &n), 0);
	CHECK_INT(n, 4);
	free(all);
	store_close(st);

	/* reopening runs no migration twice; a newer schema is refused */
	CHECK_INT(store_open(path, &st, err, sizeof err), 0);
	store_close(st);
	char sql[256];
	snprintf(sql, sizeof sql, "sqlite3 '%s' 'PRAGMA user_version = 99'", path);
	if (system(sql) == 0) {
		CHECK_INT(store_open(path, &st, err, sizeof err), -1);
		CHECK(strstr(err, "newer than this program") != NULL, "err: %s", err);
		store_close(st);
	}
	snprintf(sql, sizeof sql, "rm -rf '%s'", dir);
	CHECK_INT(system(sql), 0);
	return unit_done();
}
