/* probe_http.c - MJPEG and snapshot probe with libcurl: read the first JPEG, decode it, hang up. */
#include <curl/curl.h>
#include <errno.h>
#include <libavcodec/avcodec.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "frame.h"
#include "multipart.h"
#include "probe.h"
#include "probe_log.h"
#include "slots.h"

enum body_kind { BODY_UNKNOWN, BODY_MULTIPART, BODY_JPEG, BODY_OTHER, BODY_ERROR_STATUS };

/* Most of an error page we keep reading so curl can finish an auth round trip. */
#define ERROR_BODY_LIMIT 65536
/* Most of a body we hold: the largest image plus its part headers. */
#define BODY_LIMIT (PROBE_MAX_IMAGE_BYTES + 65536)

struct transfer {
	CURL *curl;
	const struct probe_request *req;
	enum body_kind kind;
	char boundary[128];
	char content_type[96];
	char *buf;
	size_t len, cap;
	size_t part_off, part_len;
	size_t searched;             /* multipart: how far the part's end was looked for */
	int found;                   /* a whole image is in buf[part_off..] */
	enum probe_class fail;       /* set when the write callback stopped the transfer */
	char fail_msg[160];
	int64_t found_us;
};

static int append(struct transfer *t, const char *data, size_t n)
{
	if (t->len + n > t->cap) {
		size_t cap = t->cap ? t->cap : 65536;
		while (cap < t->len + n)
			cap *= 2;
		if (cap > BODY_LIMIT)
			cap = BODY_LIMIT; /* doubling past it would hold 32 MB for a 16 MB limit */
		char *nb = realloc(t->buf, cap);
		if (!nb)
			return -1;
		t->buf = nb;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, data, n);
	t->len += n;
	return 0;
}

static void stop_with(struct transfer *t, enum probe_class c, const char *msg)
{
	t->fail = c;
	snprintf(t->fail_msg, sizeof t->fail_msg, "%s", msg);
}

/* Decides what the body is from the final response's status and Content-Type. */
static void classify_body(struct transfer *t)
{
	long status = 0;
	char *ct = NULL;
	curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(t->curl, CURLINFO_CONTENT_TYPE, &ct);
	snprintf(t->content_type, sizeof t->content_type, "%s", ct ? ct : "(none)");
	t->content_type[strcspn(t->content_type, ";")] = '\0';
	if (status != 200)
		t->kind = BODY_ERROR_STATUS;
	else if (ct && !strncasecmp(ct, "multipart/x-mixed-replace", 25))
		t->kind = BODY_MULTIPART;
	else if (ct && (!strncasecmp(ct, "image/jpeg", 10) || !strncasecmp(ct, "image/jpg", 9) ||
			!strncasecmp(ct, "image/pjpeg", 11)))
		t->kind = BODY_JPEG;
	else
		t->kind = BODY_OTHER;
	if (t->kind == BODY_MULTIPART && multipart_boundary(ct, t->boundary, sizeof t->boundary) < 0)
		stop_with(t, PROBE_PROTOCOL, "multipart stream without a usable boundary parameter");
	if (t->kind == BODY_OTHER) {
		char msg[160];
		snprintf(msg, sizeof msg, "not a video: Content-Type %s", t->content_type);
		stop_with(t, PROBE_NO_VIDEO, msg);
	}
}

static void scan_multipart(struct transfer *t)
{
	char err[128];
	enum multipart_status s = multipart_first_part(t->buf, t->len, t->boundary,
						       PROBE_MAX_IMAGE_BYTES, &t->part_off,
						       &t->part_len, &t->searched, err, sizeof err);
	if (s == MULTIPART_FOUND)
		t->found = 1;
	else if (s == MULTIPART_TOO_LARGE)
		stop_with(t, PROBE_TOO_LARGE, "MJPEG part larger than 16 MB");
	else if (s == MULTIPART_ERROR)
		stop_with(t, PROBE_PROTOCOL, err);
}

