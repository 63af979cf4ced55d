/* test_config_alerts.c - unit tests for config_alerts.c: the `alerts` channels, their defaults,
 * every refusal (with file:line:col and field), no secret in a message, copies and frees. */
#include "config.h"
#include "unit.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#define BASE "/nonexistent/sp-test"
#define TOKEN "tok3nS3cr3t"
#define MQTT_PASS "mqttPw5z"

static int parse(const char *text, struct config *cfg, struct config_error *err)
{
	return config_parse(text, strlen(text), "mem.yaml", BASE, cfg, err);
}

static const char full[] =
	"alerts:\n"
	"  - type: webhook\n"
	"    url: http://127.0.0.1:9000/hook\n"
	"    format: ntfy\n"
	"    headers: [\"Authorization: Bearer " TOKEN "\", \"X-Tag: a:b\"]\n"
	"    timeout_seconds: 5\n"
	"    retries: 2\n"
	"  - type: mqtt\n"
	"    url: mqtt://127.0.0.1:1883\n"
	"    username: ha\n"
	"    password: " MQTT_PASS "\n"
	"  - type: command\n"
	"    command: /bin/true\n"
	"    args: [\"--quiet\", \"\"]\n"
	"  - type: webhook\n"
	"    url: https://hooks.example/x\n"
	"    discovery: x\n";

static void test_full(void)
{
	struct config cfg, copy = { 0 };
	struct config_error err;
	if (!CHECK(parse(full, &cfg, &err) == 0, "%s", err.message))
		return;
	if (!CHECK_INT(cfg.nalerts, 4))
		goto end;
	struct alert_conf *w = &cfg.alerts[0], *m = &cfg.alerts[1], *c = &cfg.alerts[2];
	CHECK_INT(w->type, ALERT_WEBHOOK);
	CHECK_STR(w->url, "http://127.0.0.1:9000/hook");
	CHECK_STR(w->format, "ntfy");
	CHECK(w->headers && w->headers[0] && w->headers[1] && !w->headers[2]);
	CHECK_STR(w->headers[0], "Authorization: Bearer " TOKEN);
	CHECK_STR(w->headers[1], "X-Tag: a:b");
	CHECK_INT(w->timeout_seconds, 5);
	CHECK_INT(w->retries, 2);
	CHECK_INT(w->line, 2);
	CHECK_INT(m->type, ALERT_MQTT);
	CHECK_STR(m->username, "ha");
	CHECK_STR(m->password, MQTT_PASS);
	CHECK_STR(m->topic_prefix, "streampulse");
	CHECK_STR(m->discovery_prefix, "homeassistant");
	CHECK_INT(m->timeout_seconds, 10);
	CHECK_INT(m->retries, 3);
	CHECK_INT(c->type, ALERT_COMMAND);
	CHECK_STR(c->command, "/bin/true");
	CHECK(c->args && c->args[0] && c->args[1] && !c->args[2]);
	CHECK_STR(c->args[0], "--quiet");
	CHECK_STR(c->args[1], "");
	CHECK_STR(cfg.alerts[3].format, "json");
	CHECK_INT(cfg.nwarnings, 1); /* the unknown key "discovery" */
	CHECK(cfg.nwarnings && strstr(cfg.warnings[0], "mem.yaml:17:5: unknown key 'discovery'"), "%s",
	      cfg.nwarnings ? cfg.warnings[0] : "");
	if (CHECK(config_alert_list_copy(cfg.alerts, cfg.nalerts, &copy.alerts) == 0)) {
		for (size_t i = 0; i < cfg.nalerts; i++)
			CHECK(config_alert_same(&cfg.alerts[i], &copy.alerts[i]), "channel %zu", i);
		CHECK(!config_alert_same(&cfg.alerts[0], &copy.alerts[3]));
		config_alert_list_free(copy.alerts, cfg.nalerts);
	}
end:
	config_free(&cfg);
	CHECK(!cfg.alerts && !cfg.nalerts);
}

static void test_empty(void)
{
	struct config cfg;
	struct config_error err;
	if (CHECK(parse("alerts:\n", &cfg, &err) == 0, "%s", err.message))
		CHECK_INT(cfg.nalerts, 0);
	config_free(&cfg);
	if (CHECK(parse("alerts: []\n", &cfg, &err) == 0, "%s", err.message))
		CHECK_INT(cfg.nalerts, 0);
	config_free(&cfg);
}

