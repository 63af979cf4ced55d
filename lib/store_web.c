/* store_web.c - the web's reads of streams and heartbeats, and stream renames. */
#include "store_web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

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

static void copy_str(struct hbstr v, char *out, size_t outlen)
{
	int n = v.len < outlen ? (int)v.len : (int)outlen - 1;
	snprintf(out, outlen, "%.*s", v.p ? n : 0, v.p ? v.p : "");
}

static void beat_of(const struct hbbeat *h, struct beat *b)
{
	b->ts_ms = h->ts_ms;
	b->state = h->state;
	b->latency_ms = h->latency_ms;
	b->connect_ms = h->connect_ms;
	copy_str(h->error, b->error, sizeof b->error);
	copy_str(h->message, b->message, sizeof b->message);
}

/* Skipped beats (not probed) count neither way; degraded ones are not up, and counted apart. */
struct count {
	double n, ups, degraded, skipped;
};

static void count_state(struct count *c, int state)
{
	c->n++;
	c->ups += state == HB_UP;
	c->degraded += state == HB_DEGRADED;
	c->skipped += state == HB_SKIPPED;
}

static void count_rollup(struct count *c, sqlite3_stmt *roll)
{
	c->n += sqlite3_column_double(roll, 0);
	c->ups += sqlite3_column_double(roll, 1);
	c->degraded += sqlite3_column_double(roll, 2);
	c->skipped += sqlite3_column_double(roll, 3);
}

static int count_beat(void *ctx, const struct hbbeat *b)
{
	count_state(ctx, b->state);
	return 0;
}

/* Count and ups of one stream's compacted beats in [since, until): whole hours from the
 * hourly rollups, the partial hours at both ends from their blocks, so the figure is exact
 * and a 30-day range reads ~720 rollup rows and two blocks. The journal's beats (the current
 * hour, not in any rollup yet) are the caller's to add. */
static const char rollup_sql[] =
	"SELECT total(beats), total(ups), total(degraded), total(skipped) FROM rollup_hour "
	"WHERE stream_id = ? AND hour >= ? AND hour < ?";

/* Beats of one compacted hour inside [since, until), from its block. */
static int block_count(struct store *st, int64_t id, int64_t hour, int64_t since, int64_t until,
		       struct hbbuf *raw, struct count *c)
{
	struct hbctx ctx = { .prev_ts = hour * HOUR_MS };
	struct hbbeat b;
	int got = block_read(st, id, hour, raw);
	if (got != 0)
		return got < 0 ? -1 : 0;
	for (const uint8_t *p = raw->p, *end = p + raw->len; p < end;) {
		if (hbunpack_beat(&p, end, &b, &ctx) < 0)
			return -1;
		if (b.ts_ms >= since && b.ts_ms < until)
			count_beat(c, &b);
	}
	return 0;
}

static int compacted_count(struct store *st, sqlite3_stmt *roll, int64_t id, int64_t since, int64_t until,
			   struct count *c)
{
	struct hbbuf raw = { 0 };
	int rc = -1;
	if (since < 0)
		since = 0;
	if (until <= since)
		return 0;
	int64_t h0 = (since + HOUR_MS - 1) / HOUR_MS, h1 = until / HOUR_MS;
	if (h0 >= h1) {
		rc = block_count(st, id, since / HOUR_MS, since, until, &raw, c);
		if (rc == 0 && (until - 1) / HOUR_MS != since / HOUR_MS)
			rc = block_count(st, id, (until - 1) / HOUR_MS, since, until, &raw, c);
		hbbuf_free(&raw);
		return rc;
	}
	sqlite3_reset(roll);
	sqlite3_bind_int64(roll, 1, id);
	sqlite3_bind_int64(roll, 2, h0);
	sqlite3_bind_int64(roll, 3, h1);
	if (sqlite3_step(roll) == SQLITE_ROW) {
		count_rollup(c, roll);
		rc = 0;
	}
	sqlite3_reset(roll);
	if (rc == 0 && since < h0 * HOUR_MS)
		rc = block_count(st, id, since / HOUR_MS, since, h0 * HOUR_MS, &raw, c);
	if (rc == 0 && h1 * HOUR_MS < until)
		rc = block_count(st, id, h1, h1 * HOUR_MS, until, &raw, c);
	hbbuf_free(&raw);
	return rc;
}

