/* probe.h - one probe of one stream: connect, decode the first clean frame, hang up, report. */
#ifndef SP_PROBE_H
#define SP_PROBE_H

#include <stdatomic.h>
#include <stdint.h>

#include "config.h"
#include "picture.h"

struct AVFrame;

enum probe_class {
	PROBE_OK = 0,
	PROBE_DNS,
	PROBE_REFUSED,
	PROBE_TIMEOUT,
	PROBE_UNAUTHORIZED,
	PROBE_NOT_FOUND,
	PROBE_PROTOCOL,
	PROBE_NO_VIDEO,
	PROBE_DECODE,
	PROBE_TOO_LARGE,
	PROBE_INTERNAL,
	PROBE_CANCELLED, /* stopped by the caller (shutdown): not a verdict on the camera */
	PROBE_BUSY,      /* the host's max_clients slots were taken (a preview): not probed */
};

/* Largest JPEG (snapshot or MJPEG part) we read before giving up. */
#define PROBE_MAX_IMAGE_BYTES (16u * 1024 * 1024)

/* Largest single FFmpeg allocation (av_max_alloc): above the biggest picture FRAME_MAX_PIXELS
 * lets through, far below what a camera's claimed RTSP Content-Length can ask for. */
#define PROBE_MAX_ALLOC_BYTES (128u * 1024 * 1024)

struct probe_request {
	const char *url;
	enum transport transport;      /* RTSP only */
	enum transport first;          /* RTSP auto: try this one first (TCP or UDP; default TCP) */
	int timeout_ms;                /* deadline for the whole probe */
	int keep_frame;                /* 1: hand the decoded frame back in result.frame */
	const atomic_int *cancel;      /* optional: nonzero aborts the probe early */
};

struct probe_result {
	int up;
	enum probe_class error;
	char message[320];             /* never holds the URL's password */
	int connect_ms;                /* -1 when no connection was made */
	int first_frame_ms;            /* time to first clean frame: the heartbeat's latency */
	int elapsed_ms;                /* whole probe, success or not */
	int damaged_frames;            /* concealed frames skipped before the clean one */
	char codec[24];
	int width, height;
	enum transport transport;      /* RTSP: the one that worked (TCP or UDP) */
	struct picture picture;        /* of the clean frame, when up */
	struct AVFrame *frame;         /* when keep_frame and up; free with probe_result_clear */
};

/* Once per process, before any thread: FFmpeg networking, curl, FFmpeg log capture. */
void probe_global_init(void);
void probe_global_cleanup(void);

/* Runs one probe to completion within req->timeout_ms. Always fills *res; returns res->up. */
int probe_run(const struct probe_request *req, struct probe_result *res);

void probe_result_clear(struct probe_result *res);

const char *probe_class_name(enum probe_class c);

/* For the protocol files. */
void probe_fail(struct probe_result *res, enum probe_class c, const char *fmt, ...)
	__attribute__((format(__printf__, 3, 4)));
int64_t probe_now_us(void);

int probe_rtsp_first_frame(const struct probe_request *req, struct probe_result *res);
int probe_http_first_frame(const struct probe_request *req, struct probe_result *res);

#endif
