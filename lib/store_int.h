/* store_int.h - what the store's own files share: the handle, block keys, the beat walker. */
#ifndef SP_STORE_INT_H
#define SP_STORE_INT_H

#include <sqlite3.h>

#include "hbpack.h"
#include "store.h"

#define HOUR_MS 3600000LL
/* A block's rowid is hour << 24 | stream_id (ids below 16.7 million): an hour's compaction
 * appends its blocks at the table's end, in key order, instead of touching one leaf page per
 * stream. A stream's hours are found through rollup_hour (stream_id, hour): every block has
 * its rollup row. */
#define BLOCK_ID_BITS 24
#define BLOCK_KEY(id, hour) (((int64_t)(hour) << BLOCK_ID_BITS) | (int64_t)(id))

/* Where the monitor appends to the journal, and what its packing may refer back to. Found
 * by one scan of the journal before the first write (the web never writes). */
struct codec_seen {
	unsigned gen;            /* valid only while equal to the writer's gen */
	char codec[24];
	int width, height;
};
struct writer {
	int ready;
	int64_t chunk;           /* the journal row being filled; 0: none yet */
	size_t off, size;        /* where the next commit goes (on the end item); chunk's size */
	size_t bytes;            /* the journal's live bytes */
	int64_t first_ms;        /* the journal's first commit time; -1 when empty */
	unsigned gen;            /* bumped when the journal restarts or a commit fails */
	struct codec_seen *seen; /* by stream id */
	size_t nseen;
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *state_get, *state_set, *refresh;
	/* Reads prepared once per connection: the dashboard walks 2,000 streams. The walker
	 * nests (an incident's end is looked up inside a walk) only in the other direction. */
	sqlite3_stmt *hours[2], *block_get;
	struct writer w;
	/* The journal as last read, while the file's data version stays the same: the dashboard
	 * reads each stream's recent beats in turn (2,000 scans of the same journal otherwise). */
	struct journal *jcache;
	unsigned jcache_version;
	int jcache_pins;         /* walks using it: a nested walk must not replace it */
	/* The monitor's last write time as last computed, for the same data version: every web
	 * request asks (it keys the response cache), and the answer walks the journal. */
	int64_t write_ms;
	unsigned write_ms_version;
	int write_ms_known;
	/* The monitor's metrics row, written inside the next heartbeat commit (store_meta.c):
	 * its own commit would cost the card a WAL page per cycle. */
	char meta_pending[512];
	int meta_staged;
};

/* Writes the staged metrics row; called inside store_write_batch's transaction. */
int store_meta_write_staged(struct store *st);

int store_fail(sqlite3 *db, char *err, size_t errlen, const char *what);

/* Packs one stream's beats of one hour (oldest first, no two at the same ms) and writes the
 * block and its rollup row: the rollup is always the count of its block. */
struct block_writer {
	sqlite3_stmt *put_block, *put_rollup; /* prepared on the first write, kept to block_free */
	void *zs;                             /* deflate state, reset per block */
	struct hbbuf buf;
	struct hbctx ctx;
	int64_t stream_id, hour;
	int beats, ups, degraded, skipped, latency_n;
	int64_t latency_sum;
};
void block_begin(struct block_writer *w, int64_t stream_id, int64_t hour);
void block_add(struct block_writer *w, const struct hbbeat *b);
int block_write(sqlite3 *db, struct block_writer *w);
/* A block's packed beats (inflated): 0 and *out (caller frees), 1 when there is none, -1. */
int block_read(struct store *st, int64_t stream_id, int64_t hour, struct hbbuf *out);
void block_free(struct block_writer *w);

/* The journal's live items (commits and beats, in order), copied out of its chunks, and
 * where it ends: chunk and offset of its end item (chunk 0 when there is no chunk). */
struct journal {
	struct hbbuf items;
	int64_t end_chunk;
	size_t end_off, end_size; /* end_size: that chunk's size */
};
int journal_load(sqlite3 *db, struct journal *j);
/* Calls fn for each beat entry of the journal whose stream id is 0..max_id, with its time and
 * state (hbpeek_entry) and the commit time it is packed against. fn returns 0 to go on, -1 to
 * fail; 0, or -1 (also when the journal is malformed). */
typedef int (*journal_peek_fn)(void *ctx, const struct hbitem *it, int64_t base, int64_t ts, int state);
int journal_peek_each(const struct journal *j, int64_t max_id, journal_peek_fn fn, void *ctx);
void journal_free(struct journal *j);
/* The current journal, from the cache when nothing changed since it was read; NULL on error.
 * Owned by st: valid until the next store call. */
const struct journal *journal_current(struct store *st);
void journal_forget(struct store *st);
/* Journal chunks are this big (or one commit's size when bigger): rewritten in place, so a
 * commit touches the one or two pages its bytes land on. */
#define CHUNK_BYTES (64 * 1024)

/* Calls fn(ctx, beat) for each beat of one stream with since <= ts < until, newest first when
 * desc, from the journal and/or the blocks (WALK_*), each time once (a journal beat replaces a
 * block's beat at the same ms). fn returns 0 to go on, 1 to stop, -1 to fail. */
enum { WALK_BLOCKS = 1, WALK_JOURNAL = 2, WALK_ALL = 3 };
typedef int (*beat_fn)(void *ctx, const struct hbbeat *b);
int store_walk(struct store *st, const struct journal *j, int64_t stream_id, int64_t since,
	       int64_t until, int desc, int what, beat_fn fn, void *ctx);

#endif
