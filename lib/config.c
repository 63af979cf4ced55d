/* config.c - loads config.yaml with libyaml and validates every setting into struct config. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_CLOEXEC, realpath, strndup */
#endif
#include "config.h"
#include "config_int.h"
#include "fileio.h"
#include "url.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#define MAX_FILE_BYTES ((size_t)4 << 20)
#define MAX_STREAMS 100000
#define MAX_DEPTH 64     /* libyaml's document loader recurses once per level */
#define MAX_WARNINGS 100 /* a file full of unknown keys must not cost unbounded memory */
#define MAX_URL 4096
#define ZONEINFO_DIR "/usr/share/zoneinfo"

/* A text to compare when looking for repeats (keys in a mapping, stream names). */
struct name_ref {
	const char *s;
	size_t len;
	size_t order;
	const yaml_mark_t *mark;
};

/* ---- messages ---- */

PRINTF(3, 4) int cfg_say(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -1;
}

static int is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* Quotes user text for a message: a URL password masked, control characters and broken UTF-8
 * escaped, long text cut, so echoing input can neither leak a secret nor break the line. */
const char *cfg_show(const char *s, size_t len, char out[SHOW_MAX])
{
	const unsigned char *u = (const unsigned char *)s;
	size_t from = len, to = len, i = 0, o = 0;
	uint32_t cp;
	int n;
	url_password_span(s, len, &from, &to);
	out[o++] = '\'';
	while (i < len && o < SHOW_MAX - 16) {
		if (i == from) {
			memcpy(out + o, URL_MASK, sizeof URL_MASK - 1);
			o += sizeof URL_MASK - 1;
			i = to;
			from = len;
			continue;
		}
		n = utf8_decode(u + i, u + len, &cp);
		if (n == 0 || is_control(cp)) {
			o += (size_t)snprintf(out + o, SHOW_MAX - o, "\\x%02x", u[i]);
			n = 1;
		} else {
			memcpy(out + o, s + i, (size_t)n);
			o += (size_t)n;
		}
		i += (size_t)n;
	}
	if (i < len) {
		memcpy(out + o, "\xe2\x80\xa6", 3); /* "…" */
		o += 3;
	}
	out[o++] = '\'';
	out[o] = '\0';
	return out;
}

void config_error_vset(struct config_error *err, const char *name, int line, int column,
		       const char *field, const char *fmt, va_list ap)
{
	char where[64] = "", problem[400];
	vsnprintf(problem, sizeof problem, fmt, ap);
	err->line = line;
	err->column = column;
	snprintf(err->field, sizeof err->field, "%s", field);
	if (line > 0)
		snprintf(where, sizeof where, ":%d:%d", line, column);
	/* A message cut at the buffer's end still names the place and the field first. */
	snprintf(err->message, sizeof err->message, "%s%s: %s%s%s", name, where, field,
		 field[0] ? ": " : "", problem);
}

void config_error_set(struct config_error *err, const char *name, int line, int column,
		      const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	config_error_vset(err, name, line, column, field, fmt, ap);
	va_end(ap);
}

/* Fills the error at mark (NULL: not tied to a place) and returns -1 for the caller to pass up. */
PRINTF(4, 5) int cfg_fail(struct ctx *c, const yaml_mark_t *m, const char *field,
			     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	config_error_vset(c->err, c->name, m ? (int)m->line + 1 : 0, m ? (int)m->column + 1 : 0,
			  field, fmt, ap);
	va_end(ap);
	return -1;
}

PRINTF(3, 4) int cfg_warn(struct ctx *c, const yaml_mark_t *m, const char *fmt, ...)
{
	struct config *cfg = c->cfg;
	char text[512], **grown;
	va_list ap;
	int n;
	if (cfg->nwarnings > MAX_WARNINGS)
		return 0;
	if (cfg->nwarnings == MAX_WARNINGS) {
		snprintf(text, sizeof text, "%s: more warnings not shown", c->name);
	} else {
		n = snprintf(text, sizeof text, "%s:%d:%d: ", c->name, (int)m->line + 1,
			     (int)m->column + 1);
		if (n < 0 || (size_t)n >= sizeof text)
			n = 0;
		va_start(ap, fmt);
		vsnprintf(text + n, sizeof text - (size_t)n, fmt, ap);
		va_end(ap);
	}
	grown = realloc(cfg->warnings, (cfg->nwarnings + 1) * sizeof *grown);
	if (!grown)
		return cfg_fail(c, NULL, "", "out of memory");
	cfg->warnings = grown;
	if (!(grown[cfg->nwarnings] = strdup(text)))
		return cfg_fail(c, NULL, "", "out of memory");
	cfg->nwarnings++;
	return 0;
}

/* ---- validators: one per kind of value, each (text) -> typed value or a reason ---- */

int cfg_check_int(const struct field *f, const char *s, size_t len, void *dst, char *why,
		     size_t whylen)
{
	char shown[SHOW_MAX];
	long long v = 0;
	size_t i = len > 0 && (s[0] == '-' || s[0] == '+');
	int digits = 0;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++)
		if (v < 1000000000) /* saturate: anything this big is out of range anyway */
			v = v * 10 + (s[i] - '0');
	if (len > 0 && s[0] == '-')
		v = -v;
	if (i < len || digits == 0 || v < f->min || v > f->max)
		return cfg_say(why, whylen, "expected an integer from %d to %d, got %s", f->min, f->max,
			   cfg_show(s, len, shown));
	*(int *)dst = (int)v;
	return 0;
}

