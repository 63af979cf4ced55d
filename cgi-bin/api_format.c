/* api_format.c - how the API writes a stream and a heartbeat as JSON, and a text as a CSV cell.
 * Apart from the handlers (api.c) so the fuzzer can drive them without a database. */
#include <jansson.h>
#include <string.h>

#include "api_format.h"

json_t *api_beat_json(const struct beat *b)
{
	json_t *o = json_pack("{s:I, s:b}", "ts_ms", (json_int_t)b->ts_ms, "up", b->up);
	if (b->latency_ms >= 0)
		json_object_set_new(o, "latency_ms", json_integer(b->latency_ms));
	if (!b->up) {
		json_object_set_new(o, "error", json_string(b->error));
		json_object_set_new(o, "message", json_string(b->message));
	}
	return o;
}

/* One stream, compact: absolute times only (no "ago" text, no local time), so the body stays
 * right for as long as the data does, and no per-stream history (that is
 * /api/streams/NAME/heartbeats): 2,000 streams make ~350 KB instead of megabytes. */
json_t *api_stream_json(const struct status_row *r)
{
	json_t *o = json_pack("{s:s, s:s, s:b}", "name", r->s.name, "state",
			      status_state_name(r->s.state), "enabled", r->enabled);
	if (r->s.state >= 0) {
		json_object_set_new(o, "since_ms", json_integer(r->s.since_ms));
		json_object_set_new(o, "last_ms", json_integer(r->s.last_ms));
	}
	if (r->s.latency_ms >= 0)
		json_object_set_new(o, "latency_ms", json_integer(r->s.latency_ms));
	if (r->s.state == 0) {
		json_object_set_new(o, "error", json_string(r->s.error));
		json_object_set_new(o, "message", json_string(r->s.message));
	}
	if (r->s.uptime_24h >= 0)
		json_object_set_new(o, "uptime_24h", json_real(r->s.uptime_24h));
	if (r->s.codec[0]) {
		json_object_set_new(o, "codec", json_string(r->s.codec));
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
	int quote = strpbrk(s, ",\"\r\n") != NULL || strchr("=+-@\t", s[0]) != NULL;
	if (!s[0]) {
		return;
	}
	if (!quote) {
		buf_add(b, s, strlen(s));
		return;
	}
	buf_add(b, "\"", 1);
	if (strchr("=+-@\t", s[0]))
		buf_add(b, "'", 1);
	for (; *s; s++)
		buf_add(b, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
	buf_add(b, "\"", 1);
}
