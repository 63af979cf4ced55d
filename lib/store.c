/* store.c - SQLite schema, migrations (PRAGMA user_version) and the monitor's writes. */
#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct store {
	sqlite3 *db;
	sqlite3_stmt *insert_hb;
	sqlite3_stmt *update_state;
	sqlite3_stmt *add_rollup;
};

/* Migration N brings the schema from user_version N to N+1; never edit one that shipped. */
static const char *const migrations[] = {
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
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;",
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
	"CREATE INDEX login_failures_key ON login_failures(key, ts_ms);",
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
	"  coalesce(sum(latency_ms), 0), count(latency_ms) FROM heartbeats GROUP BY 1, 2;",
};

static int fail(struct store *st, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, st && st->db ? sqlite3_errmsg(st->db) : "out of memory");
	return -1;
}

static int migrate(struct store *st, char *err, size_t errlen)
{
	int n = (int)(sizeof migrations / sizeof migrations[0]);
	sqlite3_stmt *s;
	int version = 0;
	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return fail(st, err, errlen, "reading schema version");
	if (sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (version > n) {
		snprintf(err, errlen, "database schema version %d is newer than this program (%d)", version, n);
		return -1;
	}
	for (; version < n; version++) {
		char sql[64];
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", version + 1);
		if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(st->db, migrations[version], NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
			fail(st, err, errlen, "migrating the schema");
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	return 0;
}

int store_open(const char *path, struct store **out, char *err, size_t errlen)
{
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
	/* WAL: the web reads while the monitor writes. NORMAL: a crash may lose the last
	 * transaction, never corrupt the file; one fsync per checkpoint spares SD cards. */
	if (sqlite3_exec(st->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			 "PRAGMA foreign_keys=ON;", NULL, NULL, NULL) != SQLITE_OK) {
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

void store_close(struct store *st)
{
	if (!st)
		return;
	sqlite3_finalize(st->insert_hb);
	sqlite3_finalize(st->update_state);
	sqlite3_finalize(st->add_rollup);
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

static void bind_opt_int(sqlite3_stmt *s, int col, int v)
{
	if (v < 0)
		sqlite3_bind_null(s, col);
	else
		sqlite3_bind_int(s, col, v);
}

/* Binds a heartbeat as ?1..?10 (stream_id, ts_ms, up, latency_ms, connect_ms, error, message,
 * codec, width, height): the insert and the state update number their parameters alike. */
static void bind_heartbeat(sqlite3_stmt *s, const struct heartbeat *h)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	sqlite3_bind_int64(s, 1, h->stream_id);
	sqlite3_bind_int64(s, 2, h->ts_ms);
	sqlite3_bind_int(s, 3, h->up ? 1 : 0);
	bind_opt_int(s, 4, h->latency_ms);
	bind_opt_int(s, 5, h->connect_ms);
	sqlite3_bind_text(s, 6, h->error, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 7, h->message, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 8, h->codec, -1, SQLITE_TRANSIENT);
	bind_opt_int(s, 9, h->up ? h->width : -1);
	bind_opt_int(s, 10, h->up ? h->height : -1);
}

static int step_heartbeat(sqlite3_stmt *s, const struct heartbeat *h)
{
	bind_heartbeat(s, h);
	return sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
}

int store_insert_heartbeats(struct store *st, const struct heartbeat *hb, size_t n,
			    int64_t now_ms, char *err, size_t errlen)
{
	char sql[128];
	if (!st->insert_hb &&
	    sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO heartbeats(stream_id, ts_ms, up, "
			       "latency_ms, connect_ms, error, message, codec, width, height) "
			       "VALUES (?,?,?,?,?,?,?,?,?,?)", -1, &st->insert_hb, NULL) != SQLITE_OK)
		return fail(st, err, errlen, "preparing heartbeat insert");
	if (!st->update_state &&
	    /* Current state beside the stream; since_ms moves only when the state changes; a
	     * late heartbeat (older than the last) does not overwrite it. ?5 goes unused. */
	    sqlite3_prepare_v2(st->db, "UPDATE streams SET since_ms = CASE WHEN state IS ?3 "
			       "THEN since_ms ELSE ?2 END, state = ?3, last_ms = ?2, last_latency_ms = ?4, "
			       "last_error = ?6, last_message = ?7, codec = coalesce(?8, codec), "
			       "width = coalesce(?9, width), height = coalesce(?10, height) "
			       "WHERE id = ?1 AND (last_ms IS NULL OR last_ms <= ?2)", -1,
			       &st->update_state, NULL) != SQLITE_OK)
		return fail(st, err, errlen, "preparing state update");
	if (!st->add_rollup &&
	    sqlite3_prepare_v2(st->db, "INSERT INTO rollup_hour VALUES (?1, ?2 / 3600000, 1, ?3, "
			       "coalesce(?4, 0), ?4 IS NOT NULL) ON CONFLICT (stream_id, hour) DO UPDATE SET "
			       "beats = beats + 1, ups = ups + excluded.ups, latency_sum = latency_sum + "
			       "excluded.latency_sum, latency_n = latency_n + excluded.latency_n", -1,
			       &st->add_rollup, NULL) != SQLITE_OK)
		return fail(st, err, errlen, "preparing rollup update");
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return fail(st, err, errlen, "writing heartbeats");
	for (size_t i = 0; i < n; i++)
		if (step_heartbeat(st->insert_hb, &hb[i]) < 0 || step_heartbeat(st->update_state, &hb[i]) < 0 ||
		    step_heartbeat(st->add_rollup, &hb[i]) < 0)
			goto fail;
	snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO meta(key, value) VALUES "
		 "('monitor_write_ms', %lld)", (long long)now_ms);
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_reset(st->insert_hb);
	sqlite3_reset(st->update_state);
	sqlite3_reset(st->add_rollup);
	return 0;
fail:
	fail(st, err, errlen, "writing heartbeats");
	sqlite3_reset(st->insert_hb);
	sqlite3_reset(st->update_state);
	sqlite3_reset(st->add_rollup);
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int store_latest_state(struct store *st, int64_t stream_id, int64_t *ts_ms)
{
	sqlite3_stmt *s;
	int state = -1;
	if (sqlite3_prepare_v2(st->db, "SELECT up, ts_ms FROM heartbeats WHERE stream_id = ? "
			       "ORDER BY ts_ms DESC LIMIT 1", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, stream_id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		state = sqlite3_column_int(s, 0);
		if (ts_ms)
			*ts_ms = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return state;
}

int store_prune_stream(struct store *st, int64_t stream_id, int64_t before_ms, int max_rows,
		       char *err, size_t errlen)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "DELETE FROM heartbeats WHERE stream_id = ?1 AND ts_ms IN "
			       "(SELECT ts_ms FROM heartbeats WHERE stream_id = ?1 AND ts_ms < ?2 "
			       "ORDER BY ts_ms LIMIT ?3)", -1, &s, NULL) != SQLITE_OK)
		return fail(st, err, errlen, "pruning heartbeats");
	sqlite3_bind_int64(s, 1, stream_id);
	sqlite3_bind_int64(s, 2, before_ms);
	sqlite3_bind_int(s, 3, max_rows);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return fail(st, err, errlen, "pruning heartbeats");
	int deleted = sqlite3_changes(st->db);
	/* Rollups of hours that ended before the cut go too: a few rows per stream per call. */
	if (sqlite3_prepare_v2(st->db, "DELETE FROM rollup_hour WHERE stream_id = ? AND hour < ? / 3600000",
			       -1, &s, NULL) != SQLITE_OK)
		return fail(st, err, errlen, "pruning rollups");
	sqlite3_bind_int64(s, 1, stream_id);
	sqlite3_bind_int64(s, 2, before_ms);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? deleted : fail(st, err, errlen, "pruning rollups");
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
