/* probe_rtsp.c - RTSP probe with libavformat: open, first clean video frame, TEARDOWN.
 *
 * transport auto tries TCP first: RTP interleaved in the RTSP connection passes NAT and
 * firewalls (one outgoing TCP connection, no UDP ports to open back to us) and loses no
 * packets on Wi-Fi or a congested link, where UDP's losses show up as damaged frames. UDP is
 * the fallback for cameras that refuse TCP (461 Unsupported Transport) or accept it and then
 * send nothing over it. The monitor passes the one that worked last as req->first. */
#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <stdio.h>
#include <string.h>

#include "frame_reader.h"
#include "probe.h"
#include "probe_log.h"

/* Redirects a probe follows, as curl's CURLOPT_MAXREDIRS for HTTP. */
#define MAX_RTSP_REDIRECTS 3

struct deadline {
	int64_t end_us;
	const atomic_int *cancel;
	int64_t no_packet_us;      /* auto: give this transport up when no packet came by then */
	int got_packet;
};

/* How a session over one transport ended: a verdict, or a reason for auto to try the other. */
enum { SESSION_DONE = 0, SESSION_REFUSED, SESSION_SILENT };

static int too_many_redirects(void)
{
	return probe_log_redirects() > MAX_RTSP_REDIRECTS;
}

/* FFmpeg polls this during every blocking step; it is what bounds a silent peer, and a camera
 * redirecting to itself (FFmpeg would reconnect thousands of times until the deadline). */
static int interrupted(void *opaque)
{
	const struct deadline *d = opaque;
	return probe_now_us() > d->end_us || (d->cancel && atomic_load(d->cancel)) ||
	       too_many_redirects() || (d->no_packet_us && !d->got_packet && probe_now_us() > d->no_packet_us);
}

