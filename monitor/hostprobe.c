/* hostprobe.c - one job's probe within its host's client slots, or a preview's proof instead. */
#include "hostprobe.h"

#include <string.h>

#include "hostlock.h"
#include "log.h"
#include "proof.h"

/* Time a probe keeps for itself after waiting for a slot: connect plus one GOP. */
#define PROBE_MIN_MS 1000

/* How long a probe may wait for a slot: until a bit before its deadline, leaving the probe
 * a quarter of its time and at least PROBE_MIN_MS (a preview holds a slot for well under a
 * second on a healthy camera; a camera slower than that is not worth a late probe). */
static int wait_budget_ms(int timeout_ms)
{
	int keep = timeout_ms / 4 > PROBE_MIN_MS ? timeout_ms / 4 : PROBE_MIN_MS;
	return timeout_ms > keep ? timeout_ms - keep : 0;
}

static void result_reset(struct probe_result *res)
{
	memset(res, 0, sizeof *res);
	res->connect_ms = -1;
	res->first_frame_ms = -1;
}

static int from_proof(struct job *job, struct done *d)
{
	int64_t ts;
	if (!job->data_dir || job->proof_max_ms <= 0 ||
	    proof_take(job->data_dir, job->stream_id, job->ts_ms - job->proof_max_ms, &d->res, &ts) != 1)
		return 0;
	job->ts_ms = ts;
	d->from_preview = 1;
	return 1;
}

void hostprobe_run(struct job *job, const atomic_int *cancel, struct done *d)
{
	struct probe_request req = {
		.url = job->url,
		.transport = job->transport,
		.first = job->transport_first,
		.timeout_ms = job->timeout_ms,
		.keep_frame = job->thumb_path != NULL,
		.cancel = cancel,
	};
	struct hostlock lk;
	char err[256];
	int64_t t0 = clock_mono_ms();
	result_reset(&d->res);
	if (from_proof(job, d))
		return;
	int max_clients = job->data_dir ? job->max_clients : 0; /* no folder: no slots */
	int rc = hostlock_take(job->data_dir ? job->data_dir : "", job->url, max_clients,
			       wait_budget_ms(job->timeout_ms), cancel, &lk, err, sizeof err);
	int waited = (int)(clock_mono_ms() - t0);
	if (rc == 0) {
		req.timeout_ms = job->timeout_ms - waited;
		probe_run(&req, &d->res);
		hostlock_release(&lk);
		return;
	}
	if (rc < 0)
		probe_fail(&d->res, PROBE_INTERNAL, "%s", err);
	else if (cancel && atomic_load(cancel))
		probe_fail(&d->res, PROBE_CANCELLED, "probe cancelled");
	else
		probe_fail(&d->res, PROBE_BUSY, "host busy: %d of %d client slots in use (max_clients)",
			   job->max_clients, job->max_clients);
	d->res.elapsed_ms = waited;
}
