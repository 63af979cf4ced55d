/* probe_rtsp.c - RTSP probe with libavformat: open, first clean video frame, TEARDOWN. */
#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavcodec/bsf.h>
#include <libavformat/avformat.h>
#include <stdio.h>
#include <string.h>

#include "frame.h"
#include "probe.h"
#include "probe_log.h"

struct deadline {
	int64_t end_us;
	const atomic_int *cancel;
};

/* FFmpeg polls this during every blocking step; it is what bounds a silent peer. */
static int interrupted(void *opaque)
{
	const struct deadline *d = opaque;
	return probe_now_us() > d->end_us || (d->cancel && atomic_load(d->cancel));
}

static int ms_since(int64_t start_us)
{
	return (int)((probe_now_us() - start_us) / 1000);
}

static void classify_open_error(struct probe_result *res, int err, const struct deadline *dl,
				const char *log, int timeout_ms)
{
	const char *why = log[0] ? log : av_err2str(err);
	if (err == AVERROR_HTTP_UNAUTHORIZED)
		probe_fail(res, PROBE_UNAUTHORIZED, "RTSP 401: %s", why);
	else if (err == AVERROR_HTTP_FORBIDDEN)
		probe_fail(res, PROBE_UNAUTHORIZED, "RTSP 403: %s", why);
	else if (err == AVERROR_HTTP_NOT_FOUND)
		probe_fail(res, PROBE_NOT_FOUND, "RTSP 404: %s", why);
	else if (err == AVERROR(ECONNREFUSED))
		probe_fail(res, PROBE_REFUSED, "connection refused");
	else if (strstr(log, "resolve hostname"))
		probe_fail(res, PROBE_DNS, "%s", why);
	else if (interrupted((void *)dl) || err == AVERROR(ETIMEDOUT) || err == AVERROR_EXIT)
		/* A read cut by the deadline reports "Invalid data": trust our clock instead. */
		probe_fail(res, PROBE_TIMEOUT, "no RTSP answer within %d ms", timeout_ms);
	else if (err == AVERROR(EHOSTUNREACH) || err == AVERROR(ENETUNREACH))
		probe_fail(res, PROBE_REFUSED, "%s", av_err2str(err));
	else
		probe_fail(res, PROBE_PROTOCOL, "RTSP setup failed: %s", why);
}

static AVCodecContext *open_decoder(const AVStream *st, struct probe_result *res)
{
	const AVCodec *dec = avcodec_find_decoder(st->codecpar->codec_id);
	AVCodecContext *c;
	if (!dec) {
		probe_fail(res, PROBE_DECODE, "no decoder for codec %s",
			   avcodec_get_name(st->codecpar->codec_id));
		return NULL;
	}
	if (!(c = avcodec_alloc_context3(dec)) || avcodec_parameters_to_context(c, st->codecpar) < 0) {
		avcodec_free_context(&c);
		probe_fail(res, PROBE_INTERNAL, "cannot allocate a decoder");
		return NULL;
	}
	c->thread_count = 1; /* else every probe starts its own decoder threads */
	c->max_pixels = FRAME_MAX_PIXELS;
	if (avcodec_open2(c, dec, NULL) < 0) {
		avcodec_free_context(&c);
		probe_fail(res, PROBE_DECODE, "cannot open the %s decoder", dec->name);
	}
	return c;
}

struct decode_stats {
	int packets, concealed, errors;
	int tainted;               /* a damaged frame was seen since the last clean keyframe */
};

/* Sends pkt (NULL drains) and looks for a clean frame: 1 found (in frame), 0 not yet. */
static int decode_packet(AVCodecContext *c, const AVPacket *pkt, AVFrame *frame,
			 struct decode_stats *st)
{
	if (avcodec_send_packet(c, pkt) < 0)
		st->errors++;
	for (;;) {
		int r = avcodec_receive_frame(c, frame);
		if (r < 0)
			return 0;
		/* A frame predicted from a concealed one carries the damage without a flag: after
		 * any damage only a clean keyframe makes the picture trustworthy again. Cameras
		 * sending multi-slice H.264 produce exactly this when a probe joins. */
		if (!frame_is_clean(frame))
			st->tainted = 1;
		else if (frame->key_frame)
			st->tainted = 0;
		if (!st->tainted)
			return 1;
		st->concealed++;
		av_frame_unref(frame);
	}
}

