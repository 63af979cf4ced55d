/* store_alerts.h - the alert_log table: one row per alert delivery attempt. */
#ifndef SP_STORE_ALERTS_H
#define SP_STORE_ALERTS_H

#include <stdint.h>

#include "store.h"

struct alert_log_row {
	int64_t ts_ms;          /* when the attempt ended, UTC ms */
	const char *channel;    /* "webhook#0", "mqtt#1", "command#2": type and config index */
	const char *event;      /* down, degraded, up, site_down, site_up */
	const char *stream;     /* NULL for site events */
	int attempt;            /* 1 = first try */
	int ok;
	const char *detail;     /* "HTTP 200", "timed out after 10 s": never a secret */
};

/* Appends one row. 0, or -1 with err. */
int store_alert_log(struct store *st, const struct alert_log_row *r, char *err, size_t errlen);

/* Deletes rows older than before_ms (UTC); the count deleted, or -1 with err. */
int store_alert_log_prune(struct store *st, int64_t before_ms, char *err, size_t errlen);

#endif
