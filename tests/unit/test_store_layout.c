/* test_store_layout.c - schema v4: journal and hourly blocks read as one, compaction, v3 data
 * migrated, a killed writer's commits all-or-nothing. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "store_web.h"
#include "unit.h"

#define HOUR 3600000LL
#define T0 (1795600000000LL - 1795600000000LL % HOUR - 10 * 60 * 1000) /* 10 min before an hour */

enum { MAXB = 4000 };
static struct heartbeat want[MAXB];   /* stream A's beats, oldest first, as they should read */
static char msgs[MAXB][40];
static int nwant;

static void want_put(const struct heartbeat *h)
{
	int i = nwant;
	while (i > 0 && want[i - 1].ts_ms > h->ts_ms)
		i--;
	if (i > 0 && want[i - 1].ts_ms == h->ts_ms) { /* rewritten: the later write wins */
		want[i - 1] = *h;
		return;
	}
	memmove(&want[i + 1], &want[i], (size_t)(nwant - i) * sizeof want[0]);
	want[i] = *h;
	nwant++;
}

/* Reads stream A back in pages of 97, newest first: every beat once, in order, equal. */
static int read_back_mismatches(struct store *st, int64_t id)
{
	static struct beat b[97];
	char err[256];
	int k = nwant - 1, bad = 0;
	size_t n;
	for (int off = 0;; off += 97) {
		if (store_web_beats(st, id, 0, INT64_MAX, off, b, 97, &n, err, sizeof err) < 0)
			return -1;
		for (size_t i = 0; i < n; i++, k--) {
			const struct heartbeat *w = k >= 0 ? &want[k] : NULL;
			if (!w || b[i].ts_ms != w->ts_ms || b[i].state != w->state || b[i].latency_ms != w->latency_ms ||
			    b[i].connect_ms != w->connect_ms || strcmp(b[i].message, w->message ? w->message : ""))
				bad++;
		}
		if (n < 97)
			break;
	}
	return bad + (k != -1);
}

static int uptime_mismatches(struct store *st, int64_t id, unsigned seed)
{
	int bad = 0;
	for (int r = 0; r < 60; r++) {
		seed = seed * 1103515245 + 12345;
		int64_t a = T0 - HOUR + (int64_t)(seed % (6 * HOUR));
		seed = seed * 1103515245 + 12345;
		int64_t e = a + (int64_t)(seed % (3 * HOUR));
		double n = 0, ups = 0;
		for (int i = 0; i < nwant; i++)
			if (want[i].ts_ms >= a && want[i].ts_ms < e) {
				n++;
				ups += want[i].state;
			}
		double got = store_web_uptime(st, id, a, e), exp = n ? 100.0 * ups / n : -1;
		bad += got < exp - 1e-9 || got > exp + 1e-9;
	}
	return bad;
}

