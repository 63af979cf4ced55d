/* hbpack.c - heartbeats packed into bytes: LEB128 varints, zigzag time deltas, strings inline. */
#include "hbpack.h"

#include <stdlib.h>
#include <string.h>

/* Longest string kept: the store's longest field is a 320-byte message; a hostile camera's
 * longer text is cut here rather than bloating every block. */
#define MAX_STR 1024

enum {
	F_UP = 1, F_LATENCY = 2, F_CONNECT = 4, F_ERROR = 8, F_MESSAGE = 16, F_CODEC = 32,
	F_SIZE = 64, F_SAME = 128, /* codec and size as the previous beat's */
};
/* The state in the same byte, so v4 data reads unchanged: up beats never carry an error and
 * down beats never a codec, so degraded = F_UP + F_ERROR and skipped = F_SAME without F_UP. */
#define SAME_CODEC(f) (((f) & (F_SAME | F_UP)) == (F_SAME | F_UP))

static int state_of(int f)
{
	if (f & F_UP)
		return f & F_ERROR ? HB_DEGRADED : HB_UP;
	return f & F_SAME ? HB_SKIPPED : HB_DOWN;
}

static int has_picture(int state)
{
	return state == HB_UP || state == HB_DEGRADED;
}

void hbbuf_free(struct hbbuf *b)
{
	free(b->p);
	*b = (struct hbbuf){ 0 };
}

