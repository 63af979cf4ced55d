/* test_hbpack.c - packed heartbeats: round trips with hostile strings, repeats, truncated input. */
#include <stdlib.h>

#include "hbpack.h"
#include "unit.h"

static int same_str(struct hbstr got, const char *want, size_t cap)
{
	if (!want)
		return got.p == NULL;
	size_t n = strlen(want) < cap ? strlen(want) : cap;
	return got.p && got.len == n && memcmp(got.p, want, n) == 0;
}

/* Up and degraded beats carry a picture's codec and size; down and skipped ones none. */
static int pic(int state)
{
	return state == HB_UP || state == HB_DEGRADED;
}

static int same_beat(const struct hbbeat *got, const struct heartbeat *want)
{
	return got->stream_id == want->stream_id && got->ts_ms == want->ts_ms && got->state == want->state &&
	       got->latency_ms == want->latency_ms && got->connect_ms == want->connect_ms &&
	       got->width == (pic(want->state) ? want->width : -1) &&
	       got->height == (pic(want->state) ? want->height : -1) &&
	       same_str(got->error, want->error, 1024) && same_str(got->message, want->message, 1024) &&
	       same_str(got->codec, want->codec, 1024);
}

int main(void)
{
	static char long_msg[3000];
	memset(long_msg, 'x', sizeof long_msg - 1);
	const char *hostile[] = { "", "a,b\n\"c\"", "\xff\xfe\x01 bytes", "<img src=x onerror=alert(1)>",
				  "caf\xc3\xa9 \xe2\x9c\x93", long_msg, NULL };
	enum { N = 400 };
	static struct heartbeat hb[N];
	unsigned seed = 1;
	for (int i = 0; i < N; i++) {
		seed = seed * 1103515245 + 12345;
		/* two in three up; the rest down, degraded (with a picture and a reason) or skipped */
		int up = (seed >> 9) % 3 != 0, state = up ? HB_UP : (int)((seed >> 11) % 3 == 0 ? HB_DOWN : (seed >> 11) % 3 == 1 ? HB_DEGRADED : HB_SKIPPED);
		const char *s = hostile[(seed >> 5) % 7];
		hb[i] = (struct heartbeat){ .stream_id = 1 + (int64_t)(seed >> 20) % 3000,
					    .ts_ms = 1795600000000LL + i * 15000 - (int64_t)((seed >> 3) % 40000),
					    .state = state, .latency_ms = pic(state) ? (int)(seed >> 12) % 100000 : -1,
					    .connect_ms = (seed & 1) ? -1 : (int)(seed >> 14) % 5000,
					    /* a degraded beat always has a reason: none reads back as "" */
					    .error = up ? NULL : state == HB_DEGRADED && !s ? "" : s,
					    .message = up ? NULL : s,
					    .codec = pic(state) ? (i % 50 < 40 ? "h264" : s) : NULL,
					    .width = i % 70 < 60 ? 640 : 1920, .height = i % 70 < 60 ? 360 : 1080 };
	}

	/* a block: one sequence with repeats packed as flags, read back in order */
	struct hbbuf buf = { 0 };
	struct hbctx ctx = { .prev_ts = 1795600000000LL };
	for (int i = 0; i < N; i++) {
		struct hbbeat b = hbbeat_of(&hb[i]);
		hbpack_beat(&buf, &b, &ctx);
	}
	CHECK(!buf.failed);
	const uint8_t *p = buf.p, *end = buf.p + buf.len;
	struct hbctx rctx = { .prev_ts = 1795600000000LL };
	int bad = 0, n = 0;
	while (p < end && n < N) {
		struct hbbeat b;
		if (hbunpack_beat(&p, end, &b, &rctx) < 0)
			break;
		b.stream_id = hb[n].stream_id;
		bad += !same_beat(&b, &hb[n]);
		n++;
	}
	CHECK_INT(n, N);
	CHECK_INT(bad, 0);
	CHECK(p == end);
	/* an up beat repeating its codec and size costs a few bytes */
	CHECK(buf.len < (size_t)N * 300, "block of %zu bytes", buf.len);

	/* every truncation of the block fails cleanly or reads fewer beats, never past its end */
	int crashed = 0;
	for (size_t cut = 0; cut < buf.len; cut += 7) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, buf.p, cut);
		const uint8_t *q = copy, *qend = copy + cut;
		struct hbctx c = { .prev_ts = 0 };
		struct hbbeat b;
		while (q < qend && hbunpack_beat(&q, qend, &b, &c) == 0)
			;
		crashed += q > qend;
		free(copy);
	}
	CHECK_INT(crashed, 0);
	hbbuf_free(&buf);

	/* the journal: commits and entries of many streams, codecs left out as repeats per stream */
	struct hbbuf j = { 0 };
	static struct hbctx sctx[3001];
	int64_t base = 1795600000000LL;
	for (int i = 0; i < N; i++) {
		if (i % 50 == 0) {
			base += 15000;
			hbpack_commit(&j, base);
		}
		struct hbbeat b = hbbeat_of(&hb[i]);
		hbpack_entry(&j, &b, base, i % 3 ? &sctx[hb[i].stream_id] : NULL);
		/* what the store's writer remembers: only a codec packed in full or repeated */
		if (!(i % 3) && b.codec.p && b.width >= 0)
			sctx[hb[i].stream_id] = (struct hbctx){ .codec = b.codec, .width = b.width, .height = b.height };
	}
	hbpack_end(&j);
	static struct hbctx rsctx[3001];
	struct hbitem it;
	p = j.p;
	end = j.p + j.len;
	n = bad = 0;
	int commits = 0, peeked_bad = 0;
	while (hbnext(&p, end, &it) == 0 && it.kind != HB_END) {
		if (it.kind == HB_COMMIT) {
			base = it.ts_ms;
			commits++;
			continue;
		}
		struct hbbeat b;
		int64_t ts;
		int up;
		if (!CHECK(it.kind == HB_BEAT) || hbunpack_entry(&it, base, &b, &rsctx[it.stream_id]) < 0)
			break;
		bad += !same_beat(&b, &hb[n]);
		peeked_bad += hbpeek_entry(&it, base, &ts, &up) < 0 || ts != hb[n].ts_ms || up != hb[n].state;
		n++;
	}
	CHECK_INT(commits, N / 50);
	CHECK_INT(n, N);
	CHECK_INT(bad, 0);
	CHECK_INT(peeked_bad, 0);
	/* a reader that does not follow codecs still gets every time and state */
	hbbuf_free(&j);

	/* garbage is refused, not read past */
	uint8_t junk[64];
	for (int k = 0; k < 200; k++) {
		for (size_t i = 0; i < sizeof junk; i++) {
			seed = seed * 1103515245 + 12345;
			junk[i] = (uint8_t)(seed >> 16);
		}
		const uint8_t *q = junk, *qend = junk + sizeof junk;
		struct hbbeat b;
		while (q < qend && hbnext(&q, qend, &it) == 0 && it.kind >= HB_COMMIT)
			if (it.kind == HB_BEAT)
				hbunpack_entry(&it, 0, &b, NULL);
		crashed += q > qend;
	}
	CHECK_INT(crashed, 0);
	return unit_done();
}