static int count(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int v = -1;
	if (sqlite3_open(path, &db) == SQLITE_OK && sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return v;
}

/* Four hours of 15 s cycles for three streams, each cycle committed at its end (so the cycle
 * over each hour straddles it), with reads checked all along the way. */
static void check_compaction(const char *path)
{
	char err[256];
	struct store *st;
	int64_t ids[3];
	const char *names[] = { "A", "B", "C" };
	if (!CHECK_INT(store_open(path, &st, err, sizeof err), 0))
		return;
	CHECK_INT(store_sync_streams(st, names, 3, ids, T0, err, sizeof err), 0);
	int bad_reads = 0, bad_uptime = 0;
	for (int c = 0; c < 4 * 240; c++) {
		struct heartbeat hb[3];
		int64_t t = T0 + (int64_t)c * 15000;
		for (int i = 0; i < 3; i++) {
			int up = (c / 7 + i) % 9 != 0;
			snprintf(msgs[c % MAXB], sizeof msgs[0], "down at cycle %d", c);
			hb[i] = (struct heartbeat){ .stream_id = ids[i], .ts_ms = t + i * 5000, .state = up,
						    .latency_ms = up ? 150 + c % 700 : -1, .connect_ms = c % 3 ? 7 : -1,
						    .error = up ? NULL : "refused", .message = up ? NULL : msgs[c % MAXB],
						    .codec = up ? (c < 500 ? "h264" : "hevc") : NULL, .width = 640, .height = 360 };
		}
		want_put(&hb[0]);
		if (store_insert_heartbeats(st, hb, 3, t + 15000, err, sizeof err) < 0) {
			CHECK(0, "insert: %s", err);
			break;
		}
		if (c % 37 == 0 || c % 240 == 40 || c % 240 == 41) {
			bad_reads += read_back_mismatches(st, ids[0]) != 0;
			bad_uptime += uptime_mismatches(st, ids[0], (unsigned)c) != 0;
		}
	}
	CHECK_INT(bad_reads, 0);
	CHECK_INT(bad_uptime, 0);
	/* a late heartbeat of a compacted hour, and one rewriting a compacted beat */
	struct heartbeat late[2] = { want[10], want[20] };
	late[0].ts_ms += 1;
	late[1].state = !late[1].state;
	late[1].latency_ms = late[1].state ? 999 : -1;
	late[1].message = late[1].state ? NULL : "rewritten";
	late[1].error = late[1].state ? NULL : "refused";
	late[1].codec = late[1].state ? "h264" : NULL;
	want_put(&late[0]);
	want_put(&late[1]);
	int64_t now = T0 + 4 * 240 * 15000LL + 15000;
	CHECK_INT(store_insert_heartbeats(st, late, 2, now, err, sizeof err), 0);
	CHECK_INT(read_back_mismatches(st, ids[0]), 0);
	/* they land in their blocks at the next hour's compaction: read the same */
	struct heartbeat next = want[nwant - 1];
	next.ts_ms = now + HOUR;
	want_put(&next);
	CHECK_INT(store_insert_heartbeats(st, &next, 1, now + HOUR, err, sizeof err), 0);
	CHECK_INT(read_back_mismatches(st, ids[0]), 0);
	CHECK_INT(uptime_mismatches(st, ids[0], 99), 0);
	store_close(st);
	/* blocks and rollups agree, one block per stream and hour */
	CHECK_INT(count(path, "SELECT count(*) FROM blocks"), count(path, "SELECT count(*) FROM rollup_hour"));
	CHECK_INT(count(path, "SELECT total(beats) FROM rollup_hour WHERE stream_id = 1"), nwant - 1);
}

/* A batch too big for the hour: the journal is compacted early and still reads whole. */
static void check_big_journal(const char *path)
{
	char err[256], msg[320];
	struct store *st;
	int64_t id;
	const char *names[] = { "Big" };
	static struct heartbeat hb[1000];
	memset(msg, 'm', sizeof msg - 1);
	msg[sizeof msg - 1] = '\0';
	if (!CHECK_INT(store_open(path, &st, err, sizeof err), 0))
		return;
	CHECK_INT(store_sync_streams(st, names, 1, &id, T0, err, sizeof err), 0);
	for (int c = 0; c < 4; c++) {
		for (int i = 0; i < 1000; i++)
			hb[i] = (struct heartbeat){ .stream_id = id, .ts_ms = T0 + (c * 1000 + i) * 10LL, .state = 0,
						    .latency_ms = -1, .connect_ms = -1, .error = "timeout", .message = msg };
		CHECK_INT(store_insert_heartbeats(st, hb, 1000, T0 + (c + 1) * 10000LL + 5 * 60000, err, sizeof err), 0);
	}
	CHECK(store_web_uptime(st, id, 0, INT64_MAX) == 0.0);
	struct beat b[2];
	size_t n;
	CHECK_INT(store_web_beats(st, id, 0, INT64_MAX, 3999, b, 2, &n, err, sizeof err), 0);
	if (CHECK_INT(n, 1))
		CHECK_INT(b[0].ts_ms, T0);
	store_close(st);
	CHECK(count(path, "SELECT count(*) FROM blocks") > 0);
}

static const char v3_schema[] =
	/* the v1-v3 tables the heartbeats live in, as migrations 0-2 created them */
	"CREATE TABLE streams (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_ms INTEGER NOT NULL,"
	" removed_ms INTEGER);"
	"CREATE TABLE heartbeats (stream_id INTEGER NOT NULL REFERENCES streams(id), ts_ms INTEGER NOT NULL,"
	" up INTEGER NOT NULL, latency_ms INTEGER, connect_ms INTEGER, error TEXT, message TEXT, codec TEXT,"
	" width INTEGER, height INTEGER, PRIMARY KEY (stream_id, ts_ms)) WITHOUT ROWID;"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
	"ALTER TABLE streams ADD COLUMN state INTEGER; ALTER TABLE streams ADD COLUMN since_ms INTEGER;"
	"ALTER TABLE streams ADD COLUMN last_ms INTEGER; ALTER TABLE streams ADD COLUMN last_latency_ms INTEGER;"
	"ALTER TABLE streams ADD COLUMN last_error TEXT; ALTER TABLE streams ADD COLUMN last_message TEXT;"
	"ALTER TABLE streams ADD COLUMN codec TEXT; ALTER TABLE streams ADD COLUMN width INTEGER;"
	"ALTER TABLE streams ADD COLUMN height INTEGER;"
	"CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, hash TEXT NOT NULL,"
	" role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')), must_change INTEGER NOT NULL DEFAULT 0,"
	" created_ms INTEGER NOT NULL);"
	"CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id)"
	" ON DELETE CASCADE, csrf TEXT NOT NULL, created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL)"
	" WITHOUT ROWID;"
	"CREATE TABLE api_tokens (token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id)"
	" ON DELETE CASCADE, label TEXT NOT NULL, created_ms INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE login_failures (key TEXT NOT NULL, ts_ms INTEGER NOT NULL);"
	"CREATE INDEX login_failures_key ON login_failures(key, ts_ms);"
	"CREATE TABLE rollup_hour (stream_id INTEGER NOT NULL, hour INTEGER NOT NULL, beats INTEGER NOT NULL,"
	" ups INTEGER NOT NULL, latency_sum INTEGER NOT NULL, latency_n INTEGER NOT NULL,"
	" PRIMARY KEY (stream_id, hour)) WITHOUT ROWID;";

static int collect_csv(void *ctx, const char *stream, const struct heartbeat *h)
{
	FILE *f = ctx;
	fprintf(f, "%s|%lld|%d|%d|%d|%s|%s|%s|%d|%d\n", stream, (long long)h->ts_ms, h->state, h->latency_ms,
		h->connect_ms, h->error ? h->error : "NULL", h->message ? h->message : "NULL",
		h->codec ? h->codec : "NULL", h->width, h->height);
	return 0;
}

/* A v3 database (rows keyed (stream, ts)) opened by this program: every heartbeat kept. */
static void check_migration(const char *dir)
{
	char path[256], err[256], cmd[1024];
	sqlite3 *db;
	snprintf(path, sizeof path, "%s/v3.db", dir);
	if (!CHECK_INT(sqlite3_open(path, &db), SQLITE_OK))
		return;
	CHECK_INT(sqlite3_exec(db, v3_schema, NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db,
		"INSERT INTO streams(id, name, created_ms, state, since_ms, last_ms) VALUES (1, 'Old cam', 0, 1, 0, 0),"
		" (2, 'Hostile, \"quoted\"', 0, 0, 0, 0);"
		"WITH RECURSIVE i(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM i WHERE x < 999)"
		" INSERT INTO heartbeats SELECT 1 + x % 2, 1795600000000 + x * 15000, x % 13 != 0,"
		" CASE WHEN x % 13 != 0 THEN 150 + x % 700 END, CASE WHEN x % 5 != 0 THEN x % 40 END,"
		" CASE WHEN x % 13 = 0 THEN 'refused' END, CASE WHEN x % 13 = 0 THEN 'a,b\n\"c\" <x>' || x END,"
		" CASE WHEN x % 13 != 0 THEN 'h264' END, CASE WHEN x % 13 != 0 THEN 640 END,"
		" CASE WHEN x % 13 != 0 THEN 360 END FROM i;"
		"INSERT INTO rollup_hour SELECT stream_id, ts_ms / 3600000, count(*), total(up),"
		" coalesce(sum(latency_ms), 0), count(latency_ms) FROM heartbeats GROUP BY 1, 2;"
		"PRAGMA user_version = 3;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	/* what v3 held, in export order */
	snprintf(cmd, sizeof cmd, "sqlite3 -separator '|' -nullvalue NULL '%s' \"SELECT s.name, ts_ms, up, "
		 "coalesce(latency_ms, -1), coalesce(connect_ms, -1), h.error, h.message, h.codec, "
		 "coalesce(h.width, -1), coalesce(h.height, -1) FROM heartbeats h JOIN streams s ON s.id = h.stream_id ORDER BY s.id, ts_ms\" "
		 "> '%s/v3.txt'", path, dir);
	if (!CHECK_INT(system(cmd), 0))
		return;
	struct store *st;
	if (!CHECK(store_open(path, &st, err, sizeof err) == 0, "%s", err))
		return;
	char out[300];
	snprintf(out, sizeof out, "%s/v4.txt", dir);
	FILE *f = fopen(out, "w");
	CHECK_INT(store_export(st, 0, collect_csv, f, err, sizeof err), 0);
	fclose(f);
	CHECK(store_web_uptime(st, 1, 0, INT64_MAX) > 90.0);
	store_close(st);
	snprintf(cmd, sizeof cmd, "cmp -s '%s/v3.txt' '%s/v4.txt'", dir, dir);
	CHECK_INT(system(cmd), 0);
	CHECK_INT(count(path, "PRAGMA user_version"), 5);
	CHECK_INT(count(path, "SELECT count(*) FROM sqlite_master WHERE name = 'heartbeats'"), 0);
	CHECK_INT(count(path, "SELECT total(beats) FROM rollup_hour"), 1000);
}

/* A writer killed at a random moment: every commit is whole or absent, in order. */
static void check_crash(const char *dir)
{
	char path[256], err[256];
	snprintf(path, sizeof path, "%s/crash.db", dir);
	struct store *st;
	const char *names[] = { "k0", "k1", "k2", "k3", "k4" };
	int64_t ids[5];
	if (!CHECK_INT(store_open(path, &st, err, sizeof err), 0))
		return;
	CHECK_INT(store_sync_streams(st, names, 5, ids, T0, err, sizeof err), 0);
	store_close(st);
	pid_t pid = fork();
	if (pid == 0) {
		if (store_open(path, &st, err, sizeof err) < 0)
			_exit(1);
		/* 40 beats a commit, a minute apart: ten hours in 600 commits, compactions included */
		for (int c = 0;; c++) {
			struct heartbeat hb[40];
			for (int i = 0; i < 40; i++)
				hb[i] = (struct heartbeat){ .stream_id = ids[i % 5], .ts_ms = T0 + c * 60000LL + i,
							    .state = 1, .latency_ms = 200, .connect_ms = 3, .codec = "h264",
							    .width = 640, .height = 360 };
			store_insert_heartbeats(st, hb, 40, T0 + c * 60000LL + 1000, err, sizeof err);
		}
	}
	usleep(700 * 1000);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	CHECK_INT(count(path, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
	if (!CHECK_INT(store_open(path, &st, err, sizeof err), 0))
		return;
	static int per[100000];
	int maxc = -1, bad = 0;
	struct { int *per; int *maxc; } ctx = { per, &maxc };
	(void)ctx;
	for (int s = 0; s < 5; s++) {
		static struct beat b[20000];
		size_t n;
		CHECK_INT(store_web_beats(st, ids[s], 0, INT64_MAX, 0, b, 20000, &n, err, sizeof err), 0);
		for (size_t i = 0; i < n; i++) {
			int c = (int)((b[i].ts_ms - T0) / 60000);
			if (c >= 0 && c < 100000) {
				per[c]++;
				maxc = c > maxc ? c : maxc;
			}
		}
	}
	for (int c = 0; c <= maxc; c++)
		bad += per[c] != 40;
	CHECK(maxc > 3, "only %d commits before the kill", maxc + 1);
	CHECK_INT(bad, 0);
	/* and the store goes on writing after it */
	struct heartbeat hb = { .stream_id = ids[0], .ts_ms = T0 + (maxc + 1) * 60000LL, .state = 1,
				.latency_ms = 1, .connect_ms = 1 };
	CHECK_INT(store_insert_heartbeats(st, &hb, 1, hb.ts_ms + 1000, err, sizeof err), 0);
	CHECK_INT(store_stream_state(st, ids[0], &hb.ts_ms), 1);
	store_close(st);
}

int main(void)
{
	char dir[] = "/tmp/sp-layout-XXXXXX", path[128], cmd[160];
	if (!CHECK(mkdtemp(dir) != NULL))
		return unit_done();
	snprintf(path, sizeof path, "%s/a.db", dir);
	check_compaction(path);
	snprintf(path, sizeof path, "%s/big.db", dir);
	check_big_journal(path);
	check_migration(dir);
	check_crash(dir);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK_INT(system(cmd), 0);
	return unit_done();
}
