/* store_export.c - every kept heartbeat, stream by stream, for CSV exports (web and monitor). */
#include "store_int.h"

#include <stdio.h>
#include <string.h>

/* Longest string a packed beat holds (hbpack.c's MAX_STR), plus its NUL. */
#define STR_MAX 1025

struct export {
	const char *name;
	int (*row)(void *ctx, const char *stream, const struct heartbeat *h);
	void *ctx;
	int stopped;
};

static const char *cstr(struct hbstr v, char *buf)
{
	if (!v.p)
		return NULL;
	size_t n = v.len < STR_MAX ? v.len : STR_MAX - 1;
	memcpy(buf, v.p, n);
	buf[n] = '\0';
	return buf;
}

static int export_beat(void *ctx, const struct hbbeat *b)
{
	struct export *x = ctx;
	char error[STR_MAX], message[STR_MAX], codec[STR_MAX];
	struct heartbeat h = {
		.stream_id = b->stream_id, .ts_ms = b->ts_ms, .state = b->state,
		.latency_ms = b->latency_ms, .connect_ms = b->connect_ms,
		.error = cstr(b->error, error), .message = cstr(b->message, message),
		.codec = cstr(b->codec, codec), .width = b->width, .height = b->height,
	};
	if (x->row(x->ctx, x->name, &h) < 0) {
		x->stopped = 1;
		return -1;
	}
	return 0;
}

/* Stream by stream in id order, each oldest first: one stream's hours are one rollup range,
 * where a global time order would sort the whole history first. One read snapshot. */
int store_export(struct store *st, int64_t stream_id,
		 int (*row)(void *ctx, const char *stream, const struct heartbeat *h), void *ctx,
		 char *err, size_t errlen)
{
	sqlite3 *db = st->db;
	sqlite3_stmt *s;
	struct export x = { NULL, row, ctx, 0 };
	int step = SQLITE_DONE, rc = 0, own = sqlite3_get_autocommit(db);
	if (sqlite3_prepare_v2(db, "SELECT id, name FROM streams WHERE ?1 = 0 OR id = ?1 ORDER BY id",
			       -1, &s, NULL) != SQLITE_OK)
		return store_fail(db, err, errlen, "exporting heartbeats");
	sqlite3_bind_int64(s, 1, stream_id);
	if (own && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(db, err, errlen, "exporting heartbeats");
	}
	struct journal j = { 0 };
	if (journal_load(db, &j) < 0)
		rc = -1;
	while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
		x.name = (const char *)sqlite3_column_text(s, 1);
		rc = store_walk(st, &j, sqlite3_column_int64(s, 0), INT64_MIN, INT64_MAX, 0, WALK_ALL,
				export_beat, &x);
	}
	if (x.stopped)
		snprintf(err, errlen, "export stopped by its writer");
	else if (rc < 0 || step != SQLITE_DONE)
		rc = store_fail(db, err, errlen, "exporting heartbeats");
	journal_free(&j);
	sqlite3_finalize(s);
	if (own)
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return rc < 0 ? -1 : 0;
}
