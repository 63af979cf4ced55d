/* test_picture.c - picture_measure, picture_diff and health_judge on synthetic frames. */
#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <math.h>
#include <stdint.h>

#include "config.h"
#include "health.h"
#include "picture.h"
#include "unit.h"

/* Luma (full range, 0..255) of a scene at (x, y): smooth shapes, so that moving the scene
 * changes the cell means (noise alone would average out to the same grey in every cell). */
typedef int (*scene_fn)(int x, int y, int w, int h, void *arg);

static int flat(int x, int y, int w, int h, void *arg)
{
	(void)x, (void)y, (void)w, (void)h;
	return *(int *)arg;
}

static uint32_t rng = 12345;
static int noisy(int v) /* about +-2 of encoder noise */
{
	rng = rng * 1103515245u + 12345u;
	v += (int)((rng >> 16) % 5) - 2;
	return v < 0 ? 0 : v > 255 ? 255 : v;
}

/* arg: horizontal shift in pixels; the scene is drawn at 640x360 scale whatever the size. */
static int shapes(int x, int y, int w, int h, void *arg)
{
	double sx = (x + *(int *)arg) * 640.0 / w, sy = y * 360.0 / h;
	return noisy((int)(128 + 90 * sin(sx / 40.0) * cos(sy / 30.0)));
}

static int halves(int x, int y, int w, int h, void *arg)
{
	(void)y, (void)h, (void)arg;
	return x < w / 2 ? 0 : 255;
}

/* A frame of fmt filled with scene's luma, stored in the format's range; chroma neutral. */
static AVFrame *make(enum AVPixelFormat fmt, int w, int h, int range, scene_fn scene, void *arg)
{
	AVFrame *f = av_frame_alloc();
	const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(fmt);
	f->format = fmt;
	f->width = w;
	f->height = h;
	f->color_range = range;
	if (av_frame_get_buffer(f, 0) < 0)
		return NULL;
	int limited = range == AVCOL_RANGE_MPEG, depth = d->comp[0].depth;
	for (int p = 0; p < 4 && f->data[p]; p++) /* neutral chroma, also in the luma plane */
		for (int y = 0; y < (p ? AV_CEIL_RSHIFT(h, d->log2_chroma_h) : h); y++)
			for (int b = 0; b < f->linesize[p]; b++)
				f->data[p][(ptrdiff_t)y * f->linesize[p] + b] = depth > 8 && (b & 1) ? 0x02 : 0x80;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			int v = scene(x, y, w, h, arg);
			if (limited)
				v = 16 + (v * 219 + 127) / 255;
			uint8_t *px = f->data[d->comp[0].plane] + (ptrdiff_t)y * f->linesize[d->comp[0].plane] +
				      x * d->comp[0].step + d->comp[0].offset;
			if (depth > 8) {
				unsigned v16 = (unsigned)v << (depth - 8);
				px[0] = v16 & 0xff, px[1] = (uint8_t)(v16 >> 8);
			} else {
				px[0] = (uint8_t)v;
			}
		}
	return f;
}

static struct picture measure(AVFrame *f)
{
	struct picture p;
	CHECK_INT(picture_measure(f, &p), 0);
	av_frame_free(&f);
	return p;
}

