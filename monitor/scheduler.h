/* scheduler.h - when each stream is probed: slots spread over the interval, skips counted. */
#ifndef SP_SCHEDULER_H
#define SP_SCHEDULER_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "pool.h"

struct sched_stream {
	int64_t id;
	char name[CONFIG_NAME_MAX + 1];
	char *url;                 /* owned */
	enum transport transport;
	enum transport transport_ok; /* auto: the transport of the last successful probe (TCP
				      * until one worked); tried first next time */
	int max_clients;           /* the host's client slots across processes; 0: no limit */
	int timeout_ms;
	int64_t next_ms;           /* monotonic ms of the next slot */
	int in_flight;             /* a probe of it is still running */
	int host;                  /* index into scheduler.host_busy; streams of one host share it */
	int last_up;               /* result of the last probe: 1 up, 0 down, -1 none yet */
	int64_t thumb_ms;          /* monotonic ms of the last probe asked for a thumbnail; 0 never */
};

struct scheduler {
	struct sched_stream *s;
	size_t n;
	int interval_ms;
	char *thumb_dir;           /* owned; thumbnails go to <thumb_dir>/<id>.jpg */
	char *data_dir;            /* owned; client slots and preview proofs (NULL: none) */
	int thumb_interval_ms;     /* 0: no thumbnails */
	int *host_busy;            /* probes running per host */
	int per_host;              /* max_probes_per_host; 0: no limit */
	uint64_t started, skipped;
};

/* Replaces the schedule with the enabled streams of cfg (ids[i] for cfg->streams[i]).
 * Streams already scheduled keep their slot; a first schedule spreads all slots evenly
 * over one interval from now; streams added later are spread over the next interval. */
int sched_apply(struct scheduler *sc, const struct config *cfg, const int64_t *ids, int64_t now_ms);

/* Starts every probe whose slot has come. A probe that cannot start (its previous one still
 * runs, or every worker is busy) is skipped, counted and logged, never queued. */
void sched_dispatch(struct scheduler *sc, struct pool *p, int64_t now_ms);

/* Builds the job for stream i (for --once and dispatch); its slot is slot_ms (monotonic). A
 * thumbnail is asked for when the last one is older than thumbnail_seconds or the stream was
 * not up: an SD card should not take a JPEG per camera per cycle. */
int sched_job(struct scheduler *sc, size_t i, struct job *job, int64_t slot_ms, int64_t now_ms);

/* Marks probes finished so their streams can be probed again. */
void sched_finished(struct scheduler *sc, const struct done *d, size_t n);

/* Monotonic ms of the earliest slot, or INT64_MAX when nothing is scheduled. */
int64_t sched_next_due(const struct scheduler *sc);

void sched_free(struct scheduler *sc);

#endif
