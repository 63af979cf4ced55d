/* slots.h - a process-wide limit on concurrent decoding (and thumbnail encoding).
 *
 * Probes spend most of their time waiting on the network for a keyframe, which costs a socket
 * and a few buffers; decoding costs a decoder's frame pool (megabytes) and CPU. Hundreds of
 * probes may wait at once while only as many decode as there are cores, so memory stays flat
 * and CPU is not oversubscribed. */
#ifndef SP_SLOTS_H
#define SP_SLOTS_H

#include <stdatomic.h>
#include <stdint.h>

/* Sets how many may hold a slot at once; 0 (the default) means no limit. Call before threads. */
void slots_set(int n);
int slots_limit(void);
/* Waits for a slot until deadline_us (probe_now_us clock) or until *cancel: 0 acquired,
 * -1 not. With no limit, returns 0 at once. */
int slots_acquire(int64_t deadline_us, const atomic_int *cancel);
void slots_release(void);

#endif
