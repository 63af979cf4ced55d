/* store_keep.h - the database connection, kept open across requests while the file stays. */
#ifndef SP_STORE_KEEP_H
#define SP_STORE_KEEP_H

#include <stddef.h>

#include "store.h"

/* The store at path, opened (creating its folder and file, migrating) only when no connection
 * is kept for that path and file: another path, or the file replaced or removed, opens anew.
 * on_open runs once per connection opened (e.g. creating the first user); when it fails, the
 * connection is closed again and the next call retries. Owned here: callers never close it.
 * NULL with err. */
struct store *store_keep_get(const char *path, int (*on_open)(struct store *st, char *err, size_t errlen),
			     char *err, size_t errlen);

/* Closes the kept connection (at exit). */
void store_keep_free(void);

#endif
