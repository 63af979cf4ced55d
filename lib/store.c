/* store.c - SQLite schema, migrations (PRAGMA user_version), opening, stream ids. */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Page size of a new database, measured with bench/store_day: a commit appends one journal
 * row of ~100 streams (about 1 KB), so small pages keep each fsynced commit to a few KB on
 * the card; 4096 doubled the bytes written per day. */
#define PAGE_SIZE 1024

/* WAL pages between checkpoints (4 MB at 1 KB pages): a checkpoint writes each changed page
 * once however often the WAL rewrote it, and the journal's chunks are rewritten all hour;
 * 1000 (SQLite's default) cost 4 MB a day more on the card (bench/store_day). */
#define CHECKPOINT_PAGES 4000

/* Reads through a mapping instead of one pread per 1 KB page: the dashboard reads the whole
 * journal (MBs at 2,000 streams) on every request. */
#define MMAP_BYTES (256 * 1024 * 1024)

static int convert_v3(sqlite3 *db);

/* Migration N brings the schema from user_version N to N+1; never edit one that shipped.
 * convert, when set, runs after the SQL in the same transaction. */
static const struct migration {
	const char *sql;
	int (*convert)(sqlite3 *db);
} migrations[] = {
	{
	/* 0 -> 1 */
	"CREATE TABLE streams ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  created_ms INTEGER NOT NULL,"
	"  removed_ms INTEGER);"
	/* Keyed by (stream, time): both reads the web needs (latest per stream, one stream's
	 * range) are index range scans without a second index to keep up to date. */
	"CREATE TABLE heartbeats ("
	"  stream_id INTEGER NOT NULL REFERENCES streams(id),"
	"  ts_ms INTEGER NOT NULL,"
	"  up INTEGER NOT NULL,"
	"  latency_ms INTEGER,"
	"  connect_ms INTEGER,"
	"  error TEXT,"
	"  message TEXT,"
	"  codec TEXT,"
	"  width INTEGER,"
	"  height INTEGER,"
	"  PRIMARY KEY (stream_id, ts_ms)) WITHOUT ROWID;"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;", NULL }, {
	/* 1 -> 2: each stream's current state kept beside it, so the dashboard reads one row per
	 * stream instead of searching history; users, sessions, API tokens, login failures. */
	"ALTER TABLE streams ADD COLUMN state INTEGER;"      /* NULL never probed, 0 down, 1 up */
	"ALTER TABLE streams ADD COLUMN since_ms INTEGER;"   /* first heartbeat of the current state */
	"ALTER TABLE streams ADD COLUMN last_ms INTEGER;"
	"ALTER TABLE streams ADD COLUMN last_latency_ms INTEGER;"
	"ALTER TABLE streams ADD COLUMN last_error TEXT;"
	"ALTER TABLE streams ADD COLUMN last_message TEXT;"
	"ALTER TABLE streams ADD COLUMN codec TEXT;"
	"ALTER TABLE streams ADD COLUMN width INTEGER;"
	"ALTER TABLE streams ADD COLUMN height INTEGER;"
	"UPDATE streams SET (state, last_ms, last_latency_ms, last_error, last_message, codec, width, height) ="
	"  (SELECT up, ts_ms, latency_ms, error, message, codec, width, height FROM heartbeats h"
	"   WHERE h.stream_id = streams.id ORDER BY ts_ms DESC LIMIT 1);"
	"UPDATE streams SET since_ms = coalesce((SELECT min(ts_ms) FROM heartbeats h WHERE h.stream_id = streams.id"
	"  AND h.ts_ms > coalesce((SELECT max(ts_ms) FROM heartbeats g WHERE g.stream_id = streams.id"
	"  AND g.up != streams.state), -1)), last_ms) WHERE state IS NOT NULL;"
	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  hash TEXT NOT NULL,"                      /* crypt(3) yescrypt/SHA-512 string */
	"  role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),"
	"  must_change INTEGER NOT NULL DEFAULT 0,"
	"  created_ms INTEGER NOT NULL);"
	"CREATE TABLE sessions ("
	"  token_hash TEXT PRIMARY KEY,"             /* SHA-256 of the cookie value */
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  csrf TEXT NOT NULL,"
	"  created_ms INTEGER NOT NULL,"
	"  expires_ms INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE api_tokens ("
	"  token_hash TEXT PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  label TEXT NOT NULL,"
	"  created_ms INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE login_failures (key TEXT NOT NULL, ts_ms INTEGER NOT NULL);"
	"CREATE INDEX login_failures_key ON login_failures(key, ts_ms);", NULL }, {
	/* 2 -> 3: hourly rollups, written with each heartbeat, so uptime over a day or a month
	 * reads 24 or 720 small rows per stream instead of every heartbeat. */
	"CREATE TABLE rollup_hour ("
	"  stream_id INTEGER NOT NULL,"
	"  hour INTEGER NOT NULL,"                   /* ts_ms / 3600000 */
	"  beats INTEGER NOT NULL,"
	"  ups INTEGER NOT NULL,"
	"  latency_sum INTEGER NOT NULL,"
	"  latency_n INTEGER NOT NULL,"
	"  PRIMARY KEY (stream_id, hour)) WITHOUT ROWID;"
	"INSERT INTO rollup_hour SELECT stream_id, ts_ms / 3600000, count(*), total(up), "
	"  coalesce(sum(latency_ms), 0), count(latency_ms) FROM heartbeats GROUP BY 1, 2;", NULL }, {
	/* 3 -> 4: built for SD cards (doc/store.md). A commit writes its heartbeats, packed
	 * (lib/hbpack.c), into the journal: fixed-size chunks rewritten in place, so it touches
	 * the page or two its bytes land on. Once an hour the journal is compacted into one block per stream and hour, keyed
	 * hour << 24 | stream_id (zlib), and the block's rollup_hour row. The streams row's state columns
	 * change only when the state, error, codec or size does. convert_v3 packs the old rows. */
	"CREATE TABLE journal (chunk INTEGER PRIMARY KEY, data BLOB NOT NULL);"
	"CREATE TABLE blocks (key INTEGER PRIMARY KEY, bytes INTEGER NOT NULL, data BLOB NOT NULL);",
	NULL }, {
	/* 4 -> 5 (doc/health.md): degraded and skipped heartbeats counted apart in the rollups;
	 * incidents opened and closed once per confirmed state change (anti-flap); the alerts
	 * sent and their attempts. */
	"ALTER TABLE rollup_hour ADD COLUMN degraded INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE rollup_hour ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE incidents ("
	"  id INTEGER PRIMARY KEY,"
	"  stream_id INTEGER NOT NULL,"
	"  state INTEGER NOT NULL,"                  /* HB_DOWN or HB_DEGRADED */
	"  reason TEXT NOT NULL,"                    /* probe class, or black/uniform/frozen/slow */
	"  message TEXT NOT NULL,"                   /* of the first failing heartbeat */
	"  start_ms INTEGER NOT NULL,"               /* the first failing heartbeat */
	"  end_ms INTEGER);"                         /* NULL while open */
	"CREATE INDEX incidents_stream ON incidents(stream_id, start_ms);"
	"CREATE TABLE alert_log ("
	"  id INTEGER PRIMARY KEY,"
	"  ts_ms INTEGER NOT NULL,"                  /* when this attempt ended */
	"  channel TEXT NOT NULL,"                   /* webhook, mqtt, command (+ index) */
	"  event TEXT NOT NULL,"                     /* down, degraded, up, site_down, site_up */
	"  stream TEXT,"                             /* NULL for site events */
	"  attempt INTEGER NOT NULL,"                /* 1 = first try */
	"  ok INTEGER NOT NULL,"
	"  detail TEXT NOT NULL);"                   /* "HTTP 200", "timed out after 10 s" */
	"CREATE INDEX alert_log_ts ON alert_log(ts_ms);",
	/* convert_v3 belongs to 3 -> 4 but writes rollups the way 5 has them: a v3 file is
	 * converted here (4 -> 5 in the same open), a v4 file has no heartbeats table left. */
	convert_v3 },
};

