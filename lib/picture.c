/* picture.c - a decoded picture reduced to a 32x18 luma grid, its mean and its spread. */
#include "picture.h"

#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* About this many samples per row and column: enough for stable cell means (a 1080p cell is
 * 60x60 pixels, sampled 10x10) at a fixed, small cost whatever the camera sends. */
#define SAMPLES_W 320
#define SAMPLES_H 180

/* Where the luma samples are and how to read them, from the format's descriptor. */
struct luma {
	const uint8_t *data;
	int linesize, step, offset, shift, depth, be, limited;
};

static int luma_layout(const AVFrame *f, struct luma *l)
{
	const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
	if (!d || !d->nb_components || f->width <= 0 || f->height <= 0 ||
	    (d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_BITSTREAM |
			 AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_FLOAT | AV_PIX_FMT_FLAG_BAYER)))
		return -1;
	const AVComponentDescriptor *c = &d->comp[0];
	if (c->depth < 8 || c->depth > 16 || !f->data[c->plane])
		return -1;
	l->data = f->data[c->plane];
	l->linesize = f->linesize[c->plane];
	l->step = c->step;
	l->offset = c->offset;
	l->shift = c->shift + (c->depth - 8); /* scaled to 8 bits */
	l->depth = c->depth;
	l->be = !!(d->flags & AV_PIX_FMT_FLAG_BE);
	/* A tagged range wins. Untagged: yuvj* (JPEG) and gray are 0..255; YUV from a video
	 * decoder is studio range, 16..235. */
	int gray = d->nb_components <= 2;
	l->limited = f->color_range == AVCOL_RANGE_MPEG ||
		     (f->color_range != AVCOL_RANGE_JPEG && !gray && strncmp(d->name, "yuvj", 4) != 0);
	return 0;
}

static unsigned sample(const struct luma *l, int x, int y)
{
	const uint8_t *p = l->data + (ptrdiff_t)y * l->linesize + (ptrdiff_t)x * l->step + l->offset;
	if (l->depth == 8)
		return p[0];
	unsigned v = l->be ? (unsigned)p[0] << 8 | p[1] : (unsigned)p[1] << 8 | p[0];
	return (v >> l->shift) & 0xff;
}

/* Studio range (16..235) to full (0..255), clamped: overshoot from encoders is common. */
static double to_full(double v, int limited)
{
	if (!limited)
		return v;
	v = (v - 16.0) * 255.0 / 219.0;
	return v < 0 ? 0 : v > 255 ? 255 : v;
}

/* Sampled columns: where each one is in a row, and which of them fall in each grid column
 * (first[cx] to first[cx + 1] - 1: x grows, so each cell's columns are a run). Fewer than
 * 2 * SAMPLES_W, as the step is the width / SAMPLES_W rounded down. */
struct columns {
	int n;
	int x[2 * SAMPLES_W];
	int first[PICTURE_W + 1];
};

static void plan_columns(int w, struct columns *c)
{
	int sx = w > SAMPLES_W ? w / SAMPLES_W : 1, cx = 0;
	c->n = 0;
	c->first[0] = 0;
	for (int x = sx / 2; x < w && c->n < 2 * SAMPLES_W; x += sx, c->n++) {
		while (x * PICTURE_W / w > cx)
			c->first[++cx] = c->n;
		c->x[c->n] = x;
	}
	while (cx < PICTURE_W)
		c->first[++cx] = c->n;
}

/* Adds one sampled row to the cell sums of its grid row; returns the sum of squares. Each
 * cell's run is summed in a register: adding to memory per sample stalled on the store. */
static uint64_t add_row(const struct luma *l, const struct columns *c, int y, uint64_t *sum)
{
	uint64_t squares = 0;
	const uint8_t *row = l->data + (ptrdiff_t)y * l->linesize + l->offset;
	for (int cx = 0; cx < PICTURE_W; cx++) {
		unsigned acc = 0;
		for (int i = c->first[cx]; i < c->first[cx + 1]; i++) {
			unsigned v = l->depth == 8 ? row[c->x[i] * l->step] : sample(l, c->x[i], y);
			acc += v;
			squares += v * v;
		}
		sum[cx] += acc;
	}
	return squares;
}

int picture_measure(const AVFrame *f, struct picture *out)
{
	struct luma l;
	struct columns cols;
	uint64_t sum[PICTURE_H][PICTURE_W] = { { 0 } };
	uint32_t count[PICTURE_H][PICTURE_W] = { { 0 } };
	uint64_t total = 0, squares = 0, n = 0;

	memset(out, 0, sizeof *out);
	if (!f || luma_layout(f, &l) < 0)
		return -1;
	plan_columns(f->width, &cols);
	int sy = f->height > SAMPLES_H ? f->height / SAMPLES_H : 1;
	for (int y = sy / 2; y < f->height; y += sy) {
		int cy = y * PICTURE_H / f->height;
		squares += add_row(&l, &cols, y, sum[cy]);
		for (int cx = 0; cx < PICTURE_W; cx++)
			count[cy][cx] += (uint32_t)(cols.first[cx + 1] - cols.first[cx]);
		n += (uint64_t)cols.n;
	}
	for (int cy = 0; cy < PICTURE_H; cy++)
		for (int cx = 0; cx < PICTURE_W; cx++) {
			total += sum[cy][cx];
			/* A frame smaller than the grid leaves cells without samples: those take the
			 * pixel under their centre. */
			double m = count[cy][cx] ? (double)sum[cy][cx] / count[cy][cx] :
				   sample(&l, (2 * cx + 1) * f->width / (2 * PICTURE_W),
					  (2 * cy + 1) * f->height / (2 * PICTURE_H));
			out->cell[cy][cx] = (uint8_t)lround(to_full(m, l.limited));
		}
	double mean = (double)total / (double)n;
	double var = (double)squares / (double)n - mean * mean;
	out->mean = to_full(mean, l.limited);
	out->stddev = sqrt(var > 0 ? var : 0) * (l.limited ? 255.0 / 219.0 : 1.0);
	out->valid = 1;
	return 0;
}

int picture_diff(const struct picture *a, const struct picture *b, int ignore)
{
	unsigned histogram[256] = { 0 };
	if (!a->valid || !b->valid)
		return 255;
	for (int cy = 0; cy < PICTURE_H; cy++)
		for (int cx = 0; cx < PICTURE_W; cx++)
			histogram[abs(a->cell[cy][cx] - b->cell[cy][cx])]++;
	/* The (ignore+1)-th largest difference: counting down the histogram, no sort. */
	int seen = 0;
	for (int d = 255; d > 0; d--)
		if ((seen += (int)histogram[d]) > ignore)
			return d;
	return 0;
}
