/* config.h - StreamPulse configuration: the only code that knows config.yaml's format. */
#ifndef SP_CONFIG_H
#define SP_CONFIG_H

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
	int max_concurrent_probes;  /* 1..4096, default 32 */
	int retention_days;         /* 1..3650, default 30 */
	char *data_dir;             /* absolute; default <config dir>/data */
	char *database;             /* absolute; default <data_dir>/streams.db */
	struct stream_conf *streams;
	size_t nstreams;
	char **warnings;            /* "file:line:col: unknown key 'x'" */
	size_t nwarnings;
};

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

/* Effective probe deadline of one stream, in seconds. */
int config_stream_timeout(const struct config *cfg, const struct stream_conf *s);

#endif
