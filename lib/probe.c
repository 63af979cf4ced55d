/* probe.c - probe dispatch by URL scheme, result helpers, process-wide setup. */
#include "probe.h"

#include <curl/curl.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libavutil/mem.h>
#include <libavutil/time.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "probe_log.h"
#include "url.h"

static const struct {
	const char *scheme;
	int (*first_frame)(const struct probe_request *, struct probe_result *);
} protocols[] = {
	{ "rtsp", probe_rtsp_first_frame },
	{ "rtsps", probe_rtsp_first_frame },
	{ "http", probe_http_first_frame },
	{ "https", probe_http_first_frame },
};

static const char *const class_names[] = {
	[PROBE_OK] = "ok",
	[PROBE_DNS] = "dns",
	[PROBE_REFUSED] = "refused",
	[PROBE_TIMEOUT] = "timeout",
	[PROBE_UNAUTHORIZED] = "unauthorized",
	[PROBE_NOT_FOUND] = "not_found",
	[PROBE_PROTOCOL] = "protocol",
	[PROBE_NO_VIDEO] = "no_video",
	[PROBE_DECODE] = "decode",
	[PROBE_TOO_LARGE] = "too_large",
	[PROBE_INTERNAL] = "internal",
	[PROBE_CANCELLED] = "cancelled",
	[PROBE_BUSY] = "busy",
};

const char *probe_class_name(enum probe_class c)
{
	if ((unsigned)c >= sizeof class_names / sizeof class_names[0])
		return "internal";
	return class_names[c];
}

void probe_global_init(void)
{
	/* libavformat allocates an RTSP reply's body at the size its Content-Length claims and
	 * reads until it is full: a camera claiming 2 GB grew a probe past 800 MB in 3 s. With
	 * the cap the allocation fails and the DESCRIBE fails at once (as "Invalid data"). */
	av_max_alloc(PROBE_MAX_ALLOC_BYTES);
	avformat_network_init();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	probe_log_install();
}

void probe_global_cleanup(void)
{
	curl_global_cleanup();
	avformat_network_deinit();
}

int64_t probe_now_us(void)
{
	return av_gettime_relative();
}

void probe_fail(struct probe_result *res, enum probe_class c, const char *fmt, ...)
{
	va_list ap;
	res->up = 0;
	res->error = c;
	va_start(ap, fmt);
	vsnprintf(res->message, sizeof res->message, fmt, ap);
	va_end(ap);
}

static void reset(struct probe_result *res)
{
	memset(res, 0, sizeof *res);
	res->connect_ms = -1;
	res->first_frame_ms = -1;
}

int probe_run(const struct probe_request *req, struct probe_result *res)
{
	char scheme[16], secret[256];
	int64_t start_us = probe_now_us();
	reset(res);
	if (url_scheme(req->url, scheme, sizeof scheme) < 0) {
		probe_fail(res, PROBE_INTERNAL, "URL has no scheme");
		return 0;
	}
	for (size_t i = 0; i < sizeof protocols / sizeof protocols[0]; i++) {
		if (strcmp(scheme, protocols[i].scheme))
			continue;
		protocols[i].first_frame(req, res);
		res->elapsed_ms = (int)((probe_now_us() - start_us) / 1000);
		if (req->cancel && atomic_load(req->cancel) && !res->up)
			probe_fail(res, PROBE_CANCELLED, "probe cancelled");
		/* Libraries may echo the URL into their errors: scrub here, once, for all. */
		url_password(req->url, secret, sizeof secret);
		url_scrub(res->message, sizeof res->message, secret);
		if (res->up) {
			res->error = PROBE_OK;
			res->message[0] = '\0';
		}
		return res->up;
	}
	probe_fail(res, PROBE_INTERNAL, "scheme '%s' is not supported", scheme);
	return 0;
}

void probe_result_clear(struct probe_result *res)
{
	av_frame_free(&res->frame);
}
