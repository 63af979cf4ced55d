/* alert_webhook.c - the webhook channel: one HTTP POST per attempt (libcurl), in the format the
 * receiver wants: json, ntfy, discord or slack. */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_int.h"
#include "store.h"
#include "url.h"

struct post {
	char *body;
	struct curl_slist *headers;
};

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p, (void)ctx;
	return size * n;
}

static int add_header(struct post *p, const char *fmt, const char *value)
{
	char line[512];
	struct curl_slist *l;
	snprintf(line, sizeof line, fmt, value);
	if (!(l = curl_slist_append(p->headers, line)))
		return -1;
	p->headers = l;
	return 0;
}

/* {"content": text} for Discord, {"text": text} for Slack: the line plus the link. */
static char *chat_json(const char *key, const char *text, const char *link)
{
	char line[1024];
	json_t *o = json_object();
	char *out = NULL;
	snprintf(line, sizeof line, "%s%s%s", text, link ? "\n" : "", link ? link : "");
	if (o && json_object_set_new(o, key, json_string(line)) == 0)
		out = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return out;
}

/* ntfy: the line as a plain body; title, priority, tags and click-through as headers. */
static int ntfy_post(struct post *p, const struct alert_event *ev, const char *text, const char *link)
{
	char title[160];
	int up = ev->state == HB_UP;
	alert_title(ev, title, sizeof title);
	if (!(p->body = strdup(text)))
		return -1;
	if (add_header(p, "Title: %s", title) < 0 || add_header(p, "Priority: %s", up ? "default" : "high") < 0 ||
	    add_header(p, "Tags: %s", up ? "white_check_mark" : ev->state == HB_DEGRADED ? "warning" : "rotating_light") < 0 ||
	    add_header(p, "Content-Type: %s", "text/plain; charset=utf-8") < 0)
		return -1;
	return link ? add_header(p, "Click: %s", link) : 0;
}

static int build_post(struct post *p, const struct alert_conf *c, const struct alert_event *ev, const char *link)
{
	char text[1024];
	alert_text(ev, text, sizeof text);
	if (!strcmp(c->format, "ntfy")) {
		if (ntfy_post(p, ev, text, link) < 0)
			return -1;
	} else {
		if (!strcmp(c->format, "discord"))
			p->body = chat_json("content", text, link);
		else if (!strcmp(c->format, "slack"))
			p->body = chat_json("text", text, link);
		else
			p->body = alert_json(ev, link);
		if (!p->body || add_header(p, "Content-Type: %s", "application/json") < 0)
			return -1;
	}
	for (size_t i = 0; c->headers && c->headers[i]; i++)
		if (add_header(p, "%s", c->headers[i]) < 0)
			return -1;
	return 0;
}

static int post(CURL *h, const struct alert_conf *c, const struct post *p, int timeout_ms, char *detail,
		size_t detaillen)
{
	char errbuf[CURL_ERROR_SIZE] = "", secret[256];
	long status = 0;
	CURLcode rc;
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, p->body);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, p->headers);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "StreamPulse");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		snprintf(detail, detaillen, "HTTP %ld", status);
		return status >= 200 && status < 300 ? 0 : -1;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(detail, detaillen, "timed out after %d ms", timeout_ms);
	else
		snprintf(detail, detaillen, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
	url_password(c->url, secret, sizeof secret);
	url_scrub(detail, detaillen, secret);
	return -1;
}

int alert_webhook_send(const struct alert_conf *c, const struct alert_event *ev, const char *link,
		       int timeout_ms, char *detail, size_t detaillen)
{
	struct post p = { 0 };
	CURL *h = curl_easy_init();
	int rc = -1;
	snprintf(detail, detaillen, "out of memory");
	if (h && build_post(&p, c, ev, link) == 0)
		rc = post(h, c, &p, timeout_ms, detail, detaillen);
	curl_easy_cleanup(h);
	curl_slist_free_all(p.headers);
	free(p.body);
	return rc;
}
