/* store_meta.c - the monitor's self metrics as one row of the meta table. */
#include "store_meta.h"

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

static int synchronous_level(sqlite3 *db)
{
	sqlite3_stmt *s;
	int level = 2; /* FULL, what store_open sets */
	if (sqlite3_prepare_v2(db, "PRAGMA synchronous", -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			level = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	return level;
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

int store_meta_put_metrics(struct store *st, const struct monitor_metrics *m, char *err, size_t errlen)
{
	sqlite3 *db = store_db(st);
	char value[512], sql[64];
	int own = sqlite3_get_autocommit(db), level = own ? synchronous_level(db) : 0;
	encode(m, value, sizeof value);
	if (own)
		sqlite3_exec(db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
	int step = put_row(db, value);
	if (own) {
		snprintf(sql, sizeof sql, "PRAGMA synchronous=%d", level);
		sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	if (step == SQLITE_DONE)
		return 0;
	snprintf(err, errlen, "writing the monitor's metrics: %s", sqlite3_errmsg(db));
	return -1;
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