static int word_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

int cfg_check_bool(const struct field *f, const char *s, size_t len, void *dst, char *why,
		      size_t whylen)
{
	static const char *const yes[] = { "true", "yes", "on" }, *const no[] = { "false", "no", "off" };
	char shown[SHOW_MAX];
	size_t i;
	(void)f;
	for (i = 0; i < COUNT(yes); i++) {
		if (word_is(s, len, yes[i]) || word_is(s, len, no[i])) {
			*(int *)dst = word_is(s, len, yes[i]);
			return 0;
		}
	}
	return cfg_say(why, whylen, "expected true or false, got %s", cfg_show(s, len, shown));
}

static int check_transport(const struct field *f, const char *s, size_t len, void *dst,
			   char *why, size_t whylen)
{
	char shown[SHOW_MAX];
	(void)f;
	if (word_is(s, len, "tcp"))
		*(enum transport *)dst = TRANSPORT_TCP;
	else if (word_is(s, len, "udp"))
		*(enum transport *)dst = TRANSPORT_UDP;
	else if (word_is(s, len, "auto"))
		*(enum transport *)dst = TRANSPORT_AUTO;
	else
		return cfg_say(why, whylen, "expected tcp, udp or auto, got %s", cfg_show(s, len, shown));
	return 0;
}

/* Why text cannot be shown on one line, or NULL: broken UTF-8, or a control character
 * (including the NUL that YAML's "\0" escape can smuggle in). */
static const char *text_problem(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	uint32_t cp;
	int n;
	for (; p < end; p += n) {
		if ((n = utf8_decode(p, end, &cp)) == 0)
			return "is not valid UTF-8";
		if (is_control(cp))
			return "contains a control character";
	}
	return NULL;
}

static int check_name(const struct field *f, const char *s, size_t len, void *dst, char *why,
		      size_t whylen)
{
	const char *problem = text_problem(s, len);
	size_t spaces = 0;
	while (spaces < len && s[spaces] == ' ')
		spaces++;
	if (spaces == len)
		return cfg_say(why, whylen, "must not be empty or only spaces");
	if (len > (size_t)f->max)
		return cfg_say(why, whylen, "is too long: %zu bytes, at most %d", len, f->max);
	if (problem)
		return cfg_say(why, whylen, "%s", problem);
	memcpy(dst, s, len);
	((char *)dst)[len] = '\0';
	return 0;
}

/* Stores a copy in the char * at dst, replacing any earlier one. */
static int store_copy(const char *s, size_t len, void *dst, char *why, size_t whylen)
{
	char *copy = strndup(s, len);
	if (!copy)
		return cfg_say(why, whylen, "out of memory");
	free(*(char **)dst);
	*(char **)dst = copy;
	return 0;
}

static int check_path(const struct field *f, const char *s, size_t len, void *dst, char *why,
		      size_t whylen)
{
	const char *problem = text_problem(s, len);
	if (len == 0)
		return cfg_say(why, whylen, "must not be empty");
	if (len > (size_t)f->max)
		return cfg_say(why, whylen, "is too long: %zu bytes, at most %d", len, f->max);
	if (problem)
		return cfg_say(why, whylen, "%s", problem);
	return store_copy(s, len, dst, why, whylen);
}

static int port_problem(const char *p, size_t len, char *why, size_t whylen)
{
	char shown[SHOW_MAX];
	long port = 0;
	size_t i;
	for (i = 0; i < len && i < 6 && p[i] >= '0' && p[i] <= '9'; i++)
		port = port * 10 + (p[i] - '0');
	if (len == 0 || i < len || port < 1 || port > 65535)
		return cfg_say(why, whylen, "port %s is not a number from 1 to 65535",
			   cfg_show(p, len, shown));
	return 0;
}

/* The authority after "scheme://": an optional user:password@, a host (a name, an IPv4
 * address or an [IPv6] literal) that must not be empty, an optional :port. */
static int host_problem(const char *a, size_t len, char *why, size_t whylen)
{
	size_t end, host = 0, i, hlen, from, to;
	const char *close;
	for (end = 0; end < len && a[end] != '/' && a[end] != '?' && a[end] != '#'; end++)
		;
	/* A raw '/', '?' or '#' in a password ends the authority early for every URL parser,
	 * FFmpeg's and curl's too: say so without quoting any part of it. */
	if (url_password_span(a, len, &from, &to) && to > end)
		return cfg_say(why, whylen, "password contains '/', '?' or '#': write them as %%2F, %%3F, %%23");
	for (i = host; i < end; i++)
		if (a[i] == '@')
			host = i + 1;
	if (host < end && a[host] == '[') {
		close = memchr(a + host, ']', end - host);
		if (!close)
			return cfg_say(why, whylen, "has a '[' without ']' in its host");
		hlen = (size_t)(close - a) - host - 1;
		i = (size_t)(close - a) + 1;
		if (i < end && a[i] != ':')
			return cfg_say(why, whylen, "has text after the ']' of its host");
	} else {
		for (i = host; i < end && a[i] != ':'; i++)
			;
		hlen = i - host;
	}
	if (hlen == 0)
		return cfg_say(why, whylen, "has no host (expected scheme://host/...)");
	return i < end ? port_problem(a + i + 1, end - i - 1, why, whylen) : 0;
}

