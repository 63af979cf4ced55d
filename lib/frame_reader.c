/* frame_reader.c - keyframe wait, then bitstream filter, parser and decoder (see the header). */
#include "frame_reader.h"

#include <libavcodec/avcodec.h>
#include <libavcodec/bsf.h>
#include <libavformat/avformat.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "nal.h"
#include "picture.h"
#include "slots.h"

#define MAX_PARAM_PACKETS 4

struct frame_reader {
	const AVStream *st;
	int h26x, hevc;                    /* keyframes found by NAL type */
	int intra_only;                    /* every picture is a keyframe (MJPEG over RTSP) */
	int started;                       /* the keyframe came: packets go on to the decoder */
	AVPacket *params[MAX_PARAM_PACKETS]; /* in-band SPS/PPS seen while waiting */
	int nparams;
	AVBSFContext *bsf;                 /* drops in-band parameter sets (see start()) */
	AVCodecParserContext *parser;      /* whole pictures out of NAL units */
	AVCodecContext *pctx;              /* the parser's view of the stream; never opened */
	AVPacket *nal;                     /* NAL unit being reassembled from RTP fragments */
	AVPacket *filtered, *picture;
	AVCodecContext *dec;
	AVFrame *frame;
	int64_t deadline_us;
	const atomic_int *cancel;
	struct frame_reader_stats stats;
	int tainted;                       /* a damaged frame since the last clean keyframe */
};

struct frame_reader *frame_reader_new(AVFormatContext *fmt, int idx, int64_t deadline_us,
				      const atomic_int *cancel)
{
	struct frame_reader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	const AVStream *st = fmt->streams[idx];
	enum AVCodecID id = st->codecpar->codec_id;
	const AVCodecDescriptor *d = avcodec_descriptor_get(id);
	r->st = st;
	r->hevc = id == AV_CODEC_ID_HEVC;
	r->h26x = r->hevc || id == AV_CODEC_ID_H264;
	r->intra_only = d && (d->props & AV_CODEC_PROP_INTRA_ONLY);
	r->deadline_us = deadline_us;
	r->cancel = cancel;
	if (r->h26x)
		fmt->flags |= AVFMT_FLAG_NOPARSE; /* its parser would hold a PPS per waiting probe */
	if (!(r->frame = av_frame_alloc()))
		frame_reader_free(&r);
	return r;
}

void frame_reader_free(struct frame_reader **rp)
{
	struct frame_reader *r = *rp;
	if (!r)
		return;
	for (int i = 0; i < r->nparams; i++)
		av_packet_free(&r->params[i]);
	av_bsf_free(&r->bsf);
	av_parser_close(r->parser);
	avcodec_free_context(&r->pctx);
	av_packet_free(&r->nal);
	av_packet_free(&r->filtered);
	av_packet_free(&r->picture);
	avcodec_free_context(&r->dec);
	av_frame_free(&r->frame);
	free(r);
	*rp = NULL;
}

static int open_decoder(struct frame_reader *r, struct probe_result *res)
{
	const AVCodec *dec = avcodec_find_decoder(r->st->codecpar->codec_id);
	if (!dec) {
		probe_fail(res, PROBE_DECODE, "no decoder for codec %s",
			   avcodec_get_name(r->st->codecpar->codec_id));
		return -1;
	}
	if (!(r->dec = avcodec_alloc_context3(dec)) ||
	    avcodec_parameters_to_context(r->dec, r->st->codecpar) < 0) {
		probe_fail(res, PROBE_INTERNAL, "cannot allocate a decoder");
		return -1;
	}
	r->dec->thread_count = 1; /* else every probe starts its own decoder threads */
	/* Output the keyframe at once instead of holding it for B-frame reordering: the probe
	 * wants one picture, not the display order. */
	r->dec->flags |= AV_CODEC_FLAG_LOW_DELAY;
	r->dec->max_pixels = FRAME_MAX_PIXELS;
	if (avcodec_open2(r->dec, dec, NULL) < 0) {
		probe_fail(res, PROBE_DECODE, "cannot open the %s decoder", dec->name);
		return -1;
	}
	return 0;
}

