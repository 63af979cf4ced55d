/* config_int.h - what the config loader's files share: the field table, the load context and
 * the YAML helpers that turn a node into a value or an error naming file:line:col and field. */
#ifndef SP_CONFIG_INT_H
#define SP_CONFIG_INT_H

#include <stddef.h>
#include <yaml.h>

#include "config.h"

#define SHOW_MAX 80      /* a quoted user value inside a message, cut to stay readable */
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define PRINTF(f, a) __attribute__((format(printf, f, a)))

/* One setting: how its text is checked and converted, and where the value lands. Kept apart from
 * the YAML walk so that saving a value edited in a form can run the very same check. */
struct field {
	const char *key;
	int (*check)(const struct field *f, const char *s, size_t len, void *dst, char *why,
		     size_t whylen);
	size_t offset;     /* into struct config or struct stream_conf */
	int min, max;      /* integer range; for text, max is the longest length in bytes */
	const char *want;  /* what a valid value looks like; NULL for integers (the range says it) */
};

/* One load: the text, where messages point, and what has been built so far. */
struct ctx {
	const char *name;
	const char *text;
	size_t len;
	yaml_document_t doc;
	struct config *cfg;
	struct config_error *err;
};

/* Formats into why and returns -1 (a validator's failure). */
PRINTF(3, 4) int cfg_say(char *why, size_t whylen, const char *fmt, ...);
/* A user's value quoted for a message, cut to SHOW_MAX. */
const char *cfg_show(const char *s, size_t len, char out[SHOW_MAX]);
/* Fills the error at mark (NULL: not tied to a place) and returns -1. */
PRINTF(4, 5) int cfg_fail(struct ctx *c, const yaml_mark_t *m, const char *field, const char *fmt, ...);
PRINTF(3, 4) int cfg_warn(struct ctx *c, const yaml_mark_t *m, const char *fmt, ...);

int cfg_check_int(const struct field *f, const char *s, size_t len, void *dst, char *why,
		  size_t whylen);
int cfg_check_bool(const struct field *f, const char *s, size_t len, void *dst, char *why,
		   size_t whylen);

yaml_node_t *cfg_node(struct ctx *c, int index);
const char *cfg_kind(const yaml_node_t *n);          /* "a list", "a mapping", "a single value" */
int cfg_scalar_is(const yaml_node_t *n, const char *word);
int cfg_is_null(const yaml_node_t *n);
const struct field *cfg_find_field(const struct field *fields, size_t count, const yaml_node_t *key);
/* The value under key in a mapping (and its key node in *keynode), or NULL. */
yaml_node_t *cfg_lookup(struct ctx *c, yaml_node_t *map, const char *key, yaml_node_t **keynode);
void cfg_field_path(char *out, size_t outlen, const char *prefix, const yaml_node_t *key);
/* Duplicate keys are errors; with a prefix, keys must be plain names. */
int cfg_check_keys(struct ctx *c, yaml_node_t *map, const char *prefix);
int cfg_set_field(struct ctx *c, const struct field *f, yaml_node_t *v, void *base, const char *field);
int cfg_warn_unknown(struct ctx *c, const yaml_node_t *key);

/* lib/config_shard.c: "K/N" into a struct shard_conf. */
int cfg_check_shard(const struct field *f, const char *s, size_t len, void *dst, char *why,
		    size_t whylen);

/* lib/config_health.c: the health settings' inheritance and the `checks` list. */
void health_unset(struct health_conf *h);                 /* every field "not given" */
void health_inherit(struct health_conf *h, const struct health_conf *defaults);
int cfg_load_checks(struct ctx *c, yaml_node_t *v, int *dst, const char *field);

/* Why text cannot be shown on one line (broken UTF-8, a control character), or NULL. */
const char *cfg_text_problem(const char *s, size_t len);
/* Why the authority after "scheme://" (user:password@host:port) is not usable, or 0; the
 * password is never quoted. */
int cfg_host_problem(const char *authority, size_t len, char *why, size_t whylen);

/* lib/config_alerts.c: the `alerts` list. */
int cfg_load_alerts(struct ctx *c, yaml_node_t *v);
void config_alerts_free(struct config *cfg);

#endif