static void test_formats(void)
{
	static const struct {
		enum AVPixelFormat fmt;
		int range;
	} fmts[] = {
		{ AV_PIX_FMT_YUV420P, AVCOL_RANGE_MPEG }, { AV_PIX_FMT_YUVJ420P, AVCOL_RANGE_UNSPECIFIED },
		{ AV_PIX_FMT_YUV422P, AVCOL_RANGE_MPEG }, { AV_PIX_FMT_YUVJ422P, AVCOL_RANGE_JPEG },
		{ AV_PIX_FMT_NV12, AVCOL_RANGE_MPEG }, { AV_PIX_FMT_GRAY8, AVCOL_RANGE_UNSPECIFIED },
		{ AV_PIX_FMT_YUYV422, AVCOL_RANGE_MPEG }, { AV_PIX_FMT_YUV420P10LE, AVCOL_RANGE_MPEG },
		{ AV_PIX_FMT_YUV444P, AVCOL_RANGE_JPEG },
	};
	for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
		/* Untagged yuv420p is studio range: store it so, and expect full range back. */
		int range = fmts[i].range;
		struct picture p = measure(make(fmts[i].fmt, 640, 360, range, halves, NULL));
		const char *name = av_get_pix_fmt_name(fmts[i].fmt);
		CHECK(p.valid, "%s", name);
		CHECK(p.cell[5][0] <= 1 && p.cell[5][31] >= 254, "%s: cells %d %d", name, p.cell[5][0],
		      p.cell[5][31]);
		CHECK(fabs(p.mean - 127.5) < 2 && fabs(p.stddev - 127.5) < 2, "%s: mean %.1f stddev %.1f",
		      name, p.mean, p.stddev);
	}
	/* An untagged yuv420p frame (most decoders' output) is taken as studio range. */
	int y16 = 0;
	AVFrame *f = make(AV_PIX_FMT_YUV420P, 64, 36, AVCOL_RANGE_MPEG, flat, &y16);
	f->color_range = AVCOL_RANGE_UNSPECIFIED;
	struct picture p = measure(f);
	CHECK(p.mean < 0.5, "untagged yuv420p at 16: mean %.1f", p.mean);

	struct picture none;
	f = av_frame_alloc();
	f->format = AV_PIX_FMT_RGB24, f->width = 64, f->height = 36;
	av_frame_get_buffer(f, 0);
	CHECK_INT(picture_measure(f, &none), -1);
	CHECK_INT(none.valid, 0);
	av_frame_free(&f);
}

/* A 1080p frame is subsampled, but its cells still say where the picture is dark. */
static void test_sizes(void)
{
	struct picture p = measure(make(AV_PIX_FMT_YUV420P, 1920, 1080, AVCOL_RANGE_MPEG, halves, NULL));
	CHECK(p.cell[17][15] <= 1 && p.cell[0][16] >= 254, "%d %d", p.cell[17][15], p.cell[0][16]);
	/* Narrower than the grid: every cell filled, none reads as a change. */
	p = measure(make(AV_PIX_FMT_GRAY8, 16, 9, AVCOL_RANGE_JPEG, halves, NULL));
	CHECK(p.valid && p.cell[17][0] == 0 && p.cell[17][31] == 255);
}

static struct probe_result up_with(struct picture p)
{
	struct probe_result r = { .up = 1, .first_frame_ms = 300, .picture = p };
	return r;
}

static void judge(struct picture p, const struct health_conf *h, struct health_memory *m,
		  int want_state, const char *want_reason)
{
	struct health_verdict v;
	struct probe_result r = up_with(p);
	health_judge(&r, h, m, &v);
	CHECK_INT(v.state, want_state);
	CHECK_STR(v.reason, want_reason);
}

static void test_black_uniform(const struct health_conf *h)
{
	int black = 3, grey = 128, shift = 0;
	struct health_verdict v;
	struct probe_result r = up_with(measure(make(AV_PIX_FMT_YUV420P, 640, 360, AVCOL_RANGE_MPEG, flat, &black)));
	health_judge(&r, h, NULL, &v);
	CHECK_INT(v.state, HB_DEGRADED);
	CHECK_STR(v.reason, "black");
	CHECK_STR(v.message, "picture is black (mean luma 3, black_max_luma 40; luma stddev 0.0)");
	judge(measure(make(AV_PIX_FMT_YUV420P, 640, 360, AVCOL_RANGE_MPEG, flat, &grey)), h, NULL,
	      HB_DEGRADED, "uniform");
	judge(measure(make(AV_PIX_FMT_YUV420P, 640, 360, AVCOL_RANGE_MPEG, shapes, &shift)), h, NULL,
	      HB_UP, "");
	/* Dark but detailed (a night scene): not black. */
	struct picture night = measure(make(AV_PIX_FMT_YUV420P, 640, 360, AVCOL_RANGE_MPEG, shapes, &shift));
	night.mean = 20;
	judge(night, h, NULL, HB_UP, "");
	/* Checks off: a black picture is up. */
	struct health_conf off = *h;
	off.checks = 0;
	judge(measure(make(AV_PIX_FMT_YUV420P, 640, 360, AVCOL_RANGE_MPEG, flat, &black)), &off,
	      NULL, HB_UP, "");
	off.checks = CHECK_UNIFORM; /* black off, uniform on: a black screen is still flat */
	judge(measure(make(AV_PIX_FMT_YUV420P, 640, 360, AVCOL_RANGE_MPEG, flat, &black)), &off,
	      NULL, HB_DEGRADED, "uniform");
}

