/* store_metrics.c - uptime windows and last up heartbeat of every stream in one pass, for
 * GET /metrics. */
#include "store_metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

void store_metrics_cache_free(struct metrics_cache *c)
{
	free(c->by_id);
	free(c->last_up);
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

static int64_t first_hour(const struct metrics_cache *c, size_t w)
{
	return c->hour - c->hours[w] + 1;
}

/* One scan of rollup_hour from the widest window's first hour: at 30 days that is the whole
 * table, and a scan in key order costs less than a range read per stream. */
static int scan_rollups(sqlite3 *db, struct metrics_cache *c)
{
	sqlite3_stmt *s;
	int64_t first = c->hour;
	for (size_t w = 0; w < c->nwin; w++)
		first = first_hour(c, w) < first ? first_hour(c, w) : first;
	c->max_id = single_int(db, "SELECT max(id) FROM streams");
	if (c->max_id < 0 || !(c->by_id = calloc((size_t)(c->max_id + 1) * c->nwin, sizeof *c->by_id)) ||
	    !(c->last_up = malloc((size_t)(c->max_id + 1) * sizeof *c->last_up)))
		return -1;
	memset(c->last_up, 0xff, (size_t)(c->max_id + 1) * sizeof *c->last_up); /* -1 */
	if (sqlite3_prepare_v2(db, "SELECT stream_id, hour, beats - skipped, ups FROM rollup_hour WHERE hour >= ?",
			       -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, first);
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0), hour = sqlite3_column_int64(s, 1);
		for (size_t w = 0; id >= 0 && id <= c->max_id && w < c->nwin; w++) {
			if (hour < first_hour(c, w))
				continue;
			c->by_id[id * (int64_t)c->nwin + (int64_t)w].probed += sqlite3_column_double(s, 2);
			c->by_id[id * (int64_t)c->nwin + (int64_t)w].ups += sqlite3_column_double(s, 3);
		}
	}
	sqlite3_finalize(s);
	return step == SQLITE_DONE ? 0 : -1;
}

/* Rebuilds the cache unless the last compaction (the only writer of rollups and blocks, and
 * it notes meta monitor_write_ms each time: doc/store.md) and the hour are the ones it was
 * built for. */
static int compacted(sqlite3 *db, struct metrics_cache *c, int64_t hour, const int *hours, size_t nwin)
{
	int64_t at = single_int(db, "SELECT value FROM meta WHERE key = 'monitor_write_ms'");
	if (c->valid && c->compacted_ms == at && c->hour == hour && c->nwin == nwin &&
	    !memcmp(c->hours, hours, nwin * sizeof *hours))
		return 0;
	store_metrics_cache_free(c);
	c->compacted_ms = at;
	c->hour = hour;
	c->nwin = nwin;
	memcpy(c->hours, hours, nwin * sizeof *hours);
	if (scan_rollups(db, c) < 0) {
		store_metrics_cache_free(c);
		return -1;
	}
	c->valid = 1;
	return 0;
}

struct pass {
	const struct metrics_cache *c;
	struct stream_metrics *by_id;
};

/* One journal beat (in no rollup yet) into its stream's slot: window counts, newest up beat. */
static int pass_beat(void *ctx, const struct hbitem *it, int64_t base, int64_t ts, int state)
{
	struct pass *x = ctx;
	struct stream_metrics *m = &x->by_id[it->stream_id];
	(void)base;
	if (state == HB_UP && ts > m->last_up_ms)
		m->last_up_ms = ts;
	for (size_t w = 0; state != HB_SKIPPED && w < x->c->nwin; w++) {
		if (ts < first_hour(x->c, w) * HOUR_MS)
			continue;
		m->win[w].probed++;
		m->win[w].ups += state == HB_UP;
	}
	return 0;
}

static int journal_pass(const struct journal *j, const struct metrics_cache *c, int64_t max_id,
			struct stream_metrics *by_id)
{
	struct pass x = { c, by_id };
	return journal_peek_each(j, max_id, pass_beat, &x);
}

static int first_up(void *ctx, const struct hbbeat *b)
{
	if (b->state != HB_UP)
		return 0;
	*(int64_t *)ctx = b->ts_ms;
	return 1;
}

/* Newest up beat in the blocks, newest hour first: one block for a stream that is down for a
 * while, every block for one that never came up (remembered until the next compaction). */
static int block_last_up(struct store *st, struct metrics_cache *c, int64_t id, int64_t *out)
{
	if (id <= c->max_id && c->last_up[id] >= 0) {
		*out = c->last_up[id];
		return 0;
	}
	*out = 0;
	if (store_walk(st, NULL, id, 0, INT64_MAX, 1, WALK_BLOCKS, first_up, out) < 0)
		return -1;
	if (id <= c->max_id)
		c->last_up[id] = *out;
	return 0;
}

static int fill(struct store *st, const int64_t *ids, size_t n, struct metrics_cache *c,
		struct stream_metrics *out)
{
	const struct journal *j = journal_current(st);
	int64_t max_id = c->max_id;
	for (size_t i = 0; i < n; i++)
		max_id = ids[i] > max_id ? ids[i] : max_id;
	/* streams newer than the cache (added since the last compaction) are in the journal only */
	struct stream_metrics *by_id = calloc((size_t)max_id + 1, sizeof *by_id);
	int rc = -1;
	if (!j || !by_id || journal_pass(j, c, max_id, by_id) < 0)
		goto end;
	for (size_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof out[i]);
		if (ids[i] <= 0)
			continue;
		out[i] = by_id[ids[i]];
		for (size_t w = 0; ids[i] <= c->max_id && w < c->nwin; w++) {
			out[i].win[w].probed += c->by_id[ids[i] * (int64_t)c->nwin + (int64_t)w].probed;
			out[i].win[w].ups += c->by_id[ids[i] * (int64_t)c->nwin + (int64_t)w].ups;
		}
		if (!out[i].last_up_ms && block_last_up(st, c, ids[i], &out[i].last_up_ms) < 0)
			goto end;
	}
	rc = 0;
end:
	free(by_id);
	return rc;
}

int store_metrics_read(struct store *st, const int64_t *ids, size_t n, int64_t now_ms,
		       const int *hours, size_t nwin, struct metrics_cache *cache,
		       struct stream_metrics *out, char *err, size_t errlen)
{
	sqlite3 *db = store_db(st);
	int rc = -1, own = sqlite3_get_autocommit(db);
	if (nwin == 0 || nwin > UPTIME_WINDOWS_MAX) {
		snprintf(err, errlen, "uptime: 1 to %d windows", UPTIME_WINDOWS_MAX);
		return -1;
	}
	/* One snapshot: a compaction moves beats from the journal into blocks and rollups. */
	if (own && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(db, err, errlen, "reading stream metrics");
	if (compacted(db, cache, now_ms / HOUR_MS, hours, nwin) == 0 && fill(st, ids, n, cache, out) == 0)
		rc = 0;
	else
		store_fail(db, err, errlen, "reading stream metrics");
	if (own)
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return rc;
}
