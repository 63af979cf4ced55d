/* ui-preview.c - GET /preview/NAME.jpg: one frame from the camera now; GET /thumb/NAME.jpg: the
 * monitor's last thumbnail. Cameras often allow two clients: whatever the number of viewers and
 * FastCGI workers, one preview connection per stream at a time (a lock file), and a frame under
 * 2 s old is served from the cache to everyone waiting.
 * The preview also takes one of the camera host's max_clients slots (lib/hostlock.h), shared
 * with the monitor's probes, and leaves its frame as proof for the monitor's next heartbeat.
 * Outcomes: 200 image/jpeg; 404 unknown stream or no thumbnail yet; 504 no frame within the
 * probe deadline (the reason named); 503 the cache folder is unusable, or the camera's
 * max_clients slots stayed taken for PREVIEW_SLOT_WAIT_MS. */
#include <errno.h>
#include <fcntl.h>
#include <libavutil/mem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "hash.h"
#include "frame.h"
#include "hostlock.h"
#include "probe.h"
#include "proof.h"
#include "store_web.h"
#include "web.h"

#define PREVIEW_FRESH_MS 2000
/* A viewer waits this long for a camera slot the monitor holds (a healthy probe takes well
 * under a second) before being told the camera is busy. */
#define PREVIEW_SLOT_WAIT_MS 2000

static int64_t mtime_ms(const char *path)
{
	struct stat sb;
	if (stat(path, &sb) < 0)
		return 0;
	return (int64_t)sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000;
}

static int send_file(struct web *w, const char *path)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;
	if (!f)
		return -1;
	w->res.body.len = 0;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&w->res.body, chunk, n);
	fclose(f);
	snprintf(w->res.content_type, sizeof w->res.content_type, "image/jpeg");
	return 0;
}

/* Waits for the stream's lock until deadline; the fd, or -1. */
static int lock_stream(const char *lock_path, int64_t deadline_ms)
{
	int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK || web_now_ms() > deadline_ms) {
			close(fd);
			return -1;
		}
		nanosleep(&(struct timespec){ 0, 20 * 1000000 }, NULL);
	}
	return fd;
}

/* Leaves the frame's figures for the monitor (lib/proof.h). Best effort: without it the
 * monitor connects as usual; a stream not yet in the store has no id to file it under. */
static void leave_proof(struct web *w, const struct stream_conf *s, int64_t ts_ms,
			const struct probe_result *res)
{
	char err[256];
	int64_t id = store_web_stream_id(w->st, s->name);
	if (id > 0 && proof_write(w->cfg->data_dir, id, ts_ms, res, err, sizeof err) < 0)
		fprintf(stderr, "streampulse.fcgi: preview of '%s': proof not written: %s\n", s->name, err);
}

/* Probes the camera and writes the frame to cache_path; 0, or -1 after ui_error (504, or 503
 * when the camera's client slots are taken). */
static int probe_to_cache(struct web *w, const struct stream_conf *s, const char *cache_path)
{
	struct probe_request req = { .url = s->url, .transport = s->transport,
				     .timeout_ms = config_stream_timeout(w->cfg, s) * 1000, .keep_frame = 1 };
	struct probe_result res;
	struct hostlock lk;
	uint8_t *jpg = NULL;
	size_t len = 0;
	char err[256];
	int rc = -1;
	int slot = hostlock_take(w->cfg->data_dir, s->url, s->health.max_clients, PREVIEW_SLOT_WAIT_MS,
				 NULL, &lk, err, sizeof err);
	if (slot != 0) {
		if (slot > 0)
			ui_error(w, 503, "camera busy: its max_clients slots are in use (%d), try again "
				 "in a few seconds", s->health.max_clients);
		else
			ui_error(w, 503, "preview of '%s' not possible: %s", s->name, err);
		return -1;
	}
	int64_t ts_ms = web_now_ms();
	probe_run(&req, &res);
	hostlock_release(&lk); /* before encoding: the camera is free again */
	if (!res.up)
		ui_error(w, 504, "no frame from '%s': %s: %s", s->name, probe_class_name(res.error), res.message);
	else if (frame_encode_jpeg(res.frame, 0, &jpg, &len, err, sizeof err) < 0 ||
		 file_write_atomic(cache_path, jpg, len, err, sizeof err) < 0)
		ui_error(w, 503, "preview of '%s' not stored: %s", s->name, err);
	else
		rc = 0;
	if (res.up)
		leave_proof(w, s, ts_ms, &res);
	av_free(jpg);
	probe_result_clear(&res);
	return rc;
}

void ui_preview(struct web *w, const char *name)
{
	const struct stream_conf *s = web_stream(w, name);
	char dir[4096], lock_path[4200], cache_path[4200], err[256], key[65];
	if (!s) {
		ui_error(w, 404, "no stream named '%s'", name);
		return;
	}
	/* Keyed by the name, not the database id: a stream just added has no id yet. */
	hash_sha256_hex(name, strlen(name), key);
	key[16] = '\0';
	snprintf(dir, sizeof dir, "%s/preview", w->cfg->data_dir);
	snprintf(lock_path, sizeof lock_path, "%s/%s.lock", dir, key);
	snprintf(cache_path, sizeof cache_path, "%s/%s.jpg", dir, key);
	if (file_mkdirs(dir, err, sizeof err) < 0) {
		ui_error(w, 503, "%s", err);
		return;
	}
	/* Waiters give up one deadline after the holder's probe would have ended. */
	int64_t deadline = web_now_ms() + 2LL * config_stream_timeout(w->cfg, s) * 1000;
	int fd = lock_stream(lock_path, deadline);
	if (fd < 0) {
		ui_error(w, 504, "another preview of '%s' is still running", name);
		return;
	}
	int fresh = web_now_ms() - mtime_ms(cache_path) < PREVIEW_FRESH_MS;
	if ((fresh || probe_to_cache(w, s, cache_path) == 0) && send_file(w, cache_path) < 0)
		ui_error(w, 503, "preview of '%s' vanished from the cache", name);
	close(fd); /* releases the lock */
	res_header(w, "Cache-Control: no-store");
}

void ui_thumb(struct web *w, const char *name)
{
	char path[4200];
	int64_t id = web_stream(w, name) ? store_web_stream_id(w->st, name) : 0;
	if (!id) {
		ui_error(w, 404, "no stream named '%s'", name);
		return;
	}
	snprintf(path, sizeof path, "%s/thumbs/%lld.jpg", w->cfg->data_dir, (long long)id);
	if (send_file(w, path) < 0) {
		ui_error(w, 404, "no thumbnail of '%s' yet", name);
		return;
	}
	res_header(w, "Cache-Control: private, max-age=5");
}
