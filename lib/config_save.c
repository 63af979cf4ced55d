/* config_save.c - the web's config editor: applies a form's edit to config.yaml, safely. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_CLOEXEC, strndup */
#endif
#include "config.h"
#include "hash.h"
#include "fileio.h"
#include "url.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#define MAX_FILE_BYTES ((size_t)4 << 20) /* config_parse's limit too */
#define MAX_DEPTH 64                     /* config_parse's limit too */
#define URL_BUF 8192                     /* beyond config's 4096 so its own check names the problem */
#define PRINTF(f, a) __attribute__((format(printf, f, a)))

/* One save: the file as read, the edit, and the new document being built. */
struct build {
	const char *name;                  /* the file's base name, for messages */
	const struct config_edit *edit;
	yaml_document_t in, out;
	struct old_stream *old;            /* the file's streams, sorted by name */
	size_t nold;
	char **urls;                       /* each edited stream's URL, the stored password restored */
	struct config_error *err;
};

struct old_stream {
	const char *name;
	size_t len;
	yaml_node_t *map;
	int taken;                         /* an edited stream already came from this one */
};

/* ---- messages ---- */

PRINTF(4, 5) static void set_err(struct config_error *err, const char *name, const char *field,
				 const char *fmt, ...)
{
	va_list ap;
	memset(err, 0, sizeof *err);
	va_start(ap, fmt);
	config_error_vset(err, name, 0, 0, field, fmt, ap);
	va_end(ap);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash && slash[1] ? slash + 1 : path;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	return slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
}

/* ---- the file on disk ---- */

static int read_file(const char *path, char **out, size_t *outlen, struct config_error *err)
{
	if (file_read_all(path, MAX_FILE_BYTES, out, outlen) == 0)
		return 0;
	if (errno == EFBIG)
		set_err(err, path, "", "file is larger than 4 MiB");
	else
		set_err(err, path, "", "cannot read: %s", strerror(errno));
	return -1;
}

static int version_of(const char *path, char out[65], char **text, size_t *len,
		      struct config_error *err)
{
	if (read_file(path, text, len, err) < 0)
		return -1;
	if (hash_sha256_hex(*text, *len, out) < 0) {
		free(*text);
		*text = NULL;
		set_err(err, path, "", "out of memory");
		return -1;
	}
	return 0;
}

int config_version(const char *path, char out[65], struct config_error *err)
{
	char *text;
	size_t len;
	memset(err, 0, sizeof *err);
	if (version_of(path, out, &text, &len, err) < 0)
		return -1;
	free(text);
	return 0;
}

/* ---- reading the current file ---- */

static int yaml_problem(struct build *b, const yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR)
		set_err(b->err, b->name, "", "out of memory");
	else
		set_err(b->err, b->name, "", "%d:%d: %s (fix the file by hand)",
			(int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1,
			p->problem ? p->problem : "syntax error");
	return -1;
}

/* yaml_parser_load recurses once per nesting level and shares aliased nodes (a cycle would
 * send the copy round forever): refuse both before loading, as config_parse does. */
static int check_events(struct build *b, const char *text, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int depth = 0, rc = 0, end = 0;
	if (!yaml_parser_initialize(&p)) {
		set_err(b->err, b->name, "", "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	while (rc == 0 && !end) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = yaml_problem(b, &p);
			break;
		}
		if (ev.type == YAML_ALIAS_EVENT) {
			set_err(b->err, b->name, "", "aliases are not allowed (fix the file by hand)");
			rc = -1;
		} else if ((ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) &&
			   ++depth > MAX_DEPTH) {
			set_err(b->err, b->name, "", "nested more than %d levels deep", MAX_DEPTH);
			rc = -1;
		} else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
			depth--;
		}
		end = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return rc;
}

