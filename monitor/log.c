/* log.c - the monitor's stderr log and its clocks. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

int log_verbose;

int64_t clock_utc_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void log_line(const char *fmt, ...)
{
	char stamp[32], line[1024];
	int64_t ms = clock_utc_ms();
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	va_list ap;

	gmtime_r(&secs, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	/* One write per line so lines from threads never interleave. */
	fprintf(stderr, "%s.%03dZ %s\n", stamp, (int)(ms % 1000), line);
}