static int gave_up_no_packet(const struct deadline *d)
{
	return d->no_packet_us && !d->got_packet && probe_now_us() > d->no_packet_us &&
	       probe_now_us() <= d->end_us && !(d->cancel && atomic_load(d->cancel));
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
	else if (too_many_redirects())
		probe_fail(res, PROBE_PROTOCOL, "more than %d RTSP redirects", MAX_RTSP_REDIRECTS);
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

static void report(struct frame_reader *r, int found, int rd, const struct deadline *dl,
		   const struct probe_request *req, int64_t start_us, const char *log,
		   struct probe_result *res)
{
	struct frame_reader_stats st;
	frame_reader_stats(r, &st);
	if (found > 0) {
		res->up = 1;
		res->first_frame_ms = ms_since(start_us);
		frame_reader_result(r, res, req->keep_frame);
	} else if (found < 0) {
		/* the reader said why */
	} else if (interrupted((void *)dl) && st.keyframe_seen && (st.concealed || st.rejected)) {
		/* Video arrived but never decoded clean: a broken encoder, not a slow camera. */
		probe_fail(res, PROBE_DECODE, "no clean video frame within %d ms (%d packets, "
			   "%d damaged frames, %d pictures rejected)", req->timeout_ms, st.packets,
			   st.concealed, st.rejected);
	} else if (interrupted((void *)dl)) {
		probe_fail(res, PROBE_TIMEOUT, "no clean video frame within %d ms (%d packets, %s)",
			   req->timeout_ms, st.packets,
			   st.keyframe_seen ? "damaged frames only" : "no keyframe");
	} else if (rd == AVERROR_EOF) {
		probe_fail(res, st.packets ? PROBE_DECODE : PROBE_PROTOCOL,
			   "stream ended before a clean frame (%d packets, %d damaged frames)",
			   st.packets, st.concealed);
	} else {
		probe_fail(res, PROBE_PROTOCOL, "reading the stream failed: %s",
			   log[0] ? log : av_err2str(rd));
	}
}

static int read_first_frame(AVFormatContext *fmt, int vidx, struct deadline *dl,
			    const struct probe_request *req, struct probe_result *res,
			    int64_t start_us, const char *log)
{
	AVPacket *pkt = av_packet_alloc();
	struct frame_reader *r = frame_reader_new(fmt, vidx, dl->end_us, req->cancel);
	int rd = 0, found = 0, outcome = SESSION_DONE;

	if (!r || !pkt) {
		probe_fail(res, PROBE_INTERNAL, "out of memory");
		goto end;
	}
	while (!found && (rd = av_read_frame(fmt, pkt)) >= 0) {
		dl->got_packet = 1;
		if (pkt->stream_index == vidx)
			found = frame_reader_packet(r, pkt, res);
		av_packet_unref(pkt);
	}
	if (!found && rd == AVERROR_EOF)
		found = frame_reader_packet(r, NULL, res);
	if (!found && gave_up_no_packet(dl))
		outcome = SESSION_SILENT;
	else
		report(r, found, rd, dl, req, start_us, log, res);
end:
	frame_reader_free(&r);
	av_packet_free(&pkt);
	return outcome;
}

static const char *transport_name(enum transport t)
{
	return t == TRANSPORT_UDP ? "udp" : "tcp";
}

/* One RTSP session over transport t until dl->end_us: SESSION_REFUSED when the camera refused
 * t (461); with dl->no_packet_us (auto's first try), SESSION_SILENT when it set the session up
 * and sent nothing by then. */
static int session(const struct probe_request *req, enum transport t, struct deadline *dl,
		   int64_t start_us, struct probe_result *res)
{
	AVFormatContext *fmt = avformat_alloc_context();
	AVDictionary *opts = NULL;
	int64_t no_packet_us = dl->no_packet_us;
	int timeout_ms = req->timeout_ms, outcome = SESSION_DONE;
	char log[256];
	int r;

	probe_log_capture(log, sizeof log);
	res->transport = t;
	dl->no_packet_us = 0; /* the cut applies once the session is set up */
	if (!fmt) {
		probe_fail(res, PROBE_INTERNAL, "out of memory");
		goto end;
	}
	fmt->interrupt_callback = (AVIOInterruptCB){ interrupted, dl };
	av_dict_set(&opts, "rtsp_transport", transport_name(t), 0);
	av_dict_set_int(&opts, "timeout", (dl->end_us - probe_now_us()) > 0 ? dl->end_us - probe_now_us() : 1, 0); /* microseconds */
	av_dict_set(&opts, "allowed_media_types", "video", 0); /* SETUP video only */
	av_dict_set(&opts, "user_agent", "StreamPulse", 0);
	r = avformat_open_input(&fmt, req->url, NULL, &opts);
	if (r < 0) {
		/* FFmpeg turns 461 Unsupported Transport into EPROTONOSUPPORT. */
		if (r == AVERROR(EPROTONOSUPPORT))
			outcome = SESSION_REFUSED;
		classify_open_error(res, r, dl, log, timeout_ms);
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
	dl->no_packet_us = no_packet_us;
	outcome = read_first_frame(fmt, r, dl, req, res, start_us, log);
	if (outcome == SESSION_SILENT)
		probe_fail(res, PROBE_TIMEOUT, "no packet over %s within %d ms", transport_name(t),
			   (int)((no_packet_us - start_us) / 1000));
end:
	/* Closing sends TEARDOWN, which frees the camera's client slot at once. */
	avformat_close_input(&fmt);
	av_dict_free(&opts);
	probe_log_capture(NULL, 0);
	return outcome;
}

int probe_rtsp_first_frame(const struct probe_request *req, struct probe_result *res)
{
	int64_t start_us = probe_now_us();
	struct deadline dl = { start_us + (int64_t)req->timeout_ms * 1000, req->cancel, 0, 0 };
	char first_why[160];
	if (req->transport != TRANSPORT_AUTO) {
		session(req, req->transport, &dl, start_us, res);
		return res->up;
	}
	enum transport first = req->first == TRANSPORT_UDP ? TRANSPORT_UDP : TRANSPORT_TCP;
	enum transport other = first == TRANSPORT_UDP ? TRANSPORT_TCP : TRANSPORT_UDP;
	dl.no_packet_us = start_us + (int64_t)req->timeout_ms * 500; /* half the deadline */
	int o1 = session(req, first, &dl, start_us, res);
	if (o1 == SESSION_DONE)
		return res->up;
	snprintf(first_why, sizeof first_why, "%.150s", res->message);
	res->connect_ms = -1;
	dl.no_packet_us = 0;
	dl.got_packet = 0;
	int o2 = session(req, other, &dl, start_us, res);
	if (o2 == SESSION_REFUSED && o1 == SESSION_SILENT) {
		/* Only the first transport is offered: its silence was the camera's, not the
		 * transport's. The rest of the deadline decides, as without auto. */
		res->connect_ms = -1;
		session(req, first, &dl, start_us, res);
	} else if (!res->up) {
		char msg[sizeof res->message];
		snprintf(msg, sizeof msg, "%s: %.150s (after %s: %.150s)", transport_name(other),
			 res->message, transport_name(first), first_why);
		memcpy(res->message, msg, sizeof msg);
	}
	return res->up;
}
