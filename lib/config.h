/* config.h - StreamPulse configuration: the only code that knows config.yaml's format. */
#ifndef SP_CONFIG_H
#define SP_CONFIG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_NAME_MAX 64

/* auto (the default): TCP first, then UDP; the monitor remembers what worked per stream. */
enum transport { TRANSPORT_TCP = 0, TRANSPORT_UDP = 1, TRANSPORT_AUTO = 2 };

/* Picture checks (doc/health.md): what makes a decoded picture "degraded". */
enum {
	CHECK_BLACK = 1,    /* dark and flat: lens covered, camera's night mode broken */
	CHECK_UNIFORM = 2,  /* flat at any brightness: grey/blue "no signal" screens */
	CHECK_FROZEN = 4,   /* the same picture frozen_after probes in a row */
	CHECK_ALL = 7,
};

/* A stream's health settings: top-level values are the defaults, a stream may override each. */
struct health_conf {
	int checks;              /* CHECK_* bits; default CHECK_ALL */
	int frozen_after;        /* 2..100 probes, default 3 */
	int black_max_luma;      /* 0..255: mean luma at or below this is dark, default 40 */
	int uniform_max_stddev;  /* 0..128: luma spread at or below this is flat, default 6 */
	int frozen_max_diff;     /* 0..255: per-cell luma difference still "the same", default 3 */
	int max_latency_ms;      /* first frame slower than this: degraded (slow); 0: off */
	int max_clients;         /* connections we may hold to this stream's host; 0: no limit */
};

/* The defaults every stream gets unless the file says otherwise (also --check's). */
void config_health_defaults(struct health_conf *h);

/* One alert channel (lib/config_alerts.c). */
enum alert_type { ALERT_WEBHOOK = 1, ALERT_MQTT, ALERT_COMMAND };
struct alert_conf {
	enum alert_type type;
	char *url;               /* webhook: http(s) URL; mqtt: mqtt://host:port */
	char *format;            /* webhook: "json" (default), "ntfy", "discord", "slack" */
	char **headers;          /* webhook: "Name: value", NULL-terminated */
	char *username, *password; /* mqtt */
	char *topic_prefix;      /* mqtt: default "streampulse" */
	char *discovery_prefix;  /* mqtt: Home Assistant's, default "homeassistant"; "" = off */
	char *command;           /* command: program path */
	char **args;             /* command: argv[1..], NULL-terminated */
	int timeout_seconds;     /* per attempt, default 10 */
	int retries;             /* attempts after the first, default 3 */
	int line;
};

/* Owning copies of a channel list, e.g. for the monitor's alert thread, which outlives a
 * reloaded config. 0, or -1 when out of memory (*out NULL). */
int config_alert_list_copy(const struct alert_conf *src, size_t n, struct alert_conf **out);
void config_alert_list_free(struct alert_conf *a, size_t n);
/* 1 when two channels have the same settings. */
int config_alert_same(const struct alert_conf *a, const struct alert_conf *b);

struct stream_conf {
	char name[CONFIG_NAME_MAX + 1];
	char *url;                 /* as written, may hold user:password */
	int enabled;               /* default 1 */
	enum transport transport;  /* default TCP */
	int timeout_seconds;       /* 0 = use config.probe_timeout_seconds */
	struct health_conf health; /* the top-level defaults, with this stream's overrides */
	int line;                  /* 1-based line of the list item, for messages */
};

/* `shard: K/N`: this monitor probes part K (1..N) of the stream list (lib/config_shard.c). */
#define CONFIG_SHARD_MAX 1000
struct shard_conf {
	int k, n;                   /* 1/1 (the default): every stream */
};

struct config {
	int heartbeat_seconds;      /* 2..3600, default 15 */
	char timezone[128];         /* IANA name, default "UTC" */
	int probe_timeout_seconds;  /* 1..300, default 10 */
	int max_concurrent_probes;  /* 1..4096; 0 (default): sized from the stream count */
	int max_probes_per_host;    /* 0..4096, default 4; 0: no limit */
	int thumbnail_seconds;      /* 0..86400, default 300; 0: no thumbnails */
	int retention_days;         /* 1..3650, default 30 */
	int fail_threshold;         /* 1..100 failed probes in a row before down, default 2 */
	int recover_threshold;      /* 1..100 good probes in a row before up again, default 1 */
	int site_down_percent;      /* 1..100: more streams failing than this: one "site down" alert */
	struct health_conf health;  /* defaults for every stream */
	char *dashboard_url;        /* for links in alerts; NULL: none */
	int metrics_public;         /* 1: GET /metrics without a token; default 0 (API token) */
	struct shard_conf shard;    /* streams holds the whole file; config_keep_shard drops the rest */
	struct alert_conf *alerts;
	size_t nalerts;
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

/* ---- shards (lib/config_shard.c) ---- */

/* FNV-1a (32 bits) of the name's bytes: stable across versions and machines. */
uint32_t config_shard_hash(const char *name);
/* The shard (1..n) that probes the stream called name: config_shard_hash(name) % n + 1. */
int config_shard_of(const char *name, int n);
/* 1 when this config's shard probes the stream called name (always, unsharded). */
int config_in_shard(const struct config *cfg, const char *name);
/* Drops (and frees) the streams of other shards, keeping the order; returns how many are left.
 * The monitor's view: it syncs, schedules and alerts on its shard only. */
size_t config_keep_shard(struct config *cfg);
/* view = full with only this shard's streams: a new streams array of shallow copies (URLs and
 * everything else stay full's, which must outlive view). The web's dashboard, API and /metrics
 * read the view; the config editor reads the whole file. 0, or -1 out of memory. */
int config_shard_view(const struct config *full, struct config *view);
void config_shard_view_free(struct config *view);

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
