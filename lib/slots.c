/* slots.c - counting semaphore on a mutex and condition variable (deadline and cancel aware). */
#include "slots.h"

#include <pthread.h>
#include <time.h>

#include "probe.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t freed = PTHREAD_COND_INITIALIZER;
static int limit, used;

void slots_set(int n)
{
	pthread_mutex_lock(&mu);
	limit = n > 0 ? n : 0;
	pthread_cond_broadcast(&freed);
	pthread_mutex_unlock(&mu);
}

int slots_limit(void)
{
	pthread_mutex_lock(&mu);
	int n = limit;
	pthread_mutex_unlock(&mu);
	return n;
}

/* Waits in short steps: the deadline is on the monotonic probe clock and cancel is a flag
 * nobody signals the condition for. */
int slots_acquire(int64_t deadline_us, const atomic_int *cancel)
{
	int rc = 0;
	pthread_mutex_lock(&mu);
	while (limit && used >= limit) {
		if (probe_now_us() >= deadline_us || (cancel && atomic_load(cancel))) {
			rc = -1;
			break;
		}
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 20 * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&freed, &mu, &until);
	}
	if (!rc)
		used++;
	pthread_mutex_unlock(&mu);
	return rc;
}

void slots_release(void)
{
	pthread_mutex_lock(&mu);
	if (used > 0)
		used--;
	pthread_cond_signal(&freed);
	pthread_mutex_unlock(&mu);
}