static int load_current(struct build *b, const char *text, size_t len)
{
	yaml_parser_t p;
	int rc = 0;
	if (check_events(b, text, len) < 0)
		return -1;
	if (!yaml_parser_initialize(&p)) {
		set_err(b->err, b->name, "", "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	if (!yaml_parser_load(&p, &b->in)) { /* frees the document itself on failure */
		rc = yaml_problem(b, &p);
		memset(&b->in, 0, sizeof b->in);
	}
	yaml_parser_delete(&p);
	return rc;
}

static yaml_node_t *in_node(struct build *b, int index)
{
	return yaml_document_get_node(&b->in, index);
}

static int scalar_is(const yaml_node_t *n, const char *word)
{
	size_t len = strlen(word);
	return n && n->type == YAML_SCALAR_NODE && n->data.scalar.length == len &&
	       memcmp(n->data.scalar.value, word, len) == 0;
}

static yaml_node_t *lookup(struct build *b, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
		if (scalar_is(in_node(b, p->key), key))
			return in_node(b, p->value);
	return NULL;
}

static int compare_old(const void *a, const void *c)
{
	const struct old_stream *x = a, *y = c;
	int d = memcmp(x->name, y->name, x->len < y->len ? x->len : y->len);
	return d ? d : (x->len > y->len) - (x->len < y->len);
}

/* Indexes the file's streams by name: an edit names the stream it came from. */
static int index_old_streams(struct build *b, yaml_node_t *seq)
{
	yaml_node_item_t *it;
	if (!seq || seq->type != YAML_SEQUENCE_NODE)
		return 0;
	size_t n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	if (n && !(b->old = calloc(n, sizeof *b->old))) {
		set_err(b->err, b->name, "", "out of memory");
		return -1;
	}
	for (it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		yaml_node_t *map = in_node(b, *it), *name = lookup(b, map, "name");
		if (name && name->type == YAML_SCALAR_NODE)
			b->old[b->nold++] = (struct old_stream){ (const char *)name->data.scalar.value,
							       name->data.scalar.length, map, 0 };
	}
	qsort(b->old, b->nold, sizeof *b->old, compare_old);
	return 0;
}

static struct old_stream *find_old(struct build *b, const char *name)
{
	struct old_stream key = { name, strlen(name), NULL, 0 };
	return b->nold ? bsearch(&key, b->old, b->nold, sizeof *b->old, compare_old) : NULL;
}

/* ---- building the new document ---- */

/* Keys, numbers, booleans. */
static int add_word(struct build *b, const char *s)
{
	return yaml_document_add_scalar(&b->out, NULL, (const yaml_char_t *)s, -1,
					YAML_PLAIN_SCALAR_STYLE);
}

/* User text: the emitter picks plain or quoted as the characters require, but it does not
 * know YAML's null words, which config_parse would then read as "no value". */
static int add_text(struct build *b, const char *s)
{
	yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;
	if (!s[0] || !strcmp(s, "~") || !strcasecmp(s, "null"))
		style = YAML_SINGLE_QUOTED_SCALAR_STYLE;
	return yaml_document_add_scalar(&b->out, NULL, (const yaml_char_t *)s, -1, style);
}

static int add_pair(struct build *b, int map, int key, int value)
{
	return key && value && yaml_document_append_mapping_pair(&b->out, map, key, value);
}

/* A node of the old file, as it was: tags and scalar/collection styles kept. */
static int copy_node(struct build *b, yaml_node_t *n, int depth)
{
	yaml_node_item_t *it;
	yaml_node_pair_t *p;
	int id = 0;
	if (!n || depth > MAX_DEPTH)
		return 0;
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return yaml_document_add_scalar(&b->out, n->tag, n->data.scalar.value,
						(int)n->data.scalar.length, n->data.scalar.style);
	case YAML_SEQUENCE_NODE:
		if (!(id = yaml_document_add_sequence(&b->out, n->tag, n->data.sequence.style)))
			return 0;
		for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			int item = copy_node(b, in_node(b, *it), depth + 1);
			if (!item || !yaml_document_append_sequence_item(&b->out, id, item))
				return 0;
		}
		return id;
	case YAML_MAPPING_NODE:
		if (!(id = yaml_document_add_mapping(&b->out, n->tag, n->data.mapping.style)))
			return 0;
		for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
			if (!add_pair(b, id, copy_node(b, in_node(b, p->key), depth + 1),
				      copy_node(b, in_node(b, p->value), depth + 1)))
				return 0;
		return id;
	default:
		return 0;
	}
}

static int out_of_memory(struct build *b)
{
	set_err(b->err, b->name, "", "out of memory");
	return -1;
}

/* The URL as the user meant it: a masked password stands for the one the file holds. Never
 * quotes a URL in a message. */
static int edited_url(struct build *b, size_t i, const struct old_stream *old)
{
	const char *url = b->edit->streams[i].url ? b->edit->streams[i].url : "";
	yaml_node_t *stored = old ? lookup(b, old->map, "url") : NULL;
	char *stored_text = NULL, field[48];
	int rc;
	snprintf(field, sizeof field, "streams[%zu].url", i);
	if (stored && stored->type == YAML_SCALAR_NODE &&
	    !(stored_text = strndup((const char *)stored->data.scalar.value, stored->data.scalar.length)))
		return out_of_memory(b);
	if (!(b->urls[i] = malloc(URL_BUF))) {
		free(stored_text);
		return out_of_memory(b);
	}
	rc = url_restore_password(url, stored_text, b->urls[i], URL_BUF);
	free(stored_text);
	if (rc == -1)
		set_err(b->err, b->name, field, "no stored password to keep (type the password)");
	else if (rc == -3)
		set_err(b->err, b->name, field, "the camera's address or user changed: type its password "
			"again (a kept password only goes to the camera it was stored for)");
	else if (rc < 0)
		set_err(b->err, b->name, field, "is too long: at most 4096 bytes");
	return rc < 0 ? -1 : 0;
}

