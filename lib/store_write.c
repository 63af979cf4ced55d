/* store_write.c - the monitor's writes: journal appends, state changes, hourly compaction, pruning. */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int same_text(sqlite3_stmt *s, int col, const char *v)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	if (!t || !v)
		return !t && !v;
	return strcmp((const char *)t, v) == 0;
}

static void bind_opt_int(sqlite3_stmt *s, int col, int v)
{
	if (v < 0)
		sqlite3_bind_null(s, col);
	else
		sqlite3_bind_int(s, col, v);
}

static int exec_change(sqlite3 *db, const char *sql, int64_t id, int state, int64_t since,
		       const char *reason, const char *message)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, state);
	sqlite3_bind_int64(s, 3, since);
	sqlite3_bind_text(s, 4, reason ? reason : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, message ? message : "", -1, SQLITE_STATIC);
	int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(s);
	return rc;
}

/* A confirmed state change: the open incident ends where the new state began, a down or
 * degraded state opens one, and the streams row says since when. Rare: statements are
 * prepared per call. */
static int apply_change(struct store *st, const struct state_change *c)
{
	if (exec_change(st->db, "UPDATE incidents SET end_ms = max(?3, start_ms) WHERE stream_id = ?1 "
			"AND end_ms IS NULL AND ?2 >= 0", c->stream_id, c->state, c->since_ms, NULL, NULL) < 0)
		return -1;
	if ((c->state == HB_DOWN || c->state == HB_DEGRADED) &&
	    exec_change(st->db, "INSERT INTO incidents(stream_id, state, start_ms, reason, message) "
			"VALUES (?1, ?2, ?3, ?4, ?5)", c->stream_id, c->state, c->since_ms, c->reason,
			c->message) < 0)
		return -1;
	return exec_change(st->db, "UPDATE streams SET state = ?2, since_ms = ?3 WHERE id = ?1",
			   c->stream_id, c->state, c->since_ms, NULL, NULL);
}

/* The streams row changes only when what the dashboard shows besides times does (error,
 * message, codec, size; the state through apply_change): a steady camera costs no write
 * here. A late heartbeat (older than the row) changes nothing. With follow, each beat is a
 * confirmed state (no anti-flap: --import, tests). -1 when the stream does not exist. */
static int note_state(struct store *st, const struct heartbeat *h, int follow)
{
	sqlite3_stmt *g = st->state_get, *u = st->state_set;
	int pic = h->state == HB_UP || h->state == HB_DEGRADED;
	int wh = pic ? h->width : -1, ht = pic ? h->height : -1;
	sqlite3_reset(g);
	sqlite3_bind_int64(g, 1, h->stream_id);
	if (sqlite3_step(g) != SQLITE_ROW)
		return -1;
	int was = sqlite3_column_type(g, 0) == SQLITE_NULL ? -1 : sqlite3_column_int(g, 0);
	int changed = !same_text(g, 1, h->error) || !same_text(g, 2, h->message) ||
		      (h->codec && pic && !same_text(g, 3, h->codec)) ||
		      (wh >= 0 && (sqlite3_column_int(g, 4) != wh || sqlite3_column_int(g, 5) != ht)) ||
		      sqlite3_column_type(g, 6) == SQLITE_NULL;
	int late = sqlite3_column_type(g, 6) != SQLITE_NULL && sqlite3_column_int64(g, 6) > h->ts_ms;
	sqlite3_reset(g);
	if (late)
		return 0;
	if (follow && h->state != HB_SKIPPED && h->state != was) {
		struct state_change c = { h->stream_id, h->state, h->ts_ms, h->error, h->message };
		if (apply_change(st, &c) < 0)
			return -1;
	}
	if (!changed)
		return 0;
	sqlite3_reset(u);
	sqlite3_bind_int64(u, 1, h->stream_id);
	sqlite3_bind_int64(u, 2, h->ts_ms);
	bind_opt_int(u, 4, h->latency_ms);
	sqlite3_bind_text(u, 5, h->error, -1, SQLITE_STATIC);
	sqlite3_bind_text(u, 6, h->message, -1, SQLITE_STATIC);
	sqlite3_bind_text(u, 7, pic ? h->codec : NULL, -1, SQLITE_STATIC);
	bind_opt_int(u, 8, wh);
	bind_opt_int(u, 9, ht);
	int rc = sqlite3_step(u) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(u);
	return rc;
}

