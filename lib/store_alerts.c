/* store_alerts.c - the alert_log table: one row per alert delivery attempt. */
#include "store_alerts.h"

#include <stdio.h>

#include "store_int.h"

int store_alert_log(struct store *st, const struct alert_log_row *r, char *err, size_t errlen)
{
	static const char sql[] = "INSERT INTO alert_log (ts_ms, channel, event, stream, attempt, ok, detail) "
				  "VALUES (?, ?, ?, ?, ?, ?, ?)";
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, r->ts_ms);
		sqlite3_bind_text(s, 2, r->channel, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, r->event, -1, SQLITE_STATIC);
		if (r->stream)
			sqlite3_bind_text(s, 4, r->stream, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 5, r->attempt);
		sqlite3_bind_int(s, 6, r->ok);
		sqlite3_bind_text(s, 7, r->detail, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
	}
	if (rc != SQLITE_DONE)
		snprintf(err, errlen, "cannot write alert_log: %s", sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int store_alert_log_prune(struct store *st, int64_t before_ms, char *err, size_t errlen)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, "DELETE FROM alert_log WHERE ts_ms < ?", -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, before_ms);
		rc = sqlite3_step(s);
	}
	if (rc != SQLITE_DONE)
		snprintf(err, errlen, "cannot prune alert_log: %s", sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? sqlite3_changes(db) : -1;
}
