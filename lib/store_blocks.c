/* store_blocks.c - hourly blocks and the journal: writing blocks, reading beats across both. */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

void block_begin(struct block_writer *w, int64_t stream_id, int64_t hour)
{
	struct hbbuf buf = w->buf;
	sqlite3_stmt *b = w->put_block, *r = w->put_rollup;
	void *zs = w->zs;
	buf.len = 0;
	buf.failed = 0;
	*w = (struct block_writer){ .put_block = b, .put_rollup = r, .zs = zs, .buf = buf,
				    .stream_id = stream_id, .hour = hour, .ctx = { .prev_ts = hour * HOUR_MS } };
}

void block_add(struct block_writer *w, const struct hbbeat *b)
{
	hbpack_beat(&w->buf, b, &w->ctx);
	w->beats++;
	w->ups += b->state == HB_UP;
	w->degraded += b->state == HB_DEGRADED;
	w->skipped += b->state == HB_SKIPPED;
	if (b->latency_ms >= 0) {
		w->latency_sum += b->latency_ms;
		w->latency_n++;
	}
}

void block_free(struct block_writer *w)
{
	hbbuf_free(&w->buf);
	sqlite3_finalize(w->put_block);
	sqlite3_finalize(w->put_rollup);
	w->put_block = w->put_rollup = NULL;
	if (w->zs) {
		deflateEnd(w->zs);
		free(w->zs);
		w->zs = NULL;
	}
}

/* Deflates w's block into z (zlen in: capacity, out: length). A block is a few KB: a 2 KB
 * window and small tables make each block's start cheap (compress2's defaults set up 256 KB,
 * most of a compaction's time at 2,000 streams). */
static int deflate_block(struct block_writer *w, Bytef *z, uLongf *zlen)
{
	z_stream *zs = w->zs;
	if (!zs) {
		if (!(zs = calloc(1, sizeof *zs)))
			return -1;
		if (deflateInit2(zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 11, 4, Z_DEFAULT_STRATEGY) != Z_OK) {
			free(zs);
			return -1;
		}
		w->zs = zs;
	} else if (deflateReset(zs) != Z_OK) {
		return -1;
	}
	zs->next_in = w->buf.p ? w->buf.p : z;
	zs->avail_in = (uInt)w->buf.len;
	zs->next_out = z;
	zs->avail_out = (uInt)*zlen;
	if (deflate(zs, Z_FINISH) != Z_STREAM_END)
		return -1;
	*zlen = zs->total_out;
	return 0;
}

/* Blocks are deflated: the times repeat their step and the codec is packed once, so an
 * hour of 15 s beats shrinks to about half, on the card and in its writes. */
