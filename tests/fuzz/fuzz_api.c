/* fuzz_api.c - libFuzzer target: the API's JSON for a stream and a heartbeat with arbitrary
 * names, messages and error classes, and the CSV cell writer with arbitrary text. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_format.h"

/* Input: 32 bytes of numbers, then NUL-separated texts: name, message, error, codec, and any
 * further ones as extra CSV cells. */
struct input {
	const uint8_t *p;
	size_t n;
};

static const char *next_text(struct input *in, char *out, size_t outlen)
{
	size_t len = strnlen((const char *)in->p, in->n);
	/* Cut as the store's fixed-size columns do: bytes, not characters. */
	snprintf(out, outlen, "%.*s", (int)len, (const char *)in->p);
	in->p += len < in->n ? len + 1 : len;
	in->n -= len < in->n ? len + 1 : len;
	return out;
}

static int64_t num(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	for (int i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	return bytes == 8 ? (int64_t)v : (int64_t)v - (int64_t)(1ULL << (8 * bytes - 1));
}

static int valid_utf8(const char *s)
{
	json_t *j = json_string(s); /* jansson's own rule of what it accepts */
	json_decref(j);
	return j != NULL;
}

static const char *get_text(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	if (!s)
		abort(); /* a key the client relies on vanished */
	return s;
}

/* Dumps o, parses the text back: what a client sees. */
static json_t *round_trip(json_t *o)
{
	if (!o)
		abort();
	char *text = json_dumps(o, JSON_COMPACT);
	json_error_t e;
	json_t *back = text ? json_loads(text, 0, &e) : NULL;
	if (!back)
		abort();
	free(text);
	json_decref(o);
	return back;
}

static void check_text(const json_t *o, const char *key, const char *sent)
{
	const char *got = get_text(o, key);
	if (valid_utf8(sent) && strcmp(got, sent))
		abort();
	if (!valid_utf8(got))
		abort();
}

static void fuzz_json(const uint8_t *h, const char *name, const char *message, const char *error,
		      const char *codec)
{
	struct status_row r;
	memset(&r, 0, sizeof r);
	snprintf(r.s.name, sizeof r.s.name, "%s", name);
	snprintf(r.s.message, sizeof r.s.message, "%s", message);
	snprintf(r.s.error, sizeof r.s.error, "%s", error);
	snprintf(r.s.codec, sizeof r.s.codec, "%s", codec);
	r.s.state = (int)(h[0] % 3) - 1;
	r.enabled = h[1] & 1;
	r.s.latency_ms = (int)num(h + 2, 4);
	r.s.since_ms = num(h + 6, 8);
	r.s.last_ms = num(h + 14, 8) / 2;
	r.s.width = (int)num(h + 22, 2);
	r.s.height = (int)num(h + 24, 2);
	r.s.uptime_24h = (double)num(h + 26, 2) / 100.0; /* -327.68 .. 327.67, as computed: finite */
	r.thumb_mtime_ms = num(h + 28, 4);

	json_t *o = round_trip(api_stream_json(&r));
	check_text(o, "name", r.s.name);
	if (strcmp(get_text(o, "state"), status_state_name(r.s.state)))
		abort();
	if (r.s.state == 0) {
		check_text(o, "message", r.s.message);
		check_text(o, "error", r.s.error);
	}
	if (r.s.codec[0])
		check_text(o, "codec", r.s.codec);
	json_decref(o);

	struct beat b;
	memset(&b, 0, sizeof b);
	b.ts_ms = r.s.since_ms;
	b.state = r.s.state & 3;
	b.latency_ms = r.s.latency_ms;
	snprintf(b.message, sizeof b.message, "%s", message);
	snprintf(b.error, sizeof b.error, "%s", error);
	o = round_trip(api_beat_json(&b));
	if (json_integer_value(json_object_get(o, "ts_ms")) != b.ts_ms)
		abort();
	if (b.state != HB_UP) {
		check_text(o, "message", b.message);
		check_text(o, "error", b.error);
	}
	json_decref(o);
}

/* Reads one RFC 4180 row from *p into cell (unquoted); returns 1 at the row's end. */
static int csv_read_cell(const char **p, char *cell, size_t *celllen)
{
	const char *s = *p;
	size_t n = 0;
	if (*s == '"') {
		for (s++;; s++) {
			if (!*s)
				abort(); /* unterminated quote */
			if (*s == '"') {
				if (s[1] != '"')
					break;
				s++;
			}
			cell[n++] = *s;
		}
		s++;
	} else {
		while (*s && *s != ',' && *s != '\r' && *s != '\n' && *s != '"')
			cell[n++] = *s++;
		if (*s == '"')
			abort(); /* a quote inside an unquoted cell */
	}
	cell[n] = '\0';
	*celllen = n;
	if (*s == ',') {
		*p = s + 1;
		return 0;
	}
	if (s[0] != '\r' || s[1] != '\n' || s[2])
		abort(); /* anything but the row's end after a cell */
	*p = s + 2;
	return 1;
}

static void fuzz_csv(char cells[][512], size_t ncells)
{
	struct buf b = { 0 };
	for (size_t i = 0; i < ncells; i++) {
		if (i)
			buf_add(&b, ",", 1);
		api_csv_cell(&b, cells[i]);
	}
	buf_add(&b, "\r\n", 2);
	const char *p = b.p;
	char *cell = malloc(b.len + 1);
	size_t got = 0, len;
	if (!cell)
		abort();
	for (int end = 0; !end; got++) {
		end = csv_read_cell(&p, cell, &len);
		if (got >= ncells)
			abort(); /* more cells than written */
		const char *want = cells[got];
		/* A leading = + - @ or tab is neutralised with a quote for spreadsheets, nothing else. */
		if (want[0] && strchr("=+-@\t", want[0]) ? cell[0] != '\'' || strcmp(cell + 1, want)
							 : strcmp(cell, want))
			abort();
	}
	if (got != ncells)
		abort();
	free(cell);
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char cells[16][512];
	if (size < 32)
		return 0;
	struct input in = { data + 32, size - 32 };
	size_t n = 0;
	while (n < 4 || (in.n && n < 16)) {
		next_text(&in, cells[n], sizeof cells[n]);
		n++;
	}
	fuzz_json(data, cells[0], cells[1], cells[2], cells[3]);
	fuzz_csv(cells, n);
	return 0;
}
