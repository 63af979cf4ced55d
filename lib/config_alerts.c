/* config_alerts.c - the `alerts` list: webhook, mqtt and command channels. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config_int.h"
#include "url.h"

#define MAX_ALERTS 32
#define MAX_TEXT 4096
#define MAX_ITEMS 64

enum { FOR_WEBHOOK = 1 << ALERT_WEBHOOK, FOR_MQTT = 1 << ALERT_MQTT, FOR_COMMAND = 1 << ALERT_COMMAND };

static const char *const type_names[] = { [ALERT_WEBHOOK] = "webhook", [ALERT_MQTT] = "mqtt",
					  [ALERT_COMMAND] = "command" };

/* ---- validators (text -> value or a reason); none quotes a value that may be a secret ---- */

static int copy_text(const char *s, size_t len, void *dst, char *why, size_t whylen)
{
	char *copy = strndup(s, len);
	if (!copy)
		return cfg_say(why, whylen, "out of memory");
	free(*(char **)dst);
	*(char **)dst = copy;
	return 0;
}

static int text_ok(const struct field *f, const char *s, size_t len, char *why, size_t whylen)
{
	const char *problem = cfg_text_problem(s, len);
	if (len < (size_t)f->min)
		return cfg_say(why, whylen, "must not be empty");
	if (len > (size_t)f->max)
		return cfg_say(why, whylen, "is too long: %zu bytes, at most %d", len, f->max);
	if (problem)
		return cfg_say(why, whylen, "%s", problem);
	return 0;
}

static int check_text(const struct field *f, const char *s, size_t len, void *dst, char *why,
		      size_t whylen)
{
	if (text_ok(f, s, len, why, whylen) < 0)
		return -1;
	return copy_text(s, len, dst, why, whylen);
}

/* MQTT topic levels: the wildcards would make a subscription out of a topic name. */
static int check_prefix(const struct field *f, const char *s, size_t len, void *dst, char *why,
			size_t whylen)
{
	if (text_ok(f, s, len, why, whylen) < 0)
		return -1;
	if (memchr(s, '+', len) || memchr(s, '#', len))
		return cfg_say(why, whylen, "must not contain the MQTT wildcards '+' or '#'");
	if (len && (s[0] == '/' || s[len - 1] == '/'))
		return cfg_say(why, whylen, "must not start or end with '/'");
	return copy_text(s, len, dst, why, whylen);
}

static int check_format(const struct field *f, const char *s, size_t len, void *dst, char *why,
			size_t whylen)
{
	static const char *const formats[] = { "json", "ntfy", "discord", "slack" };
	char shown[SHOW_MAX];
	(void)f;
	for (size_t i = 0; i < COUNT(formats); i++)
		if (len == strlen(formats[i]) && strncasecmp(s, formats[i], len) == 0)
			return copy_text(formats[i], len, dst, why, whylen);
	return cfg_say(why, whylen, "expected json, ntfy, discord or slack, got %s", cfg_show(s, len, shown));
}

static int check_command(const struct field *f, const char *s, size_t len, void *dst, char *why,
			 size_t whylen)
{
	char shown[SHOW_MAX];
	if (text_ok(f, s, len, why, whylen) < 0)
		return -1;
	if (s[0] != '/')
		return cfg_say(why, whylen, "expected an absolute path such as /usr/local/bin/notify.sh, got %s",
			       cfg_show(s, len, shown));
	return copy_text(s, len, dst, why, whylen);
}

/* "Name: value": a header name is an RFC 9110 token. Only the name is ever quoted. */
static int check_header(const struct field *f, const char *s, size_t len, void *dst, char *why,
			size_t whylen)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~";
	const char *colon = memchr(s, ':', len);
	char shown[SHOW_MAX];
	if (text_ok(f, s, len, why, whylen) < 0)
		return -1;
	if (!colon)
		return cfg_say(why, whylen, "expected \"Name: value\", got text without a ':'");
	if (colon == s)
		return cfg_say(why, whylen, "expected \"Name: value\", the name before ':' is empty");
	for (const char *p = s; p < colon; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr(tchar, *p)))
			return cfg_say(why, whylen, "header name %s may hold only letters, digits and !#$%%&'*+-.^_`|~",
				       cfg_show(s, (size_t)(colon - s), shown));
	return copy_text(s, len, dst, why, whylen);
}