/* One stream: an existing one keeps its keys (transport, timeout_seconds, unknown ones) in
 * their order, with name, url and enabled set from the form; a new one gets only those. */
static int build_stream(struct build *b, size_t i)
{
	const struct stream_edit *e = &b->edit->streams[i];
	struct old_stream *old = NULL;
	int map, set_name = 0, set_url = 0, set_enabled = 0;
	char field[48];
	snprintf(field, sizeof field, "streams[%zu].name", i);
	if (e->old_name[0]) {
		if (!(old = find_old(b, e->old_name))) {
			set_err(b->err, b->name, field, "the file has no stream named \"%s\" any more "
				"(reload and redo your change)", e->old_name);
			return -1;
		}
		if (old->taken) {
			set_err(b->err, b->name, field, "two streams of the form come from \"%s\"",
				e->old_name);
			return -1;
		}
		old->taken = 1;
	}
	if (edited_url(b, i, old) < 0)
		return -1;
	if (!(map = yaml_document_add_mapping(&b->out, NULL, YAML_BLOCK_MAPPING_STYLE)))
		return out_of_memory(b);
	for (yaml_node_pair_t *p = old ? old->map->data.mapping.pairs.start : NULL;
	     old && p < old->map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = in_node(b, p->key);
		int key = copy_node(b, k, 1), value;
		if (scalar_is(k, "name"))
			value = add_text(b, e->name), set_name = 1;
		else if (scalar_is(k, "url"))
			value = add_text(b, b->urls[i]), set_url = 1;
		else if (scalar_is(k, "enabled"))
			value = add_word(b, e->enabled ? "true" : "false"), set_enabled = 1;
		else
			value = copy_node(b, in_node(b, p->value), 1);
		if (!add_pair(b, map, key, value))
			goto bad;
	}
	if ((!set_name && !add_pair(b, map, add_word(b, "name"), add_text(b, e->name))) ||
	    (!set_url && !add_pair(b, map, add_word(b, "url"), add_text(b, b->urls[i]))) ||
	    (!set_enabled && !e->enabled &&
	     !add_pair(b, map, add_word(b, "enabled"), add_word(b, "false"))))
		goto bad;
	return map;
bad:
	/* Old nodes were checked UTF-8 by the parser: a failure here is the form's text. */
	set_err(b->err, b->name, field, "the name or URL is not valid UTF-8");
	return -1;
}

static int build_streams(struct build *b)
{
	size_t n = b->edit->nstreams;
	int seq;
	if (n && !(b->urls = calloc(n, sizeof *b->urls)))
		return out_of_memory(b);
	if (!(seq = yaml_document_add_sequence(&b->out, NULL, YAML_BLOCK_SEQUENCE_STYLE)))
		return out_of_memory(b);
	for (size_t i = 0; i < n; i++) {
		int map = build_stream(b, i);
		if (map < 0)
			return -1;
		if (!yaml_document_append_sequence_item(&b->out, seq, map))
			return out_of_memory(b);
	}
	return seq;
}

enum { KEY_HEARTBEAT = 1, KEY_TIMEZONE = 2, KEY_STREAMS = 4 };

/* Adds the edited settings not written yet; heartbeat and timezone go before streams. */
static int add_edited(struct build *b, int root, int *done, int which, yaml_node_t *old_tz)
{
	char num[16];
	if ((which & KEY_HEARTBEAT) && !(*done & KEY_HEARTBEAT)) {
		snprintf(num, sizeof num, "%d", b->edit->heartbeat_seconds);
		if (!add_pair(b, root, add_word(b, "heartbeat_seconds"), add_word(b, num)))
			return out_of_memory(b);
		*done |= KEY_HEARTBEAT;
	}
	if ((which & KEY_TIMEZONE) && !(*done & KEY_TIMEZONE)) {
		*done |= KEY_TIMEZONE;
		if (b->edit->timezone) {
			if (!add_pair(b, root, add_word(b, "timezone"), add_text(b, b->edit->timezone))) {
				set_err(b->err, b->name, "timezone", "is not valid UTF-8");
				return -1;
			}
		} else if (old_tz && !add_pair(b, root, add_word(b, "timezone"), copy_node(b, old_tz, 1))) {
			return out_of_memory(b);
		}
	}
	if ((which & KEY_STREAMS) && !(*done & KEY_STREAMS)) {
		int seq = build_streams(b);
		if (seq < 0)
			return -1;
		if (!add_pair(b, root, add_word(b, "streams"), seq))
			return out_of_memory(b);
		*done |= KEY_STREAMS;
	}
	return 0;
}

