/* picture.h - what a decoded picture looks like, cheaply: a small luma grid and its spread. */
#ifndef SP_PICTURE_H
#define SP_PICTURE_H

#include <stdint.h>

struct AVFrame;

#define PICTURE_W 32
#define PICTURE_H 18

/* Measured on the clean frame of every successful probe (lib/picture.c). */
struct picture {
	int valid;                             /* 0: no picture (down, or unsupported format) */
	uint8_t cell[PICTURE_H][PICTURE_W];    /* mean luma (0..255, full range) of each cell */
	double mean, stddev;                   /* luma over the whole picture (subsampled) */
};

/* Fills *out from f's luma plane (any planar YUV/gray, limited range mapped to full). 0, or -1
 * when the format has no luma plane (out->valid stays 0). */
int picture_measure(const struct AVFrame *f, struct picture *out);

/* Largest per-cell luma difference between two pictures, ignoring the `ignore` most
 * different cells (a clock overlay changes a few cells and must not count as motion). */
int picture_diff(const struct picture *a, const struct picture *b, int ignore);

#endif