static int prepare(struct store *st)
{
	if (!st->state_get &&
	    sqlite3_prepare_v2(st->db, "SELECT state, last_error, last_message, codec, width, height, "
			       "last_ms FROM streams WHERE id = ?", -1, &st->state_get, NULL) != SQLITE_OK)
		return -1;
	if (!st->state_set &&
	    sqlite3_prepare_v2(st->db, "UPDATE streams SET last_ms = ?2, last_latency_ms = ?4, last_error = ?5, "
			       "last_message = ?6, codec = coalesce(?7, codec), width = coalesce(?8, width), "
			       "height = coalesce(?9, height) WHERE id = ?1", -1, &st->state_set, NULL) != SQLITE_OK)
		return -1;
	return 0;
}

/* ---- compaction ----------------------------------------------------------- */

struct entry {
	struct hbbeat b;
	size_t seq;              /* journal order: a later write of the same ms wins */
};

static int by_stream_ts(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->b.stream_id != y->b.stream_id)
		return x->b.stream_id < y->b.stream_id ? -1 : 1;
	if (x->b.ts_ms != y->b.ts_ms)
		return x->b.ts_ms < y->b.ts_ms ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Every journal beat with codecs resolved, sorted by (stream, ts), one per ms (the last
 * written). Strings point into the journal's copy. */
static int journal_entries(const struct journal *j, struct entry **out, size_t *n)
{
	const uint8_t *p = j->items.p, *end = p + j->items.len;
	struct hbctx *ctx = NULL;     /* by stream id, for codecs left out as repeats */
	size_t cap = 0, nctx = 0;
	int64_t base = 0;
	int rc = -1;
	struct hbitem it;
	*out = NULL;
	*n = 0;
	while (p < end) {
		if (hbnext(&p, end, &it) < 0)
			goto end;
		if (it.kind == HB_COMMIT)
			base = it.ts_ms;
		if (it.kind != HB_BEAT)
			continue;
		if ((size_t)it.stream_id >= nctx) {
			size_t nn = (size_t)it.stream_id * 2 + 16;
			struct hbctx *c = realloc(ctx, nn * sizeof *c);
			if (!c)
				goto end;
			memset(c + nctx, 0, (nn - nctx) * sizeof *c);
			ctx = c;
			nctx = nn;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			struct entry *e = realloc(*out, cap * sizeof *e);
			if (!e)
				goto end;
			*out = e;
		}
		struct entry *e = &(*out)[*n];
		if (hbunpack_entry(&it, base, &e->b, &ctx[it.stream_id]) < 0)
			goto end;
		e->seq = (*n)++;
	}
	if (*n > 1)
		qsort(*out, *n, sizeof **out, by_stream_ts);
	size_t w = 0;
	for (size_t i = 0; i < *n; i++) {
		if (w && (*out)[w - 1].b.stream_id == (*out)[i].b.stream_id &&
		    (*out)[w - 1].b.ts_ms == (*out)[i].b.ts_ms)
			w--;
		(*out)[w++] = (*out)[i];
	}
	*n = w;
	rc = 0;
end:
	free(ctx);
	return rc;
}

struct merge {
	struct block_writer *w;
	const struct entry *e;
	size_t k, n;
};

/* Walk callback: the block's existing beats (oldest first) interleaved with the new ones. */
static int merge_beat(void *ctx, const struct hbbeat *b)
{
	struct merge *m = ctx;
	while (m->k < m->n && m->e[m->k].b.ts_ms < b->ts_ms)
		block_add(m->w, &m->e[m->k++].b);
	if (m->k < m->n && m->e[m->k].b.ts_ms == b->ts_ms)
		return 0; /* rewritten: the journal's beat replaces it */
	block_add(m->w, b);
	return 0;
}

