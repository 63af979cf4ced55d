/* store_meta.c - the monitor's self metrics as one row of the meta table. */
#include "store_meta.h"
#include "store_int.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

const int store_probe_bucket_ms[PROBE_BUCKETS - 1] = { 100, 250, 500, 1000, 2500, 5000, 10000 };

/* "m1 start cycle started skipped sum b0 .. b7": the format's version first. */
static void encode(const struct monitor_metrics *m, char *out, size_t outlen)
{
	int k = snprintf(out, outlen, "m1 %" PRId64 " %" PRId64 " %" PRIu64 " %" PRIu64 " %" PRId64,
			 m->start_ms, m->cycle_ms, m->probes_started, m->probes_skipped, m->duration_sum_ms);
	for (int i = 0; i < PROBE_BUCKETS && k > 0 && (size_t)k < outlen; i++)
		k += snprintf(out + k, outlen - (size_t)k, " %" PRIu64, m->bucket[i]);
}

static int decode(const char *s, struct monitor_metrics *m)
{
	int used = 0;
	memset(m, 0, sizeof *m);
	if (sscanf(s, "m1 %" SCNd64 " %" SCNd64 " %" SCNu64 " %" SCNu64 " %" SCNd64 "%n", &m->start_ms,
		   &m->cycle_ms, &m->probes_started, &m->probes_skipped, &m->duration_sum_ms, &used) != 5)
		return 0;
	for (int i = 0; i < PROBE_BUCKETS; i++) {
		int k = 0;
		if (sscanf(s + used, " %" SCNu64 "%n", &m->bucket[i], &k) != 1)
			return 0;
		used += k;
	}
	return 1;
}

static int put_row(sqlite3 *db, const char *value)
{
	sqlite3_stmt *s;
	int step = SQLITE_ERROR;
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta(key, value) VALUES ('monitor_metrics', ?)",
			       -1, &s, NULL) != SQLITE_OK)
		return SQLITE_ERROR;
	sqlite3_bind_text(s, 1, value, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	sqlite3_finalize(s);
	return step;
}

void store_meta_stage_metrics(struct store *st, const struct monitor_metrics *m)
{
	encode(m, st->meta_pending, sizeof st->meta_pending);
	st->meta_staged = 1;
}

int store_meta_write_staged(struct store *st)
{
	if (!st->meta_staged)
		return 0;
	return put_row(st->db, st->meta_pending) == SQLITE_DONE ? 0 : -1;
}

int store_meta_commit_staged(struct store *st)
{
	if (!st->meta_staged)
		return 0;
	if (put_row(st->db, st->meta_pending) != SQLITE_DONE)
		return -1;
	st->meta_staged = 0;
	return 0;
}

int store_meta_get_metrics(struct store *st, struct monitor_metrics *m)
{
	sqlite3_stmt *s;
	int rc = 0;
	memset(m, 0, sizeof *m);
	if (sqlite3_prepare_v2(store_db(st), "SELECT value FROM meta WHERE key = 'monitor_metrics'", -1, &s,
			       NULL) != SQLITE_OK)
		return -1;
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW && sqlite3_column_text(s, 0))
		rc = decode((const char *)sqlite3_column_text(s, 0), m);
	else if (step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(s);
	return rc;
}
