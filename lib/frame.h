/* frame.h - decoded-frame work: clean-frame check, JPEG decode and encode, thumbnails. */
#ifndef SP_FRAME_H
#define SP_FRAME_H

#include <stddef.h>
#include <stdint.h>

struct AVFrame;

/* Largest picture we accept from a camera (8K is 33 Mpx); stops a forged header from
 * making the decoder allocate gigabytes. */
#define FRAME_MAX_PIXELS (64 * 1024 * 1024)

/* 1 when the decoder produced the frame without concealing damage. Multi-slice H.264
 * joined mid-GOP decodes to a half-grey picture flagged here. */
int frame_is_clean(const struct AVFrame *f);

/* Decodes one JPEG image into *out (caller frees with av_frame_free). 0, or -1 with err. */
int frame_decode_jpeg(const uint8_t *buf, size_t len, struct AVFrame **out, char *err, size_t errlen);

/* Encodes f as JPEG, scaled down to at most max_width pixels wide (0 = keep size).
 * *out is av_malloc'ed (caller av_free's). 0, or -1 with err. */
int frame_encode_jpeg(const struct AVFrame *f, int max_width, uint8_t **out, size_t *outlen,
		      char *err, size_t errlen);

#endif
