/* probe_log.h - FFmpeg's log output captured per thread, so a probe can quote the reason. */
#ifndef SP_PROBE_LOG_H
#define SP_PROBE_LOG_H

#include <stddef.h>

/* Replaces FFmpeg's default stderr logger (once, before threads). */
void probe_log_install(void);

/* From now on this thread's first FFmpeg error line goes to buf; NULL stops capturing.
 * Also restarts this thread's redirect count. */
void probe_log_capture(char *buf, size_t len);

/* RTSP redirects FFmpeg followed on this thread since probe_log_capture: libavformat follows
 * them without a limit and says so only in its log. */
int probe_log_redirects(void);

#endif