/* Sends pic (NULL drains) and looks for a clean frame: 1 found, 0 not yet. */
static int decode(struct frame_reader *r, const AVPacket *pic)
{
	if (avcodec_send_packet(r->dec, pic) == AVERROR_INVALIDDATA)
		r->stats.rejected++;
	while (avcodec_receive_frame(r->dec, r->frame) >= 0) {
		/* A frame predicted from a concealed one carries the damage without a flag: after
		 * any damage only a clean keyframe makes the picture trustworthy again. Cameras
		 * sending multi-slice H.264 produce exactly this when a probe joins. */
		if (!frame_is_clean(r->frame))
			r->tainted = 1;
		else if (r->frame->key_frame)
			r->tainted = 0;
		if (!r->tainted)
			return 1;
		r->stats.concealed++;
		av_frame_unref(r->frame);
	}
	return 0;
}

struct decode_call {
	struct frame_reader *r;
	const AVPacket *pic;
	struct probe_result *res;
	int found;
};

static void decode_task(void *arg)
{
	struct decode_call *c = arg;
	if (!c->r->dec && open_decoder(c->r, c->res) < 0)
		c->found = -1;
	else
		c->found = decode(c->r, c->pic);
	/* Measured here, while the picture is still in this core's cache. */
	if (c->found == 1)
		picture_measure(c->r->frame, &c->res->picture);
}

/* Decodes one picture on a decode thread, opening the decoder on the first. */
static int decode_in_slot(struct frame_reader *r, const AVPacket *pic, struct probe_result *res)
{
	struct decode_call c = { r, pic, res, 0 };
	if (slots_run(decode_task, &c, r->deadline_us, r->cancel) < 0)
		return 0; /* the deadline passed waiting: the caller reports the timeout */
	return c.found;
}

/* Cameras (and GStreamer's payloader) repeat the parameter sets before every slice of a
 * keyframe; a parser then cuts the picture at the second copy and the decoder conceals each
 * part, at every keyframe: the stream never decodes clean. When the SDP gave the parameter
 * sets, the in-band copies are dropped before parsing. */
static int start(struct frame_reader *r, struct probe_result *res)
{
	const AVCodecParameters *par = r->st->codecpar;
	const char *drop = r->hevc ? "filter_units=remove_types=32|33|34" :
				     "filter_units=remove_types=7|8";
	r->started = 1;
	if (par->extradata_size > 0 &&
	    (av_bsf_list_parse_str(drop, &r->bsf) < 0 ||
	     avcodec_parameters_copy(r->bsf->par_in, par) < 0 || av_bsf_init(r->bsf) < 0))
		goto oom;
	if (!(r->parser = av_parser_init(par->codec_id)) || !(r->pctx = avcodec_alloc_context3(NULL)) ||
	    avcodec_parameters_to_context(r->pctx, par) < 0 || !(r->filtered = av_packet_alloc()) ||
	    !(r->nal = av_packet_alloc()) ||
	    !(r->picture = av_packet_alloc()))
		goto oom;
	return 0;
oom:
	probe_fail(res, PROBE_INTERNAL, "cannot set up the %s parser", avcodec_get_name(par->codec_id));
	return -1;
}

/* Parses NAL units (NULL flushes) and decodes every whole picture they complete. */
static int parse(struct frame_reader *r, const AVPacket *p, struct probe_result *res)
{
	const uint8_t *data = p ? p->data : NULL;
	int size = p ? p->size : 0, found = 0;
	do {
		uint8_t *out;
		int outlen;
		int used = av_parser_parse2(r->parser, r->pctx, &out, &outlen, data, size,
					    p ? p->pts : AV_NOPTS_VALUE, p ? p->dts : AV_NOPTS_VALUE, 0);
		data += used;
		size -= used;
		if (outlen) {
			/* Borrows the parser's buffer; send_packet copies unowned data. */
			r->picture->data = out;
			r->picture->size = outlen;
			r->picture->pts = r->parser->pts;
			found = decode_in_slot(r, r->picture, res);
		}
	} while (size > 0 && !found);
	return found;
}

static int filter_and_parse(struct frame_reader *r, AVPacket *pkt, struct probe_result *res)
{
	int found = 0;
	if (!r->bsf || !pkt)
		return parse(r, pkt, res);
	if (av_bsf_send_packet(r->bsf, pkt) < 0)
		return 0;
	while (!found && av_bsf_receive_packet(r->bsf, r->filtered) >= 0) {
		found = parse(r, r->filtered, res);
		av_packet_unref(r->filtered);
	}
	return found;
}