/* Why a URL cannot be probed, or 0. The URL itself is never quoted: it may hold a password. */
static int url_problem(const char *s, size_t len, char *why, size_t whylen)
{
	static const char *const schemes[] = { "rtsp", "rtsps", "http", "https" };
	char shown[SHOW_MAX];
	size_t i, slen = url_scheme_length(s, len);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return cfg_say(why, whylen,
				   "must not contain spaces or control characters (write a space as %%20)");
	if (slen == 0)
		return cfg_say(why, whylen, "expected a URL such as rtsp://camera/stream1");
	for (i = 0; i < COUNT(schemes) && !word_is(s, slen, schemes[i]); i++)
		;
	if (i == COUNT(schemes))
		return cfg_say(why, whylen, "scheme %s is not supported (use rtsp, rtsps, http or https)",
			   cfg_show(s, slen, shown));
	return host_problem(s + slen + 3, len - slen - 3, why, whylen);
}

static int check_url(const struct field *f, const char *s, size_t len, void *dst, char *why,
		     size_t whylen)
{
	if (len == 0)
		return cfg_say(why, whylen, "must not be empty");
	if (len > (size_t)f->max)
		return cfg_say(why, whylen, "is too long: %zu bytes, at most %d", len, f->max);
	if (url_problem(s, len, why, whylen) < 0)
		return -1;
	return store_copy(s, len, dst, why, whylen);
}

/* An IANA name such as America/Argentina/Buenos_Aires or Etc/GMT+5: no dots, so no way out of
 * the zoneinfo folder. */
static int zone_name_ok(const char *s, size_t len)
{
	size_t i;
	if (len == 0 || s[0] == '/' || s[len - 1] == '/')
		return 0;
	for (i = 0; i < len; i++) {
		char ch = s[i];
		if (ch == '/' ? s[i + 1] == '/' :
		    !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '_' || ch == '+' || ch == '-'))
			return 0;
	}
	return 1;
}

/* The zone exists when its file is a regular file (links followed: Debian links US/Eastern to
 * America/New_York) starting with the TZif magic; folders like "Asia" and tables like
 * "zone.tab" are not zones. */
static int zone_file_ok(const char *s, size_t len)
{
	char path[PATH_MAX], magic[4];
	struct stat st;
	int fd, ok;
	if (snprintf(path, sizeof path, "%s/%.*s", ZONEINFO_DIR, (int)len, s) >= (int)sizeof path)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* NONBLOCK: a FIFO must not hang us */
	if (fd < 0)
		return 0;
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && read(fd, magic, 4) == 4 &&
	     memcmp(magic, "TZif", 4) == 0;
	close(fd);
	return ok;
}

static int check_timezone(const struct field *f, const char *s, size_t len, void *dst,
			  char *why, size_t whylen)
{
	char shown[SHOW_MAX];
	if (len == 0)
		return cfg_say(why, whylen, "must not be empty");
	if (len > (size_t)f->max)
		return cfg_say(why, whylen, "is too long: %zu bytes, at most %d", len, f->max);
	if (s[0] == '/' || memmem(s, len, "..", 2))
		return cfg_say(why, whylen, "expected a zone name such as Europe/Berlin, not a path: %s",
			   cfg_show(s, len, shown));
	if (!zone_name_ok(s, len))
		return cfg_say(why, whylen, "%s is not a zone name such as Europe/Berlin",
			   cfg_show(s, len, shown));
	if (!zone_file_ok(s, len))
		return cfg_say(why, whylen, "unknown time zone %s (not found in %s)", cfg_show(s, len, shown),
			   ZONEINFO_DIR);
	memcpy(dst, s, len);
	((char *)dst)[len] = '\0';
	return 0;
}

#define TEXT_MAX(type, member) ((int)sizeof(((type *)0)->member) - 1)

/* The health settings, at the top level (defaults) and in a stream (overrides); `checks`, a
 * list, is read by cfg_load_checks. */
#define HEALTH_FIELDS(type)                                                                       \
	{ "frozen_after", cfg_check_int, offsetof(type, health.frozen_after), 2, 100, NULL },      \
	{ "black_max_luma", cfg_check_int, offsetof(type, health.black_max_luma), 0, 255, NULL },  \
	{ "uniform_max_stddev", cfg_check_int, offsetof(type, health.uniform_max_stddev), 0, 128,  \
	  NULL },                                                                                  \
	{ "frozen_max_diff", cfg_check_int, offsetof(type, health.frozen_max_diff), 0, 255, NULL }, \
	{ "max_latency_ms", cfg_check_int, offsetof(type, health.max_latency_ms), 0, 600000, NULL }, \
	{ "max_clients", cfg_check_int, offsetof(type, health.max_clients), 0, 64, NULL }