int block_write(sqlite3 *db, struct block_writer *w)
{
	uLongf zlen = compressBound(w->buf.len) + 64;
	Bytef *z = malloc(zlen);
	int rc = -1;
	if (w->buf.failed || !z || deflate_block(w, z, &zlen) < 0)
		goto end;
	if ((!w->put_block &&
	     sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO blocks(key, bytes, data) VALUES (?, ?, ?)",
				-1, &w->put_block, NULL) != SQLITE_OK) ||
	    (!w->put_rollup &&
	     sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO rollup_hour(stream_id, hour, beats, ups, latency_sum, "
				"latency_n, degraded, skipped) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				-1, &w->put_rollup, NULL) != SQLITE_OK))
		goto end;
	sqlite3_stmt *b = w->put_block, *r = w->put_rollup;
	sqlite3_bind_int64(b, 1, BLOCK_KEY(w->stream_id, w->hour));
	sqlite3_bind_int64(b, 2, (sqlite3_int64)w->buf.len);
	sqlite3_bind_blob(b, 3, z, (int)zlen, SQLITE_STATIC);
	sqlite3_bind_int64(r, 1, w->stream_id);
	sqlite3_bind_int64(r, 2, w->hour);
	sqlite3_bind_int(r, 3, w->beats);
	sqlite3_bind_int(r, 4, w->ups);
	sqlite3_bind_int64(r, 5, w->latency_sum);
	sqlite3_bind_int(r, 6, w->latency_n);
	sqlite3_bind_int(r, 7, w->degraded);
	sqlite3_bind_int(r, 8, w->skipped);
	if (sqlite3_step(b) == SQLITE_DONE && sqlite3_step(r) == SQLITE_DONE)
		rc = 0;
	sqlite3_reset(b);
	sqlite3_reset(r);
end:
	free(z);
	return rc;
}

/* Blocks over 64 MB inflated are refused as corrupt: an hour of beats is a few KB. */
#define MAX_BLOCK (1 << 26)

int block_read(struct store *st, int64_t stream_id, int64_t hour, struct hbbuf *out)
{
	int rc = 1, step;
	if (hour < 0 || hour >= (1LL << (62 - BLOCK_ID_BITS)))
		return 1; /* no block that far out (and no key for it) */
	if (!st->block_get &&
	    sqlite3_prepare_v2(st->db, "SELECT bytes, data FROM blocks WHERE key = ?", -1, &st->block_get,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_stmt *get = st->block_get;
	sqlite3_reset(get);
	sqlite3_bind_int64(get, 1, BLOCK_KEY(stream_id, hour));
	if ((step = sqlite3_step(get)) == SQLITE_ROW) {
		sqlite3_int64 bytes = sqlite3_column_int64(get, 0);
		uLongf len = (uLongf)bytes;
		rc = -1;
		if (bytes >= 0 && bytes < MAX_BLOCK && (size_t)bytes + 1 > out->cap) {
			uint8_t *p = realloc(out->p, (size_t)bytes + 1);
			if (p) {
				out->p = p;
				out->cap = (size_t)bytes + 1;
			}
		}
		if (bytes >= 0 && bytes < MAX_BLOCK && (size_t)bytes < out->cap &&
		    uncompress(out->p, &len, sqlite3_column_blob(get, 1), (uLong)sqlite3_column_bytes(get, 1)) == Z_OK &&
		    len == (uLongf)bytes) {
			out->len = len;
			rc = 0;
		}
	} else if (step != SQLITE_DONE) {
		rc = -1;
	}
	sqlite3_reset(get);
	return rc;
}

void journal_free(struct journal *j)
{
	hbbuf_free(&j->items);
}

/* Length of a chunk's live bytes; *end set when an end item closes the journal there. */
static int live_bytes(const uint8_t *data, size_t len, size_t *live, int *end)
{
	const uint8_t *p = data, *e = data + len, *at;
	struct hbitem it;
	*end = 0;
	for (;;) {
		at = p;
		if (hbnext(&p, e, &it) < 0)
			return -1;
		if (it.kind == HB_END || it.kind == HB_NEXT_CHUNK) {
			*live = (size_t)(at - data);
			*end = it.kind == HB_END;
			return 0;
		}
	}
}

static int append_bytes(struct hbbuf *b, const uint8_t *data, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *np = realloc(b->p, cap);
		if (!np)
			return -1;
		b->p = np;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	return 0;
}

int journal_load(sqlite3 *db, struct journal *j)
{
	sqlite3_stmt *s;
	int step = SQLITE_DONE, end = 0;
	*j = (struct journal){ 0 };
	if (sqlite3_prepare_v2(db, "SELECT chunk, data FROM journal ORDER BY chunk", -1, &s, NULL) != SQLITE_OK)
		return -1;
	while (!end && (step = sqlite3_step(s)) == SQLITE_ROW) {
		const uint8_t *data = sqlite3_column_blob(s, 1);
		size_t len = (size_t)sqlite3_column_bytes(s, 1), live;
		if (live_bytes(data, len, &live, &end) < 0 || append_bytes(&j->items, data, live) < 0) {
			step = SQLITE_CORRUPT;
			break;
		}
		j->end_chunk = sqlite3_column_int64(s, 0);
		j->end_off = live;
		j->end_size = len;
	}
	sqlite3_finalize(s);
	if (!end && step != SQLITE_DONE) {
		journal_free(j);
		return -1;
	}
	return 0;
}

void journal_forget(struct store *st)
{
	if (st->jcache) {
		journal_free(st->jcache);
		free(st->jcache);
		st->jcache = NULL;
	}
}

const struct journal *journal_current(struct store *st)
{
	unsigned version = 0;
	/* changes with every commit to the file, this connection's or another's */
	if (sqlite3_file_control(st->db, "main", SQLITE_FCNTL_DATA_VERSION, &version) != SQLITE_OK)
		journal_forget(st);
	else if (st->jcache && (st->jcache_version == version || st->jcache_pins))
		return st->jcache;
	journal_forget(st);
	struct journal *j = calloc(1, sizeof *j);
	if (!j || journal_load(st->db, j) < 0) {
		free(j);
		return NULL;
	}
	st->jcache = j;
	st->jcache_version = version;
	return j;
}

/* ---- reading: one stream's beats, journal and blocks merged ---------------- */

struct beats {
	struct hbbeat *b;
	size_t n, cap;
};

static int beats_push(struct beats *v, const struct hbbeat *b)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 256;
		struct hbbeat *nb = realloc(v->b, cap * sizeof *nb);
		if (!nb)
			return -1;
		v->b = nb;
		v->cap = cap;
	}
	v->b[v->n++] = *b;
	return 0;
}

static int by_ts(const void *a, const void *b)
{
	const struct hbbeat *x = a, *y = b;
	return x->ts_ms < y->ts_ms ? -1 : x->ts_ms > y->ts_ms;
}

/* The stream's journal beats in time order, a later write of the same ms replacing the
 * earlier (the old table's INSERT OR REPLACE). Strings point into the journal's copy. */
static int journal_beats(const struct journal *j, int64_t stream_id, struct beats *out)
{
	const uint8_t *p = j->items.p, *end = p + j->items.len;
	struct hbctx ctx = { 0 };
	struct hbitem it;
	int64_t base = 0;
	while (p < end) {
		struct hbbeat b;
		if (hbnext(&p, end, &it) < 0)
			return -1;
		if (it.kind == HB_COMMIT)
			base = it.ts_ms;
		if (it.kind != HB_BEAT || it.stream_id != stream_id)
			continue;
		if (hbunpack_entry(&it, base, &b, &ctx) < 0 || beats_push(out, &b) < 0)
			return -1;
	}
	/* qsort is not stable: make later writes win by keeping, per ms, the last pushed. */
	for (size_t i = 0; i < out->n; i++)
		out->b[i].stream_id = (int64_t)i; /* push order, restored below */
	if (out->n > 1)
		qsort(out->b, out->n, sizeof *out->b, by_ts);
	size_t w = 0;
	for (size_t i = 0; i < out->n; i++) {
		if (w && out->b[w - 1].ts_ms == out->b[i].ts_ms) {
			if (out->b[i].stream_id > out->b[w - 1].stream_id)
				out->b[w - 1] = out->b[i];
			continue;
		}
		out->b[w++] = out->b[i];
	}
	out->n = w;
	for (size_t i = 0; i < out->n; i++)
		out->b[i].stream_id = stream_id;
	return 0;
}

struct walk {
	int64_t since, until;
	int desc;
	beat_fn fn;
	void *ctx;
};

static int emit(const struct walk *w, const struct hbbeat *b)
{
	if (b->ts_ms < w->since || b->ts_ms >= w->until)
		return 0;
	return w->fn(w->ctx, b);
}

static int64_t hour_of(int64_t ts)
{
	return ts >= 0 ? ts / HOUR_MS : -1;
}


/* One block's beats merged with the journal's of the same hour (journal wins a tie). */
static int merge_hour(const uint8_t *p, const uint8_t *end, int64_t stream_id, int64_t hour,
		      const struct hbbeat *jb, size_t nj, struct beats *out)
{
	struct hbctx ctx = { .prev_ts = hour * HOUR_MS };
	struct hbbeat b;
	size_t k = 0;
	out->n = 0;
	while (p < end) {
		if (hbunpack_beat(&p, end, &b, &ctx) < 0)
			return -1;
		b.stream_id = stream_id;
		while (k < nj && jb[k].ts_ms < b.ts_ms)
			if (beats_push(out, &jb[k++]) < 0)
				return -1;
		if (k < nj && jb[k].ts_ms == b.ts_ms)
			continue;
		if (beats_push(out, &b) < 0)
			return -1;
	}
	while (k < nj)
		if (beats_push(out, &jb[k++]) < 0)
			return -1;
	return 0;
}

static int emit_range(const struct walk *w, const struct hbbeat *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc = emit(w, &b[w->desc ? n - 1 - i : i]);
		if (rc)
			return rc;
	}
	return 0;
}

static int walk_blocks(struct store *st, const struct walk *w, int64_t stream_id, const struct beats *jb)
{
	static const char *const sql[2] = {
		"SELECT hour FROM rollup_hour WHERE stream_id = ? AND hour >= ? AND hour <= ? ORDER BY hour",
		"SELECT hour FROM rollup_hour WHERE stream_id = ? AND hour >= ? AND hour <= ? ORDER BY hour DESC",
	};
	struct beats merged = { 0 };
	struct hbbuf raw = { 0 };
	sqlite3_stmt *s;
	size_t lo = 0, hi = jb->n; /* journal beats not yet emitted: [lo, hi) */
	int rc = 0, step = SQLITE_DONE;
	if (!st->hours[w->desc] &&
	    sqlite3_prepare_v2(st->db, sql[w->desc], -1, &st->hours[w->desc], NULL) != SQLITE_OK)
		return -1;
	s = st->hours[w->desc];
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, stream_id);
	sqlite3_bind_int64(s, 2, hour_of(w->since));
	sqlite3_bind_int64(s, 3, hour_of(w->until - 1));
	while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t hour = sqlite3_column_int64(s, 0);
		size_t a = lo, b = hi;
		int got = block_read(st, stream_id, hour, &raw);
		if (got < 0) {
			rc = -1;
			break;
		}
		if (got > 0)
			continue; /* a rollup without its block: none such is written */
		/* journal beats of hours before (asc) or after (desc) this block go first */
		if (!w->desc) {
			while (lo < hi && hour_of(jb->b[lo].ts_ms) < hour && !(rc = emit(w, &jb->b[lo])))
				lo++;
			for (a = b = lo; b < hi && hour_of(jb->b[b].ts_ms) == hour; b++)
				;
		} else {
			while (lo < hi && hour_of(jb->b[hi - 1].ts_ms) > hour && !(rc = emit(w, &jb->b[hi - 1])))
				hi--;
			for (a = b = hi; a > lo && hour_of(jb->b[a - 1].ts_ms) == hour; a--)
				;
		}
		if (rc)
			break;
		if (merge_hour(raw.p, raw.p + raw.len, stream_id, hour, jb->b + a, b - a, &merged) < 0) {
			rc = -1;
			break;
		}
		if (!w->desc)
			lo = b;
		else
			hi = a;
		rc = emit_range(w, merged.b, merged.n);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	if (rc == 0)
		rc = emit_range(w, jb->b + lo, hi - lo);
	sqlite3_reset(s);
	free(merged.b);
	hbbuf_free(&raw);
	return rc;
}

