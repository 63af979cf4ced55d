/* probe_log.c - FFmpeg's log output captured per thread, so a probe can quote the reason. */
#include "probe_log.h"

#include <libavutil/log.h>
#include <string.h>

/* FFmpeg's callback is process-wide; the sink is per thread, so concurrent probes
 * each see only their own library's complaints. */
static _Thread_local char *sink;
static _Thread_local size_t sink_len;
static _Thread_local int redirects;

static void capture(void *avcl, int level, const char *fmt, va_list vl)
{
	char line[512];
	int print_prefix = 1;
	(void)avcl;
	/* rtsp.c's only sign of a redirect: "Status %d: Redirecting to %s" at info level */
	if (sink && level <= AV_LOG_INFO && strstr(fmt, "Redirecting to"))
		redirects++;
	if (level > AV_LOG_ERROR || !sink || sink[0])
		return; /* the first error names the cause; later ones are consequences */
	av_log_format_line2(NULL, level, fmt, vl, line, sizeof line, &print_prefix);
	line[strcspn(line, "\r\n")] = '\0';
	if (!line[0])
		return;
	strncpy(sink, line, sink_len - 1);
	sink[sink_len - 1] = '\0';
}

void probe_log_install(void)
{
	av_log_set_callback(capture);
}

void probe_log_capture(char *buf, size_t len)
{
	sink = len ? buf : NULL;
	sink_len = len;
	redirects = 0;
	if (sink)
		sink[0] = '\0';
}

int probe_log_redirects(void)
{
	return redirects;
}