static const struct field settings[] = {
	{ "heartbeat_seconds", cfg_check_int, offsetof(struct config, heartbeat_seconds), 2, 3600, NULL },
	{ "timezone", check_timezone, offsetof(struct config, timezone), 1,
	  TEXT_MAX(struct config, timezone), "a time zone name such as Europe/Berlin" },
	{ "probe_timeout_seconds", cfg_check_int, offsetof(struct config, probe_timeout_seconds), 1, 300,
	  NULL },
	{ "max_concurrent_probes", cfg_check_int, offsetof(struct config, max_concurrent_probes), 1, 4096,
	  NULL },
	{ "max_probes_per_host", cfg_check_int, offsetof(struct config, max_probes_per_host), 0, 4096,
	  NULL },
	{ "thumbnail_seconds", cfg_check_int, offsetof(struct config, thumbnail_seconds), 0, 86400,
	  NULL },
	{ "retention_days", cfg_check_int, offsetof(struct config, retention_days), 1, 3650, NULL },
	{ "fail_threshold", cfg_check_int, offsetof(struct config, fail_threshold), 1, 100, NULL },
	{ "recover_threshold", cfg_check_int, offsetof(struct config, recover_threshold), 1, 100, NULL },
	{ "site_down_percent", cfg_check_int, offsetof(struct config, site_down_percent), 1, 100, NULL },
	{ "dashboard_url", check_url, offsetof(struct config, dashboard_url), 1, MAX_URL,
	  "a URL such as http://nvr.local:8000/" },
	{ "metrics_public", cfg_check_bool, offsetof(struct config, metrics_public), 0, 1,
	  "true or false" },
	{ "shard", cfg_check_shard, offsetof(struct config, shard), 1, CONFIG_SHARD_MAX,
	  "K/N such as 1/2" },
	HEALTH_FIELDS(struct config),
	{ "data_dir", check_path, offsetof(struct config, data_dir), 1, PATH_MAX - 1, "a folder path" },
	{ "database", check_path, offsetof(struct config, database), 1, PATH_MAX - 1, "a file path" },
};

static const struct field stream_fields[] = {
	{ "name", check_name, offsetof(struct stream_conf, name), 1, CONFIG_NAME_MAX, "a name" },
	{ "url", check_url, offsetof(struct stream_conf, url), 1, MAX_URL,
	  "a URL such as rtsp://camera/stream1" },
	{ "enabled", cfg_check_bool, offsetof(struct stream_conf, enabled), 0, 1, "true or false" },
	{ "transport", check_transport, offsetof(struct stream_conf, transport), 0, 2,
	  "tcp, udp or auto" },
	{ "timeout_seconds", cfg_check_int, offsetof(struct stream_conf, timeout_seconds), 1, 300, NULL },
	HEALTH_FIELDS(struct stream_conf),
};

/* ---- the YAML document ---- */

yaml_node_t *cfg_node(struct ctx *c, int index)
{
	return yaml_document_get_node(&c->doc, index);
}

const char *cfg_kind(const yaml_node_t *n)
{
	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	return "a single value";
}

int cfg_scalar_is(const yaml_node_t *n, const char *word)
{
	size_t len = strlen(word);
	return n->type == YAML_SCALAR_NODE && n->data.scalar.length == len &&
	       memcmp(n->data.scalar.value, word, len) == 0;
}

/* A plain empty, ~ or null value: YAML's way of writing "nothing here". */
int cfg_is_null(const yaml_node_t *n)
{
	static const char *const words[] = { "", "~", "null", "Null", "NULL" };
	size_t i;
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	for (i = 0; i < COUNT(words); i++)
		if (cfg_scalar_is(n, words[i]))
			return 1;
	return 0;
}

const struct field *cfg_find_field(const struct field *fields, size_t count,
				      const yaml_node_t *key)
{
	size_t i;
	for (i = 0; i < count; i++)
		if (cfg_scalar_is(key, fields[i].key))
			return &fields[i];
	return NULL;
}

/* The value under key in a mapping (and its key node in *keynode), or NULL. */
yaml_node_t *cfg_lookup(struct ctx *c, yaml_node_t *map, const char *key,
			   yaml_node_t **keynode)
{
	yaml_node_pair_t *p;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		if (cfg_scalar_is(cfg_node(c, p->key), key)) {
			if (keynode)
				*keynode = cfg_node(c, p->key);
			return cfg_node(c, p->value);
		}
	}
	return NULL;
}

static int compare_refs(const void *a, const void *b)
{
	const struct name_ref *x = a, *y = b;
	int d = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);
	if (d)
		return d;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int same_text(const struct name_ref *x, const struct name_ref *y)
{
	return x->len == y->len && memcmp(x->s, y->s, x->len) == 0;
}

/* Sorts refs and finds the earliest repeat in file order; *first and *dup index the sorted
 * array. Sorting, not comparing pairs, because a stream list may hold 100,000 names. */
static int find_repeat(struct name_ref *refs, size_t n, size_t *first, size_t *dup)
{
	size_t i;
	int found = 0;
	qsort(refs, n, sizeof *refs, compare_refs);
	for (i = 1; i < n; i++) {
		if (!same_text(&refs[i - 1], &refs[i]) || (i >= 2 && same_text(&refs[i - 2], &refs[i])))
			continue;
		if (!found || refs[i].order < refs[*dup].order) {
			*first = i - 1;
			*dup = i;
			found = 1;
		}
	}
	return found;
}

