/* alert_text.c - what an alert says: the event's name, a line for people, the JSON payload. */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert_int.h"
#include "store.h"

const char *alert_state_name(int state)
{
	return state == HB_UP ? "up" : state == HB_DEGRADED ? "degraded" : "down";
}

const char *alert_event_name(const struct alert_event *ev)
{
	if (!ev->stream[0])
		return ev->state == HB_UP ? "site_up" : "site_down";
	return alert_state_name(ev->state);
}

static void iso_time(int64_t ms, char out[32])
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "3 min", "2 h 5 min": how long the failure lasted, for the recovery's line. */
static void duration(int64_t ms, char *out, size_t outlen)
{
	int64_t s = ms > 0 ? ms / 1000 : 0;
	if (s < 60)
		snprintf(out, outlen, "%lld s", (long long)s);
	else if (s < 3600)
		snprintf(out, outlen, "%lld min", (long long)(s / 60));
	else
		snprintf(out, outlen, "%lld h %lld min", (long long)(s / 3600), (long long)(s / 60 % 60));
}

void alert_title(const struct alert_event *ev, char *out, size_t outlen)
{
	if (!ev->stream[0])
		snprintf(out, outlen, "StreamPulse: site %s", ev->state == HB_UP ? "up" : "down");
	else
		snprintf(out, outlen, "StreamPulse: %s %s", ev->stream, alert_state_name(ev->state));
}

void alert_text(const struct alert_event *ev, char *out, size_t outlen)
{
	char since[32], took[32];
	iso_time(ev->since_ms, since);
	duration(ev->ts_ms - ev->since_ms, took, sizeof took);
	if (!ev->stream[0] && ev->state == HB_UP)
		snprintf(out, outlen, "Site up again: %s", ev->message);
	else if (!ev->stream[0])
		snprintf(out, outlen, "Site down: %s (since %s)", ev->message, since);
	else if (ev->state == HB_UP)
		snprintf(out, outlen, "%s is up again after %s (first frame in %d ms)", ev->stream, took,
			 ev->latency_ms);
	else
		snprintf(out, outlen, "%s is %s: %s: %s (since %s)", ev->stream, alert_state_name(ev->state),
			 ev->reason, ev->message, since);
}

char *alert_link(const char *dashboard_url, const char *stream)
{
	size_t n;
	char *esc, *out;
	if (!dashboard_url || !dashboard_url[0])
		return NULL;
	n = strlen(dashboard_url);
	if (!stream || !stream[0])
		return strdup(dashboard_url);
	if (!(esc = curl_easy_escape(NULL, stream, 0)))
		return NULL;
	if ((out = malloc(n + strlen(esc) + 9)))
		sprintf(out, "%s%sstream/%s", dashboard_url, dashboard_url[n - 1] == '/' ? "" : "/", esc);
	curl_free(esc);
	return out;
}

/* jansson refuses text that is not UTF-8 (a camera's message may be anything): NULL then. */
static json_t *text_or_null(const char *s)
{
	json_t *j = s && s[0] ? json_string(s) : NULL;
	return j ? j : json_null();
}

char *alert_json(const struct alert_event *ev, const char *link)
{
	char since[32], *out;
	json_t *o;
	iso_time(ev->since_ms, since);
	o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "event", json_string(alert_event_name(ev)));
	json_object_set_new(o, "stream", text_or_null(ev->stream));
	json_object_set_new(o, "state", json_string(alert_state_name(ev->state)));
	json_object_set_new(o, "reason", text_or_null(ev->reason));
	json_object_set_new(o, "message", text_or_null(ev->message));
	json_object_set_new(o, "since", json_string(since));
	json_object_set_new(o, "since_ms", json_integer(ev->since_ms));
	json_object_set_new(o, "latency_ms", ev->latency_ms >= 0 ? json_integer(ev->latency_ms) : json_null());
	json_object_set_new(o, "dashboard", text_or_null(link));
	out = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return out;
}
