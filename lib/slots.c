/* slots.c - decode threads fed from a FIFO; callers wait on their own task's flag. */
#include "slots.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "probe.h"

struct task {
	void (*fn)(void *);
	void *arg;
	int state;                   /* 0 queued, 1 running, 2 done */
	struct task *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static pthread_cond_t finished = PTHREAD_COND_INITIALIZER;
static struct task *head, *tail;
static pthread_t *threads;
static int nthreads, stopping;

static void *decoder(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&mu);
	for (;;) {
		while (!head && !stopping)
			pthread_cond_wait(&work, &mu);
		if (!head)
			break;
		struct task *t = head;
		head = t->next;
		if (!head)
			tail = NULL;
		t->state = 1;
		pthread_mutex_unlock(&mu);
		t->fn(t->arg);
		pthread_mutex_lock(&mu);
		t->state = 2;
		pthread_cond_broadcast(&finished);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

int slots_start(int n)
{
	if (n <= 0 || threads)
		return 0;
	if (!(threads = calloc((size_t)n, sizeof *threads)))
		return -1;
	for (nthreads = 0; nthreads < n; nthreads++)
		if (pthread_create(&threads[nthreads], NULL, decoder, NULL) != 0)
			break;
	if (!nthreads) {
		free(threads);
		threads = NULL;
		return -1;
	}
	return 0;
}

void slots_stop(void)
{
	pthread_mutex_lock(&mu);
	stopping = 1;
	pthread_cond_broadcast(&work);
	pthread_mutex_unlock(&mu);
	for (int i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	threads = NULL;
	nthreads = stopping = 0;
}

static void unlink_task(struct task *t)
{
	struct task **p = &head, *prev = NULL;
	while (*p && *p != t) {
		prev = *p;
		p = &(*p)->next;
	}
	if (!*p)
		return;
	*p = t->next;
	if (tail == t)
		tail = prev;
}

/* Waits in short steps: the deadline is on the monotonic probe clock and cancel is a flag
 * nobody signals the condition for. */
int slots_run(void (*fn)(void *), void *arg, int64_t deadline_us, const atomic_int *cancel)
{
	struct task t = { fn, arg, 0, NULL };
	if (!nthreads) {
		fn(arg);
		return 0;
	}
	pthread_mutex_lock(&mu);
	if (tail)
		tail->next = &t;
	else
		head = &t;
	tail = &t;
	pthread_cond_signal(&work);
	while (t.state != 2) {
		if (t.state == 0 && (probe_now_us() >= deadline_us || (cancel && atomic_load(cancel)))) {
			unlink_task(&t);
			pthread_mutex_unlock(&mu);
			return -1;
		}
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 20 * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&finished, &mu, &until);
	}
	pthread_mutex_unlock(&mu);
	return 0;
}
