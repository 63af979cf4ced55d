/* store_web.h - the reads the web needs (dashboard, history, CSV, health) and stream renames. */
#ifndef SP_STORE_WEB_H
#define SP_STORE_WEB_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct stream_status {
	int64_t id;                  /* 0 when the name is not in the database yet */
	char name[65];
	int state;                   /* -1 never probed, else the confirmed enum hb_state (up,
				      * down, degraded: after the anti-flap thresholds) */
	int64_t since_ms, last_ms;   /* 0 when never probed */
	int latency_ms;              /* -1 when none */
	char error[16];
	char message[320];
	char codec[24];
	int width, height;
	double uptime_24h;           /* percent of heartbeats up since the start of the hour 23 h
				      * ago (23-24 h, read from hourly rollups), skipped ones left
				      * out; -1 when none */
	double degraded_24h;         /* percent degraded, the same way */
};

/* Status of each configured name, in the given order (names not in the database come back
 * with id 0 and state -1). 0, or -1 with err. */
int store_web_status(struct store *st, const char *const *names, size_t n, int64_t now_ms,
		     struct stream_status *out, char *err, size_t errlen);

struct beat {
	int64_t ts_ms;
	int state;                   /* enum hb_state */
	int latency_ms;              /* -1 when down */
	int connect_ms;              /* -1 when none */
	char error[16];
	char message[320];
};

/* Heartbeats of one stream with since_ms <= ts < until_ms, newest first, skipping offset,
 * at most max. *n gets the count. 0, or -1 with err. */
int store_web_beats(struct store *st, int64_t stream_id, int64_t since_ms, int64_t until_ms,
		    int offset, struct beat *out, size_t max, size_t *n, char *err, size_t errlen);

/* Percent of heartbeats up in [since_ms, until_ms); -1 when there are none. */
double store_web_uptime(struct store *st, int64_t stream_id, int64_t since_ms, int64_t until_ms);

struct incident {
	int64_t start_ms, end_ms;    /* end_ms 0: still open */
	int state;                   /* HB_DOWN or HB_DEGRADED */
	char error[16];              /* the reason: probe class, or black/uniform/frozen/slow */
	char message[320];           /* of the first failing heartbeat */
};

/* Incidents (confirmed down or degraded periods) overlapping [since_ms, until_ms), newest
 * first, at most max. */
int store_web_incidents(struct store *st, int64_t stream_id, int64_t since_ms, int64_t until_ms,
			struct incident *out, size_t max, size_t *n, char *err, size_t errlen);

/* Calls row() for each heartbeat (of one stream, or all when stream_id is 0), oldest first,
 * with the stream's name. Stops and returns -1 when row() does. */
int store_web_export(struct store *st, int64_t stream_id,
		     int (*row)(void *ctx, const char *stream, const struct beat *b), void *ctx,
		     char *err, size_t errlen);

/* Stream id by name (removed ones too); 0 when unknown. */
int64_t store_web_stream_id(struct store *st, const char *name);

/* Renames a stream, keeping its id and history. -1 with err when the new name is taken. */
int store_web_rename(struct store *st, const char *from, const char *to, char *err, size_t errlen);

/* UTC ms of the monitor's last write (meta monitor_write_ms); 0 when never. */
int64_t store_web_monitor_write_ms(struct store *st);

#endif