int store_walk(struct store *st, const struct journal *j, int64_t stream_id, int64_t since,
	       int64_t until, int desc, int what, beat_fn fn, void *ctx)
{
	struct walk w = { since, until, desc, fn, ctx };
	struct beats jb = { 0 };
	int rc = -1;
	if (until <= since)
		return 0;
	int pinned = (what & WALK_JOURNAL) && !j;
	if (pinned && !(j = journal_current(st)))
		return -1;
	st->jcache_pins += pinned;
	if ((what & WALK_JOURNAL) && journal_beats(j, stream_id, &jb) < 0)
		goto end;
	if (what & WALK_BLOCKS)
		rc = walk_blocks(st, &w, stream_id, &jb);
	else
		rc = emit_range(&w, jb.b, jb.n);
end:
	free(jb.b);
	st->jcache_pins -= pinned;
	return rc < 0 ? -1 : 0;
}

int journal_peek_each(const struct journal *j, int64_t max_id, journal_peek_fn fn, void *ctx)
{
	const uint8_t *p = j->items.p, *end = p + j->items.len;
	int64_t base = 0, ts;
	struct hbitem it;
	int state;
	while (p < end) {
		if (hbnext(&p, end, &it) < 0)
			return -1;
		if (it.kind == HB_COMMIT)
			base = it.ts_ms;
		if (it.kind != HB_BEAT || it.stream_id < 0 || it.stream_id > max_id)
			continue;
		if (hbpeek_entry(&it, base, &ts, &state) < 0 || fn(ctx, &it, base, ts, state) < 0)
			return -1;
	}
	return 0;
}
