/* hostprobe.h - one job's probe within its host's client slots, or a preview's proof instead. */
#ifndef SP_HOSTPROBE_H
#define SP_HOSTPROBE_H

#include <stdatomic.h>

#include "pool.h"

/* Fills d->res for job: from a fresh preview proof (d->from_preview, job->ts_ms becomes the
 * preview's start), else by probing once one of the host's max_clients slots is free, else
 * PROBE_BUSY without connecting. The frame, if kept, is d->res.frame. */
void hostprobe_run(struct job *job, const atomic_int *cancel, struct done *d);

#endif
