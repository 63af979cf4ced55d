/* config_cache.c - the parsed config.yaml, kept across requests while the file stays the same.
 * Parsing and validating 2,000 streams costs milliseconds on every request; a stat does not. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config_cache.h"

/* Process-wide: one FastCGI worker serves one request at a time. */
static struct config kept, kept_view; /* the whole file; its shard (lib/config_shard.c) */
static int have_kept;
static char kept_id[CONFIG_CACHE_ID];

static int file_id(const char *path, char id[CONFIG_CACHE_ID])
{
	struct stat sb;
	if (stat(path, &sb) < 0)
		return -1;
	snprintf(id, CONFIG_CACHE_ID, "%llx:%llx:%lld:%lld.%09ld:%lld.%09ld",
		 (unsigned long long)sb.st_dev, (unsigned long long)sb.st_ino, (long long)sb.st_size,
		 (long long)sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec, (long long)sb.st_ctim.tv_sec,
		 sb.st_ctim.tv_nsec);
	return 0;
}

void config_cache_free(void)
{
	if (have_kept) {
		config_shard_view_free(&kept_view);
		config_free(&kept);
	}
	have_kept = 0;
	kept_id[0] = '\0';
}

const struct config *config_cache_get(const char *path, char id[CONFIG_CACHE_ID],
				      const struct config **file, struct config_error *err)
{
	struct config fresh, view;
	/* Identity first, then the load: a change in between makes the next request's identity
	 * differ, so a newer file is never hidden behind an older id. */
	if (file_id(path, id) < 0)
		id[0] = '\0';
	*file = &kept;
	if (have_kept && id[0] && !strcmp(id, kept_id))
		return &kept_view;
	if (config_load(path, &fresh, err) < 0) {
		config_cache_free();
		return NULL;
	}
	if (config_shard_view(&fresh, &view) < 0) {
		config_free(&fresh);
		config_cache_free();
		config_error_set(err, path, 0, 0, "", "out of memory");
		return NULL;
	}
	config_cache_free();
	kept = fresh;
	kept_view = view; /* its pointers, but for streams, are fresh's: now kept's */
	have_kept = 1;
	/* No identity (stat failed, yet the load worked): never reuse this load. */
	snprintf(kept_id, sizeof kept_id, "%s", id[0] ? id : "");
	return &kept_view;
}