static int fail(struct store *st, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, st && st->db ? sqlite3_errmsg(st->db) : "out of memory");
	return -1;
}

int store_fail(sqlite3 *db, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
	return -1;
}

/* The v3 rows, one (stream, hour) group at a time in key order, become blocks and rollups;
 * then the table goes. Memory stays one hour of one stream. */
static int convert_v3(sqlite3 *db)
{
	sqlite3_stmt *s;
	struct block_writer w = { 0 };
	int rc = -1, step, open = 0;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE name = 'heartbeats'", -1, &s,
			       NULL) != SQLITE_OK)
		return -1;
	step = sqlite3_step(s);
	sqlite3_finalize(s);
	if (step != SQLITE_ROW)
		return step == SQLITE_DONE ? 0 : -1;
	if (sqlite3_prepare_v2(db, "SELECT stream_id, ts_ms, up, latency_ms, connect_ms, error, message, "
			       "codec, width, height FROM heartbeats ORDER BY stream_id, ts_ms", -1, &s,
			       NULL) != SQLITE_OK)
		return -1;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0), ts = sqlite3_column_int64(s, 1);
		int64_t hour = ts >= 0 ? ts / HOUR_MS : 0;
		struct heartbeat h = {
			.stream_id = id, .ts_ms = ts, .state = sqlite3_column_int(s, 2) ? HB_UP : HB_DOWN,
			.latency_ms = sqlite3_column_type(s, 3) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 3),
			.connect_ms = sqlite3_column_type(s, 4) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 4),
			.error = (const char *)sqlite3_column_text(s, 5),
			.message = (const char *)sqlite3_column_text(s, 6),
			.codec = (const char *)sqlite3_column_text(s, 7),
			.width = sqlite3_column_type(s, 8) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 8),
			.height = sqlite3_column_type(s, 9) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 9),
		};
		if (open && (w.stream_id != id || w.hour != hour)) {
			if (block_write(db, &w) < 0)
				goto end;
			open = 0;
		}
		if (!open)
			block_begin(&w, id, hour);
		open = 1;
		struct hbbeat b = hbbeat_of(&h);
		block_add(&w, &b);
	}
	if (step != SQLITE_DONE || (open && block_write(db, &w) < 0))
		goto end;
	rc = sqlite3_exec(db, "DROP TABLE heartbeats", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
end:
	sqlite3_finalize(s);
	block_free(&w);
	return rc;
}

