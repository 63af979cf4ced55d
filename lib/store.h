/* store.h - the SQLite database both processes share: streams, heartbeats, meta. */
#ifndef SP_STORE_H
#define SP_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* A heartbeat's state. Skipped: not probed (the host's client slots were busy); it counts
 * neither for nor against uptime. */
enum hb_state { HB_DOWN = 0, HB_UP = 1, HB_DEGRADED = 2, HB_SKIPPED = 3 };

/* "up", "down", "degraded", "skipped"; "unknown" for anything else. */
const char *hb_state_name(int state);
/* The state a name stands for, or -1. */
int hb_state_parse(const char *name);

struct heartbeat {
	int64_t stream_id;
	int64_t ts_ms;         /* UTC ms, probe start */
	int state;             /* enum hb_state */
	int latency_ms;        /* time to first clean frame; -1 when down */
	int connect_ms;        /* -1 when no connection was made */
	const char *error;     /* down: probe class; degraded: black/uniform/frozen/slow;
				* skipped: busy; NULL when up */
	const char *message;   /* NULL when up */
	const char *codec;     /* NULL when down or skipped */
	int width, height;
};

/* Opens (creating and migrating) the database. 0, or -1 with err. */
int store_open(const char *path, struct store **out, char *err, size_t errlen);
void store_close(struct store *st);
/* How long a statement waits for another process's write lock (store_open sets 5000 ms). */
void store_set_busy_timeout(struct store *st, int ms);

/* Gives every configured name its stable id (ids[i] for names[i]); streams no longer
 * configured are marked removed but keep their history. 0, or -1 with err. */
int store_sync_streams(struct store *st, const char *const *names, size_t n, int64_t *ids,
		       int64_t now_ms, char *err, size_t errlen);

/* Writes a batch in one transaction (all or nothing) and records the monitor's last write
 * time. now_ms also drives the hourly compaction (doc/store.md): no wall clock inside. */
int store_insert_heartbeats(struct store *st, const struct heartbeat *hb, size_t n,
			    int64_t now_ms, char *err, size_t errlen);

/* A stream's confirmed state changed (the monitor's anti-flap, doc/health.md): since_ms is
 * the first heartbeat of the new state; reason/message those of that heartbeat. */
struct state_change {
	int64_t stream_id;
	int state;             /* HB_UP, HB_DOWN, HB_DEGRADED */
	int64_t since_ms;
	const char *reason, *message;
};

/* Heartbeats and the confirmed state changes of a batch, in one transaction: each change
 * closes the stream's open incident and opens one when down or degraded. With ch NULL,
 * every heartbeat's own state is taken as confirmed (store_insert_heartbeats). */
int store_write_batch(struct store *st, const struct heartbeat *hb, size_t n,
		      const struct state_change *ch, size_t nch, int64_t now_ms, char *err,
		      size_t errlen);

/* The newest run of heartbeats of one state (skipped ones ignored), at most max long: how a
 * restarted monitor (or a --once run from cron) resumes the anti-flap count. count 0: none. */
struct streak {
	int state, count;
	int64_t start_ms;          /* its oldest heartbeat */
	char reason[16], message[320];
};
int store_streak(struct store *st, int64_t stream_id, int max, struct streak *out);

/* A stream's confirmed state (HB_*, -1 never probed) and since when. */
int store_stream_state(struct store *st, int64_t stream_id, int64_t *since_ms);

/* Deletes one stream's heartbeats of whole hours that ended by before_ms (blocks and their
 * rollups), oldest first, stopping once max_rows are gone (at least one hour per call);
 * returns the count deleted, or -1 with err. Small batches keep the writer lock short. */
int store_prune_stream(struct store *st, int64_t stream_id, int64_t before_ms, int max_rows,
		       char *err, size_t errlen);

/* Calls row() for each heartbeat kept (of one stream, or all when stream_id is 0), stream by
 * stream in id order, each oldest first, with the stream's name. Stops and returns -1 when
 * row() does; -1 with err on a read failure. */
int store_export(struct store *st, int64_t stream_id,
		 int (*row)(void *ctx, const char *stream, const struct heartbeat *h), void *ctx,
		 char *err, size_t errlen);

/* All stream ids, removed or not, for pruning. Caller frees *ids. */
int store_stream_ids(struct store *st, int64_t **ids, size_t *n);

/* The connection, for the lib modules that own their tables' queries (auth.c, store_web.c).
 * Schema changes stay in store.c's migrations. */
struct sqlite3;
struct sqlite3 *store_db(struct store *st);

#endif
