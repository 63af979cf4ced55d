/* slots.h - a few decode threads, sized to the cores, for every decode and thumbnail encode.
 *
 * Probes spend most of their time waiting on the network for a keyframe, which costs a socket
 * and a few buffers; decoding costs a decoder's frame pool (megabytes), CPU and a deep stack.
 * Hundreds of probe threads (small stacks) may wait at once while only these threads decode,
 * so memory stays flat and the CPU is not oversubscribed. */
#ifndef SP_SLOTS_H
#define SP_SLOTS_H

#include <stdatomic.h>
#include <stdint.h>

/* Starts n decode threads; 0 (the default, and the web program's choice) runs work inline in
 * the caller. 0, or -1 when no thread could start (work then runs inline). */
int slots_start(int n);
/* Joins the decode threads (after the last slots_run returned). */
void slots_stop(void);
/* Runs fn(arg) on a decode thread and waits for it. -1 without running it when the deadline
 * (probe_now_us clock) passes or *cancel is set while it waits in the queue; once started, it
 * runs to the end. */
int slots_run(void (*fn)(void *), void *arg, int64_t deadline_us, const atomic_int *cancel);

#endif
