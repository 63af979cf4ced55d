/* import.c - streampulse-monitor --import: JSON lines in, batches through store_insert_heartbeats. */
#include "import.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fileio.h"
#include "log.h"
#include "store.h"

#define BATCH 2000

struct rows {
	struct heartbeat *hb;
	size_t n, cap;
};

static void rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free((char *)r->hb[i].error);
		free((char *)r->hb[i].message);
		free((char *)r->hb[i].codec);
	}
	free(r->hb);
}

static int int_or(json_t *o, const char *key, int dflt)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (int)json_integer_value(v) : dflt;
}

static char *text_or_null(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? strdup(s) : NULL;
}

/* One line into r; -1 with why. ids[i] is the id of cfg->streams[i]. */
static int take_line(const char *line, const struct config *cfg, const int64_t *ids, struct rows *r,
		     char *why, size_t whylen)
{
	json_error_t jerr;
	json_t *o = json_loads(line, 0, &jerr);
	const char *name = json_string_value(json_object_get(o, "stream"));
	json_t *ts = json_object_get(o, "ts_ms");
	int64_t id = 0;
	int rc = -1;
	if (!json_is_object(o)) {
		snprintf(why, whylen, "not a JSON object (%.100s)", o ? "another JSON value" : jerr.text);
		goto end;
	}
	for (size_t i = 0; name && i < cfg->nstreams && !id; i++)
		if (!strcmp(cfg->streams[i].name, name))
			id = ids[i];
	if (!name || !id || !json_is_integer(ts)) {
		snprintf(why, whylen, !name ? "no \"stream\"" : !id ? "stream is not in the config" :
			 "no integer \"ts_ms\"");
		goto end;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		struct heartbeat *hb = realloc(r->hb, cap * sizeof *hb);
		if (!hb) {
			snprintf(why, whylen, "out of memory");
			goto end;
		}
		r->hb = hb;
		r->cap = cap;
	}
	json_t *up = json_object_get(o, "up"), *sj = json_object_get(o, "state");
	int state = json_is_true(up) || (json_is_integer(up) && json_integer_value(up) != 0) ? HB_UP
											   : HB_DOWN;
	if (sj && (state = hb_state_parse(json_string_value(sj))) < 0) {
		snprintf(why, whylen, "\"state\" is not up, down, degraded or skipped");
		goto end;
	}
	r->hb[r->n++] = (struct heartbeat){
		.stream_id = id, .ts_ms = json_integer_value(ts), .state = state,
		.latency_ms = int_or(o, "latency_ms", -1), .connect_ms = int_or(o, "connect_ms", -1),
		.error = text_or_null(o, "error"), .message = text_or_null(o, "message"),
		.codec = text_or_null(o, "codec"), .width = int_or(o, "width", 0),
		.height = int_or(o, "height", 0),
	};
	rc = 0;
end:
	json_decref(o);
	return rc;
}

static int read_rows(FILE *f, const char *path, const struct config *cfg, const int64_t *ids,
		     struct rows *r)
{
	char *line = NULL, why[160];
	size_t cap = 0;
	long no = 0;
	int rc = 0;
	while (rc == 0 && getline(&line, &cap, f) >= 0) {
		no++;
		if (line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if (take_line(line, cfg, ids, r, why, sizeof why) < 0) {
			fprintf(stderr, "streampulse-monitor: %s:%ld: %s\n", path, no, why);
			rc = -1;
		}
	}
	free(line);
	return rc;
}

static int by_time(const void *a, const void *b)
{
	int64_t x = ((const struct heartbeat *)a)->ts_ms, y = ((const struct heartbeat *)b)->ts_ms;
	return (x > y) - (x < y);
}

/* Batches in time order, each committed as of its newest beat, as the monitor would have. */
static int write_rows(struct store *st, struct rows *r)
{
	char err[256];
	qsort(r->hb, r->n, sizeof *r->hb, by_time);
	for (size_t i = 0; i < r->n; i += BATCH) {
		size_t n = r->n - i < BATCH ? r->n - i : BATCH;
		if (store_insert_heartbeats(st, r->hb + i, n, r->hb[i + n - 1].ts_ms, err, sizeof err) < 0) {
			fprintf(stderr, "streampulse-monitor: import: %s\n", err);
			return -1;
		}
	}
	return 0;
}

static int sync_names(struct store *st, const struct config *cfg, int64_t *ids)
{
	char err[256];
	const char **names = config_names(cfg);
	int rc = -1;
	if (names) {
		rc = store_sync_streams(st, names, cfg->nstreams, ids, clock_utc_ms(), err, sizeof err);
		if (rc < 0)
			fprintf(stderr, "streampulse-monitor: import: %s\n", err);
	}
	free(names);
	return rc;
}

int import_run(const char *config_path, const char *path)
{
	struct config cfg;
	struct config_error cerr;
	struct store *st = NULL;
	struct rows r = { 0 };
	char err[512];
	int rc = 1;
	if (config_load(config_path, &cfg, &cerr) < 0) {
		fprintf(stderr, "%s\n", cerr.message);
		return 2;
	}
	config_keep_shard(&cfg); /* another shard's streams are another monitor's to keep */
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	int64_t *ids = calloc(cfg.nstreams + 1, sizeof *ids);
	if (!f || !ids) {
		fprintf(stderr, "streampulse-monitor: cannot read %s\n", path);
		goto end;
	}
	if (file_mkdirs_parent(cfg.database, err, sizeof err) < 0 ||
	    store_open(cfg.database, &st, err, sizeof err) < 0) {
		fprintf(stderr, "streampulse-monitor: cannot open database: %s\n", err);
		goto end;
	}
	if (sync_names(st, &cfg, ids) == 0 && read_rows(f, path, &cfg, ids, &r) == 0 &&
	    write_rows(st, &r) == 0) {
		fprintf(stderr, "streampulse-monitor: imported %zu heartbeats\n", r.n);
		rc = 0;
	}
end:
	if (f && f != stdin)
		fclose(f);
	rows_free(&r);
	free(ids);
	store_close(st);
	config_free(&cfg);
	return rc;
}