/* The new document: the file's top-level keys in their order, the three the form edits
 * replaced in place (or added), everything else copied as it was. */
static int build_document(struct build *b)
{
	yaml_node_t *root = yaml_document_get_root_node(&b->in), *old_tz = NULL;
	int out_root, done = 0;
	if (root && root->type != YAML_MAPPING_NODE) {
		set_err(b->err, b->name, "", "the top level must be a mapping of settings (fix the file by hand)");
		return -1;
	}
	if (index_old_streams(b, lookup(b, root, "streams")) < 0)
		return -1;
	old_tz = lookup(b, root, "timezone");
	if (!yaml_document_initialize(&b->out, NULL, NULL, NULL, 1, 1))
		return out_of_memory(b);
	if (!(out_root = yaml_document_add_mapping(&b->out, NULL, YAML_BLOCK_MAPPING_STYLE)))
		return out_of_memory(b);
	for (yaml_node_pair_t *p = root ? root->data.mapping.pairs.start : NULL;
	     root && p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = in_node(b, p->key);
		int rc;
		if (scalar_is(k, "heartbeat_seconds"))
			rc = add_edited(b, out_root, &done, KEY_HEARTBEAT, old_tz);
		else if (scalar_is(k, "timezone"))
			rc = add_edited(b, out_root, &done, KEY_TIMEZONE, old_tz);
		else if (scalar_is(k, "streams"))
			rc = add_edited(b, out_root, &done, KEY_HEARTBEAT | KEY_TIMEZONE | KEY_STREAMS, old_tz);
		else
			rc = add_pair(b, out_root, copy_node(b, k, 1), copy_node(b, in_node(b, p->value), 1))
				     ? 0 : out_of_memory(b);
		if (rc < 0)
			return -1;
	}
	return add_edited(b, out_root, &done, KEY_HEARTBEAT | KEY_TIMEZONE | KEY_STREAMS, old_tz);
}

struct text_buf {
	char *p;
	size_t len, cap;
};

static int write_text(void *data, unsigned char *buf, size_t size)
{
	struct text_buf *t = data;
	if (t->len + size + 1 > t->cap) {
		size_t cap = (t->len + size + 1) * 2;
		char *grown = realloc(t->p, cap);
		if (!grown)
			return 0;
		t->p = grown;
		t->cap = cap;
	}
	memcpy(t->p + t->len, buf, size);
	t->len += size;
	t->p[t->len] = '\0';
	return 1;
}

/* Emits (and so consumes) b->out. Block style, UTF-8 as is, no line folding. */
static int emit(struct build *b, struct text_buf *t)
{
	yaml_emitter_t e;
	int ok;
	if (!yaml_emitter_initialize(&e)) {
		yaml_document_delete(&b->out);
		return out_of_memory(b);
	}
	yaml_emitter_set_output(&e, write_text, t);
	yaml_emitter_set_encoding(&e, YAML_UTF8_ENCODING);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_width(&e, -1);
	yaml_emitter_set_indent(&e, 2);
	if (!yaml_emitter_open(&e)) {
		yaml_document_delete(&b->out);
		ok = 0;
	} else {
		ok = yaml_emitter_dump(&e, &b->out) && yaml_emitter_close(&e) && yaml_emitter_flush(&e);
	}
	if (!ok)
		set_err(b->err, b->name, "", "cannot write the new YAML: %s",
			e.problem ? e.problem : "out of memory");
	yaml_emitter_delete(&e);
	return ok && t->p ? 0 : -1;
}

/* What config_parse read back must be what the form said: a quoting slip in the emitter
 * must not silently rename a stream or change a URL. */
static int check_read_back(struct build *b, const struct config *cfg)
{
	const struct config_edit *ed = b->edit;
	if (cfg->nstreams != ed->nstreams || cfg->heartbeat_seconds != ed->heartbeat_seconds ||
	    (ed->timezone && strcmp(cfg->timezone, ed->timezone))) {
		set_err(b->err, b->name, "", "internal error: the new file does not read back as edited");
		return -1;
	}
	for (size_t i = 0; i < ed->nstreams; i++) {
		const struct stream_conf *s = &cfg->streams[i];
		if (strcmp(s->name, ed->streams[i].name) || strcmp(s->url, b->urls[i]) ||
		    !s->enabled != !ed->streams[i].enabled) {
			char field[48];
			snprintf(field, sizeof field, "streams[%zu]", i);
			set_err(b->err, b->name, field,
				"internal error: the new file does not read back as edited");
			return -1;
		}
	}
	return 0;
}