static const struct field text_item = { "", check_text, 0, 0, MAX_TEXT, "text" };
static const struct field header_item = { "", check_header, 0, 1, MAX_TEXT, "\"Name: value\"" };

/* ---- the keys of a channel ---- */

struct alert_field {
	struct field f;
	int types;                    /* FOR_* bits: the channels it belongs to */
	const struct field *item;     /* a list of these, or NULL for one value */
};

#define AT(m) offsetof(struct alert_conf, m)
static const struct alert_field alert_fields[] = {
	{ { "url", check_text, AT(url), 1, MAX_TEXT, "a URL" }, FOR_WEBHOOK | FOR_MQTT, NULL },
	{ { "format", check_format, AT(format), 1, 7, "json, ntfy, discord or slack" }, FOR_WEBHOOK, NULL },
	{ { "headers", NULL, AT(headers), 0, 0, NULL }, FOR_WEBHOOK, &header_item },
	{ { "username", check_text, AT(username), 1, 256, "a user name" }, FOR_MQTT, NULL },
	{ { "password", check_text, AT(password), 1, 256, "a password" }, FOR_MQTT, NULL },
	{ { "topic_prefix", check_prefix, AT(topic_prefix), 1, 128, "a topic such as streampulse" }, FOR_MQTT,
	  NULL },
	{ { "discovery_prefix", check_prefix, AT(discovery_prefix), 0, 128, "a topic such as homeassistant" },
	  FOR_MQTT, NULL },
	{ { "command", check_command, AT(command), 1, MAX_TEXT, "an absolute path" }, FOR_COMMAND, NULL },
	{ { "args", NULL, AT(args), 0, 0, NULL }, FOR_COMMAND, &text_item },
	{ { "timeout_seconds", cfg_check_int, AT(timeout_seconds), 1, 300, NULL },
	  FOR_WEBHOOK | FOR_MQTT | FOR_COMMAND, NULL },
	{ { "retries", cfg_check_int, AT(retries), 0, 10, NULL }, FOR_WEBHOOK | FOR_MQTT | FOR_COMMAND, NULL },
};

static const struct alert_field *find_alert_field(const yaml_node_t *key)
{
	for (size_t i = 0; i < COUNT(alert_fields); i++)
		if (cfg_scalar_is(key, alert_fields[i].f.key))
			return &alert_fields[i];
	return NULL;
}

/* A list of text such as headers or args into a NULL-terminated array at dst. */
static int load_list(struct ctx *c, yaml_node_t *v, const struct field *item, char ***dst,
		     const char *field)
{
	char itemfield[160];
	size_t n, i;
	if (v->type != YAML_SEQUENCE_NODE)
		return cfg_fail(c, &v->start_mark, field, "expected a list such as [%s], got %s", item->want,
				cfg_kind(v));
	n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (n > MAX_ITEMS)
		return cfg_fail(c, &v->start_mark, field, "too many items: %zu (at most %d)", n, MAX_ITEMS);
	if (!(*dst = calloc(n + 1, sizeof **dst)))
		return cfg_fail(c, NULL, "", "out of memory");
	for (i = 0; i < n; i++) {
		snprintf(itemfield, sizeof itemfield, "%s[%zu]", field, i);
		if (cfg_set_field(c, item, cfg_node(c, v->data.sequence.items.start[i]), &(*dst)[i],
				  itemfield) < 0)
			return -1;
	}
	return 0;
}

static int load_type(struct ctx *c, yaml_node_t *map, struct alert_conf *a, const char *prefix)
{
	char field[64], shown[SHOW_MAX];
	yaml_node_t *v = cfg_lookup(c, map, "type", NULL);
	snprintf(field, sizeof field, "%s.type", prefix);
	if (!v || cfg_is_null(v))
		return cfg_fail(c, &map->start_mark, field, "missing (webhook, mqtt or command)");
	for (int t = ALERT_WEBHOOK; t <= ALERT_COMMAND; t++)
		if (cfg_scalar_is(v, type_names[t])) {
			a->type = (enum alert_type)t;
			return 0;
		}
	if (v->type != YAML_SCALAR_NODE)
		return cfg_fail(c, &v->start_mark, field, "expected webhook, mqtt or command, got %s", cfg_kind(v));
	return cfg_fail(c, &v->start_mark, field, "unknown type %s (expected webhook, mqtt or command)",
			cfg_show((const char *)v->data.scalar.value, v->data.scalar.length, shown));
}

