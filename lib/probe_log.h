/* probe_log.h - FFmpeg's log output captured per thread, so a probe can quote the reason. */
#ifndef SP_PROBE_LOG_H
#define SP_PROBE_LOG_H

#include <stddef.h>

/* Replaces FFmpeg's default stderr logger (once, before threads). */
void probe_log_install(void);

/* From now on this thread's first FFmpeg error line goes to buf; NULL stops capturing. */
void probe_log_capture(char *buf, size_t len);

#endif