static int read_version(sqlite3 *db, int *version)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return -1;
	*version = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_finalize(s);
	return 0;
}

/* Each step reads user_version again inside its write transaction: another process (a second
 * monitor, `--export` run at the first start) may have migrated the file meanwhile, and running a
 * migration on a stale version failed with "duplicate column name". */
static int migrate(struct store *st, char *err, size_t errlen)
{
	int n = (int)(sizeof migrations / sizeof migrations[0]);
	int version = 0;
	if (read_version(st->db, &version) < 0)
		return fail(st, err, errlen, "reading schema version");
	while (version < n) {
		char sql[64];
		if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
		    read_version(st->db, &version) < 0)
			goto failed;
		if (version >= n) {
			sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
			break;
		}
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", version + 1);
		const struct migration *m = &migrations[version];
		if (sqlite3_exec(st->db, m->sql, NULL, NULL, NULL) != SQLITE_OK ||
		    (m->convert && m->convert(st->db) < 0) ||
		    sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			goto failed;
		version++;
	}
	if (version > n) {
		snprintf(err, errlen, "database schema version %d is newer than this program (%d)", version, n);
		return -1;
	}
	return 0;
failed:
	fail(st, err, errlen, "migrating the schema");
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int store_open(const char *path, struct store **out, char *err, size_t errlen)
{
	char sql[224];
	struct store *st = calloc(1, sizeof *st);
	*out = NULL;
	if (!st)
		return fail(NULL, err, errlen, path);
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		fail(st, err, errlen, path);
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 5000);
	/* page_size only takes on a new file (before its first table). WAL: the web reads while
	 * the monitor writes. FULL: each commit is fsynced, so a power cut (the SD card's usual
	 * end) loses at most the cycle being written; with one commit per cycle that is one
	 * fsync every heartbeat_seconds, and the bytes written are the same as NORMAL's once
	 * the kernel writes back dirty pages every few seconds (bench/store_day.c). */
	snprintf(sql, sizeof sql, "PRAGMA page_size=%d; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
		 "PRAGMA wal_autocheckpoint=%d; PRAGMA mmap_size=%d; PRAGMA foreign_keys=ON;", PAGE_SIZE,
		 CHECKPOINT_PAGES, MMAP_BYTES);
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		fail(st, err, errlen, path);
		goto fail;
	}
	if (migrate(st, err, errlen) < 0)
		goto fail;
	*out = st;
	return 0;
