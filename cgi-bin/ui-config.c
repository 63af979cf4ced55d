/* ui-config.c - GET/POST /config: the editor for heartbeat_seconds, timezone and streams (add,
 * edit, rename, enable/disable, delete). Validated by lib/config.c, written atomically by
 * config_save, refused when the file changed since the form was opened.
 * Outcomes: 200 form; 303 back to the form after a save; 400 invalid input (the field named,
 * nothing written); 409 the file changed meanwhile (nothing written); 500 write failed. */
#include <ClearSilver/ClearSilver.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_web.h"
#include "url.h"
#include "web.h"

#define MAX_ROWS 10000

struct row {
	const char *name, *url, *old;
	int enabled, deleted;
};

struct form {
	const char *version, *timezone, *heartbeat;
	struct row *rows;
	size_t nrows;
	const char *error, *error_field;  /* error_field: "heartbeat_seconds", "row3.url", ... */
	char error_buf[600], field_buf[128];
	const char *saved;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The zones a person picks from: zone1970.tab's, sorted, UTC first; the current one always. */
static void set_zones(HDF *hdf, const char *current)
{
	FILE *f = fopen("/usr/share/zoneinfo/zone1970.tab", "r");
	char line[512], key[32], *zones[1024];
	size_t n = 0;
	int seen = !strcmp(current, "UTC");
	while (f && n < sizeof zones / sizeof zones[0] && fgets(line, sizeof line, f)) {
		char *save = NULL, *col = NULL;
		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = '\0';
		col = strtok_r(line, "\t", &save);
		for (int i = 0; i < 2 && col; i++)
			col = strtok_r(NULL, "\t", &save);
		if (col && (zones[n] = strdup(col)) != NULL)
			seen |= !strcmp(zones[n++], current);
	}
	if (f)
		fclose(f);
	if (!seen && n < sizeof zones / sizeof zones[0] && (zones[n] = strdup(current)) != NULL)
		n++;
	qsort(zones, n, sizeof *zones, by_name);
	hdf_set_value(hdf, "Zones.0", "UTC");
	for (size_t i = 0; i < n; i++) {
		snprintf(key, sizeof key, "Zones.%zu", i + 1);
		hdf_set_value(hdf, key, zones[i]);
		free(zones[i]);
	}
}

static void set_row(HDF *hdf, size_t i, const char *name, const char *url, const char *old, int enabled)
{
	char key[64];
	snprintf(key, sizeof key, "Rows.%zu.Name", i);
	hdf_set_value(hdf, key, name);
	snprintf(key, sizeof key, "Rows.%zu.Url", i);
	hdf_set_value(hdf, key, url);
	snprintf(key, sizeof key, "Rows.%zu.Old", i);
	hdf_set_value(hdf, key, old);
	snprintf(key, sizeof key, "Rows.%zu.Enabled", i);
	hdf_set_int_value(hdf, key, enabled);
}

/* The form as the file holds it (passwords masked), or as it was posted after an error. */
static int fill_config(struct web *w, HDF *hdf, void *ctx)
{
	const struct form *f = ctx;
	char masked[4200];
	size_t i;
	hdf_set_value(hdf, "Form.Version", f->version);
	hdf_set_value(hdf, "Form.Error", f->error ? f->error : "");
	hdf_set_value(hdf, "Form.ErrorField", f->error_field ? f->error_field : "");
	hdf_set_value(hdf, "Form.Saved", f->saved ? f->saved : "");
	if (f->rows) {
		hdf_set_value(hdf, "Form.Heartbeat", f->heartbeat);
		hdf_set_value(hdf, "Form.Timezone", f->timezone);
		set_zones(hdf, f->timezone);
		for (i = 0; i < f->nrows; i++)
			set_row(hdf, i, f->rows[i].name, f->rows[i].url, f->rows[i].old, f->rows[i].enabled);
	} else {
		/* The whole file, other shards' streams too: saving the form rewrites the list. */
		const struct config *c = w->file_cfg;
		hdf_set_int_value(hdf, "Form.Heartbeat", c->heartbeat_seconds);
		hdf_set_value(hdf, "Form.Timezone", c->timezone);
		set_zones(hdf, c->timezone);
		for (i = 0; i < c->nstreams; i++) {
			url_mask_password(c->streams[i].url, masked, sizeof masked);
			set_row(hdf, i, c->streams[i].name, masked, c->streams[i].name, c->streams[i].enabled);
		}
	}
	set_row(hdf, i, "", "", "", 1); /* one empty row adds a stream */
	return 0;
}

static const char *field(const struct web *w, const char *fmt, size_t i)
{
	char key[32];
	snprintf(key, sizeof key, fmt, i);
	const char *v = kv_get(&w->req.form, key);
	return v ? v : "";
}

/* Reads the posted rows; empty rows (no name, no URL) are ignored. */
static int read_form(struct web *w, struct form *f)
{
	long long n;
	if (input_int(&w->req.form, "rows", 0, MAX_ROWS, 0, &n) < 0)
		return -1;
	f->version = kv_get(&w->req.form, "version");
	f->timezone = kv_get(&w->req.form, "timezone");
	f->heartbeat = kv_get(&w->req.form, "heartbeat_seconds");
	if (!f->version || !f->timezone || !f->heartbeat)
		return -1;
	f->rows = calloc((size_t)n + 1, sizeof *f->rows);
	if (!f->rows)
		return -1;
	for (size_t i = 0; i < (size_t)n; i++) {
		struct row r = { field(w, "name%zu", i), field(w, "url%zu", i), field(w, "old%zu", i),
				 *field(w, "enabled%zu", i) != '\0', *field(w, "delete%zu", i) != '\0' };
		if (!*r.name && !*r.url && !*r.old)
			continue;
		f->rows[f->nrows++] = r;
	}
	return 0;
}

static void fail(struct form *f, const char *field_name, const char *msg)
{
	snprintf(f->error_buf, sizeof f->error_buf, "%s", msg);
	snprintf(f->field_buf, sizeof f->field_buf, "%s", field_name);
	f->error = f->error_buf;
	f->error_field = f->field_buf;
}

/* "streams[3].url" (index into the edit) -> "row7.url" (the form's row). */
static void map_field(struct form *f, const char *cfg_field, const size_t *row_of, size_t nedit)
{
	unsigned long k;
	char rest[32] = "";
	if (sscanf(cfg_field, "streams[%lu].%31s", &k, rest) == 2 && k < nedit)
		snprintf(f->field_buf, sizeof f->field_buf, "row%zu.%s", row_of[k], rest);
	else
		snprintf(f->field_buf, sizeof f->field_buf, "%s", cfg_field);
	f->error_field = f->field_buf;
}

static void rename_back(struct web *w, const struct stream_edit *e, size_t upto)
{
	char err[256];
	while (upto-- > 0)
		if (e[upto].old_name[0] && strcmp(e[upto].old_name, e[upto].name))
			store_web_rename(w->st, e[upto].name, e[upto].old_name, err, sizeof err);
}

/* Renames first, so the monitor reading the new file finds the history under the new name. */
static int apply_renames(struct web *w, struct form *f, const struct stream_edit *e, size_t n)
{
	char err[256];
	for (size_t i = 0; i < n; i++) {
		if (!e[i].old_name[0] || !strcmp(e[i].old_name, e[i].name) || !store_web_stream_id(w->st, e[i].old_name))
			continue;
		if (store_web_rename(w->st, e[i].old_name, e[i].name, err, sizeof err) < 0) {
			rename_back(w, e, i);
			fail(f, "", err);
			return -1;
		}
	}
	return 0;
}

static int save(struct web *w, struct form *f)
{
	struct stream_edit *e = calloc(f->nrows + 1, sizeof *e);
	size_t *row_of = calloc(f->nrows + 1, sizeof *row_of), n = 0;
	struct config_error err;
	long long hb = 0;
	int status = 500;
	char *end;
	if (!e || !row_of)
		goto end;
	hb = strtoll(f->heartbeat, &end, 10);
	if (*end || !*f->heartbeat) {
		fail(f, "heartbeat_seconds", "heartbeat_seconds: expected a whole number of seconds");
		status = 400;
		goto end;
	}
	for (size_t i = 0; i < f->nrows; i++) {
		if (f->rows[i].deleted)
			continue;
		snprintf(e[n].name, sizeof e[n].name, "%s", f->rows[i].name);
		snprintf(e[n].old_name, sizeof e[n].old_name, "%s", f->rows[i].old);
		e[n].url = f->rows[i].url;
		e[n].enabled = f->rows[i].enabled;
		row_of[n++] = i;
	}
	struct config_edit edit = { (int)(hb > 100000 ? 100000 : hb < -1 ? -1 : hb), f->timezone, e, n };
	if (apply_renames(w, f, e, n) < 0) {
		status = 409;
		goto end;
	}
	enum config_save_result r = config_save(w->config_path, f->version, &edit, &err);
	if (r != CONFIG_SAVE_OK) {
		rename_back(w, e, n);
		fail(f, "", err.message);
		map_field(f, err.field, row_of, n);
		status = r == CONFIG_SAVE_INVALID ? 400 : r == CONFIG_SAVE_CONFLICT ? 409 : 500;
		goto end;
	}
	status = 0;
end:
	free(e);
	free(row_of);
	return status;
}

void ui_config(struct web *w)
{
	struct form f = { 0 };
	char version[65];
	struct config_error err;
	res_header(w, "Cache-Control: no-store");
	if (!strcmp(w->req.method, "POST")) {
		int status = read_form(w, &f) < 0 ? 400 : save(w, &f);
		if (status == 400 && !f.error)
			fail(&f, "", "the form is incomplete: reload the page");
		if (!status) {
			free(f.rows);
			res_redirect(w, "/config?saved=1");
			return;
		}
		w->res.status = status;
		render(w, "config.cs", "Configuration", fill_config, &f);
		free(f.rows);
		return;
	}
	if (config_version(w->config_path, version, &err) < 0) {
		ui_error(w, 500, "%s", err.message);
		return;
	}
	f.version = version;
	f.saved = kv_get(&w->req.query, "saved") ? "Saved. The monitor applies it within a second or two." : "";
	render(w, "config.cs", "Configuration", fill_config, &f);
}