/* One (stream, hour) group: usually no block exists yet; a late heartbeat or a cycle that
 * straddled the hour merges with the block already written. */
static int compact_group(struct store *st, struct block_writer *w, const struct entry *e, size_t n)
{
	int64_t id = e[0].b.stream_id, hour = e[0].b.ts_ms >= 0 ? e[0].b.ts_ms / HOUR_MS : 0;
	struct merge m = { w, e, 0, n };
	block_begin(w, id, hour);
	if (store_walk(st, NULL, id, hour * HOUR_MS, (hour + 1) * HOUR_MS, 0, WALK_BLOCKS, merge_beat, &m) < 0)
		return -1;
	while (m.k < n)
		block_add(w, &e[m.k++].b);
	return block_write(st->db, w);
}

/* The dashboard's last check time and latency, refreshed once an hour: between compactions
 * the web reads them from the journal. */
static int refresh_last(struct store *st, const struct hbbeat *b)
{
	if (!st->refresh &&
	    sqlite3_prepare_v2(st->db, "UPDATE streams SET last_ms = ?2, last_latency_ms = ?3 WHERE id = ?1 "
			       "AND (last_ms IS NULL OR last_ms < ?2)", -1, &st->refresh, NULL) != SQLITE_OK)
		return -1;
	sqlite3_stmt *s = st->refresh;
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, b->stream_id);
	sqlite3_bind_int64(s, 2, b->ts_ms);
	bind_opt_int(s, 3, b->latency_ms);
	int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(s);
	return rc;
}

/* ---- the journal: chunks rewritten in place ---------------------------------- */

/* Finds where the journal ends, once, before the first write. */
static int writer_start(struct store *st)
{
	struct journal j;
	struct writer *w = &st->w;
	struct hbitem it;
	const uint8_t *p;
	if (w->ready)
		return 0;
	if (journal_load(st->db, &j) < 0)
		return -1;
	w->chunk = j.end_chunk;
	w->off = j.end_off;
	w->size = j.end_size;
	w->bytes = j.items.len;
	w->first_ms = -1;
	p = j.items.p;
	if (j.items.len && hbnext(&p, p + j.items.len, &it) == 0 && it.kind == HB_COMMIT)
		w->first_ms = it.ts_ms;
	w->gen++;
	w->ready = 1;
	journal_free(&j);
	return 0;
}

/* A chunk row of at least need bytes at w->chunk (a stale one too small is replaced). */
static int chunk_ready(sqlite3 *db, struct writer *w, size_t need)
{
	sqlite3_stmt *s;
	int rc = -1;
	if (sqlite3_prepare_v2(db, "SELECT length(data) FROM journal WHERE chunk = ?", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, w->chunk);
	w->size = sqlite3_step(s) == SQLITE_ROW ? (size_t)sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	if (w->size >= need)
		return 0;
	w->size = need > CHUNK_BYTES ? need : CHUNK_BYTES;
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO journal(chunk, data) VALUES (?, zeroblob(?))", -1,
			       &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, w->chunk);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)w->size);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(s);
	return rc;
}

static int blob_put(sqlite3 *db, int64_t chunk, size_t off, const void *data, size_t n)
{
	sqlite3_blob *b;
	if (sqlite3_blob_open(db, "main", "journal", "data", chunk, 1, &b) != SQLITE_OK)
		return -1;
	int rc = sqlite3_blob_write(b, data, (int)n, (int)off) == SQLITE_OK ? 0 : -1;
	sqlite3_blob_close(b);
	return rc;
}

/* Writes the packed items plus an end item where the journal ends; a commit that does not
 * fit the chunk's rest goes to the next chunk (the rest marked unused). */
