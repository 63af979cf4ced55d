/* config_cache.h - the parsed config.yaml, kept across requests while the file stays the same. */
#ifndef SP_CONFIG_CACHE_H
#define SP_CONFIG_CACHE_H

#include "config.h"

#define CONFIG_CACHE_ID 96 /* "dev:ino:size:mtime:ctime", nanoseconds */

/* The config at path, parsed again only when the file's identity (device, inode, size,
 * modification and change times) differs from the last load: a save by the editor (a rename
 * over the file: new inode) or by hand is seen on the next request. id gets that identity.
 * Returns this shard's view (only the streams `shard: K/N` gives this site; the whole list when
 * unsharded) and sets *file to the whole file. The pointers stay valid until the next call.
 * NULL with *err filled when the file does not load; the last good config is then dropped
 * too, as a fresh load would have failed. */
const struct config *config_cache_get(const char *path, char id[CONFIG_CACHE_ID],
				      const struct config **file, struct config_error *err);

/* Frees the kept config (at exit, so leak checkers see a clean process). */
void config_cache_free(void);

#endif
