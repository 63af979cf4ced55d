/* frame.c - decoded-frame work: clean-frame check, JPEG decode and encode, thumbnails. */
#include "frame.h"

#include <libavcodec/avcodec.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
#include <stdio.h>

int frame_is_clean(const AVFrame *f)
{
	return f->decode_error_flags == 0 && !(f->flags & AV_FRAME_FLAG_CORRUPT);
}

static AVCodecContext *open_codec(const AVCodec *codec, int encoder_w, int encoder_h)
{
	AVCodecContext *c = avcodec_alloc_context3(codec);
	if (!c)
		return NULL;
	c->thread_count = 1; /* a probe must not start its own thread pool */
	if (encoder_w) {
		c->width = encoder_w;
		c->height = encoder_h;
		c->pix_fmt = AV_PIX_FMT_YUVJ420P;
		c->time_base = (AVRational){1, 25};
		c->flags |= AV_CODEC_FLAG_QSCALE;
		c->global_quality = FF_QP2LAMBDA * 5;
	} else {
		c->max_pixels = FRAME_MAX_PIXELS;
		/* A JPEG cut short otherwise decodes "clean", its missing rows grey and no flag set:
		 * explode fails on the overread. A whole JPEG that only lacks EOI still decodes. */
		c->err_recognition |= AV_EF_EXPLODE;
	}
	if (avcodec_open2(c, codec, NULL) < 0)
		avcodec_free_context(&c);
	return c;
}

int frame_decode_jpeg(const uint8_t *buf, size_t len, AVFrame **out, char *err, size_t errlen)
{
	const AVCodec *codec = avcodec_find_decoder(AV_CODEC_ID_MJPEG);
	AVCodecContext *c = NULL;
	AVPacket *pkt = av_packet_alloc();
	AVFrame *frame = av_frame_alloc();
	int ret = -1;

	*out = NULL;
	if (len < 4 || buf[0] != 0xFF || buf[1] != 0xD8) {
		snprintf(err, errlen, "not a JPEG image (%zu bytes, no SOI marker)", len);
		goto end;
	}
	if (!codec || !pkt || !frame || len > INT_MAX || !(c = open_codec(codec, 0, 0))) {
		snprintf(err, errlen, "cannot set up the JPEG decoder");
		goto end;
	}
	/* The packet borrows buf: no copy, and the decoder only reads it. */
	pkt->data = (uint8_t *)buf;
	pkt->size = (int)len;
	int r = avcodec_send_packet(c, pkt);
	if (r >= 0)
		r = avcodec_send_packet(c, NULL);
	if (r >= 0 || r == AVERROR_EOF)
		r = avcodec_receive_frame(c, frame);
	if (r < 0) {
		snprintf(err, errlen, "JPEG does not decode: %s", av_err2str(r));
		goto end;
	}
	if (!frame_is_clean(frame)) {
		snprintf(err, errlen, "JPEG is damaged (truncated or corrupt data)");
		goto end;
	}
	*out = frame;
	frame = NULL;
	ret = 0;
end:
	if (pkt)
		pkt->data = NULL;
	av_packet_free(&pkt);
	av_frame_free(&frame);
	avcodec_free_context(&c);
	return ret;
}

/* Scales f into a new YUVJ420P frame of w x h. */
static AVFrame *scale_frame(const AVFrame *f, int w, int h)
{
	AVFrame *dst = av_frame_alloc();
	struct SwsContext *sws = NULL;
	if (!dst)
		return NULL;
	dst->format = AV_PIX_FMT_YUVJ420P;
	dst->width = w;
	dst->height = h;
	if (av_frame_get_buffer(dst, 0) < 0)
		goto fail;
	sws = sws_getContext(f->width, f->height, f->format, w, h, AV_PIX_FMT_YUVJ420P,
			     SWS_BILINEAR, NULL, NULL, NULL);
	if (!sws)
		goto fail;
	sws_scale(sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height,
		  dst->data, dst->linesize);
	sws_freeContext(sws);
	return dst;
fail:
	av_frame_free(&dst);
	return NULL;
}

int frame_encode_jpeg(const AVFrame *f, int max_width, uint8_t **out, size_t *outlen,
		      char *err, size_t errlen)
{
	const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
	AVCodecContext *c = NULL;
	AVPacket *pkt = av_packet_alloc();
	AVFrame *small = NULL;
	int ret = -1;
	int w = f->width, h = f->height;

	*out = NULL;
	*outlen = 0;
	if (max_width > 0 && w > max_width) {
		h = (int)((int64_t)h * max_width / w);
		w = max_width;
	}
	w &= ~1; /* 4:2:0 wants even sizes */
	h &= ~1;
	if (w < 2 || h < 2 || !codec || !pkt) {
		snprintf(err, errlen, "cannot encode a %dx%d frame as JPEG", f->width, f->height);
		goto end;
	}
	if (!(small = scale_frame(f, w, h)) || !(c = open_codec(codec, w, h))) {
		snprintf(err, errlen, "cannot set up the JPEG encoder");
		goto end;
	}
	small->quality = c->global_quality;
	small->pts = 0;
	int r = avcodec_send_frame(c, small);
	if (r >= 0)
		r = avcodec_receive_packet(c, pkt);
	if (r < 0) {
		snprintf(err, errlen, "JPEG encode failed: %s", av_err2str(r));
		goto end;
	}
	if (!(*out = av_malloc((size_t)pkt->size))) {
		snprintf(err, errlen, "out of memory");
		goto end;
	}
	memcpy(*out, pkt->data, (size_t)pkt->size);
	*outlen = (size_t)pkt->size;
	ret = 0;
end:
	av_packet_free(&pkt);
	av_frame_free(&small);
	avcodec_free_context(&c);
	return ret;
}