static int journal_put(sqlite3 *db, struct writer *w, struct hbbuf *items)
{
	static const uint8_t next = HB_NEXT_CHUNK;
	hbpack_end(items);
	if (items->failed)
		return -1;
	if (w->chunk == 0 || w->off + items->len > w->size) {
		if (w->chunk && w->off < w->size && blob_put(db, w->chunk, w->off, &next, 1) < 0)
			return -1;
		w->chunk++;
		w->off = 0;
		if (chunk_ready(db, w, items->len) < 0)
			return -1;
	}
	if (blob_put(db, w->chunk, w->off, items->p, items->len) < 0)
		return -1;
	w->off += items->len - 1; /* the next commit overwrites the end item */
	w->bytes += items->len - 1;
	return 0;
}

/* Starts the journal over at its first chunk (after a compaction). */
static void journal_restart(struct writer *w)
{
	w->chunk = 0;
	w->off = w->size = w->bytes = 0;
	w->first_ms = -1;
	w->gen++;
}

/* Beats newer than the cut stay in the journal, packed again after the restart. */
static int keep_recent(sqlite3 *db, struct writer *w, const struct entry *e, size_t n, int64_t cut,
		       int64_t now_ms)
{
	struct hbbuf buf = { 0 };
	int rc;
	hbpack_commit(&buf, now_ms);
	for (size_t i = 0; i < n; i++)
		if (e[i].b.ts_ms >= cut)
			hbpack_entry(&buf, &e[i].b, now_ms, NULL);
	rc = journal_put(db, w, &buf);
	if (rc == 0)
		w->first_ms = now_ms;
	hbbuf_free(&buf);
	return rc;
}

/* Moves the journal's beats older than cut (a whole hour) into blocks and rollups. */
static int compact(struct store *st, int64_t cut, int64_t now_ms)
{
	sqlite3 *db = st->db;
	struct writer *w = &st->w;
	struct journal j;
	struct entry *e = NULL;
	struct block_writer bw = { 0 };
	size_t n = 0;
	int64_t last = 0;
	int rc = -1;
	char sql[128];
	if (journal_load(db, &j) < 0)
		return -1;
	if (journal_entries(&j, &e, &n) < 0)
		goto end;
	for (size_t i = 0, k; i < n; i = k) {
		int64_t hour = e[i].b.ts_ms / HOUR_MS;
		for (k = i + 1; k < n && e[k].b.stream_id == e[i].b.stream_id && e[k].b.ts_ms / HOUR_MS == hour; k++)
			;
		if (e[i].b.ts_ms >= cut)
			continue;
		if (compact_group(st, &bw, e + i, k - i) < 0)
			goto end;
		if ((k == n || e[k].b.stream_id != e[i].b.stream_id) && refresh_last(st, &e[k - 1].b) < 0)
			goto end;
	}
	/* the last commit's time, for the web's "monitor last wrote" while the journal restarts */
	const uint8_t *p = j.items.p, *pend = p + j.items.len;
	struct hbitem it;
	while (p < pend && hbnext(&p, pend, &it) == 0)
		if (it.kind == HB_COMMIT)
			last = it.ts_ms;
	snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO meta(key, value) VALUES ('monitor_write_ms', %lld)",
		 (long long)last);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		goto end;
	journal_restart(w);
	rc = keep_recent(db, w, e, n, cut, now_ms);
end:
	free(e);
	block_free(&bw);
	journal_free(&j);
	return rc;
}

/* Compaction is due when this commit is GRACE_MS past another hour than the journal's first
 * commit: driven by the commits' own clock, so a simulator can run days in seconds. The
 * grace lets the cycle that straddles the hour land first, so an hour's blocks are written
 * once. */
#define GRACE_MS (2 * 60 * 1000)

/* Journal bytes past which it is compacted before the hour ends: ~25 commits of 2,000
 * streams; 100 streams write a third of it in an hour. */
#define JOURNAL_MAX (512 * 1024)


static int64_t cut_hour(int64_t ts)
{
	return ts >= GRACE_MS ? (ts - GRACE_MS) / HOUR_MS : 0;
}

/* The stream's codec/size as its previous journal entry has them, for packing a repeat as a
 * flag; NULL when the stream has none in this journal yet (or memory is short). */