static double share(const struct count *c, double part)
{
	double probed = c->n - c->skipped;
	return probed > 0 ? 100.0 * part / probed : -1;
}

static double percent(const struct count *c)
{
	return share(c, c->ups);
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

/* What the journal (the current hour) adds to each shown stream: its newest beat's time and
 * latency, and its beats in the uptime window. One pass over the journal for all streams. */
struct tail {
	int64_t ts, base;
	struct hbitem last;      /* the newest beat, unpacked once the scan is done */
	struct count c;
};

struct tails {
	const int *slot;
	int64_t since, until;
	struct tail *t;
};

static int tail_beat(void *ctx, const struct hbitem *it, int64_t base, int64_t ts, int state)
{
	struct tails *x = ctx;
	if (x->slot[it->stream_id] < 0)
		return 0;
	struct tail *t = &x->t[x->slot[it->stream_id]];
	if (ts >= t->ts) {
		t->ts = ts;
		t->base = base;
		t->last = *it;
	}
	if (ts >= x->since && ts < x->until)
		count_state(&t->c, state);
	return 0;
}

static int journal_tails(const struct journal *j, const int *slot, int64_t max_id, int64_t since,
			 int64_t until, struct tail *t)
{
	struct tails x = { slot, since, until, t };
	return journal_peek_each(j, max_id, tail_beat, &x);
}

static void status_init(struct stream_status *o, const char *name)
{
	memset(o, 0, sizeof *o);
	snprintf(o->name, sizeof o->name, "%s", name);
	o->state = -1;
	o->latency_ms = -1;
	o->uptime_24h = o->degraded_24h = -1;
}

/* The journal's part, then each stream's rollups and edge blocks. */
static int status_history(struct store *st, sqlite3_stmt *roll, struct stream_status *out, size_t n,
			  int64_t now_ms)
{
	struct journal j = { 0 };
	struct tail *t = calloc(n ? n : 1, sizeof *t);
	int64_t max_id = 0;
	int *slot = NULL, rc = -1;
	for (size_t i = 0; i < n; i++)
		max_id = out[i].id > max_id ? out[i].id : max_id;
	if (!t || !(slot = malloc((size_t)(max_id + 1) * sizeof *slot)) || journal_load(store_db(st), &j) < 0)
		goto end;
	memset(slot, 0xff, (size_t)(max_id + 1) * sizeof *slot); /* -1: not shown */
	for (size_t i = 0; i < n; i++) {
		t[i].ts = INT64_MIN;
		if (out[i].id > 0)
			slot[out[i].id] = (int)i;
	}
	/* The day's window starts on an hour: 23 whole hours from rollups, then this hour so far,
	 * so no block is read (2,000 partial hours cost more than the rest together). */
	int64_t since = (now_ms / HOUR_MS - 23) * HOUR_MS;
	if (journal_tails(&j, slot, max_id, since, INT64_MAX, t) < 0)
		goto end;
	for (size_t i = 0; i < n; i++) {
		struct stream_status *o = &out[i];
		if (o->state < 0)
			continue;
		struct hbbeat b;
		if (t[i].last.rec && t[i].ts >= o->last_ms) {
			if (hbunpack_entry(&t[i].last, t[i].base, &b, NULL) < 0)
				goto end;
			o->last_ms = t[i].ts;
			o->latency_ms = b.latency_ms;
		}
		if (o->id > 0 && slot[o->id] != (int)i)
			t[i].c = t[slot[o->id]].c; /* the same stream shown twice */
		/* every beat is in the journal or in a block its hour's rollup counts */
		sqlite3_reset(roll);
		sqlite3_bind_int64(roll, 1, o->id);
		sqlite3_bind_int64(roll, 2, since / HOUR_MS);
		sqlite3_bind_int64(roll, 3, now_ms / HOUR_MS + 1);
		if (sqlite3_step(roll) != SQLITE_ROW)
			goto end;
		count_rollup(&t[i].c, roll);
		sqlite3_reset(roll);
		o->uptime_24h = percent(&t[i].c);
		o->degraded_24h = share(&t[i].c, t[i].c.degraded);
	}
	rc = 0;
end:
	journal_free(&j);
	free(slot);
	free(t);
	return rc;
}

static int by_name(const void *a, const void *b, void *names)
{
	const char *const *n = names;
	return strcmp(n[*(const size_t *)a], n[*(const size_t *)b]);
}

/* Every streams row once, matched to the shown names by binary search: one table scan costs
 * less than 2,000 lookups by name. */
static int status_rows(sqlite3 *db, const char *const *names, size_t n, struct stream_status *out)
{
	sqlite3_stmt *row;
	size_t *order = malloc((n ? n : 1) * sizeof *order);
	int step = SQLITE_ERROR;
	if (!order)
		return -1;
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof *order, by_name, (void *)names);
	if (sqlite3_prepare_v2(db, "SELECT id, state, since_ms, last_ms, last_latency_ms, last_error, "
			       "last_message, codec, width, height, name FROM streams", -1, &row, NULL) != SQLITE_OK) {
		free(order);
		return -1;
	}
	while ((step = sqlite3_step(row)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(row, 10);
		size_t lo = 0, hi = n;
		while (lo < hi) { /* the first shown name >= this row's */
			size_t mid = (lo + hi) / 2;
			if (strcmp(names[order[mid]], name) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; name && lo < n && strcmp(names[order[lo]], name) == 0; lo++)
			status_row(row, &out[order[lo]]);
	}
	sqlite3_finalize(row);
	free(order);
	return step == SQLITE_DONE ? 0 : -1;
}

int store_web_status(struct store *st, const char *const *names, size_t n, int64_t now_ms,
		     struct stream_status *out, char *err, size_t errlen)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *roll = NULL;
	int rc = -1, own = sqlite3_get_autocommit(db);
	if (sqlite3_prepare_v2(db, rollup_sql, -1, &roll, NULL) != SQLITE_OK) {
		fail(db, err, errlen, "reading stream status");
		goto end;
	}
	/* One read transaction: every row and uptime from the same snapshot. */
	if (own && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		fail(db, err, errlen, "reading stream status");
		goto end;
	}
	for (size_t i = 0; i < n; i++)
		status_init(&out[i], names[i]);
	/* State, since, error and codec sit beside each stream (written when they change); the
	 * last check time and latency are there as of the last compaction, newer in the journal. */
	if (status_rows(db, names, n, out) < 0) {
		fail(db, err, errlen, "reading stream status");
		goto done;
	}
	if (status_history(st, roll, out, n, now_ms) < 0) {
		fail(db, err, errlen, "reading stream history");
		goto done;
	}
	rc = 0;
done:
	end_read(db, own);
end:
	sqlite3_finalize(roll);
	return rc;
}

struct page {
	struct beat *out;
	size_t max, *n;
	int skip;
};

static int page_beat(void *ctx, const struct hbbeat *h)
{
	struct page *p = ctx;
	if (p->skip > 0) {
		p->skip--;
		return 0;
	}
	if (*p->n >= p->max)
		return 1;
	beat_of(h, &p->out[(*p->n)++]);
	return *p->n >= p->max;
}

int store_web_beats(struct store *st, int64_t stream_id, int64_t since_ms, int64_t until_ms,
		    int offset, struct beat *out, size_t max, size_t *n, char *err, size_t errlen)
{
	sqlite3 *db = store_db(st);
	struct page p = { out, max, n, offset > 0 ? offset : 0 };
	int rc, own = sqlite3_get_autocommit(db);
	*n = 0;
	if (max == 0)
		return 0;
	/* One snapshot for the journal and the blocks: a compaction between them would hide or
	 * repeat an hour. */
	if (own && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return fail(db, err, errlen, "reading heartbeats");
	rc = store_walk(st, NULL, stream_id, since_ms, until_ms, 1, WALK_ALL, page_beat, &p);
	end_read(db, own);
	return rc < 0 ? fail(db, err, errlen, "reading heartbeats") : 0;
}

double store_web_uptime(struct store *st, int64_t stream_id, int64_t since_ms, int64_t until_ms)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *roll;
	struct count c = { 0 };
	int rc = -1, own = sqlite3_get_autocommit(db);
	if (sqlite3_prepare_v2(db, rollup_sql, -1, &roll, NULL) != SQLITE_OK)
		return -1;
	if (!own || sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK) {
		if (compacted_count(st, roll, stream_id, since_ms, until_ms, &c) == 0)
			rc = store_walk(st, NULL, stream_id, since_ms, until_ms, 0, WALK_JOURNAL, count_beat, &c);
		end_read(db, own);
	}
	sqlite3_finalize(roll);
	return rc < 0 ? -1 : percent(&c);
}

/* Recorded by the monitor once per confirmed state change (doc/health.md): an incident's
 * start is its first failing heartbeat; a failure the anti-flap threshold absorbed is none. */
int store_web_incidents(struct store *st, int64_t stream_id, int64_t since_ms, int64_t until_ms,
			struct incident *out, size_t max, size_t *n, char *err, size_t errlen)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	*n = 0;
	if (sqlite3_prepare_v2(db, "SELECT start_ms, coalesce(end_ms, 0), state, reason, message "
			       "FROM incidents WHERE stream_id = ? AND start_ms < ? AND "
			       "(end_ms IS NULL OR end_ms > ?) ORDER BY start_ms DESC LIMIT ?",
			       -1, &s, NULL) != SQLITE_OK)
		return fail(db, err, errlen, "reading incidents");
	sqlite3_bind_int64(s, 1, stream_id);
	sqlite3_bind_int64(s, 2, until_ms);
	sqlite3_bind_int64(s, 3, since_ms);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)max);
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct incident *o = &out[(*n)++];
		o->start_ms = sqlite3_column_int64(s, 0);
		o->end_ms = sqlite3_column_int64(s, 1);
		o->state = sqlite3_column_int(s, 2);
		copy_text(s, 3, o->error, sizeof o->error);
		copy_text(s, 4, o->message, sizeof o->message);
	}
	sqlite3_finalize(s);
	return step == SQLITE_DONE ? 0 : fail(db, err, errlen, "reading incidents");
}

