/* config.h - StreamPulse configuration: the only code that knows config.yaml's format. */
#ifndef SP_CONFIG_H
#define SP_CONFIG_H

#include <stdarg.h>
#include <stddef.h>

#define CONFIG_NAME_MAX 64

enum transport { TRANSPORT_TCP = 0, TRANSPORT_UDP = 1 };

struct stream_conf {
	char name[CONFIG_NAME_MAX + 1];
	char *url;                 /* as written, may hold user:password */
	int enabled;               /* default 1 */
	enum transport transport;  /* default TCP */
	int timeout_seconds;       /* 0 = use config.probe_timeout_seconds */
	int line;                  /* 1-based line of the list item, for messages */
};

struct config {
	int heartbeat_seconds;      /* 2..3600, default 15 */
	char timezone[128];         /* IANA name, default "UTC" */
	int probe_timeout_seconds;  /* 1..300, default 10 */
	int max_concurrent_probes;  /* 1..4096; 0 (default): sized from the stream count */
	int max_probes_per_host;    /* 0..4096, default 4; 0: no limit */
	int thumbnail_seconds;      /* 0..86400, default 300; 0: no thumbnails */
	int retention_days;         /* 1..3650, default 30 */
	char *data_dir;             /* absolute; default <config dir>/data */
	char *database;             /* absolute; default <data_dir>/streams.db */
	struct stream_conf *streams;
	size_t nstreams;
	char **warnings;            /* "file:line:col: unknown key 'x'" */
	size_t nwarnings;
};

/* Probes allowed at once: the configured number, or when unset enough for every stream to
 * spend two seconds (connect, one GOP) per interval, plus headroom for dead cameras. */
int config_probe_limit(const struct config *cfg);

/* One error: where it is and what is wrong, so a form can put it next to its field. */
struct config_error {
	int line, column;          /* 1-based; 0 when not tied to a place */
	char field[96];            /* "streams[2].url", "heartbeat_seconds", "" */
	char message[512];         /* full text: "config.yaml:7:10: streams[2].url: scheme 'ftp' is not supported" */
};

/* Load and validate a file. Relative data_dir/database resolve against the file's folder.
 * Returns 0, or -1 with *err filled (nothing to free in *cfg then). */
int config_load(const char *path, struct config *cfg, struct config_error *err);

/* Same for text in memory; 'name' is used in messages, 'base_dir' resolves relative paths. */
int config_parse(const char *text, size_t len, const char *name, const char *base_dir,
		 struct config *cfg, struct config_error *err);

void config_free(struct config *cfg);

/* Fills err as every config message reads: "NAME:LINE:COL: FIELD: problem" (line 0: no
 * place; "" field: none). Shared by the loader and the editor's save. */
void config_error_vset(struct config_error *err, const char *name, int line, int column,
		       const char *field, const char *fmt, va_list ap)
	__attribute__((format(__printf__, 6, 0)));
void config_error_set(struct config_error *err, const char *name, int line, int column,
		      const char *field, const char *fmt, ...)
	__attribute__((format(__printf__, 6, 7)));

/* The streams' names in config order, NULL-terminated (what store_sync_streams takes). The
 * array is malloc'ed (the caller frees it; the names stay cfg's); NULL when out of memory. */
const char **config_names(const struct config *cfg);

/* Effective probe deadline of one stream, in seconds. */
int config_stream_timeout(const struct config *cfg, const struct stream_conf *s);

/* ---- editing (the web's config editor; lib/config_save.c) ---- */

struct stream_edit {
	char name[CONFIG_NAME_MAX + 1];
	char old_name[CONFIG_NAME_MAX + 1]; /* "" for a new stream; else the name it had */
	const char *url;                    /* may carry URL_MASK as password: keep the stored one */
	int enabled;
};

/* What the form edits. Everything else the file holds (other top-level keys, a stream's
 * transport/timeout_seconds/unknown keys) is kept as it was. Comments are not kept. */
struct config_edit {
	int heartbeat_seconds;
	const char *timezone;
	const struct stream_edit *streams;
	size_t nstreams;
};

enum config_save_result {
	CONFIG_SAVE_OK = 0,
	CONFIG_SAVE_INVALID = -1,   /* err names the field ("streams[2].url") and the problem */
	CONFIG_SAVE_CONFLICT = -2,  /* the file changed since expected_version */
	CONFIG_SAVE_IO = -3,        /* err says what failed; the file is unchanged */
};

/* Version of the file on disk: SHA-256 of its bytes, hex. 0, or -1 with err filled. */
int config_version(const char *path, char out[65], struct config_error *err);

/* Applies edit to the file at path if its version is still expected_version: builds the new
 * YAML, validates it with config_parse (nothing written on error), then writes it atomically
 * (temp file in the same folder, fsync, rename, fsync the folder). */
enum config_save_result config_save(const char *path, const char *expected_version,
				    const struct config_edit *edit, struct config_error *err);

#endif