void cfg_field_path(char *out, size_t outlen, const char *prefix, const yaml_node_t *key)
{
	snprintf(out, outlen, "%s%s%.*s", prefix, prefix[0] ? "." : "", (int)key->data.scalar.length,
		 (const char *)key->data.scalar.value);
}

static int report_duplicate_key(struct ctx *c, const struct name_ref *first,
				const struct name_ref *dup, const char *prefix)
{
	char shown[SHOW_MAX];
	cfg_fail(c, dup->mark, "", "duplicate key %s (first at line %d)", cfg_show(dup->s, dup->len, shown),
	     (int)first->mark->line + 1);
	/* The message keeps the short form, but a form still needs to know which field it was. */
	if (prefix)
		snprintf(c->err->field, sizeof c->err->field, "%s%s%.*s", prefix, prefix[0] ? "." : "",
			 (int)dup->len, dup->s);
	return -1;
}

/* Rejects a key written twice in one mapping, which libyaml accepts silently and the last one
 * would win unnoticed. With a prefix (a mapping this file knows), keys must also be plain
 * values; elsewhere complex keys are left alone. */
int cfg_check_keys(struct ctx *c, yaml_node_t *map, const char *prefix)
{
	size_t n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start), m = 0, i;
	size_t first, dup;
	struct name_ref *refs;
	yaml_node_t *k;
	int rc = 0;
	if (n == 0)
		return 0;
	if (!(refs = malloc(n * sizeof *refs)))
		return cfg_fail(c, NULL, "", "out of memory");
	for (i = 0; i < n && rc == 0; i++) {
		k = cfg_node(c, map->data.mapping.pairs.start[i].key);
		if (k->type == YAML_SCALAR_NODE)
			refs[m++] = (struct name_ref){ (const char *)k->data.scalar.value,
						       k->data.scalar.length, i, &k->start_mark };
		else if (prefix)
			rc = cfg_fail(c, &k->start_mark, prefix, "keys must be plain names, got %s", cfg_kind(k));
	}
	if (rc == 0 && find_repeat(refs, m, &first, &dup))
		rc = report_duplicate_key(c, &refs[first], &refs[dup], prefix);
	free(refs);
	return rc;
}

/* Duplicates anywhere else too, e.g. inside a section this version ignores. */
static int check_all_keys(struct ctx *c)
{
	yaml_node_t *n;
	for (n = c->doc.nodes.start; n < c->doc.nodes.top; n++)
		if (n->type == YAML_MAPPING_NODE && cfg_check_keys(c, n, NULL) < 0)
			return -1;
	return 0;
}

static void describe(const struct field *f, char *out, size_t outlen)
{
	if (f->want)
		snprintf(out, outlen, "%s", f->want);
	else
		snprintf(out, outlen, "an integer from %d to %d", f->min, f->max);
}

int cfg_set_field(struct ctx *c, const struct field *f, yaml_node_t *v, void *base,
		     const char *field)
{
	char want[64], why[300];
	describe(f, want, sizeof want);
	if (v->type != YAML_SCALAR_NODE)
		return cfg_fail(c, &v->start_mark, field, "expected %s, got %s", want, cfg_kind(v));
	if (cfg_is_null(v))
		return cfg_fail(c, &v->start_mark, field, "no value given (expected %s)", want);
	if (f->check(f, (const char *)v->data.scalar.value, v->data.scalar.length,
		     (char *)base + f->offset, why, sizeof why) < 0)
		return cfg_fail(c, &v->start_mark, field, "%s", why);
	return 0;
}

int cfg_warn_unknown(struct ctx *c, const yaml_node_t *key)
{
	char shown[SHOW_MAX];
	if (key->type != YAML_SCALAR_NODE)
		return 0;
	return cfg_warn(c, &key->start_mark, "unknown key %s ignored",
		    cfg_show((const char *)key->data.scalar.value, key->data.scalar.length, shown));
}

static int is_rtsp(const char *url)
{
	return strncasecmp(url, "rtsp://", 7) == 0 || strncasecmp(url, "rtsps://", 8) == 0;
}

