/* status.c - the dashboard's data, shared by the HTML page and /api/streams. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "status.h"

static int rank(int state)
{
	/* what needs attention first: down, degraded, never probed, up */
	return state == HB_DOWN ? 0 : state == HB_DEGRADED ? 1 : state < 0 ? 2 : 3;
}

static int by_rank_then_name(const void *a, const void *b)
{
	const struct status_row *x = a, *y = b;
	int d = rank(x->s.state) - rank(y->s.state);
	return d ? d : strcmp(x->s.name, y->s.name);
}

static int matches(const struct status_row *r, const char *q, const char *state)
{
	if (q && *q && !strcasestr(r->s.name, q))
		return 0;
	return !state || !*state || !strcmp(state, status_state_name(r->s.state));
}

size_t status_recent(struct web *w, const struct status_row *r, struct beat beats[STATUS_RECENT])
{
	char err[128];
	size_t n = 0;
	if (r->s.id > 0 && store_web_beats(w->st, r->s.id, 0, web_now_ms() + 1, 0, beats,
					   STATUS_RECENT, &n, err, sizeof err) < 0)
		n = 0;
	return n;
}

static void load_thumb(struct web *w, struct status_row *r)
{
	char path[4096];
	struct stat sb;
	snprintf(path, sizeof path, "%s/thumbs/%lld.jpg", w->cfg->data_dir, (long long)r->s.id);
	if (r->s.id > 0 && stat(path, &sb) == 0)
		r->thumb_mtime_ms = (int64_t)sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000;
}

int status_load(struct web *w, const char *q, const char *state, int64_t until_ms,
		struct status_list *out)
{
	size_t n = w->cfg->nstreams, k = 0;
	char err[256];
	const char **names = config_names(w->cfg);
	struct stream_status *st = calloc(n + 1, sizeof *st);
	memset(out, 0, sizeof *out);
	out->rows = calloc(n + 1, sizeof *out->rows);
	if (!names || !st || !out->rows) {
		free(names);
		free(st);
		ui_error(w, 500, "out of memory");
		return -1;
	}
	if (store_web_status(w->st, names, n, until_ms - 1, st, err, sizeof err) < 0) {
		free(names);
		free(st);
		ui_error(w, 503, "cannot read stream states: %s", err);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct status_row r = { .s = st[i], .enabled = w->cfg->streams[i].enabled };
		out->up += r.s.state == 1;
		out->down += r.s.state == HB_DOWN;
		out->degraded += r.s.state == HB_DEGRADED;
		out->never += r.s.state < 0;
		if (matches(&r, q, state))
			out->rows[k++] = r;
	}
	out->n = k;
	qsort(out->rows, k, sizeof *out->rows, by_rank_then_name);
	for (size_t i = 0; i < k; i++)
		load_thumb(w, &out->rows[i]);
	free(names);
	free(st);
	return 0;
}

void status_free(struct status_list *l)
{
	free(l->rows);
	memset(l, 0, sizeof *l);
}
