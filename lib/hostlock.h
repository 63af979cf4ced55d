/* hostlock.h - per-host client slots shared by every process: flock'ed files under data_dir.
 *
 * Cameras allow few clients (often one or two): the monitor's probes and the web's previews
 * together may hold at most max_clients connections to one host:port. Slot n of a host is
 * <data_dir>/locks/<host>_<port>.<n>, held with flock(): the kernel drops the lock when the
 * holder exits, so a crash never leaks a slot. */
#ifndef SP_HOSTLOCK_H
#define SP_HOSTLOCK_H

#include <stdatomic.h>
#include <stddef.h>

/* Poll interval while every slot is taken. */
#define HOSTLOCK_POLL_MS 50

struct hostlock {
	int fd;                    /* -1: nothing held (also after max_clients 0) */
	int slot;
};

/* Takes one of the max_clients slots of url's host, waiting at most deadline_ms (relative,
 * polled every HOSTLOCK_POLL_MS; *cancel, optional, ends the wait early). 0 when taken (or
 * max_clients is 0: no limit, nothing held); 1 when all were still taken at the deadline or
 * on cancel; -1 with err filled (folder or URL unusable). */
int hostlock_take(const char *data_dir, const char *url, int max_clients, int deadline_ms,
		  const atomic_int *cancel, struct hostlock *out, char *err, size_t errlen);

/* Frees the slot (no-op when none is held); safe to call twice. */
void hostlock_release(struct hostlock *lk);

/* "<host>_<port>" of url made safe as a file name (anything but [a-z0-9.-] becomes '_');
 * 0, or -1 when url has no host. */
int hostlock_key(const char *url, char *out, size_t outlen);

#endif
