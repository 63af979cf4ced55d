/* pool.h - the probe workers: a bounded set of threads, each running one probe at a time. */
#ifndef SP_POOL_H
#define SP_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "probe.h"

struct job {
	int64_t stream_id;
	char name[CONFIG_NAME_MAX + 1];
	char *url;                 /* owned */
	enum transport transport;
	enum transport transport_first; /* auto: the one that worked last (TCP when none did) */
	int timeout_ms;
	int64_t ts_ms;             /* UTC ms when the probe was started */
	int64_t slot_ms;           /* monotonic ms it was due: the worker measures its start lag */
	char *thumb_path;          /* owned; NULL: no thumbnail */
	char *data_dir;            /* owned; client slots and preview proofs live under it;
				    * NULL: neither (no limit, no proof) */
	int max_clients;           /* the host's client slots (0: no limit) */
	int proof_max_ms;          /* a preview proof younger than this replaces the probe */
};

struct done {
	struct job job;
	struct probe_result res;   /* frame already freed */
	char thumb_error[160];     /* "" when the thumbnail was written or not wanted */
	int from_preview;          /* the result is a web preview's proof (lib/proof.h), not a
				    * probe's: the monitor did not connect */
};

struct pool;

/* How late workers picked jobs up after their slot: 50 ms buckets, the last one open-ended. */
#define POOL_LAG_BUCKETS 100
struct pool_lag {
	uint64_t started;
	uint64_t hist[POOL_LAG_BUCKETS];
	int64_t max_ms;
};
void pool_lag(struct pool *p, struct pool_lag *out);

struct pool *pool_create(int limit);
/* Hands the job to an idle worker (taking ownership of its strings), or returns -1 when
 * all 'limit' workers are busy: the caller counts a skip rather than queueing. */
int pool_try_submit(struct pool *p, struct job *job);
/* Waits for an idle worker (for --once). */
void pool_submit_wait(struct pool *p, struct job *job);
/* Moves finished probes out; caller frees with pool_free_done. */
size_t pool_take_done(struct pool *p, struct done **out);
void pool_free_done(struct done *d, size_t n);
int pool_busy(struct pool *p);
void pool_set_limit(struct pool *p, int limit);
/* Waits until no probe runs, or until timeout_ms passes; returns the number still busy. */
int pool_wait_idle(struct pool *p, int timeout_ms);
/* Aborts running probes (shutdown): they end within a few ms, marked cancelled. */
void pool_cancel(struct pool *p);
void pool_destroy(struct pool *p);

void job_free(struct job *job);

#endif
