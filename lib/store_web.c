/* store_web.c - the web's reads of streams and heartbeats, and stream renames. */
#include "store_web.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#define DAY_MS ((int64_t)24 * 3600 * 1000)

static int fail(sqlite3 *db, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
	return -1;
}

static void copy_text(sqlite3_stmt *s, int col, char *out, size_t outlen)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	snprintf(out, outlen, "%s", t ? (const char *)t : "");
}

/* NULL (no value) becomes -1, as in struct heartbeat. */
static int column_opt_int(sqlite3_stmt *s, int col)
{
	return sqlite3_column_type(s, col) == SQLITE_NULL ? -1 : sqlite3_column_int(s, col);
}

/* Ends the read transaction this module began; a caller's own transaction is left alone. */
static void end_read(sqlite3 *db, int own)
{
	if (own)
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
}

/* Count and ups in one stream's [since, until): whole hours from the hourly rollups (schema
 * v3), the partial hours at both ends from the heartbeats themselves, so the figure is exact
 * and a 30-day range reads ~720 rollup rows plus at most two hours of heartbeats. */
static const char uptime_sql[] =
	"SELECT total(n), total(u) FROM ("
	" SELECT count(*) AS n, total(up) AS u FROM heartbeats WHERE stream_id = ?1 AND ts_ms >= ?2"
	"  AND ts_ms < min(?3, ((?2 + 3599999) / 3600000) * 3600000)"
	" UNION ALL SELECT total(beats), total(ups) FROM rollup_hour WHERE stream_id = ?1"
	"  AND hour >= (?2 + 3599999) / 3600000 AND hour < ?3 / 3600000"
	" UNION ALL SELECT count(*), total(up) FROM heartbeats WHERE stream_id = ?1"
	"  AND ts_ms >= max(?2, (?3 / 3600000) * 3600000) AND ts_ms < ?3"
	"  AND (?3 / 3600000) * 3600000 >= ((?2 + 3599999) / 3600000) * 3600000)";

static double uptime_step(sqlite3_stmt *s, int64_t stream_id, int64_t since_ms, int64_t until_ms)
{
	double pct = -1;
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, stream_id);
	sqlite3_bind_int64(s, 2, since_ms);
	sqlite3_bind_int64(s, 3, until_ms);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_double(s, 0) > 0)
		pct = 100.0 * sqlite3_column_double(s, 1) / sqlite3_column_double(s, 0);
	sqlite3_reset(s);
	return pct;
}

static void status_row(sqlite3_stmt *s, struct stream_status *o)
{
	o->id = sqlite3_column_int64(s, 0);
	if (sqlite3_column_type(s, 1) == SQLITE_NULL)
		return; /* never probed: the defaults stand */
	o->state = sqlite3_column_int(s, 1);
	o->since_ms = sqlite3_column_int64(s, 2);
	o->last_ms = sqlite3_column_int64(s, 3);
	o->latency_ms = column_opt_int(s, 4);
	copy_text(s, 5, o->error, sizeof o->error);
	copy_text(s, 6, o->message, sizeof o->message);
	copy_text(s, 7, o->codec, sizeof o->codec);
	o->width = sqlite3_column_int(s, 8);
	o->height = sqlite3_column_int(s, 9);
}

int store_web_status(struct store *st, const char *const *names, size_t n, int64_t now_ms,
		     struct stream_status *out, char *err, size_t errlen)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *row = NULL, *up = NULL;
	int rc = -1, own = sqlite3_get_autocommit(db);
	/* The current state sits beside each stream (schema v2); only uptime reads history. */
	if (sqlite3_prepare_v2(db, "SELECT id, state, since_ms, last_ms, last_latency_ms, last_error, "
			       "last_message, codec, width, height FROM streams WHERE name = ?",
			       -1, &row, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, uptime_sql, -1, &up, NULL) != SQLITE_OK) {
		fail(db, err, errlen, "reading stream status");
		goto end;
	}
	/* One read transaction: every row and uptime from the same snapshot. */
	if (own && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		fail(db, err, errlen, "reading stream status");
		goto end;
	}
	for (size_t i = 0; i < n; i++) {
		struct stream_status *o = &out[i];
		memset(o, 0, sizeof *o);
		snprintf(o->name, sizeof o->name, "%s", names[i]);
		o->state = -1;
		o->latency_ms = -1;
		o->uptime_24h = -1;
		sqlite3_reset(row);
		sqlite3_bind_text(row, 1, names[i], -1, SQLITE_STATIC);
		int step = sqlite3_step(row);
		if (step == SQLITE_ROW)
			status_row(row, o);
		else if (step != SQLITE_DONE) {
			fail(db, err, errlen, "reading stream status");
			goto done;
		}
		sqlite3_reset(row);
		/* Rollups keep this cheap: counting a day of raw 15 s heartbeats took 2-3 s for
		 * 2,000 streams (measured); 23 rollup rows and two partial hours do not. */
		if (o->state >= 0)
			o->uptime_24h = uptime_step(up, o->id, now_ms - DAY_MS, now_ms + 1);
	}
	rc = 0;