static int load_key(struct ctx *c, struct alert_conf *a, yaml_node_t *k, yaml_node_t *v, const char *prefix)
{
	const struct alert_field *af = find_alert_field(k);
	char field[128];
	if (cfg_scalar_is(k, "type"))
		return 0;
	if (!af)
		return cfg_warn_unknown(c, k);
	cfg_field_path(field, sizeof field, prefix, k);
	if (!(af->types & (1 << a->type)))
		return cfg_fail(c, &k->start_mark, field, "is not a setting of a %s channel", type_names[a->type]);
	if (af->item)
		return load_list(c, v, af->item, (char ***)((char *)a + af->f.offset), field);
	return cfg_set_field(c, &af->f, v, a, field);
}

/* ---- what a channel needs as a whole ---- */

static int scheme_is(const char *url, size_t slen, const char *scheme)
{
	return slen == strlen(scheme) && strncasecmp(url, scheme, slen) == 0;
}

/* The URL is never quoted: it may hold a password. */
static int url_problem(const struct alert_conf *a, char *why, size_t whylen)
{
	size_t len = strlen(a->url), slen = url_scheme_length(a->url, len), from, to;
	int mqtt = a->type == ALERT_MQTT;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)a->url[i] <= ' ')
			return cfg_say(why, whylen, "must not contain spaces (write a space as %%20)");
	if (slen == 0)
		return cfg_say(why, whylen, "expected a URL such as %s",
			       mqtt ? "mqtt://127.0.0.1:1883" : "https://ntfy.sh/mytopic");
	if (mqtt ? !scheme_is(a->url, slen, "mqtt") && !scheme_is(a->url, slen, "mqtts")
		 : !scheme_is(a->url, slen, "http") && !scheme_is(a->url, slen, "https"))
		return cfg_say(why, whylen, "scheme '%.*s' is not supported (use %s)", (int)(slen < 16 ? slen : 16),
			       a->url, mqtt ? "mqtt or mqtts" : "http or https");
	if (mqtt && url_password_span(a->url, len, &from, &to))
		return cfg_say(why, whylen, "put the user name and password in username: and password:, not in the URL");
	if (mqtt && strchr(a->url + slen + 3, '/') && strcmp(strchr(a->url + slen + 3, '/'), "/"))
		return cfg_say(why, whylen, "expected mqtt://host:port without a path");
	return cfg_host_problem(a->url + slen + 3, len - slen - 3, why, whylen);
}

static int set_default(struct ctx *c, char **dst, const char *value)
{
	if (*dst)
		return 0;
	if (!(*dst = strdup(value)))
		return cfg_fail(c, NULL, "", "out of memory");
	return 0;
}

static int check_channel(struct ctx *c, yaml_node_t *map, struct alert_conf *a, const char *prefix)
{
	char field[64], why[300];
	yaml_node_t *k = NULL, *v;
	if (a->type == ALERT_COMMAND) {
		snprintf(field, sizeof field, "%s.command", prefix);
		if (!a->command)
			return cfg_fail(c, &map->start_mark, field, "missing (the program to run, an absolute path)");
		if (access(a->command, X_OK) < 0 && cfg_lookup(c, map, "command", &k))
			return cfg_warn(c, &k->start_mark, "%s: not an executable file (yet?)", field);
		return 0;
	}
	snprintf(field, sizeof field, "%s.url", prefix);
	if (!a->url)
		return cfg_fail(c, &map->start_mark, field, "missing (every %s channel needs a url)",
				type_names[a->type]);
	if (url_problem(a, why, sizeof why) < 0) {
		v = cfg_lookup(c, map, "url", NULL);
		return cfg_fail(c, &v->start_mark, field, "%s", why);
	}
	if (a->type == ALERT_WEBHOOK)
		return set_default(c, &a->format, "json");
	snprintf(field, sizeof field, "%s.username", prefix);
	if (a->password && !a->username)
		return cfg_fail(c, &map->start_mark, field, "missing (a password needs a user name)");
	if (set_default(c, &a->topic_prefix, "streampulse") < 0)
		return -1;
	return set_default(c, &a->discovery_prefix, "homeassistant");
}