static struct hbctx *seen_ctx(struct writer *w, int64_t id, struct hbctx *ctx)
{
	if (id < 0)
		return NULL;
	if ((size_t)id >= w->nseen) {
		size_t n = (size_t)id * 2 + 16;
		struct codec_seen *s = realloc(w->seen, n * sizeof *s);
		if (!s)
			return NULL;
		memset(s + w->nseen, 0, (n - w->nseen) * sizeof *s);
		w->seen = s;
		w->nseen = n;
	}
	struct codec_seen *s = &w->seen[id];
	*ctx = (struct hbctx){ 0 };
	if (s->gen == w->gen)
		*ctx = (struct hbctx){ .codec = { s->codec, strlen(s->codec) }, .width = s->width,
				       .height = s->height };
	return ctx;
}

static void seen_note(struct writer *w, const struct hbbeat *b)
{
	if (b->stream_id < 0 || (size_t)b->stream_id >= w->nseen || !b->codec.p || b->width < 0 ||
	    b->height < 0)
		return;
	struct codec_seen *s = &w->seen[b->stream_id];
	if (b->codec.len >= sizeof s->codec) {
		s->gen = 0; /* too long to remember: the next one is packed in full */
		return;
	}
	s->gen = w->gen;
	memcpy(s->codec, b->codec.p, b->codec.len);
	s->codec[b->codec.len] = '\0';
	s->width = b->width;
	s->height = b->height;
}

static int append(struct store *st, const struct heartbeat *hb, size_t n, int64_t now_ms)
{
	struct hbbuf buf = { 0 };
	struct hbctx ctx;
	int rc;
	hbpack_commit(&buf, now_ms);
	for (size_t i = 0; i < n; i++) {
		struct hbbeat b = hbbeat_of(&hb[i]);
		struct hbctx *c = seen_ctx(&st->w, b.stream_id, &ctx);
		/* a codec longer than the memo is packed in full every time */
		hbpack_entry(&buf, &b, now_ms, c && c->codec.p ? c : NULL);
		seen_note(&st->w, &b);
	}
	rc = journal_put(st->db, &st->w, &buf);
	if (rc == 0 && st->w.first_ms < 0)
		st->w.first_ms = now_ms;
	hbbuf_free(&buf);
	return rc;
}

int store_insert_heartbeats(struct store *st, const struct heartbeat *hb, size_t n,
			    int64_t now_ms, char *err, size_t errlen)
{
	return store_write_batch(st, hb, n, NULL, 0, now_ms, err, errlen);
}

