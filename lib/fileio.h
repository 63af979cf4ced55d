/* fileio.h - durable file writes shared by the monitor (thumbnails) and the web (config saves). */
#ifndef SP_FILEIO_H
#define SP_FILEIO_H

#include <stddef.h>

/* Writes buf to path so readers see the old file or the whole new one, never a mix:
 * temp file in the same folder, fsync, rename, fsync the folder. An existing file's
 * permission bits are kept (new files get 0644). 0, or -1 with err. */
int file_write_atomic(const char *path, const void *buf, size_t len, char *err, size_t errlen);

/* The same without the fsyncs, for files that are only a cache (thumbnails): readers still
 * never see a torn file, but a power cut may lose the latest version. Saves an SD card a
 * flush per write. */
int file_write_cache(const char *path, const void *buf, size_t len, char *err, size_t errlen);
/* mkdir -p with mode 0755; 0, or -1 with err. */
int file_mkdirs(const char *path, char *err, size_t errlen);

/* The same without the fsyncs, for files that are only a cache (thumbnails): readers still
 * never see a torn file, but a power cut may lose the latest version. Saves an SD card a
 * flush per write. */
int file_write_cache(const char *path, const void *buf, size_t len, char *err, size_t errlen);
/* mkdir -p of the folder holding path. */
int file_mkdirs_parent(const char *path, char *err, size_t errlen);

/* Reads a whole file of at most max bytes into *out (malloc'ed, caller frees). 0, or -1 with
 * errno set (EFBIG when larger than max). */
int file_read_all(const char *path, size_t max, char **out, size_t *outlen);

#endif
