/* pool.c - the probe workers: a bounded set of threads, each running one probe at a time. */
#include "pool.h"

#include <libavutil/frame.h>
#include <libavutil/mem.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fileio.h"
#include "frame.h"
#include "hostprobe.h"
#include "log.h"
#include "slots.h"

/* Thumbnails on the dashboard are at most this wide. */
#define THUMB_WIDTH 320

/* Hundreds of workers mostly wait on sockets; 8 MB default stacks would reserve gigabytes of
 * address space (a 32-bit Raspberry Pi has 3 GB). Decoding needs far less than this; ASan's
 * redzones need more. */
#ifdef __SANITIZE_ADDRESS__
#define WORKER_STACK (2u << 20)
#else
#define WORKER_STACK (256u << 10)
#endif
#define LAG_BUCKET_MS 50

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t work;        /* a job was queued, or shutdown */
	pthread_cond_t idle;        /* a worker finished */
	pthread_t *threads;
	int nthreads, tcap, limit;
	int idle_threads;           /* started and not running a job */
	struct job *queue;          /* FIFO of at most 'limit' jobs not yet picked up */
	int qhead, qlen, qcap;
	int running;                /* jobs picked up and not finished */
	struct done *done;
	size_t ndone, donecap;
	int stopping;
	atomic_int cancel;
	pthread_attr_t attr;
	struct pool_lag lag;
};

void job_free(struct job *job)
{
	free(job->url);
	free(job->thumb_path);
	free(job->data_dir);
	job->url = job->thumb_path = job->data_dir = NULL;
}

struct thumb_call {
	const struct AVFrame *frame;
	uint8_t **jpg;
	size_t *len;
	char *err;
	size_t errlen;
	int rc;
};

static void encode_task(void *arg)
{
	struct thumb_call *c = arg;
	c->rc = frame_encode_jpeg(c->frame, THUMB_WIDTH, c->jpg, c->len, c->err, c->errlen);
}

static void write_thumbnail(const struct job *job, struct probe_result *res, struct done *d)
{
	uint8_t *jpg = NULL;
	size_t len = 0;
	if (!job->thumb_path || !res->frame)
		return;
	/* Encoding takes an encoder's worth of memory, CPU and stack: a decode thread's job. */
	struct thumb_call c = { res->frame, &jpg, &len, d->thumb_error, sizeof d->thumb_error, -1 };
	slots_run(encode_task, &c, INT64_MAX, NULL);
	if (c.rc == 0)
		file_write_cache(job->thumb_path, jpg, len, d->thumb_error, sizeof d->thumb_error);
	av_free(jpg);
}

static void run_job(struct pool *p, struct job *job, struct done *d)
{
	memset(d, 0, sizeof *d);
	hostprobe_run(job, &p->cancel, d);
	write_thumbnail(job, &d->res, d);
	probe_result_clear(&d->res);
	d->job = *job;
}

static int push_done(struct pool *p, const struct done *d)
{
	if (p->ndone == p->donecap) {
		size_t cap = p->donecap ? p->donecap * 2 : 64;
		struct done *nd = realloc(p->done, cap * sizeof *nd);
		if (!nd)
			return -1;
		p->done = nd;
		p->donecap = cap;
	}
	p->done[p->ndone++] = *d;
	return 0;
}

/* Called with mu held. */
static void count_lag(struct pool *p, int64_t lag_ms)
{
	size_t b = lag_ms < 0 ? 0 : (size_t)(lag_ms / LAG_BUCKET_MS);
	if (b >= POOL_LAG_BUCKETS)
		b = POOL_LAG_BUCKETS - 1;
	p->lag.hist[b]++;
	p->lag.started++;
	if (lag_ms > p->lag.max_ms)
		p->lag.max_ms = lag_ms;
}

void pool_lag(struct pool *p, struct pool_lag *out)
{
	pthread_mutex_lock(&p->mu);
	*out = p->lag;
	pthread_mutex_unlock(&p->mu);
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->qlen && !p->stopping)
			pthread_cond_wait(&p->work, &p->mu);
		if (!p->qlen)
			break;
		struct job job = p->queue[p->qhead];
		p->qhead = (p->qhead + 1) % p->qcap;
		p->qlen--;
		p->running++;
		p->idle_threads--;

		count_lag(p, clock_mono_ms() - job.slot_ms);
		pthread_mutex_unlock(&p->mu);

		struct done d;
		run_job(p, &job, &d);

		pthread_mutex_lock(&p->mu);
		if (push_done(p, &d) < 0)
			job_free(&d.job); /* out of memory: the heartbeat is lost, the monitor lives */
		p->running--;
		p->idle_threads++;
		pthread_cond_broadcast(&p->idle);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Called with mu held: room for 'limit' queued jobs and thread handles. Threads themselves
 * start on demand (spawn), so a pool sized for the worst case costs stacks only for the
 * concurrency actually reached. */