fail:
	store_close(st);
	return -1;
}

void store_set_busy_timeout(struct store *st, int ms)
{
	sqlite3_busy_timeout(st->db, ms);
}

void store_close(struct store *st)
{
	if (!st)
		return;
	free(st->w.seen);
	journal_forget(st);
	sqlite3_finalize(st->hours[0]);
	sqlite3_finalize(st->hours[1]);
	sqlite3_finalize(st->block_get);
	sqlite3_finalize(st->refresh);
	sqlite3_finalize(st->state_get);
	sqlite3_finalize(st->state_set);
	sqlite3_close(st->db);
	free(st);
}

static int stream_id(struct store *st, sqlite3_stmt *find, sqlite3_stmt *add, const char *name,
		     int64_t now_ms, int64_t *id)
{
	sqlite3_reset(find);
	sqlite3_bind_text(find, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(find) == SQLITE_ROW) {
		*id = sqlite3_column_int64(find, 0);
		return 0;
	}
	sqlite3_reset(add);
	sqlite3_bind_text(add, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(add, 2, now_ms);
	if (sqlite3_step(add) != SQLITE_DONE)
		return -1;
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int store_sync_streams(struct store *st, const char *const *names, size_t n, int64_t *ids,
		       int64_t now_ms, char *err, size_t errlen)
{
	sqlite3_stmt *find = NULL, *add = NULL, *keep = NULL;
	int rc = -1;
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return fail(st, err, errlen, "syncing streams");
	/* Mark all removed, then revive the configured ones: one pass, no set difference. */
	if (sqlite3_prepare_v2(st->db, "SELECT id FROM streams WHERE name = ?", -1, &find, NULL) ||
	    sqlite3_prepare_v2(st->db, "INSERT INTO streams(name, created_ms) VALUES (?, ?)", -1, &add, NULL) ||
	    sqlite3_prepare_v2(st->db, "UPDATE streams SET removed_ms = NULL WHERE id = ?", -1, &keep, NULL))
		goto end;
	char sql[96];
	snprintf(sql, sizeof sql, "UPDATE streams SET removed_ms = %lld WHERE removed_ms IS NULL",
		 (long long)now_ms);
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		goto end;
	for (size_t i = 0; i < n; i++) {
		if (stream_id(st, find, add, names[i], now_ms, &ids[i]) < 0)
			goto end;
		sqlite3_reset(keep);
		sqlite3_bind_int64(keep, 1, ids[i]);
		if (sqlite3_step(keep) != SQLITE_DONE)
			goto end;
	}
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		rc = 0;
end:
	if (rc < 0) {
		fail(st, err, errlen, "syncing streams");
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	}
	sqlite3_finalize(find);
	sqlite3_finalize(add);
	sqlite3_finalize(keep);
	return rc;
}

int store_stream_ids(struct store *st, int64_t **ids, size_t *n)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	*ids = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT id FROM streams ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			int64_t *nids = realloc(*ids, cap * sizeof **ids);
			if (!nids) {
				sqlite3_finalize(s);
				free(*ids);
				*ids = NULL;
				*n = 0;
				return -1;
			}
			*ids = nids;
		}
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	return 0;
}

sqlite3 *store_db(struct store *st)
{
	return st->db;
}