static int load_channel(struct ctx *c, yaml_node_t *map, size_t i)
{
	struct alert_conf *a = &c->cfg->alerts[i];
	char prefix[32];
	a->timeout_seconds = 10;
	a->retries = 3;
	a->line = (int)map->start_mark.line + 1;
	snprintf(prefix, sizeof prefix, "alerts[%zu]", i);
	if (map->type != YAML_MAPPING_NODE)
		return cfg_fail(c, &map->start_mark, prefix, "expected a channel (type: webhook, url: ...), got %s",
				cfg_kind(map));
	if (cfg_check_keys(c, map, prefix) < 0 || load_type(c, map, a, prefix) < 0)
		return -1;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
		if (load_key(c, a, cfg_node(c, p->key), cfg_node(c, p->value), prefix) < 0)
			return -1;
	return check_channel(c, map, a, prefix);
}

int cfg_load_alerts(struct ctx *c, yaml_node_t *v)
{
	struct config *cfg = c->cfg;
	size_t n;
	if (cfg_is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return cfg_fail(c, &v->start_mark, "alerts",
				"expected a list of channels (- type: webhook, url: ...), got %s", cfg_kind(v));
	n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (n > MAX_ALERTS)
		return cfg_fail(c, &v->start_mark, "alerts", "too many channels: %zu (at most %d)", n, MAX_ALERTS);
	if (n == 0)
		return 0;
	if (!(cfg->alerts = calloc(n, sizeof *cfg->alerts)))
		return cfg_fail(c, NULL, "", "out of memory");
	cfg->nalerts = n;
	for (size_t i = 0; i < n; i++)
		if (load_channel(c, cfg_node(c, v->data.sequence.items.start[i]), i) < 0)
			return -1;
	return 0;
}

/* ---- owning copies ---- */

static void free_list(char **list)
{
	for (size_t i = 0; list && list[i]; i++)
		free(list[i]);
	free(list);
}

void config_alert_list_free(struct alert_conf *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++) {
		free(a[i].url);
		free(a[i].format);
		free_list(a[i].headers);
		free(a[i].username);
		free(a[i].password);
		free(a[i].topic_prefix);
		free(a[i].discovery_prefix);
		free(a[i].command);
		free_list(a[i].args);
	}
	free(a);
}

void config_alerts_free(struct config *cfg)
{
	config_alert_list_free(cfg->alerts, cfg->nalerts);
	cfg->alerts = NULL;
	cfg->nalerts = 0;
}

static int copy_str(char **dst, const char *src)
{
	return !src || (*dst = strdup(src)) ? 0 : -1;
}

static int copy_list(char ***dst, char **src)
{
	size_t n = 0;
	while (src && src[n])
		n++;
	if (!src)
		return 0;
	if (!(*dst = calloc(n + 1, sizeof **dst)))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!((*dst)[i] = strdup(src[i])))
			return -1;
	return 0;
}

static int copy_one(struct alert_conf *d, const struct alert_conf *s)
{
	*d = (struct alert_conf){ .type = s->type, .timeout_seconds = s->timeout_seconds,
				  .retries = s->retries, .line = s->line };
	return copy_str(&d->url, s->url) | copy_str(&d->format, s->format) |
	       copy_list(&d->headers, s->headers) | copy_str(&d->username, s->username) |
	       copy_str(&d->password, s->password) | copy_str(&d->topic_prefix, s->topic_prefix) |
	       copy_str(&d->discovery_prefix, s->discovery_prefix) |
	       copy_str(&d->command, s->command) | copy_list(&d->args, s->args);
}

int config_alert_list_copy(const struct alert_conf *src, size_t n, struct alert_conf **out)
{
	struct alert_conf *a = n ? calloc(n, sizeof *a) : NULL;
	*out = NULL;
	if (n && !a)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (copy_one(&a[i], &src[i]) < 0) {
			config_alert_list_free(a, n);
			return -1;
		}
	}
	*out = a;
	return 0;
}

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static int same_list(char **a, char **b)
{
	size_t i = 0;
	if (!a || !b)
		return a == b;
	for (; a[i] && b[i]; i++)
		if (strcmp(a[i], b[i]))
			return 0;
	return a[i] == b[i];
}

int config_alert_same(const struct alert_conf *a, const struct alert_conf *b)
{
	return a->type == b->type && a->timeout_seconds == b->timeout_seconds &&
	       a->retries == b->retries && same_str(a->url, b->url) && same_str(a->format, b->format) &&
	       same_list(a->headers, b->headers) && same_str(a->username, b->username) &&
	       same_str(a->password, b->password) && same_str(a->topic_prefix, b->topic_prefix) &&
	       same_str(a->discovery_prefix, b->discovery_prefix) && same_str(a->command, b->command) &&
	       same_list(a->args, b->args);
}