/* Packets on their way to the decoder. Cameras (and GStreamer's payloader) repeat the
 * parameter sets before every slice of a keyframe; FFmpeg's parser then cuts the picture at
 * the second copy and the decoder conceals each part, at every keyframe: the stream never
 * decodes clean. When the SDP already gave the parameter sets, the in-band copies are
 * dropped and the slices parsed again into whole pictures. */
struct feed {
	AVBSFContext *bsf;                 /* NULL: packets go straight to the decoder */
	AVCodecParserContext *parser;
	AVPacket *filtered, *picture;
};

static int feed_open(struct feed *f, const AVStream *st)
{
	const char *spec = NULL;
	memset(f, 0, sizeof *f);
	if (st->codecpar->codec_id == AV_CODEC_ID_H264)
		spec = "filter_units=remove_types=7|8";
	else if (st->codecpar->codec_id == AV_CODEC_ID_HEVC)
		spec = "filter_units=remove_types=32|33|34";
	if (!spec || st->codecpar->extradata_size <= 0)
		return 0;
	if (av_bsf_list_parse_str(spec, &f->bsf) < 0 ||
	    avcodec_parameters_copy(f->bsf->par_in, st->codecpar) < 0 || av_bsf_init(f->bsf) < 0 ||
	    !(f->parser = av_parser_init(st->codecpar->codec_id)) ||
	    !(f->filtered = av_packet_alloc()) || !(f->picture = av_packet_alloc()))
		return -1;
	return 0;
}

static void feed_close(struct feed *f)
{
	av_bsf_free(&f->bsf);
	av_parser_close(f->parser);
	av_packet_free(&f->filtered);
	av_packet_free(&f->picture);
}

/* Parses a filtered packet (NULL flushes) and decodes every whole picture it completes. */
static int parse_and_decode(struct feed *f, const AVPacket *p, AVCodecContext *dec,
			    AVFrame *frame, struct decode_stats *st)
{
	const uint8_t *data = p ? p->data : NULL;
	int size = p ? p->size : 0, found = 0;
	do {
		uint8_t *out;
		int outlen;
		int used = av_parser_parse2(f->parser, dec, &out, &outlen, data, size,
					    p ? p->pts : AV_NOPTS_VALUE, p ? p->dts : AV_NOPTS_VALUE, 0);
		data += used;
		size -= used;
		if (outlen) {
			/* Borrows the parser's buffer; send_packet copies unowned data. */
			f->picture->data = out;
			f->picture->size = outlen;
			f->picture->pts = f->parser->pts;
			found = decode_packet(dec, f->picture, frame, st);
		}
	} while (size > 0 && !found);
	return found;
}

/* Sends one demuxed packet (NULL at the end of the stream) on its way; 1 on a clean frame. */
static int feed_packet(struct feed *f, AVPacket *pkt, AVCodecContext *dec, AVFrame *frame,
		       struct decode_stats *st)
{
	int found = 0;
	if (!f->bsf)
		return decode_packet(dec, pkt, frame, st);
	if (!pkt)
		return parse_and_decode(f, NULL, dec, frame, st) || decode_packet(dec, NULL, frame, st);
	if (av_bsf_send_packet(f->bsf, pkt) < 0) {
		st->errors++;
		return 0;
	}
	while (!found && av_bsf_receive_packet(f->bsf, f->filtered) >= 0) {
		found = parse_and_decode(f, f->filtered, dec, frame, st);
		av_packet_unref(f->filtered);
	}
	return found;
}

static void read_first_frame(AVFormatContext *fmt, int vidx, AVCodecContext *dec,
			     const struct deadline *dl, const struct probe_request *req,
			     struct probe_result *res, int64_t start_us, const char *log)
{
	AVPacket *pkt = av_packet_alloc();
	AVFrame *frame = av_frame_alloc();
	struct feed feed;
	struct decode_stats st = { 0, 0, 0, 0 };
	int r = 0, found = 0;

