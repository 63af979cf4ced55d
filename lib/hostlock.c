/* hostlock.c - per-host client slots shared by every process: flock'ed files under data_dir. */
#include "hostlock.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int hostlock_key(const char *url, char *out, size_t outlen)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;
	int rc = -1;
	/* CURLU_DEFAULT_PORT: rtsp://cam/ and rtsp://cam:554/ are the same camera. */
	if (u && curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OUT_OF_MEMORY &&
	    (size_t)snprintf(out, outlen, "%s_%s", host, port ? port : "0") < outlen) {
		for (char *p = out; *p; p++) {
			char c = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
			int safe = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
			*p = safe && !(p == out && c == '.') ? c : '_';
		}
		rc = 0;
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

/* One pass over the slots: 0 with *out held, 1 when all are taken, -1 on error. */
static int try_slots(const char *base, int max_clients, struct hostlock *out, char *err,
		     size_t errlen)
{
	char path[4420];
	for (int n = 0; n < max_clients; n++) {
		snprintf(path, sizeof path, "%s.%d", base, n);
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0) {
			snprintf(err, errlen, "cannot open client slot %s: %s", path, strerror(errno));
			return -1;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			out->fd = fd;
			out->slot = n;
			return 0;
		}
		int e = errno;
		close(fd);
		if (e != EWOULDBLOCK) {
			snprintf(err, errlen, "cannot lock client slot %s: %s", path, strerror(e));
			return -1;
		}
	}
	return 1;
}

int hostlock_take(const char *data_dir, const char *url, int max_clients, int deadline_ms,
		  const atomic_int *cancel, struct hostlock *out, char *err, size_t errlen)
{
	char dir[4096], key[300], base[4400];
	int64_t end = mono_ms() + (deadline_ms > 0 ? deadline_ms : 0);
	out->fd = -1;
	out->slot = -1;
	if (max_clients <= 0)
		return 0;
	if (hostlock_key(url, key, sizeof key) < 0) {
		snprintf(err, errlen, "no host in the stream's URL");
		return -1;
	}
	snprintf(dir, sizeof dir, "%s/locks", data_dir);
	if (file_mkdirs(dir, err, errlen) < 0)
		return -1;
	snprintf(base, sizeof base, "%s/%s", dir, key);
	for (;;) {
		int rc = try_slots(base, max_clients, out, err, errlen);
		int64_t left = end - mono_ms();
		if (rc != 1 || left <= 0 || (cancel && atomic_load(cancel)))
			return rc;
		int ms = left < HOSTLOCK_POLL_MS ? (int)left : HOSTLOCK_POLL_MS;
		nanosleep(&(struct timespec){ 0, (long)ms * 1000000 }, NULL);
	}
}

void hostlock_release(struct hostlock *lk)
{
	if (lk->fd >= 0)
		close(lk->fd); /* closing the last descriptor drops the flock */
	lk->fd = -1;
	lk->slot = -1;
}