/* Each bad config: the message must match the regex, and no secret may appear in it. */
static const struct {
	const char *yaml, *re;
} bad[] = {
	{ "alerts: {type: webhook}\n", "^mem.yaml:1:9: alerts: expected a list of channels" },
	{ "alerts:\n  - webhook\n", "^mem.yaml:2:5: alerts\\[0\\]: expected a channel" },
	{ "alerts:\n  - url: http://x/\n", "^mem.yaml:2:5: alerts\\[0\\].type: missing" },
	{ "alerts:\n  - type: email\n", "^mem.yaml:2:11: alerts\\[0\\].type: unknown type 'email'" },
	{ "alerts:\n  - type: webhook\n", "^mem.yaml:2:5: alerts\\[0\\].url: missing" },
	{ "alerts:\n  - type: mqtt\n    password: " MQTT_PASS "\n", "alerts\\[0\\].url: missing" },
	{ "alerts:\n  - type: command\n", "^mem.yaml:2:5: alerts\\[0\\].command: missing" },
	{ "alerts:\n  - type: webhook\n    url: ftp://u:" TOKEN "@h/x\n",
	  "^mem.yaml:3:10: alerts\\[0\\].url: scheme 'ftp' is not supported \\(use http or https\\)" },
	{ "alerts:\n  - type: mqtt\n    url: http://h:1883\n",
	  "^mem.yaml:3:10: alerts\\[0\\].url: scheme 'http' is not supported \\(use mqtt or mqtts\\)" },
	{ "alerts:\n  - type: mqtt\n    url: mqtt://u:" MQTT_PASS "@h:1883\n", "alerts\\[0\\].url: put the user name" },
	{ "alerts:\n  - type: mqtt\n    url: mqtt://h:99999\n", "alerts\\[0\\].url: port '99999' is not a number" },
	{ "alerts:\n  - type: mqtt\n    url: mqtt://h/x\n", "alerts\\[0\\].url: expected mqtt://host:port without a path" },
	{ "alerts:\n  - type: webhook\n    url: http:///x\n", "alerts\\[0\\].url: has no host" },
	{ "alerts:\n  - type: webhook\n    url: not a url\n", "alerts\\[0\\].url: must not contain spaces" },
	{ "alerts:\n  - type: command\n    command: notify.sh\n",
	  "^mem.yaml:3:14: alerts\\[0\\].command: expected an absolute path.*'notify.sh'" },
	{ "alerts:\n  - type: webhook\n    url: http://h/\n    headers: [\"Bearer " TOKEN "\"]\n",
	  "^mem.yaml:4:15: alerts\\[0\\].headers\\[0\\]: expected \"Name: value\", got text without a ':'" },
	{ "alerts:\n  - type: webhook\n    url: http://h/\n    headers: [\": " TOKEN "\"]\n",
	  "alerts\\[0\\].headers\\[0\\]: .*name before ':' is empty" },
	{ "alerts:\n  - type: webhook\n    url: http://h/\n    headers: [\"X Y: " TOKEN "\"]\n",
	  "alerts\\[0\\].headers\\[0\\]: header name 'X Y' may hold only" },
	{ "alerts:\n  - type: webhook\n    url: http://h/\n    headers: \"A: b\"\n",
	  "alerts\\[0\\].headers: expected a list" },
	{ "alerts:\n  - type: webhook\n    url: http://h/\n    format: xml\n",
	  "^mem.yaml:4:13: alerts\\[0\\].format: expected json, ntfy, discord or slack, got 'xml'" },
	{ "alerts:\n  - type: webhook\n    url: http://h/\n    retries: 11\n",
	  "alerts\\[0\\].retries: expected an integer from 0 to 10" },
	{ "alerts:\n  - type: webhook\n    url: http://h/\n    timeout_seconds: 0\n",
	  "alerts\\[0\\].timeout_seconds: expected an integer from 1 to 300" },
	{ "alerts:\n  - type: webhook\n    url: http://h/\n    command: /bin/true\n",
	  "^mem.yaml:4:5: alerts\\[0\\].command: is not a setting of a webhook channel" },
	{ "alerts:\n  - type: mqtt\n    url: mqtt://h\n    topic_prefix: a/#\n",
	  "alerts\\[0\\].topic_prefix: must not contain the MQTT wildcards" },
	{ "alerts:\n  - type: mqtt\n    url: mqtt://h\n    topic_prefix: a/\n",
	  "alerts\\[0\\].topic_prefix: must not start or end with '/'" },
	{ "alerts:\n  - type: mqtt\n    url: mqtt://h\n    password: " MQTT_PASS "\n",
	  "alerts\\[0\\].username: missing \\(a password needs a user name\\)" },
	{ "alerts:\n  - type: mqtt\n    url: mqtt://h\n    password: \"" MQTT_PASS "\\x01\"\n",
	  "alerts\\[0\\].password: contains a control character" },
	{ "alerts:\n  - type: webhook\n    url: http://h/\n    url: http://g/\n", "duplicate key 'url'" },
	{ "alerts:\n  - type: webhook\n    url: http://h/\n  - type: command\n    command: x\n",
	  "^mem.yaml:5:14: alerts\\[1\\].command: expected an absolute path" },
};

static void test_bad(void)
{
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct config cfg;
		struct config_error err;
		regex_t re;
		if (!CHECK(parse(bad[i].yaml, &cfg, &err) < 0, "bad[%zu] accepted", i)) {
			config_free(&cfg);
			continue;
		}
		CHECK(!cfg.alerts && !cfg.nalerts, "bad[%zu]: nothing left to free", i);
		if (!CHECK(regcomp(&re, bad[i].re, REG_EXTENDED | REG_NOSUB) == 0, "bad[%zu] regex", i))
			continue;
		CHECK(regexec(&re, err.message, 0, NULL, 0) == 0, "bad[%zu]: '%s' !~ /%s/", i, err.message,
		      bad[i].re);
		regfree(&re);
		CHECK(!strstr(err.message, TOKEN) && !strstr(err.message, MQTT_PASS), "bad[%zu] leaks: %s", i,
		      err.message);
	}
}

static void test_command_warning(void)
{
	struct config cfg;
	struct config_error err;
	if (!CHECK(parse("alerts:\n  - type: command\n    command: /nonexistent/notify.sh\n", &cfg, &err) == 0,
		   "%s", err.message))
		return;
	CHECK(cfg.nwarnings == 1 && strstr(cfg.warnings[0], "mem.yaml:3:5: alerts[0].command: not an executable"),
	      "%s", cfg.nwarnings ? cfg.warnings[0] : "no warning");
	config_free(&cfg);
}

int main(void)
{
	test_full();
	test_empty();
	test_bad();
	test_command_warning();
	return unit_done();
}
