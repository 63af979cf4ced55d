/* api_format.c - how the API writes a stream and a heartbeat as JSON, and a text as a CSV cell.
 * Apart from the handlers (api.c) so the fuzzer can drive them without a database. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "api_format.h"
#include "utf8.h"

json_t *api_text(const char *s)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	json_t *j = json_string(s);
	size_t len, o = 0;
	uint32_t cp;
	char *clean;
	if (j)
		return j;
	/* jansson refuses invalid UTF-8 with NULL, and json_object_set_new then drops the key
	 * without a word: a camera's raw header bytes in a message, or a message cut inside a
	 * character at its column's size, made "message" vanish. Keep the text, mark the bytes. */
	len = strlen(s);
	if (!(clean = malloc(3 * len + 1)))
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s, *end = p + len; p < end;) {
		int n = utf8_decode(p, end, &cp);
		if (n == 0) {
			memcpy(clean + o, replacement, 3);
			o += 3;
			p++;
		} else {
			memcpy(clean + o, p, (size_t)n);
			o += (size_t)n;
			p += n;
		}
	}
	j = json_stringn(clean, o);
	free(clean);
	return j;
}

json_t *api_beat_json(const struct beat *b)
{
	json_t *o = json_pack("{s:I, s:b, s:s}", "ts_ms", (json_int_t)b->ts_ms, "up",
			      b->state == HB_UP, "state", hb_state_name(b->state));
	if (b->latency_ms >= 0)
		json_object_set_new(o, "latency_ms", json_integer(b->latency_ms));
	if (b->state != HB_UP) {
		json_object_set_new(o, "error", api_text(b->error));
		json_object_set_new(o, "message", api_text(b->message));
	}
	return o;
}

/* One stream, compact: absolute times only (no "ago" text, no local time), so the body stays
 * right for as long as the data does, and no per-stream history (that is
 * /api/streams/NAME/heartbeats): 2,000 streams make ~350 KB instead of megabytes. */
json_t *api_stream_json(const struct status_row *r)
{
	json_t *o = json_pack("{s:o, s:s, s:b}", "name", api_text(r->s.name), "state",
			      status_state_name(r->s.state), "enabled", r->enabled);
	if (r->s.state >= 0) {
		json_object_set_new(o, "since_ms", json_integer(r->s.since_ms));
		json_object_set_new(o, "last_ms", json_integer(r->s.last_ms));
	}
	if (r->s.latency_ms >= 0)
		json_object_set_new(o, "latency_ms", json_integer(r->s.latency_ms));
	if (r->s.state == HB_DOWN || r->s.state == HB_DEGRADED) {
		json_object_set_new(o, "error", api_text(r->s.error));
		json_object_set_new(o, "message", api_text(r->s.message));
	}
	if (r->s.uptime_24h >= 0)
		json_object_set_new(o, "uptime_24h", json_real(r->s.uptime_24h));
	if (r->s.degraded_24h > 0)
		json_object_set_new(o, "degraded_24h", json_real(r->s.degraded_24h));
	if (r->s.codec[0]) {
		json_object_set_new(o, "codec", api_text(r->s.codec));
		json_object_set_new(o, "width", json_integer(r->s.width));
		json_object_set_new(o, "height", json_integer(r->s.height));
	}
	if (r->thumb_mtime_ms)
		json_object_set_new(o, "thumb_ms", json_integer(r->thumb_mtime_ms));
	return o;
}

/* One CSV cell: quoted when needed; a leading = + - @ neutralised so spreadsheets do not run it. */
void api_csv_cell(struct buf *b, const char *s)
{
	int quote = strpbrk(s, ",\"\r\n") != NULL || strchr("=+-@\t\r", s[0]) != NULL;
	if (!s[0]) {
		return;
	}
	if (!quote) {
		buf_add(b, s, strlen(s));
		return;
	}
	buf_add(b, "\"", 1);
	if (strchr("=+-@\t\r", s[0]))
		buf_add(b, "'", 1);
	for (; *s; s++)
		buf_add(b, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
	buf_add(b, "\"", 1);
}