/* Draws the scene with the top-left 100x30 pixels (a clock, ~10 cells) replaced by flat v. */
static int clock_corner(int x, int y, int w, int h, void *arg)
{
	int shift = 0;
	if (x < 100 && y < 30)
		return *(int *)arg;
	return shapes(x, y, w, h, &shift);
}

static void test_frozen(const struct health_conf *h)
{
	struct health_memory m = { 0 };
	int t[] = { 0, 255, 60 };
	struct picture p[3];
	for (int i = 0; i < 3; i++)
		p[i] = measure(make(AV_PIX_FMT_YUV420P, 640, 360, AVCOL_RANGE_MPEG, clock_corner, &t[i]));
	CHECK(picture_diff(&p[0], &p[1], 0) > 200, "the corner changed: %d", picture_diff(&p[0], &p[1], 0));
	CHECK(picture_diff(&p[0], &p[1], 16) <= h->frozen_max_diff, "rest the same: %d",
	      picture_diff(&p[0], &p[1], 16));
	judge(p[0], h, &m, HB_UP, "");
	judge(p[1], h, &m, HB_UP, "");
	judge(p[2], h, &m, HB_DEGRADED, "frozen"); /* the third same picture */
	judge(p[0], h, &m, HB_DEGRADED, "frozen");
	CHECK_INT(m.same, 3);

	/* A down probe neither breaks nor extends the run. */
	struct probe_result down = { .up = 0, .error = PROBE_TIMEOUT, .message = "no clean video frame" };
	struct health_verdict v;
	health_judge(&down, h, &m, &v);
	CHECK_INT(m.same, 3);

	/* The scene moving 40 px: every probe differs, never frozen. */
	struct health_memory mv = { 0 };
	for (int i = 0; i < 5; i++) {
		int shift = i * 40;
		judge(measure(make(AV_PIX_FMT_YUV420P, 640, 360, AVCOL_RANGE_MPEG, shapes, &shift)), h,
		      &mv, HB_UP, "");
	}
	CHECK_INT(mv.same, 0);
	/* Frozen off: the same picture stays up. */
	struct health_conf off = *h;
	struct health_memory mo = { 0 };
	off.checks = CHECK_BLACK | CHECK_UNIFORM;
	for (int i = 0; i < 4; i++)
		judge(p[0], &off, &mo, HB_UP, "");
}

static void test_down_busy_slow(const struct health_conf *h)
{
	struct health_verdict v;
	struct probe_result r = { .up = 0, .error = PROBE_REFUSED, .message = "connection refused" };
	health_judge(&r, h, NULL, &v);
	CHECK_INT(v.state, HB_DOWN);
	CHECK_STR(v.reason, "refused");
	CHECK_STR(v.message, "connection refused");
	r.error = PROBE_BUSY;
	health_judge(&r, h, NULL, &v);
	CHECK_INT(v.state, HB_SKIPPED);
	CHECK_STR(v.reason, "busy");

	int shift = 0;
	struct probe_result slow = up_with(measure(make(AV_PIX_FMT_YUV420P, 640, 360, AVCOL_RANGE_MPEG, shapes, &shift)));
	slow.first_frame_ms = 2500;
	health_judge(&slow, h, NULL, &v); /* max_latency_ms 0: off */
	CHECK_INT(v.state, HB_UP);
	struct health_conf lat = *h;
	lat.max_latency_ms = 2000;
	health_judge(&slow, &lat, NULL, &v);
	CHECK_INT(v.state, HB_DEGRADED);
	CHECK_STR(v.reason, "slow");
	CHECK_STR(v.message, "first frame after 2500 ms (max_latency_ms 2000)");
}

int main(void)
{
	struct health_conf h;
	config_health_defaults(&h);
	test_formats();
	test_sizes();
	test_black_uniform(&h);
	test_frozen(&h);
	test_down_busy_slow(&h);
	return unit_done();
}