struct web_export {
	int (*row)(void *ctx, const char *stream, const struct beat *b);
	void *ctx;
};

static int web_export_row(void *ctx, const char *stream, const struct heartbeat *h)
{
	struct web_export *x = ctx;
	struct beat b;
	memset(&b, 0, sizeof b);
	b.ts_ms = h->ts_ms;
	b.state = h->state;
	b.latency_ms = h->latency_ms;
	b.connect_ms = h->connect_ms;
	snprintf(b.error, sizeof b.error, "%s", h->error ? h->error : "");
	snprintf(b.message, sizeof b.message, "%s", h->message ? h->message : "");
	return x->row(x->ctx, stream, &b);
}

int store_web_export(struct store *st, int64_t stream_id,
		     int (*row)(void *ctx, const char *stream, const struct beat *b), void *ctx,
		     char *err, size_t errlen)
{
	struct web_export x = { row, ctx };
	return store_export(st, stream_id, web_export_row, &x, err, errlen);
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
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	struct journal j;
	struct hbitem it;
	int64_t ms = 0;
	unsigned version = 0;
	int own = sqlite3_get_autocommit(db);
	/* The journal's last commit, or what the last compaction noted when it restarted it. */
	if (own && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return 0;
	/* A deferred BEGIN reads nothing: the read transaction, and with it the data version,
	 * starts with this first SELECT. Asked before it, the version was the previous
	 * transaction's, and a worker that only ever served /api/health kept its first answer
	 * ("never written") forever. */
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'monitor_write_ms'", -1, &s,
			       NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			ms = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	/* Inside the read transaction: the version and what we read belong together. */
	int versioned = sqlite3_file_control(db, "main", SQLITE_FCNTL_DATA_VERSION, &version) == SQLITE_OK;
	if (versioned && st->write_ms_known && st->write_ms_version == version) {
		end_read(db, own);
		return st->write_ms;
	}
	if (journal_load(db, &j) == 0) {
		const uint8_t *p = j.items.p, *end = p + j.items.len;
		while (p < end && hbnext(&p, end, &it) == 0)
			if (it.kind == HB_COMMIT && it.ts_ms > ms)
				ms = it.ts_ms;
		journal_free(&j);
	}
	end_read(db, own);
	st->write_ms = ms;
	st->write_ms_version = version;
	st->write_ms_known = versioned;
	return ms;
}