/* config_parse masks the password span it finds, but a password holding a raw '/', '?' or
 * '#' ends the URL's authority early and its first part comes back quoted as a "port":
 * scrub every edited password, and that part of the URL the error is about. */
static void scrub_passwords(struct build *b, struct config_error *err)
{
	char pw[512], field[48];
	for (size_t i = 0; b->urls && i < b->edit->nstreams; i++) {
		if (!b->urls[i])
			continue;
		url_password(b->urls[i], pw, sizeof pw);
		url_scrub(err->message, sizeof err->message, pw);
		snprintf(field, sizeof field, "streams[%zu].url", i);
		if (strcmp(err->field, field) == 0) {
			pw[strcspn(pw, "/?#")] = '\0';
			url_scrub(err->message, sizeof err->message, pw);
		}
	}
}

static int lock_file(const char *path, struct config_error *err)
{
	char lock[4096];
	int fd;
	if ((size_t)snprintf(lock, sizeof lock, "%s.lock", path) >= sizeof lock) {
		set_err(err, path, "", "path too long");
		return -1;
	}
	if ((fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		set_err(err, lock, "", "cannot open the lock file: %s", strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			set_err(err, lock, "", "cannot lock: %s", strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

static void conflict(struct config_error *err, const char *name)
{
	memset(err, 0, sizeof *err);
	snprintf(err->message, sizeof err->message, "%s changed since you opened it (someone else "
		 "saved): reload and redo your change", name);
}

static int write_file(const char *path, const struct text_buf *t, struct config_error *err)
{
	char why[512];
	if (file_write_atomic(path, t->p, t->len, why, sizeof why) < 0) {
		memset(err, 0, sizeof *err);
		snprintf(err->message, sizeof err->message, "%s", why); /* names the path already */
		return -1;
	}
	return 0;
}

/* Lock, read, check the version, build, validate, check the version again, write: the lock
 * stops two web savers; the second check catches someone saving with an editor meanwhile. */
enum config_save_result config_save(const char *path, const char *expected_version,
				    const struct config_edit *edit, struct config_error *err)
{
	struct build b = { .name = base_name(path), .edit = edit, .err = err };
	struct text_buf t = { 0 };
	struct config cfg;
	char version[65], *text = NULL, *dir = NULL;
	size_t len;
	enum config_save_result rc = CONFIG_SAVE_IO;
	int lock, loaded = 0;
	memset(err, 0, sizeof *err);
	if ((lock = lock_file(path, err)) < 0)
		return CONFIG_SAVE_IO;
	if (version_of(path, version, &text, &len, err) < 0)
		goto end;
	if (!expected_version || strcmp(version, expected_version) != 0) {
		conflict(err, b.name);
		rc = CONFIG_SAVE_CONFLICT;
		goto end;
	}
	rc = CONFIG_SAVE_INVALID;
	if (load_current(&b, text, len) < 0)
		goto end;
	loaded = 1;
	if (build_document(&b) < 0) {
		yaml_document_delete(&b.out);
		goto end;
	}
	rc = CONFIG_SAVE_IO;
	if (emit(&b, &t) < 0)
		goto end;
	if (!(dir = dir_of(path))) {
		set_err(err, b.name, "", "out of memory");
		goto end;
	}
	if (config_parse(t.p, t.len, b.name, dir, &cfg, err) < 0) {
		scrub_passwords(&b, err);
		rc = CONFIG_SAVE_INVALID;
		goto end;
	}
	int back = check_read_back(&b, &cfg);
	config_free(&cfg);
	if (back < 0)
		goto end;
	free(text);
	text = NULL;
	if (version_of(path, version, &text, &len, err) < 0)
		goto end;
	if (strcmp(version, expected_version) != 0) {
		conflict(err, b.name);
		rc = CONFIG_SAVE_CONFLICT;
		goto end;
	}
	if (write_file(path, &t, err) == 0)
		rc = CONFIG_SAVE_OK;
end:
	if (loaded)
		yaml_document_delete(&b.in);
	for (size_t i = 0; b.urls && i < edit->nstreams; i++)
		free(b.urls[i]);
	free(b.urls);
	free(b.old);
	free(t.p);
	free(dir);
	free(text);
	close(lock);
	return rc;
}
