/* proof.h - a preview's decoded frame left for the monitor as that cycle's heartbeat.
 *
 * With max_clients 1 a preview and a probe cannot both connect; a preview that just decoded a
 * frame has proven the stream up, so the monitor takes its figures instead of connecting again.
 * The file is <data_dir>/locks/<stream id>.proof, one line:
 * "<UTC ms of the probe start> <first frame ms> <connect ms> <codec> <width> <height>". */
#ifndef SP_PROOF_H
#define SP_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include "probe.h"

/* Writes the proof of an up probe res started at ts_ms (atomically); 0, or -1 with err. */
int proof_write(const char *data_dir, int64_t stream_id, int64_t ts_ms,
		const struct probe_result *res, char *err, size_t errlen);

/* When a proof of stream_id started at or after not_before_ms exists: fills *res (up, codec,
 * size, first_frame_ms, connect_ms) and *ts_ms, deletes the file and returns 1. 0 when there
 * is none or it is older (an old one is deleted too). */
int proof_take(const char *data_dir, int64_t stream_id, int64_t not_before_ms,
	       struct probe_result *res, int64_t *ts_ms);

#endif