done:
	end_read(db, own);
end:
	sqlite3_finalize(row);
	sqlite3_finalize(up);
	return rc;
}

static void beat_row(sqlite3_stmt *s, struct beat *b)
{
	b->ts_ms = sqlite3_column_int64(s, 0);
	b->up = sqlite3_column_int(s, 1);
	b->latency_ms = column_opt_int(s, 2);
	b->connect_ms = column_opt_int(s, 3);
	copy_text(s, 4, b->error, sizeof b->error);
	copy_text(s, 5, b->message, sizeof b->message);
}

int store_web_beats(struct store *st, int64_t stream_id, int64_t since_ms, int64_t until_ms,
		    int offset, struct beat *out, size_t max, size_t *n, char *err, size_t errlen)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	int step = SQLITE_DONE;
	*n = 0;
	if (sqlite3_prepare_v2(db, "SELECT ts_ms, up, latency_ms, connect_ms, error, message "
			       "FROM heartbeats WHERE stream_id = ? AND ts_ms >= ? AND ts_ms < ? "
			       "ORDER BY ts_ms DESC LIMIT ? OFFSET ?", -1, &s, NULL) != SQLITE_OK)
		return fail(db, err, errlen, "reading heartbeats");
	sqlite3_bind_int64(s, 1, stream_id);
	sqlite3_bind_int64(s, 2, since_ms);
	sqlite3_bind_int64(s, 3, until_ms);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)max);
	sqlite3_bind_int(s, 5, offset > 0 ? offset : 0);
	while (*n < max && (step = sqlite3_step(s)) == SQLITE_ROW)
		beat_row(s, &out[(*n)++]);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		fail(db, err, errlen, "reading heartbeats");
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

