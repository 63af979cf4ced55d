/* hbpack.h - heartbeats packed into bytes: journal entries and hourly blocks (varints). */
#ifndef SP_HBPACK_H
#define SP_HBPACK_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* A string inside a packed buffer: not NUL-terminated; p is NULL when absent. */
struct hbstr {
	const char *p;
	size_t len;
};

/* One heartbeat as packed and unpacked; strings point into the caller's or the packed bytes. */
struct hbbeat {
	int64_t stream_id, ts_ms;
	int state;                   /* enum hb_state */
	int latency_ms, connect_ms;  /* -1 when none */
	int width, height;           /* -1 when none (down beats carry no size) */
	struct hbstr error, message, codec;
};

/* A growing byte buffer; failed is set (and appends stop) when memory runs out. */
struct hbbuf {
	uint8_t *p;
	size_t len, cap;
	int failed;
};

void hbbuf_free(struct hbbuf *b);

/* The store's heartbeat seen as an hbbeat (strings by strlen; size only when up). */
struct hbbeat hbbeat_of(const struct heartbeat *h);

/* Blocks: one stream's beats, oldest first. ts is packed as the difference to *prev_ts (which
 * both sides start at the same base) and codec/size are left out while they repeat, so an up
 * beat costs about 6 bytes. ctx holds the last codec/size seen; zero it before the first beat. */
struct hbctx {
	int64_t prev_ts;
	struct hbstr codec;
	int width, height;
};
void hbpack_beat(struct hbbuf *b, const struct hbbeat *h, struct hbctx *ctx);
/* 0, or -1 when the bytes are malformed (never reads past end). */
int hbunpack_beat(const uint8_t **p, const uint8_t *end, struct hbbeat *out, struct hbctx *ctx);

/* The journal: a byte stream of items. A commit item carries the commit's time; the beat
 * entries after it are self-contained (time relative to the commit) and prefixed by their
 * stream and length, so a reader skips other streams cheaply. codec/size may be left out
 * when they repeat the same stream's previous entry in the stream (ctx), which a reader
 * resolves reading from the start. An end item ends the journal (bytes after it are stale);
 * a next-chunk item says the rest of this chunk is unused. */
enum { HB_END, HB_NEXT_CHUNK, HB_COMMIT, HB_BEAT };
struct hbitem {
	int kind;
	int64_t ts_ms;               /* HB_COMMIT */
	int64_t stream_id;           /* HB_BEAT: then its record is [rec, rec_end) */
	const uint8_t *rec, *rec_end;
};
void hbpack_commit(struct hbbuf *b, int64_t now_ms);
void hbpack_entry(struct hbbuf *b, const struct hbbeat *h, int64_t base_ts, struct hbctx *ctx);
void hbpack_end(struct hbbuf *b);
/* Reads the next item; 0, or -1 when malformed. Running off the end reads as HB_NEXT_CHUNK. */
int hbnext(const uint8_t **p, const uint8_t *end, struct hbitem *it);
/* Only a beat entry's time and state: what uptime needs, at a fraction of the unpacking. */
int hbpeek_entry(const struct hbitem *it, int64_t base_ts, int64_t *ts_ms, int *state);
/* Unpacks a beat entry; ctx (NULL: codec/size left out stay absent) is the stream's. */
int hbunpack_entry(const struct hbitem *it, int64_t base_ts, struct hbbeat *out, struct hbctx *ctx);

#endif