/* Returning less than n ends the transfer: after the first image that is the success path. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *opaque)
{
	struct transfer *t = opaque;
	size_t n = size * nmemb;
	if (t->kind == BODY_UNKNOWN)
		classify_body(t);
	if (t->fail)
		return 0;
	if (t->kind == BODY_ERROR_STATUS) {
		t->len += n; /* discarded; only counted */
		return t->len > ERROR_BODY_LIMIT ? 0 : n;
	}
	if (t->len + n > BODY_LIMIT) {
		stop_with(t, PROBE_TOO_LARGE, "image larger than 16 MB");
		return 0;
	}
	if (append(t, data, n) < 0) {
		stop_with(t, PROBE_INTERNAL, "out of memory");
		return 0;
	}
	if (t->kind == BODY_MULTIPART)
		scan_multipart(t);
	if (t->found) {
		t->found_us = probe_now_us();
		return 0;
	}
	return t->fail ? 0 : n;
}

/* A new response (redirect, auth round trip) starts: forget the previous one's verdict. */
static size_t on_header(char *data, size_t size, size_t nmemb, void *opaque)
{
	struct transfer *t = opaque;
	size_t n = size * nmemb;
	if (n >= 5 && !strncmp(data, "HTTP/", 5)) {
		t->kind = BODY_UNKNOWN;
		t->len = 0;
		t->searched = 0;
	}
	return n;
}

static int on_progress(void *opaque, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	const struct transfer *t = opaque;
	(void)dt, (void)dn, (void)ut, (void)un;
	return t->req->cancel && atomic_load(t->req->cancel);
}

static void setup(CURL *c, struct transfer *t, char *errbuf)
{
	curl_easy_setopt(c, CURLOPT_URL, t->req->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)t->req->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)t->req->timeout_ms);
	curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)(CURLAUTH_BASIC | CURLAUTH_DIGEST));
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "StreamPulse");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, t);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
}

static void classify_status(struct transfer *t, struct probe_result *res)
{
	long status = 0;
	curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status == 401 || status == 403)
		probe_fail(res, PROBE_UNAUTHORIZED, "HTTP %ld", status);
	else if (status == 404 || status == 410)
		probe_fail(res, PROBE_NOT_FOUND, "HTTP %ld", status);
	else
		probe_fail(res, PROBE_PROTOCOL, "HTTP %ld", status);
}

/* Connected to an https:// camera but the handshake never finished: the peer may speak plain
 * HTTP on that port, or hang; saying so points at the URL's scheme. */
static int tls_stalled(struct transfer *t)
{
	char *scheme = NULL;
	long connects = 0;
	curl_off_t tls_us = 0;
	/* CONNECT_TIME stays 0 until TLS is done too (curl 7.88): count connections instead */
	curl_easy_getinfo(t->curl, CURLINFO_SCHEME, &scheme);
	curl_easy_getinfo(t->curl, CURLINFO_NUM_CONNECTS, &connects);
	curl_easy_getinfo(t->curl, CURLINFO_APPCONNECT_TIME_T, &tls_us);
	return scheme && !strcasecmp(scheme, "https") && connects > 0 && tls_us == 0;
}

static void classify_curl_error(struct transfer *t, CURLcode rc, const char *errbuf,
				struct probe_result *res)
{
	long oserr = 0, status = 0;
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
	curl_easy_getinfo(t->curl, CURLINFO_OS_ERRNO, &oserr);
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		probe_fail(res, PROBE_DNS, "%s", why);
		break;
	case CURLE_COULDNT_CONNECT:
		if (oserr == ECONNREFUSED)
			probe_fail(res, PROBE_REFUSED, "connection refused");
		else
			probe_fail(res, PROBE_REFUSED, "cannot connect: %s", why);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		probe_fail(res, PROBE_TIMEOUT, "%s within %d ms", tls_stalled(t) ?
			   "TLS handshake not done" : "no image", t->req->timeout_ms);
		break;
	case CURLE_TOO_MANY_REDIRECTS:
		/* curl counts Digest retries as redirects: a camera answering every attempt with a
		 * fresh stale=true challenge ends here, and that is an auth failure, not a loop. */
		if (curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
		    (status == 401 || status == 403)) {
			probe_fail(res, PROBE_UNAUTHORIZED, "HTTP %ld, again after every retry", status);
			break;
		}
		probe_fail(res, PROBE_PROTOCOL, "%s", why);
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
		probe_fail(res, PROBE_PROTOCOL, "%s", why);
		break;
	default:
		if (t->kind == BODY_ERROR_STATUS)
			classify_status(t, res);
		else
			probe_fail(res, PROBE_PROTOCOL, "%s", why);
	}
}

