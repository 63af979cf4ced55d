/* response.c - building the response: headers, cookies, redirects, the one error path, time text. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_format.h"
#include "web.h"

void res_header(struct web *w, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	line[strcspn(line, "\r\n")] = '\0'; /* no header injection, whatever the caller passed */
	buf_printf(&w->res.headers, "%s\r\n", line);
}

void res_redirect(struct web *w, const char *location)
{
	w->res.status = 303;
	res_header(w, "Location: %s", location);
}

void res_cookie(struct web *w, const char *name, const char *value, int max_age_s)
{
	res_header(w, "Set-Cookie: %s=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d%s", name, value,
		   max_age_s, w->req.https ? "; Secure" : "");
}

static void json_error(struct web *w, int status, const char *msg)
{
	/* api_text: the message may quote a path's bytes ("no stream named '\xff'"), which jansson
	 * refuses as invalid UTF-8; the client got "out of memory" instead. */
	json_t *o = json_pack("{s:o, s:i}", "error", api_text(msg), "status", status);
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	w->res.status = status;
	snprintf(w->res.content_type, sizeof w->res.content_type, "application/json");
	w->res.body.len = 0;
	buf_printf(&w->res.body, "%s\n", text ? text : "{\"error\":\"out of memory\"}");
	free(text);
	json_decref(o);
}

struct error_page {
	int status;
	const char *message;
};

static int fill_error(struct web *w, struct _hdf *hdf, void *ctx);

void ui_error(struct web *w, int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (w->api) {
		json_error(w, status, msg);
		return;
	}
	struct error_page e = { status, msg };
	w->res.body.len = 0;
	if (render(w, "error.cs", "Error", fill_error, &e) < 0) {
		snprintf(w->res.content_type, sizeof w->res.content_type, "text/plain; charset=utf-8");
		w->res.body.len = 0;
		buf_printf(&w->res.body, "%d %s\n", status, "error (and the error page failed to render)");
	}
	w->res.status = status;
}

#include <ClearSilver/ClearSilver.h>

static int fill_error(struct web *w, HDF *hdf, void *ctx)
{
	const struct error_page *e = ctx;
	(void)w;
	hdf_set_int_value(hdf, "Error.Status", e->status);
	hdf_set_value(hdf, "Error.Message", e->message);
	return 0;
}

int64_t web_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void web_time(const struct web *w, int64_t ms, char *out, size_t outlen)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	static char zone[128]; /* the zone tzset() last loaded, process-wide */
	const char *want = w->cfg ? w->cfg->timezone : "UTC";
	/* The config may change between requests; tzset() only when the zone does: setenv and
	 * tzset per call cost more than a 2,000-row page's rendering. glibc's localtime_r keeps the
	 * zone tzset() loaded even after FCGI_Accept swaps the environment. */
	if (strcmp(zone, want)) {
		setenv("TZ", want, 1);
		tzset();
		snprintf(zone, sizeof zone, "%s", want);
	}
	localtime_r(&t, &tm);
	strftime(out, outlen, "%Y-%m-%d %H:%M:%S", &tm);
}

void web_duration(int64_t ms, char *out, size_t outlen)
{
	int64_t s = ms / 1000;
	if (s < 60)
		snprintf(out, outlen, "%lld s", (long long)s);
	else if (s < 3600)
		snprintf(out, outlen, "%lld min", (long long)(s / 60));
	else if (s < 86400)
		snprintf(out, outlen, "%lld h %lld min", (long long)(s / 3600), (long long)(s % 3600 / 60));
	else
		snprintf(out, outlen, "%lld d %lld h", (long long)(s / 86400), (long long)(s % 86400 / 3600));
}