static int grow(struct pool *p, int limit)
{
	if (limit > p->qcap) {
		struct job *q = calloc((size_t)limit, sizeof *q);
		if (!q)
			return -1;
		for (int i = 0; i < p->qlen; i++)
			q[i] = p->queue[(p->qhead + i) % p->qcap];
		free(p->queue);
		p->queue = q;
		p->qhead = 0;
		p->qcap = limit;
	}
	if (limit > p->tcap) {
		pthread_t *t = realloc(p->threads, (size_t)limit * sizeof *t);
		if (!t)
			return -1;
		p->threads = t;
		p->tcap = limit;
	}
	return 0;
}

/* Called with mu held, after queueing: one more thread when none is idle. A failed
 * pthread_create leaves the job to the threads there are. */
static int spawn(struct pool *p)
{
	if (p->idle_threads > p->qlen - 1 || p->nthreads >= p->tcap)
		return 0;
	if (pthread_create(&p->threads[p->nthreads], &p->attr, worker, p) != 0)
		return -1;
	p->nthreads++;
	p->idle_threads++; /* counted idle until it picks a job up */
	return 0;
}

struct pool *pool_create(int limit)
{
	struct pool *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->idle, NULL);
	atomic_init(&p->cancel, 0);
	pthread_attr_init(&p->attr);
	pthread_attr_setstacksize(&p->attr, WORKER_STACK);
	pool_set_limit(p, limit);
	if (!p->limit || spawn(p) < 0) {
		pool_destroy(p);
		return NULL;
	}
	return p;
}

void pool_set_limit(struct pool *p, int limit)
{
	pthread_mutex_lock(&p->mu);
	/* Threads above a lowered limit stay parked: fewer run because fewer are admitted. */
	if (grow(p, limit) == 0)
		p->limit = limit;
	pthread_mutex_unlock(&p->mu);
}

static void enqueue(struct pool *p, struct job *job)
{
	p->queue[(p->qhead + p->qlen) % p->qcap] = *job;
	p->qlen++;
	memset(job, 0, sizeof *job);
	spawn(p);
	pthread_cond_signal(&p->work);
}

int pool_try_submit(struct pool *p, struct job *job)
{
	int rc = -1;
	pthread_mutex_lock(&p->mu);
	if (p->running + p->qlen < p->limit && !p->stopping) {
		enqueue(p, job);
		rc = 0;
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

void pool_submit_wait(struct pool *p, struct job *job)
{
	pthread_mutex_lock(&p->mu);
	while (p->running + p->qlen >= p->limit)
		pthread_cond_wait(&p->idle, &p->mu);
	enqueue(p, job);
	pthread_mutex_unlock(&p->mu);
}

size_t pool_take_done(struct pool *p, struct done **out)
{
	pthread_mutex_lock(&p->mu);
	size_t n = p->ndone;
	*out = p->done;
	p->done = NULL;
	p->ndone = p->donecap = 0;
	pthread_mutex_unlock(&p->mu);
	return n;
}

void pool_free_done(struct done *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		job_free(&d[i].job);
	free(d);
}

int pool_busy(struct pool *p)
{
	pthread_mutex_lock(&p->mu);
	int n = p->running + p->qlen;
	pthread_mutex_unlock(&p->mu);
	return n;
}

int pool_wait_idle(struct pool *p, int timeout_ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&p->mu);
	while (p->running + p->qlen > 0 &&
	       pthread_cond_timedwait(&p->idle, &p->mu, &until) == 0)
		;
	int n = p->running + p->qlen;
	pthread_mutex_unlock(&p->mu);
	return n;
}

void pool_cancel(struct pool *p)
{
	atomic_store(&p->cancel, 1);
}

void pool_destroy(struct pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	for (int i = 0; i < p->qlen; i++)
		job_free(&p->queue[(p->qhead + i) % p->qcap]);
	pool_free_done(p->done, p->ndone);
	free(p->queue);
	free(p->threads);
	pthread_attr_destroy(&p->attr);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->idle);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