static void put(struct hbbuf *b, const void *src, size_t n)
{
	if (b->failed || n == 0)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *p = realloc(b->p, cap);
		if (!p) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

/* LEB128: 7 bits a byte, low first; returns the byte count (at most 10). */
static size_t varint_bytes(uint8_t out[10], uint64_t v)
{
	size_t n = 0;
	do {
		out[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	return n;
}

static void put_varint(struct hbbuf *b, uint64_t v)
{
	uint8_t tmp[10];
	put(b, tmp, varint_bytes(tmp, v));
}

static uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static int64_t unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

static inline int get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	if (*p < end && **p < 0x80) { /* most are one byte: the dashboard skips millions */
		*v = *(*p)++;
		return 0;
	}
	*v = 0;
	for (int shift = 0; shift < 64 && *p < end; shift += 7) {
		uint8_t c = *(*p)++;
		*v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return 0;
	}
	return -1;
}

static int get_int(const uint8_t **p, const uint8_t *end, int *out)
{
	uint64_t v;
	if (get_varint(p, end, &v) < 0 || v > 0x7fffffff)
		return -1;
	*out = (int)v;
	return 0;
}

static void put_str(struct hbbuf *b, struct hbstr s)
{
	size_t n = s.len < MAX_STR ? s.len : MAX_STR;
	put_varint(b, n);
	put(b, s.p, n);
}

static int get_str(const uint8_t **p, const uint8_t *end, struct hbstr *s)
{
	uint64_t n;
	if (get_varint(p, end, &n) < 0 || n > (uint64_t)(end - *p))
		return -1;
	s->p = (const char *)*p;
	s->len = (size_t)n;
	*p += n;
	return 0;
}

static struct hbstr str_of(const char *s)
{
	return (struct hbstr){ s, s ? strlen(s) : 0 };
}

struct hbbeat hbbeat_of(const struct heartbeat *h)
{
	return (struct hbbeat){
		.stream_id = h->stream_id, .ts_ms = h->ts_ms,
		.state = h->state >= HB_DOWN && h->state <= HB_SKIPPED ? h->state : HB_DOWN,
		.latency_ms = h->latency_ms < 0 ? -1 : h->latency_ms,
		.connect_ms = h->connect_ms < 0 ? -1 : h->connect_ms,
		.width = has_picture(h->state) && h->width >= 0 ? h->width : -1,
		.height = has_picture(h->state) && h->height >= 0 ? h->height : -1,
		.error = str_of(h->error), .message = str_of(h->message),
		.codec = has_picture(h->state) ? str_of(h->codec) : str_of(NULL),
	};
}

static int same_str(struct hbstr a, struct hbstr b)
{
	if (!a.p || !b.p)
		return !a.p && !b.p;
	return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
}

static int flags_of(const struct hbbeat *h, const struct hbctx *ctx)
{
	int f = (has_picture(h->state) ? F_UP : 0) | (h->latency_ms >= 0 ? F_LATENCY : 0) |
		(h->connect_ms >= 0 ? F_CONNECT : 0) | (h->error.p ? F_ERROR : 0) |
		(h->message.p ? F_MESSAGE : 0);
	int has_size = h->width >= 0 && h->height >= 0;
	if (h->state == HB_DEGRADED)
		f |= F_ERROR; /* put_fields writes an empty reason when none was given */
	else if (h->state == HB_UP)
		f &= ~(F_ERROR | F_MESSAGE);
	if (!has_picture(h->state))
		return (f & ~(F_CODEC | F_SIZE)) | (h->state == HB_SKIPPED ? F_SAME : 0);
	if (ctx && h->codec.p && has_size && same_str(h->codec, ctx->codec) &&
	    h->width == ctx->width && h->height == ctx->height)
		return f | F_SAME;
	return f | (h->codec.p ? F_CODEC : 0) | (has_size ? F_SIZE : 0);
}

/* The beat's fields after its time; shared by blocks and journal entries. */
static void put_fields(struct hbbuf *b, const struct hbbeat *h, int f)
{
	if (f & F_LATENCY)
		put_varint(b, (uint64_t)h->latency_ms);
	if (f & F_CONNECT)
		put_varint(b, (uint64_t)h->connect_ms);
	if (f & F_ERROR)
		put_str(b, h->error);
	if (f & F_MESSAGE)
		put_str(b, h->message);
	if (f & F_CODEC)
		put_str(b, h->codec);
	if (f & F_SIZE) {
		put_varint(b, (uint64_t)h->width);
		put_varint(b, (uint64_t)h->height);
	}
}

static int get_fields(const uint8_t **p, const uint8_t *end, int f, struct hbbeat *out)
{
	out->state = state_of(f);
	out->latency_ms = out->connect_ms = out->width = out->height = -1;
	out->error = out->message = out->codec = (struct hbstr){ NULL, 0 };
	if (((f & F_LATENCY) && get_int(p, end, &out->latency_ms) < 0) ||
	    ((f & F_CONNECT) && get_int(p, end, &out->connect_ms) < 0) ||
	    ((f & F_ERROR) && get_str(p, end, &out->error) < 0) ||
	    ((f & F_MESSAGE) && get_str(p, end, &out->message) < 0) ||
	    ((f & F_CODEC) && get_str(p, end, &out->codec) < 0) ||
	    ((f & F_SIZE) && (get_int(p, end, &out->width) < 0 || get_int(p, end, &out->height) < 0)))
		return -1;
	return 0;
}

void hbpack_beat(struct hbbuf *b, const struct hbbeat *h, struct hbctx *ctx)
{
	int f = flags_of(h, ctx);
	uint8_t fb = (uint8_t)f;
	put(b, &fb, 1);
	put_varint(b, zigzag(h->ts_ms - ctx->prev_ts));
	put_fields(b, h, f);
	ctx->prev_ts = h->ts_ms;
	if (h->codec.p && h->width >= 0 && h->height >= 0) {
		ctx->codec = h->codec;
		ctx->width = h->width;
		ctx->height = h->height;
	}
}

int hbunpack_beat(const uint8_t **p, const uint8_t *end, struct hbbeat *out, struct hbctx *ctx)
{
	uint64_t d;
	if (*p >= end)
		return -1;
	int f = *(*p)++;
	if (get_varint(p, end, &d) < 0 || get_fields(p, end, f, out) < 0)
		return -1;
	out->ts_ms = ctx->prev_ts + unzigzag(d);
	ctx->prev_ts = out->ts_ms;
	if (SAME_CODEC(f)) {
		if (!ctx->codec.p)
			return -1;
		out->codec = ctx->codec;
		out->width = ctx->width;
		out->height = ctx->height;
	} else if (out->codec.p && out->width >= 0 && out->height >= 0) {
		ctx->codec = out->codec;
		ctx->width = out->width;
		ctx->height = out->height;
	}
	return 0;
}

void hbpack_commit(struct hbbuf *b, int64_t now_ms)
{
	put_varint(b, HB_COMMIT);
	put_varint(b, zigzag(now_ms));
}

void hbpack_end(struct hbbuf *b)
{
	uint8_t end = HB_END;
	put(b, &end, 1);
}

void hbpack_entry(struct hbbuf *b, const struct hbbeat *h, int64_t base_ts, struct hbctx *ctx)
{
	struct hbctx own = { 0 };
	uint8_t len[10];
	size_t n;
	if (!ctx)
		ctx = &own;
	ctx->prev_ts = base_ts;
	put_varint(b, (uint64_t)h->stream_id + HB_BEAT);
	size_t mark = b->len;
	if (ctx == &own) {
		int f = flags_of(h, NULL);
		uint8_t fb = (uint8_t)f;
		put(b, &fb, 1);
		put_varint(b, zigzag(h->ts_ms - base_ts));
		put_fields(b, h, f);
	} else {
		hbpack_beat(b, h, ctx);
	}
	if (b->failed)
		return;
	/* The length goes before the record: packed first, then shifted right by its varint. */
	n = varint_bytes(len, b->len - mark);
	put(b, len, n);
	if (b->failed)
		return;
	memmove(b->p + mark + n, b->p + mark, b->len - n - mark);
	memcpy(b->p + mark, len, n);
}

int hbnext(const uint8_t **p, const uint8_t *end, struct hbitem *it)
{
	uint64_t tag, v;
	memset(it, 0, sizeof *it);
	if (*p >= end) {
		it->kind = HB_NEXT_CHUNK;
		return 0;
	}
	if (get_varint(p, end, &tag) < 0)
		return -1;
	if (tag < HB_COMMIT) {
		it->kind = (int)tag;
		return 0;
	}
	if (get_varint(p, end, &v) < 0)
		return -1;
	if (tag == HB_COMMIT) {
		it->kind = HB_COMMIT;
		it->ts_ms = unzigzag(v);
		return 0;
	}
	if (v > (uint64_t)(end - *p) || tag - HB_BEAT > INT64_MAX)
		return -1;
	it->kind = HB_BEAT;
	it->stream_id = (int64_t)(tag - HB_BEAT);
	it->rec = *p;
	*p += v;
	it->rec_end = *p;
	return 0;
}

int hbunpack_entry(const struct hbitem *it, int64_t base_ts, struct hbbeat *out, struct hbctx *ctx)
{
	struct hbctx none = { 0 };
	const uint8_t *p = it->rec;
	if (!ctx)
		ctx = &none;
	ctx->prev_ts = base_ts;
	if (p >= it->rec_end)
		return -1;
	int f = *p;
	if (SAME_CODEC(f) && !ctx->codec.p) {
		/* the caller does not follow codecs: read it as if the codec were absent */
		struct hbctx fake = { .prev_ts = base_ts, .codec = { "", 0 } };
		if (hbunpack_beat(&p, it->rec_end, out, &fake) < 0 || p != it->rec_end)
			return -1;
		out->codec = (struct hbstr){ NULL, 0 };
		out->width = out->height = -1;
	} else if (hbunpack_beat(&p, it->rec_end, out, ctx) < 0 || p != it->rec_end) {
		return -1;
	}
	out->stream_id = it->stream_id;
	return 0;
}

int hbpeek_entry(const struct hbitem *it, int64_t base_ts, int64_t *ts_ms, int *state)
{
	const uint8_t *p = it->rec;
	uint64_t d;
	if (p >= it->rec_end)
		return -1;
	*state = state_of(*p++);
	if (get_varint(&p, it->rec_end, &d) < 0)
		return -1;
	*ts_ms = base_ts + unzigzag(d);
	return 0;
}
