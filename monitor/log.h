/* log.h - the monitor's stderr log: one timestamped line per event. */
#ifndef SP_LOG_H
#define SP_LOG_H

#include <stdint.h>

extern int log_verbose;

void log_line(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));

/* CLOCK_REALTIME in UTC milliseconds: what heartbeats record. */
int64_t clock_utc_ms(void);
/* CLOCK_MONOTONIC in milliseconds: what the scheduler plans with. */
int64_t clock_mono_ms(void);

#endif
