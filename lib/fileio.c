/* fileio.c - atomic file replacement and directory creation. */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return -1;
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

/* TEST-ONLY fault injection (tests/t0600-fault-config-save.sh): SP_FAULT_BEFORE_RENAME=<seconds>
 * makes every atomic replace wait that long after the temp file is written and fsynced and before
 * the rename, so a test can SIGKILL the program in that window. Read once at process start: under
 * FastCGI, FCGI_Accept replaces environ with each request's parameters. Never set it in production. */
static unsigned fault_before_rename;

__attribute__((constructor)) static void fault_init(void)
{
	const char *s = getenv("SP_FAULT_BEFORE_RENAME");
	if (s && *s)
		fault_before_rename = (unsigned)strtoul(s, NULL, 10);
}

static int replace(const char *path, const void *buf, size_t len, int durable, char *err,
		   size_t errlen)
{
	char tmp[4096];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= sizeof tmp) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	struct stat old;
	/* A replaced file keeps its permissions (a config holding passwords is often 0600);
	 * set on the temp file before the rename, so there is no moment it is more open. */
	mode_t mode = stat(path, &old) == 0 ? old.st_mode & 07777 : 0644;
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create temp file: %s", path, strerror(errno));
		return -1;
	}
	const char *step = "write";
	if (write_all(fd, buf, len) < 0)
		goto fail;
	step = "fsync";
	if (fchmod(fd, mode) < 0 || (durable && fsync(fd) < 0))
		goto fail;
	step = "close";
	int rc = close(fd);
	fd = -1;
	if (rc < 0)
		goto fail;
	for (unsigned left = fault_before_rename; left > 0;) /* test-only, see above */
		left = sleep(left);
	step = "rename";
	if (rename(tmp, path) < 0)
		goto fail;
	if (durable && fsync_dir_of(path) < 0) {
		snprintf(err, errlen, "%s: fsync of folder failed: %s", path, strerror(errno));
		return -1;
	}
	return 0;
fail:
	snprintf(err, errlen, "%s: %s failed: %s", path, step, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

int file_write_atomic(const char *path, const void *buf, size_t len, char *err, size_t errlen)
{
	return replace(path, buf, len, 1, err, errlen);
}

int file_write_cache(const char *path, const void *buf, size_t len, char *err, size_t errlen)
{
	return replace(path, buf, len, 0, err, errlen);
}

int file_mkdirs(const char *path, char *err, size_t errlen)
{
	char buf[4096];
	if ((size_t)snprintf(buf, sizeof buf, "%s", path) >= sizeof buf) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	if (!buf[0])
		return 0;
	for (char *p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create folder %s: %s", buf, strerror(errno));
			return -1;
		}
		*p = c;
		if (!c)
			break;
	}
	return 0;
}

int file_mkdirs_parent(const char *path, char *err, size_t errlen)
{
	char *copy = strdup(path);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = file_mkdirs(dirname(copy), err, errlen);
	free(copy);
	return rc;
}

int file_read_all(const char *path, size_t max, char **out, size_t *outlen)
{
	size_t cap = 0, len = 0;
	char *buf = NULL, *grown;
	ssize_t r = 1;
	int fd = open(path, O_RDONLY | O_CLOEXEC), saved;
	*out = NULL;
	*outlen = 0;
	if (fd < 0)
		return -1;
	/* Reads up to max + 1 bytes: enough to tell a file is too large without trusting
	 * st_size (a FIFO or /proc file reports 0). */
	while (r != 0 && len <= max) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			cap = cap > max + 1 ? max + 1 : cap;
			if (!(grown = realloc(buf, cap))) {
				r = -1, errno = ENOMEM;
				break;
			}
			buf = grown;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno != EINTR)
			break;
		len += r > 0 ? (size_t)r : 0;
	}
	saved = r < 0 ? errno : EFBIG;
	close(fd);
	if (r < 0 || len > max) {
		free(buf);
		errno = saved;
		return -1;
	}
	*out = buf;
	*outlen = len;
	return 0;
}