	if (feed_open(&feed, fmt->streams[vidx]) < 0 || !pkt || !frame) {
		probe_fail(res, PROBE_INTERNAL, "out of memory");
		goto end;
	}
	while (!found && (r = av_read_frame(fmt, pkt)) >= 0) {
		if (pkt->stream_index == vidx) {
			st.packets++;
			found = feed_packet(&feed, pkt, dec, frame, &st);
		}
		av_packet_unref(pkt);
	}
	if (!found && r == AVERROR_EOF)
		found = feed_packet(&feed, NULL, dec, frame, &st);
	if (found) {
		res->up = 1;
		res->first_frame_ms = ms_since(start_us);
		res->width = frame->width;
		res->height = frame->height;
		res->damaged_frames = st.concealed;
		snprintf(res->codec, sizeof res->codec, "%s", avcodec_get_name(dec->codec_id));
		if (req->keep_frame) {
			res->frame = frame;
			frame = NULL;
		}
	} else if (interrupted((void *)dl)) {
		probe_fail(res, PROBE_TIMEOUT, "no clean video frame within %d ms "
			   "(%d packets, %d damaged frames)", req->timeout_ms, st.packets, st.concealed);
	} else if (r == AVERROR_EOF) {
		probe_fail(res, st.packets ? PROBE_DECODE : PROBE_PROTOCOL,
			   "stream ended before a clean frame (%d packets, %d damaged frames)",
			   st.packets, st.concealed);
	} else {
		probe_fail(res, PROBE_PROTOCOL, "reading the stream failed: %s",
			   log[0] ? log : av_err2str(r));
	}
end:
	feed_close(&feed);
	av_packet_free(&pkt);
	av_frame_free(&frame);
}

int probe_rtsp_first_frame(const struct probe_request *req, struct probe_result *res)
{
	int64_t start_us = probe_now_us();
	struct deadline dl = { start_us + (int64_t)req->timeout_ms * 1000, req->cancel };
	AVFormatContext *fmt = avformat_alloc_context();
	AVDictionary *opts = NULL;
	AVCodecContext *dec = NULL;
	char log[256];
	int r;

	probe_log_capture(log, sizeof log);
	if (!fmt) {
		probe_fail(res, PROBE_INTERNAL, "out of memory");
		goto end;
	}
	fmt->interrupt_callback = (AVIOInterruptCB){ interrupted, &dl };
	av_dict_set(&opts, "rtsp_transport", req->transport == TRANSPORT_UDP ? "udp" : "tcp", 0);
	av_dict_set_int(&opts, "timeout", (int64_t)req->timeout_ms * 1000, 0); /* microseconds */
	av_dict_set(&opts, "allowed_media_types", "video", 0); /* SETUP video only */
	av_dict_set(&opts, "user_agent", "StreamPulse", 0);
	r = avformat_open_input(&fmt, req->url, NULL, &opts);
	if (r < 0) {
		classify_open_error(res, r, &dl, log, req->timeout_ms);
		goto end;
	}
	res->connect_ms = ms_since(start_us);
	if (av_dict_count(opts)) {
		/* FFmpeg leaves unknown options here silently: a misspelt timeout means no timeout. */
		probe_fail(res, PROBE_INTERNAL, "FFmpeg ignored option '%s'", av_dict_get(opts, "", NULL, AV_DICT_IGNORE_SUFFIX)->key);
		goto end;
	}
	r = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
	if (r < 0) {
		probe_fail(res, PROBE_NO_VIDEO, "no video stream in the RTSP session");
		goto end;
	}
	if (!(dec = open_decoder(fmt->streams[r], res)))
		goto end;
	read_first_frame(fmt, r, dec, &dl, req, res, start_us, log);
end:
	/* Closing sends TEARDOWN, which frees the camera's client slot at once. */
	avcodec_free_context(&dec);
	avformat_close_input(&fmt);
	av_dict_free(&opts);
	probe_log_capture(NULL, 0);
	return res->up;
}
