/* proof.c - a preview's decoded frame left for the monitor as that cycle's heartbeat. */
#include "proof.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"

static void proof_path(const char *data_dir, int64_t id, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/locks/%" PRId64 ".proof", data_dir, id);
}

int proof_write(const char *data_dir, int64_t stream_id, int64_t ts_ms,
		const struct probe_result *res, char *err, size_t errlen)
{
	char dir[4096], path[4200], line[128];
	snprintf(dir, sizeof dir, "%s/locks", data_dir);
	if (file_mkdirs(dir, err, errlen) < 0)
		return -1;
	proof_path(data_dir, stream_id, path, sizeof path);
	int n = snprintf(line, sizeof line, "%" PRId64 " %d %d %s %d %d\n", ts_ms,
			 res->first_frame_ms, res->connect_ms, res->codec[0] ? res->codec : "-",
			 res->width, res->height);
	return file_write_cache(path, line, (size_t)n, err, errlen);
}

int proof_take(const char *data_dir, int64_t stream_id, int64_t not_before_ms,
	       struct probe_result *res, int64_t *ts_ms)
{
	char path[4200], codec[24];
	int64_t ts = 0;
	int first = 0, conn = 0, w = 0, h = 0;
	proof_path(data_dir, stream_id, path, sizeof path);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	int n = fscanf(f, "%" SCNd64 " %d %d %23s %d %d", &ts, &first, &conn, codec, &w, &h);
	fclose(f);
	unlink(path); /* used or stale: either way it is spent */
	if (n != 6 || ts < not_before_ms)
		return 0;
	memset(res, 0, sizeof *res);
	res->up = 1;
	res->error = PROBE_OK;
	res->first_frame_ms = first;
	res->connect_ms = conn;
	res->elapsed_ms = first;
	snprintf(res->codec, sizeof res->codec, "%s", strcmp(codec, "-") ? codec : "");
	res->width = w;
	res->height = h;
	*ts_ms = ts;
	return 1;
}