/* Keeps the latest in-band parameter sets: without SDP ones, the decoder needs them. */
static void keep_params(struct frame_reader *r, const AVPacket *pkt)
{
	if (r->st->codecpar->extradata_size > 0)
		return;
	if (r->nparams == MAX_PARAM_PACKETS) {
		av_packet_free(&r->params[0]);
		memmove(r->params, r->params + 1, (MAX_PARAM_PACKETS - 1) * sizeof *r->params);
		r->nparams--;
	}
	if ((r->params[r->nparams] = av_packet_clone(pkt)))
		r->nparams++;
}

static int starts_nal(const AVPacket *p)
{
	return p->size >= 3 && !p->data[0] && !p->data[1] &&
	       (p->data[2] == 1 || (p->size >= 4 && !p->data[2] && p->data[3] == 1));
}

/* Without libavformat's parser, a packet is what one RTP packet carried: a fragment of a NAL
 * unit (FU-A) continues the previous packet. The filter splits on start codes and would drop
 * such a continuation, so whole NAL units are put together first. pkt NULL flushes. */
static int push(struct frame_reader *r, const AVPacket *pkt, struct probe_result *res)
{
	int found = 0;
	if ((!pkt || starts_nal(pkt)) && r->nal->size) {
		found = filter_and_parse(r, r->nal, res);
		av_packet_unref(r->nal);
	}
	if (!pkt) {
		if (!found)
			found = filter_and_parse(r, NULL, res);
		if (!found && r->dec)
			found = decode_in_slot(r, NULL, res);
		return found;
	}
	if (found)
		return found;
	int old = r->nal->size;
	if ((old ? av_grow_packet(r->nal, pkt->size) : av_new_packet(r->nal, pkt->size)) < 0) {
		probe_fail(res, PROBE_INTERNAL, "out of memory");
		return -1;
	}
	memcpy(r->nal->data + old, pkt->data, (size_t)pkt->size);
	if (!old)
		r->nal->pts = pkt->pts, r->nal->dts = pkt->dts;
	return 0;
}

static int h26x_packet(struct frame_reader *r, AVPacket *pkt, struct probe_result *res)
{
	int found = 0;
	if (!r->started) {
		int kind = pkt ? nal_scan(pkt->data, (size_t)pkt->size, r->hevc) : 0;
		if ((kind & NAL_PARAMS) && !(kind & NAL_KEY))
			keep_params(r, pkt);
		if (!(kind & NAL_KEY))
			return 0;
		r->stats.keyframe_seen = 1;
		if (start(r, res) < 0)
			return -1;
		for (int i = 0; i < r->nparams && !found; i++)
			found = push(r, r->params[i], res);
	}
	return found ? found : push(r, pkt, res);
}

/* Other codecs: libavformat's parser marks keyframes; intra-only ones have nothing else. */
static int other_packet(struct frame_reader *r, AVPacket *pkt, struct probe_result *res)
{
	if (pkt && !r->dec && !r->intra_only && !(pkt->flags & AV_PKT_FLAG_KEY))
		return 0;
	if (!pkt && !r->dec)
		return 0;
	r->stats.keyframe_seen = 1;
	return decode_in_slot(r, pkt, res);
}

int frame_reader_packet(struct frame_reader *r, AVPacket *pkt, struct probe_result *res)
{
	if (pkt)
		r->stats.packets++;
	return r->h26x ? h26x_packet(r, pkt, res) : other_packet(r, pkt, res);
}

void frame_reader_result(struct frame_reader *r, struct probe_result *res, int keep)
{
	res->width = r->frame->width;
	res->height = r->frame->height;
	res->damaged_frames = r->stats.concealed;
	snprintf(res->codec, sizeof res->codec, "%s", avcodec_get_name(r->dec->codec_id));
	if (keep) {
		res->frame = r->frame;
		r->frame = NULL;
	}
}

void frame_reader_stats(const struct frame_reader *r, struct frame_reader_stats *out)
{
	*out = r->stats;
}
