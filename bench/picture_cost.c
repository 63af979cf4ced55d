/* picture_cost: what picture_measure costs per probe on a 640x360 and a 1920x1080 frame.
 *
 *   picture_cost [ITERATIONS]   prints "WxH: N us per picture_measure" (CPU time) per size
 */
#include <libavutil/frame.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "picture.h"

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); /* CPU time: the machine may be busy */
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* A decoded camera frame as the decoder hands it over: yuv420p, studio range, some texture. */
static AVFrame *camera_frame(int w, int h)
{
	AVFrame *f = av_frame_alloc();
	if (!f)
		return NULL;
	f->format = AV_PIX_FMT_YUV420P;
	f->width = w;
	f->height = h;
	if (av_frame_get_buffer(f, 0) < 0) {
		av_frame_free(&f);
		return NULL;
	}
	for (int p = 0; p < 3; p++)
		for (int y = 0; y < (p ? h / 2 : h); y++)
			for (int x = 0; x < f->linesize[p]; x++)
				f->data[p][y * f->linesize[p] + x] = p ? 128 : (uint8_t)(16 + (x * 7 + y * 3) % 220);
	return f;
}

int main(int argc, char **argv)
{
	static const int sizes[][2] = { { 640, 360 }, { 1920, 1080 } };
	int iterations = argc > 1 ? atoi(argv[1]) : 2000;
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		AVFrame *f = camera_frame(sizes[i][0], sizes[i][1]);
		struct picture p;
		if (!f || iterations < 1)
			return 1;
		picture_measure(f, &p); /* warm the cache as the decode thread has it warm */
		double t0 = now_s();
		for (int n = 0; n < iterations; n++)
			picture_measure(f, &p);
		double us = (now_s() - t0) * 1e6 / iterations;
		printf("%dx%d: %.1f us per picture_measure (mean %.1f, stddev %.1f)\n", f->width,
		       f->height, us, p.mean, p.stddev);
		av_frame_free(&f);
	}
	return 0;
}