static int load_stream(struct ctx *c, yaml_node_t *map, size_t i)
{
	struct stream_conf *s = &c->cfg->streams[i];
	char prefix[32], field[96];
	const struct field *f;
	yaml_node_pair_t *p;
	yaml_node_t *k;
	s->enabled = 1;
	s->transport = TRANSPORT_AUTO;
	health_unset(&s->health);
	s->line = (int)map->start_mark.line + 1;
	snprintf(prefix, sizeof prefix, "streams[%zu]", i);
	if (map->type != YAML_MAPPING_NODE)
		return cfg_fail(c, &map->start_mark, prefix, "expected a stream (name: ..., url: ...), got %s",
			    cfg_kind(map));
	if (cfg_check_keys(c, map, prefix) < 0)
		return -1;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		k = cfg_node(c, p->key);
		if (cfg_scalar_is(k, "checks")) {
			cfg_field_path(field, sizeof field, prefix, k);
			if (cfg_load_checks(c, cfg_node(c, p->value), &s->health.checks, field) < 0)
				return -1;
			continue;
		}
		if (!(f = cfg_find_field(stream_fields, COUNT(stream_fields), k))) {
			if (cfg_warn_unknown(c, k) < 0)
				return -1;
			continue;
		}
		cfg_field_path(field, sizeof field, prefix, k);
		if (cfg_set_field(c, f, cfg_node(c, p->value), s, field) < 0)
			return -1;
	}
	snprintf(field, sizeof field, "%s.%s", prefix, s->name[0] ? "url" : "name");
	if (!s->name[0] || !s->url)
		return cfg_fail(c, &map->start_mark, field, "missing (every stream needs a name and a url)");
	/* transport picks RTSP's interleaving; elsewhere it would silently do nothing. */
	if (cfg_lookup(c, map, "transport", &k) && !is_rtsp(s->url))
		return cfg_warn(c, &k->start_mark, "%s.transport: only applies to rtsp and rtsps URLs, ignored",
			    prefix);
	return 0;
}

static int check_unique_names(struct ctx *c, yaml_node_t *seq)
{
	struct config *cfg = c->cfg;
	struct name_ref *refs = malloc(cfg->nstreams * sizeof *refs);
	size_t i, a, b;
	char field[96], shown[SHOW_MAX];
	yaml_node_t *first, *dup;
	int rc = 0;
	if (!refs)
		return cfg_fail(c, NULL, "", "out of memory");
	for (i = 0; i < cfg->nstreams; i++)
		refs[i] = (struct name_ref){ cfg->streams[i].name, strlen(cfg->streams[i].name), i, NULL };
	if (find_repeat(refs, cfg->nstreams, &a, &b)) {
		first = cfg_lookup(c, cfg_node(c, seq->data.sequence.items.start[refs[a].order]), "name", NULL);
		dup = cfg_lookup(c, cfg_node(c, seq->data.sequence.items.start[refs[b].order]), "name", NULL);
		snprintf(field, sizeof field, "streams[%zu].name", refs[b].order);
		rc = cfg_fail(c, &dup->start_mark, field, "duplicate name %s (first at line %d, streams[%zu])",
			  cfg_show(refs[b].s, refs[b].len, shown), (int)first->start_mark.line + 1,
			  refs[a].order);
	}
	free(refs);
	return rc;
}

static int load_streams(struct ctx *c, yaml_node_t *seq)
{
	struct config *cfg = c->cfg;
	size_t n, i;
	if (cfg_is_null(seq))
		return 0;
	if (seq->type != YAML_SEQUENCE_NODE)
		return cfg_fail(c, &seq->start_mark, "streams",
			    "expected a list of streams (- name: ..., url: ...), got %s", cfg_kind(seq));
	n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	if (n > MAX_STREAMS)
		return cfg_fail(c, &seq->start_mark, "streams", "too many streams: %zu (at most %d)", n,
			    MAX_STREAMS);
	if (n == 0)
		return 0;
	if (!(cfg->streams = calloc(n, sizeof *cfg->streams)))
		return cfg_fail(c, NULL, "", "out of memory");
	cfg->nstreams = n;
	for (i = 0; i < n; i++)
		if (load_stream(c, cfg_node(c, seq->data.sequence.items.start[i]), i) < 0)
			return -1;
	return check_unique_names(c, seq);
}

static int load_settings(struct ctx *c, yaml_node_t *root)
{
	const yaml_mark_t start = { 0, 0, 0 };
	yaml_node_t *k, *streams = NULL;
	const struct field *f;
	yaml_node_pair_t *p;
	if (cfg_is_null(root))
		return cfg_fail(c, &start, "", "empty file");
	if (root->type != YAML_MAPPING_NODE)
		return cfg_fail(c, &root->start_mark, "",
			    "the top level must be a mapping of settings (key: value), got %s", cfg_kind(root));
	if (cfg_check_keys(c, root, "") < 0)
		return -1;
	for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		k = cfg_node(c, p->key);
		f = cfg_find_field(settings, COUNT(settings), k);
		if (cfg_scalar_is(k, "streams"))
			streams = cfg_node(c, p->value);
		else if (cfg_scalar_is(k, "checks")) {
			if (cfg_load_checks(c, cfg_node(c, p->value), &c->cfg->health.checks, "checks") < 0)
				return -1;
		} else if (cfg_scalar_is(k, "alerts")) {
			if (cfg_load_alerts(c, cfg_node(c, p->value)) < 0)
				return -1;
		} else if (f ? cfg_set_field(c, f, cfg_node(c, p->value), c->cfg, f->key) < 0
			   : cfg_warn_unknown(c, k) < 0)
			return -1;
	}
	if (streams && load_streams(c, streams) < 0)
		return -1;
	for (size_t i = 0; i < c->cfg->nstreams; i++)
		health_inherit(&c->cfg->streams[i].health, &c->cfg->health);
	return 0;
}

/* ---- parsing ---- */

/* Line and column of a byte offset: libyaml reports reader errors (bad UTF-8, control
 * characters) with an offset only. */