struct jpeg_call {
	const uint8_t *img;
	size_t len;
	AVFrame **frame;
	struct picture *picture;
	char *err;
	size_t errlen;
	int rc;
};

/* Runs on a decode thread: FFmpeg's reason ("overread", "picture size invalid") is captured
 * there and added to the message. */
static void decode_jpeg_task(void *arg)
{
	struct jpeg_call *c = arg;
	char why[128], err[160];
	probe_log_capture(why, sizeof why);
	c->rc = frame_decode_jpeg(c->img, c->len, c->frame, err, sizeof err);
	probe_log_capture(NULL, 0);
	if (c->rc < 0)
		snprintf(c->err, c->errlen, why[0] ? "%s (%s)" : "%s", err, why);
	else
		picture_measure(*c->frame, c->picture);
}

static void decode_image(struct transfer *t, struct probe_result *res, int64_t start_us)
{
	AVFrame *frame = NULL;
	char err[160];
	const uint8_t *img = (const uint8_t *)t->buf + (t->kind == BODY_MULTIPART ? t->part_off : 0);
	size_t len = t->kind == BODY_MULTIPART ? t->part_len : t->len;
	struct jpeg_call c = { img, len, &frame, &res->picture, err, sizeof err, -1 };
	if (slots_run(decode_jpeg_task, &c, start_us + (int64_t)t->req->timeout_ms * 1000,
		      t->req->cancel) < 0) {
		probe_fail(res, PROBE_TIMEOUT, "no decoder free within %d ms", t->req->timeout_ms);
		return;
	}
	if (c.rc < 0) {
		probe_fail(res, PROBE_DECODE, "%s", err);
		return;
	}
	res->up = 1;
	res->first_frame_ms = (int)(((t->found_us ? t->found_us : probe_now_us()) - start_us) / 1000);
	res->width = frame->width;
	res->height = frame->height;
	snprintf(res->codec, sizeof res->codec, "mjpeg");
	if (t->req->keep_frame)
		res->frame = frame;
	else
		av_frame_free(&frame);
}

int probe_http_first_frame(const struct probe_request *req, struct probe_result *res)
{
	int64_t start_us = probe_now_us();
	struct transfer t = { .req = req };
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_off_t connect_us = 0;

	if (!(t.curl = curl_easy_init())) {
		probe_fail(res, PROBE_INTERNAL, "cannot create a curl handle");
		return 0;
	}
	setup(t.curl, &t, errbuf);
	CURLcode rc = curl_easy_perform(t.curl);
	if (curl_easy_getinfo(t.curl, CURLINFO_CONNECT_TIME_T, &connect_us) == CURLE_OK && connect_us > 0)
		res->connect_ms = (int)(connect_us / 1000);
	if (t.fail)
		probe_fail(res, t.fail, "%s", t.fail_msg);
	else if (t.found || (rc == CURLE_OK && t.kind == BODY_JPEG))
		decode_image(&t, res, start_us);
	else if (rc == CURLE_OK && t.kind == BODY_MULTIPART)
		probe_fail(res, PROBE_PROTOCOL, "MJPEG stream ended before the first complete image");
	else if (rc == CURLE_OK || t.kind == BODY_ERROR_STATUS)
		classify_status(&t, res);
	else
		classify_curl_error(&t, rc, errbuf, res);
	curl_easy_cleanup(t.curl);
	free(t.buf);
	return res->up;
}
