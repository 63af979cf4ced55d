/* store_metrics.c - uptime of every stream over several windows in one pass, for GET /metrics. */
#include "store_metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

void store_uptime_cache_free(struct uptime_cache *c)
{
	free(c->by_id);
	memset(c, 0, sizeof *c);
}

static int64_t single_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* One scan of rollup_hour from the widest window's first hour: at 30 days it is the whole
 * table, so a scan in key order costs less than a range read per stream. */
static int scan_rollups(sqlite3 *db, struct uptime_cache *c)
{
	sqlite3_stmt *s;
	int64_t first = c->hour;
	for (size_t w = 0; w < c->nwin; w++)
		first = c->hour - c->hours[w] + 1 < first ? c->hour - c->hours[w] + 1 : first;
	c->max_id = single_int(db, "SELECT max(id) FROM streams");
	if (c->max_id < 0 || !(c->by_id = calloc((size_t)(c->max_id + 1) * c->nwin, sizeof *c->by_id)))
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT stream_id, hour, beats, ups FROM rollup_hour WHERE hour >= ?", -1, &s,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, first);
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0), hour = sqlite3_column_int64(s, 1);
		if (id < 0 || id > c->max_id)
			continue;
		for (size_t w = 0; w < c->nwin; w++) {
			if (hour < c->hour - c->hours[w] + 1)
				continue;
			c->by_id[id * (int64_t)c->nwin + (int64_t)w].beats += sqlite3_column_double(s, 2);
			c->by_id[id * (int64_t)c->nwin + (int64_t)w].ups += sqlite3_column_double(s, 3);
		}
	}
	sqlite3_finalize(s);
	return step == SQLITE_DONE ? 0 : -1;
}

/* Rebuilds the cache unless the last compaction (which notes meta monitor_write_ms, and is
 * what writes rollups) and the hour are the ones it was built for. */
static int rollups(sqlite3 *db, struct uptime_cache *c, int64_t hour, const int *hours, size_t nwin)
{
	int64_t compacted = single_int(db, "SELECT value FROM meta WHERE key = 'monitor_write_ms'");
	if (c->valid && c->compacted_ms == compacted && c->hour == hour && c->nwin == nwin &&
	    !memcmp(c->hours, hours, nwin * sizeof *hours))
		return 0;
	store_uptime_cache_free(c);
	c->compacted_ms = compacted;
	c->hour = hour;
	c->nwin = nwin;
	memcpy(c->hours, hours, nwin * sizeof *hours);
	if (scan_rollups(db, c) < 0) {
		store_uptime_cache_free(c);
		return -1;
	}
	c->valid = 1;
	return 0;
}

/* The journal's beats (not in any rollup yet), counted into the slots of streams 0..max_id. */
static int journal_counts(const struct journal *j, const struct uptime_cache *c, int64_t max_id,
			  struct uptime_count *by_id)
{
	const uint8_t *p = j->items.p, *end = p + j->items.len;
	int64_t base = 0, ts;
	struct hbitem it;
	int up;
	while (p < end) {
		if (hbnext(&p, end, &it) < 0)
			return -1;
		if (it.kind == HB_COMMIT)
			base = it.ts_ms;
		if (it.kind != HB_BEAT || it.stream_id < 0 || it.stream_id > max_id)
			continue;
		if (hbpeek_entry(&it, base, &ts, &up) < 0)
			return -1;
		for (size_t w = 0; w < c->nwin; w++) {
			if (ts < (c->hour - c->hours[w] + 1) * HOUR_MS)
				continue;
			by_id[it.stream_id * (int64_t)c->nwin + (int64_t)w].beats++;
			by_id[it.stream_id * (int64_t)c->nwin + (int64_t)w].ups += up;
		}
	}
	return 0;
}

/* Cached rollups plus this request's journal. Streams newer than the cache (added since the
 * last compaction) have beats in the journal only. */
static int fill(struct store *st, const int64_t *ids, size_t n, struct uptime_cache *c,
		struct uptime_count *out)
{
	const struct journal *j = journal_current(st);
	int64_t max_id = c->max_id;
	for (size_t i = 0; i < n; i++)
		max_id = ids[i] > max_id ? ids[i] : max_id;
	size_t cells = (size_t)(max_id + 1) * c->nwin;
	struct uptime_count *sum = calloc(cells, sizeof *sum);
	int rc = -1;
	if (!j || !sum)
		goto end;
	memcpy(sum, c->by_id, (size_t)(c->max_id + 1) * c->nwin * sizeof *sum);
	if (journal_counts(j, c, max_id, sum) < 0)
		goto end;
	for (size_t i = 0; i < n; i++)
		for (size_t w = 0; w < c->nwin; w++)
			out[i * c->nwin + w] = ids[i] > 0 ? sum[ids[i] * (int64_t)c->nwin + (int64_t)w] :
				(struct uptime_count){ 0, 0 };
	rc = 0;
end:
	free(sum);
	return rc;
}

int store_uptime_windows(struct store *st, const int64_t *ids, size_t n, int64_t now_ms,
			 const int *hours, size_t nwin, struct uptime_cache *cache,
			 struct uptime_count *out, char *err, size_t errlen)
{
	sqlite3 *db = store_db(st);
	int rc = -1, own = sqlite3_get_autocommit(db);
	if (nwin == 0 || nwin > UPTIME_WINDOWS_MAX) {
		snprintf(err, errlen, "uptime: 1 to %d windows", UPTIME_WINDOWS_MAX);
		return -1;
	}
	/* One snapshot: a compaction moves beats from the journal into rollups. */
	if (own && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(db, err, errlen, "reading uptime");
	if (rollups(db, cache, now_ms / HOUR_MS, hours, nwin) == 0 && fill(st, ids, n, cache, out) == 0)
		rc = 0;
	else
		store_fail(db, err, errlen, "reading uptime");
	if (own)
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return rc;
}

static int first_up(void *ctx, const struct hbbeat *b)
{
	if (!b->up)
		return 0;
	*(int64_t *)ctx = b->ts_ms;
	return 1;
}

int64_t store_last_up(struct store *st, int64_t stream_id, int64_t before_ms)
{
	sqlite3 *db = store_db(st);
	int64_t ts = 0;
	int own = sqlite3_get_autocommit(db);
	if (own && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	int rc = store_walk(st, NULL, stream_id, 0, before_ms, 1, WALK_ALL, first_up, &ts);
	if (own)
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return rc < 0 ? -1 : ts;
}