static yaml_mark_t mark_at(const struct ctx *c, size_t offset)
{
	yaml_mark_t m = { offset, 0, 0 };
	size_t i;
	for (i = 0; i < offset && i < c->len; i++) {
		unsigned char ch = (unsigned char)c->text[i];
		if (ch == '\n' || (ch == '\r' && (i + 1 == c->len || c->text[i + 1] != '\n')))
			m.line++, m.column = 0;
		else if ((ch & 0xc0) != 0x80)
			m.column++;
	}
	return m;
}

static int tab_indented(const struct ctx *c, size_t line)
{
	size_t i = 0, l = 0;
	for (; i < c->len && l < line; i++)
		if (c->text[i] == '\n')
			l++;
	for (; i < c->len && (c->text[i] == ' ' || c->text[i] == '\t'); i++)
		if (c->text[i] == '\t')
			return 1;
	return 0;
}

/* libyaml's own words and place; a tab in the indentation gets a plain hint because "found
 * character that cannot start any token" does not tell a user what to change. */
static int syntax_error(struct ctx *c, const yaml_parser_t *p)
{
	const char *problem = p->problem ? p->problem : "syntax error";
	yaml_mark_t m = p->problem_mark;
	if (p->error == YAML_MEMORY_ERROR)
		return cfg_fail(c, NULL, "", "out of memory");
	if (p->error == YAML_READER_ERROR) {
		m = mark_at(c, p->problem_offset);
		if (p->problem_value >= 0)
			return cfg_fail(c, &m, "", "%s (#%X)", problem, (unsigned)p->problem_value);
		return cfg_fail(c, &m, "", "%s", problem);
	}
	if (tab_indented(c, m.line))
		return cfg_fail(c, &m, "", "tabs are not allowed in indentation, use spaces (%s)", problem);
	if (p->context)
		return cfg_fail(c, &m, "", "%s (%s at line %d)", problem, p->context,
			    (int)p->context_mark.line + 1);
	return cfg_fail(c, &m, "", "%s", problem);
}

static int check_event(struct ctx *c, const yaml_event_t *ev, int *docs, int *depth)
{
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		/* Expanding aliases is how a few bytes become gigabytes ("billion laughs"). */
		return cfg_fail(c, &ev->start_mark, "", "aliases are not allowed (found *%.40s)",
			    (const char *)ev->data.alias.anchor);
	case YAML_DOCUMENT_START_EVENT:
		if (++*docs > 1)
			return cfg_fail(c, &ev->start_mark, "", "only one YAML document is allowed");
		return 0;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (++*depth > MAX_DEPTH)
			return cfg_fail(c, &ev->start_mark, "", "nested more than %d levels deep", MAX_DEPTH);
		return 0;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		--*depth;
		return 0;
	default:
		return 0;
	}
}

static int init_parser(struct ctx *c, yaml_parser_t *p)
{
	if (!yaml_parser_initialize(p))
		return cfg_fail(c, NULL, "", "out of memory");
	yaml_parser_set_input_string(p, (const unsigned char *)c->text, c->len);
	/* Offsets in messages are bytes of this text: no silent UTF-16 conversion. */
	yaml_parser_set_encoding(p, YAML_UTF8_ENCODING);
	return 0;
}

/* Reads the whole stream as events before loading it: yaml_parser_load stops after the first
 * document (missing a later syntax error), shares aliased nodes (cycles) and recurses per
 * nesting level. */
static int scan_events(struct ctx *c)
{
	const yaml_mark_t start = { 0, 0, 0 };
	yaml_parser_t p;
	yaml_event_t ev;
	int docs = 0, depth = 0, rc = 0, end = 0;
	if (init_parser(c, &p) < 0)
		return -1;
	while (rc == 0 && !end) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = syntax_error(c, &p);
			break;
		}
		rc = check_event(c, &ev, &docs, &depth);
		end = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	if (rc == 0 && docs == 0)
		rc = cfg_fail(c, &start, "", "empty file");
	return rc;
}

static int load_document(struct ctx *c)
{
	yaml_parser_t p;
	int rc = 0;
	if (init_parser(c, &p) < 0)
		return -1;
	if (!yaml_parser_load(&p, &c->doc)) /* it frees the document itself on failure */
		rc = syntax_error(c, &p);
	yaml_parser_delete(&p);
	return rc;
}

static char *join(const char *dir, const char *rel)
{
	size_t n = strlen(dir);
	char *out;
	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	while (n > 0 && dir[n - 1] == '/')
		n--;
	if (!(out = malloc(n + strlen(rel) + 2)))
		return NULL;
	memcpy(out, dir, n);
	out[n] = '/';
	strcpy(out + n + 1, rel);
	return out;
}

/* The config's folder as an absolute path: resolved when it exists (a stable name for the
 * database whatever the working directory), else joined to the working directory. */
static char *absolute_dir(const char *dir)
{
	char cwd[PATH_MAX], *real;
	if (!dir || !dir[0])
		dir = ".";
	if ((real = realpath(dir, NULL)))
		return real;
	if (dir[0] == '/')
		return strdup(dir);
	return getcwd(cwd, sizeof cwd) ? join(cwd, dir) : NULL;
}

