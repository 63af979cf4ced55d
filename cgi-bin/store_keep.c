/* store_keep.c - the database connection, kept open across requests while the file stays.
 * Opening costs more than a cached page: SQLite reads the whole schema, and store_open sets
 * the journal mode and checks the migrations. Measured at 2,000 streams: 40 % of a worker's
 * time serving /api/streams from the cache went to store_open and store_close. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "store_keep.h"

/* Process-wide: one FastCGI worker serves one request at a time. */
static struct store *kept;
static char *kept_path;
static dev_t kept_dev;
static ino_t kept_ino;

void store_keep_free(void)
{
	store_close(kept);
	kept = NULL;
	free(kept_path);
	kept_path = NULL;
}

/* Still the file we opened? A removed or replaced database would leave us reading the old
 * inode forever. */
static int still_same(const char *path)
{
	struct stat sb;
	return kept && !strcmp(kept_path, path) && stat(path, &sb) == 0 && sb.st_dev == kept_dev &&
	       sb.st_ino == kept_ino;
}

struct store *store_keep_get(const char *path, int (*on_open)(struct store *st, char *err, size_t errlen),
			     char *err, size_t errlen)
{
	struct stat sb;
	if (still_same(path)) {
		sqlite3 *db = store_db(kept);
		/* A request that failed midway must not leave the next one inside its transaction. */
		if (!sqlite3_get_autocommit(db))
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return kept;
	}
	store_keep_free();
	/* The web may start before the monitor ever ran: the folder may not exist yet. */
	if (file_mkdirs_parent(path, err, errlen) < 0 || store_open(path, &kept, err, errlen) < 0)
		return NULL;
	if (!(kept_path = strdup(path)) || stat(path, &sb) < 0) {
		snprintf(err, errlen, "%s: cannot keep the database open", path);
		store_keep_free();
		return NULL;
	}
	if (on_open && on_open(kept, err, errlen) < 0) {
		store_keep_free();
		return NULL;
	}
	kept_dev = sb.st_dev;
	kept_ino = sb.st_ino;
	return kept;
}