double store_web_uptime(struct store *st, int64_t stream_id, int64_t since_ms, int64_t until_ms)
{
	sqlite3_stmt *s;
	double pct;
	if (sqlite3_prepare_v2(store_db(st), uptime_sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	pct = uptime_step(s, stream_id, since_ms, until_ms);
	sqlite3_finalize(s);
	return pct;
}

/* Sets the end of a down run: next_up when an up heartbeat followed it inside the range,
 * else the first up heartbeat at or after until_ms (0: still down). */
static int close_incident(sqlite3 *db, int64_t stream_id, int64_t until_ms, int64_t next_up,
			  struct incident *inc)
{
	sqlite3_stmt *s;
	int step;
	inc->end_ms = next_up >= 0 ? next_up : 0;
	if (next_up >= 0)
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT ts_ms FROM heartbeats WHERE stream_id = ? AND ts_ms >= ? "
			       "AND up = 1 ORDER BY ts_ms LIMIT 1", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, stream_id);
	sqlite3_bind_int64(s, 2, until_ms);
	if ((step = sqlite3_step(s)) == SQLITE_ROW)
		inc->end_ms = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : -1;
}

/* Walks the range newest first, so the newest max incidents cost only the heartbeats they
 * span. A down run's start is its oldest heartbeat (cut at since_ms), its end the up
 * heartbeat right after it, looked up past until_ms for the newest run. */
int store_web_incidents(struct store *st, int64_t stream_id, int64_t since_ms, int64_t until_ms,
			struct incident *out, size_t max, size_t *n, char *err, size_t errlen)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s = NULL;
	struct incident cur = { 0 };
	int64_t next_up = -1; /* -1: not known yet (nothing newer seen in the range) */
	int in_down = 0, step = SQLITE_DONE, rc = -1, own = sqlite3_get_autocommit(db);
	*n = 0;
	if (max == 0)
		return 0;
	/* One snapshot for the walk and the look past until_ms. */
	if (own && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return fail(db, err, errlen, "reading incidents");
	if (sqlite3_prepare_v2(db, "SELECT ts_ms, up, error, message FROM heartbeats "
			       "WHERE stream_id = ? AND ts_ms >= ? AND ts_ms < ? ORDER BY ts_ms DESC",
			       -1, &s, NULL) != SQLITE_OK) {
		goto fail;
	}
	sqlite3_bind_int64(s, 1, stream_id);
	sqlite3_bind_int64(s, 2, since_ms);
	sqlite3_bind_int64(s, 3, until_ms);
	while (*n < max && (step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t ts = sqlite3_column_int64(s, 0);
		if (!sqlite3_column_int(s, 1)) {
			in_down = 1;
			cur.start_ms = ts;
			copy_text(s, 2, cur.error, sizeof cur.error);
			copy_text(s, 3, cur.message, sizeof cur.message);
			continue;
		}
		if (in_down) {
			if (close_incident(db, stream_id, until_ms, next_up, &cur) < 0)
				goto fail;
			out[(*n)++] = cur;
			in_down = 0;
		}
		next_up = ts;
	}
	if (*n < max && step != SQLITE_DONE)
		goto fail;
	if (*n < max && in_down) {
		if (close_incident(db, stream_id, until_ms, next_up, &cur) < 0)
			goto fail;
		out[(*n)++] = cur;
	}
	rc = 0;
	goto end;
fail:
	fail(db, err, errlen, "reading incidents");
end:
	sqlite3_finalize(s);
	end_read(db, own);
	return rc;
}

/* In key order (stream id, then time): rows stream straight off the primary key, where a
 * global time order would sort the whole table first. */
int store_web_export(struct store *st, int64_t stream_id,
		     int (*row)(void *ctx, const char *stream, const struct beat *b), void *ctx,
		     char *err, size_t errlen)
{
	static const char one[] =
		"SELECT h.ts_ms, h.up, h.latency_ms, h.connect_ms, h.error, h.message, s.name "
		"FROM heartbeats h JOIN streams s ON s.id = h.stream_id WHERE h.stream_id = ? "
		"ORDER BY h.ts_ms";
	static const char all[] =
		"SELECT h.ts_ms, h.up, h.latency_ms, h.connect_ms, h.error, h.message, s.name "
		"FROM heartbeats h JOIN streams s ON s.id = h.stream_id "
		"ORDER BY h.stream_id, h.ts_ms";
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	struct beat b;
	int step, rc = 0;
	if (sqlite3_prepare_v2(db, stream_id ? one : all, -1, &s, NULL) != SQLITE_OK)
		return fail(db, err, errlen, "exporting heartbeats");
	if (stream_id)
		sqlite3_bind_int64(s, 1, stream_id);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&b, 0, sizeof b);
		beat_row(s, &b);
		if (row(ctx, (const char *)sqlite3_column_text(s, 6), &b) < 0) {
			snprintf(err, errlen, "export stopped by its writer");
			rc = -1;
			break;
		}
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = fail(db, err, errlen, "exporting heartbeats");
	sqlite3_finalize(s);
	return rc;
}

int64_t store_web_stream_id(struct store *st, const char *name)
{
	sqlite3_stmt *s;
	int64_t id = 0;
	if (sqlite3_prepare_v2(store_db(st), "SELECT id FROM streams WHERE name = ?", -1, &s,
			       NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return id;
}

int store_web_rename(struct store *st, const char *from, const char *to, char *err, size_t errlen)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	int step;
	if (strcmp(from, to) == 0)
		return 0;
	if (sqlite3_prepare_v2(db, "UPDATE streams SET name = ? WHERE name = ?", -1, &s,
			       NULL) != SQLITE_OK)
		return fail(db, err, errlen, "renaming a stream");
	sqlite3_bind_text(s, 1, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, from, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	sqlite3_finalize(s);
	if (step == SQLITE_CONSTRAINT) {
		/* A removed stream keeps its name (and history) too: it still holds the name. */
		snprintf(err, errlen, "the name \"%s\" is already taken by another stream", to);
		return -1;
	}
	if (step != SQLITE_DONE)
		return fail(db, err, errlen, "renaming a stream");
	if (sqlite3_changes(db) == 0) {
		snprintf(err, errlen, "no stream named \"%s\"", from);
		return -1;
	}
	return 0;
}

int64_t store_web_monitor_write_ms(struct store *st)
{
	sqlite3_stmt *s;
	int64_t ms = 0;
	if (sqlite3_prepare_v2(store_db(st), "SELECT value FROM meta WHERE key = 'monitor_write_ms'",
			       -1, &s, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW)
		ms = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return ms;
}