int store_write_batch(struct store *st, const struct heartbeat *hb, size_t n,
		      const struct state_change *ch, size_t nch, int64_t now_ms, char *err,
		      size_t errlen)
{
	struct writer saved;
	journal_forget(st); /* this transaction changes it */
	if (prepare(st) < 0)
		return store_fail(st->db, err, errlen, "preparing heartbeat writes");
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(st->db, err, errlen, "writing heartbeats");
	if (writer_start(st) < 0)
		goto fail;
	saved = st->w;
	if (st->w.first_ms >= 0 && cut_hour(st->w.first_ms) != cut_hour(now_ms) &&
	    compact(st, cut_hour(now_ms) * HOUR_MS, now_ms) < 0)
		goto fail_w;
	/* Many streams fill the journal within the hour: every reader scans it whole, so it is
	 * kept short by compacting early (the hour's blocks are then merged into again). */
	if (st->w.bytes > JOURNAL_MAX && compact(st, now_ms - GRACE_MS, now_ms) < 0)
		goto fail_w;
	for (size_t i = 0; i < n; i++)
		if (note_state(st, &hb[i], ch == NULL) < 0)
			goto fail_w;
	for (size_t i = 0; ch && i < nch; i++)
		if (apply_change(st, &ch[i]) < 0)
			goto fail_w;
	if (store_meta_write_staged(st) < 0 || append(st, hb, n, now_ms) < 0 ||
	    sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail_w;
	st->meta_staged = 0;
	return 0;
fail_w:
	/* the journal is as it was; what the packing remembered may not be */
	saved.seen = st->w.seen;
	saved.nseen = st->w.nseen;
	saved.gen = st->w.gen + 1;
	st->w = saved;
fail:
	store_fail(st->db, err, errlen, "writing heartbeats");
	sqlite3_reset(st->state_get);
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* ---- reads the monitor needs, and retention ----------------------------------- */

struct streak_walk {
	struct streak *s;
	int max;
};

static void copy_hbstr(struct hbstr v, char *out, size_t outlen)
{
	int n = v.len < outlen ? (int)v.len : (int)outlen - 1;
	snprintf(out, outlen, "%.*s", v.p ? n : 0, v.p ? v.p : "");
}

static int streak_beat(void *ctx, const struct hbbeat *b)
{
	struct streak_walk *w = ctx;
	struct streak *s = w->s;
	if (b->state == HB_SKIPPED)
		return 0;
	if (s->count && b->state != s->state)
		return 1;
	s->state = b->state;
	s->count++;
	s->start_ms = b->ts_ms;
	copy_hbstr(b->error, s->reason, sizeof s->reason);
	copy_hbstr(b->message, s->message, sizeof s->message);
	return s->count >= w->max;
}

int store_streak(struct store *st, int64_t stream_id, int max, struct streak *out)
{
	struct streak_walk w = { out, max };
	memset(out, 0, sizeof *out);
	return store_walk(st, NULL, stream_id, INT64_MIN, INT64_MAX, 1, WALK_ALL, streak_beat, &w) < 0
		       ? -1 : 0;
}

int store_stream_state(struct store *st, int64_t stream_id, int64_t *since_ms)
{
	sqlite3_stmt *s;
	int state = -1;
	if (sqlite3_prepare_v2(st->db, "SELECT state, since_ms FROM streams WHERE id = ?", -1, &s,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, stream_id);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		state = sqlite3_column_int(s, 0);
		if (since_ms)
			*since_ms = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return state;
}

int store_prune_stream(struct store *st, int64_t stream_id, int64_t before_ms, int max_rows,
		       char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL, *d = NULL;
	int deleted = 0, step = SQLITE_DONE, rc = -1;
	int64_t last = -1;
	/* Whole hours only: cutting into a block would rewrite it at every prune (10 min). */
	int64_t hour = before_ms >= 0 ? before_ms / HOUR_MS : 0;
	if (sqlite3_prepare_v2(st->db, "SELECT hour, beats FROM rollup_hour WHERE stream_id = ? AND hour < ? "
			       "ORDER BY hour", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "DELETE FROM blocks WHERE key = ?", -1, &d, NULL) != SQLITE_OK ||
	    sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto end;
	sqlite3_bind_int64(s, 1, stream_id);
	sqlite3_bind_int64(s, 2, hour);
	while (deleted < max_rows && (step = sqlite3_step(s)) == SQLITE_ROW) {
		last = sqlite3_column_int64(s, 0);
		deleted += sqlite3_column_int(s, 1);
		sqlite3_reset(d);
		sqlite3_bind_int64(d, 1, BLOCK_KEY(stream_id, last));
		if (sqlite3_step(d) != SQLITE_DONE)
			break;
	}
	sqlite3_reset(s);
	/* The rollups of those hours go in the same commit: a rollup always counts its block. */
	char sql[300];
	snprintf(sql, sizeof sql, "DELETE FROM rollup_hour WHERE stream_id = %lld AND hour <= %lld;"
		 "DELETE FROM incidents WHERE stream_id = %lld AND end_ms < %lld",
		 (long long)stream_id, (long long)last, (long long)stream_id, (long long)hour * HOUR_MS);
	if ((step == SQLITE_ROW || step == SQLITE_DONE) && sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK &&
	    sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		rc = 0;
end:
	if (rc < 0) {
		store_fail(st->db, err, errlen, "pruning heartbeats");
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	}
	sqlite3_finalize(s);
	sqlite3_finalize(d);
	return rc < 0 ? -1 : deleted;
}