/* Replaces a relative *path with base/path, a missing one with base/fallback. */
static int make_absolute(const char *base, char **path, const char *fallback)
{
	char *abs;
	if (*path && (*path)[0] == '/')
		return 0;
	if (!(abs = join(base, *path ? *path : fallback)))
		return -1;
	free(*path);
	*path = abs;
	return 0;
}

static int resolve_paths(struct ctx *c, const char *base_dir)
{
	struct config *cfg = c->cfg;
	char *base = absolute_dir(base_dir);
	int rc;
	if (!base)
		return cfg_fail(c, NULL, "", "cannot resolve the folder of the config: %s", strerror(errno));
	if (make_absolute(base, &cfg->data_dir, "data") < 0)
		rc = -1;
	else if (!cfg->database)
		rc = (cfg->database = join(cfg->data_dir, "streams.db")) ? 0 : -1;
	else
		rc = make_absolute(base, &cfg->database, NULL);
	free(base);
	return rc < 0 ? cfg_fail(c, NULL, "", "out of memory") : 0;
}

const char **config_names(const struct config *cfg)
{
	const char **names = calloc(cfg->nstreams + 1, sizeof *names);
	for (size_t i = 0; names && i < cfg->nstreams; i++)
		names[i] = cfg->streams[i].name;
	return names;
}

int config_probe_limit(const struct config *cfg)
{
	if (cfg->max_concurrent_probes > 0)
		return cfg->max_concurrent_probes;
	long n = (long)cfg->nstreams * 2 / cfg->heartbeat_seconds + 32;
	return (int)(n > 1024 ? 1024 : n);
}

static void set_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->heartbeat_seconds = 15;
	strcpy(cfg->timezone, "UTC");
	cfg->probe_timeout_seconds = 10;
	cfg->thumbnail_seconds = 300;
	cfg->max_probes_per_host = 4;
	cfg->retention_days = 30;
	cfg->fail_threshold = 2;
	cfg->recover_threshold = 1;
	cfg->site_down_percent = 50;
	cfg->shard = (struct shard_conf){ 1, 1 };
	config_health_defaults(&cfg->health);
}

static int parse_text(struct ctx *c, const char *base_dir)
{
	int rc;
	if (c->len > MAX_FILE_BYTES)
		return cfg_fail(c, NULL, "", "file is larger than 4 MiB");
	if (scan_events(c) < 0 || load_document(c) < 0)
		return -1;
	rc = load_settings(c, yaml_document_get_root_node(&c->doc));
	if (rc == 0)
		rc = check_all_keys(c);
	if (rc == 0)
		rc = resolve_paths(c, base_dir);
	yaml_document_delete(&c->doc);
	return rc;
}

int config_parse(const char *text, size_t len, const char *name, const char *base_dir,
		 struct config *cfg, struct config_error *err)
{
	struct ctx c = { .name = name ? name : "config", .text = text ? text : "",
			 .len = text ? len : 0, .cfg = cfg, .err = err };
	memset(err, 0, sizeof *err);
	set_defaults(cfg);
	if (parse_text(&c, base_dir) == 0)
		return 0;
	config_free(cfg);
	return -1;
}

static int read_error(struct config_error *err, const char *path, int errnum)
{
	char text[300];
	if (errnum == EFBIG)
		snprintf(text, sizeof text, "file is larger than 4 MiB");
	else
		snprintf(text, sizeof text, "cannot read: %s", strerror(errnum));
	config_error_set(err, path, 0, 0, "", "%s", text);
	return -1;
}

static int read_file(const char *path, char **out, size_t *outlen, struct config_error *err)
{
	if (file_read_all(path, MAX_FILE_BYTES, out, outlen) < 0)
		return read_error(err, path, errno);
	return 0;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	return slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
}

int config_load(const char *path, struct config *cfg, struct config_error *err)
{
	char *text = NULL, *dir;
	size_t len = 0;
	int rc = -1;
	memset(cfg, 0, sizeof *cfg);
	memset(err, 0, sizeof *err);
	if (read_file(path, &text, &len, err) < 0)
		return -1;
	if (!(dir = dir_of(path)))
		config_error_set(err, path, 0, 0, "", "out of memory");
	else
		rc = config_parse(text, len, path, dir, cfg, err);
	free(dir);
	free(text);
	return rc;
}

void config_free(struct config *cfg)
{
	size_t i;
	if (!cfg)
		return;
	for (i = 0; i < cfg->nstreams; i++)
		free(cfg->streams[i].url);
	free(cfg->streams);
	for (i = 0; i < cfg->nwarnings; i++)
		free(cfg->warnings[i]);
	free(cfg->warnings);
	config_alerts_free(cfg);
	free(cfg->dashboard_url);
	free(cfg->data_dir);
	free(cfg->database);
	memset(cfg, 0, sizeof *cfg);
}

int config_stream_timeout(const struct config *cfg, const struct stream_conf *s)
{
	return s && s->timeout_seconds > 0 ? s->timeout_seconds : cfg->probe_timeout_seconds;
}

/* ---- shared with config_alerts.c ---- */

const char *cfg_text_problem(const char *s, size_t len)
{
	return text_problem(s, len);
}

int cfg_host_problem(const char *authority, size_t len, char *why, size_t whylen)
{
	return host_problem(authority, len, why, whylen);
}
