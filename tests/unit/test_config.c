/* test_config.c - unit tests for config.c: the seed example, every broken config, defaults, limits.
 *
 * tests/configs/bad/NN-what.yaml each has NN-what.expect: line 1 is the line the error must point
 * at, line 2 an extended regex the whole message must match. Files are found under $SP_ROOT
 * (default: the current directory, i.e. run from the repository root). */
#include "config.h"
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "password123"
#define BASE "/nonexistent/sp-test"

static const char *root(void)
{
	const char *r = getenv("SP_ROOT");
	return r && r[0] ? r : ".";
}

static int parse(const char *text, struct config *cfg, struct config_error *err)
{
	return config_parse(text, strlen(text), "mem.yaml", BASE, cfg, err);
}

/* After a failed load the caller has nothing to free: everything must be zero. */
static int is_empty(const struct config *cfg)
{
	return !cfg->streams && !cfg->nstreams && !cfg->warnings && !cfg->nwarnings &&
	       !cfg->data_dir && !cfg->database;
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n >= t && strcmp(s + n - t, tail) == 0;
}

static void test_seed(void)
{
	char path[PATH_MAX], want[PATH_MAX + 16];
	struct config cfg;
	struct config_error err;
	snprintf(path, sizeof path, "%s/tests/configs/seed.yaml", root());
	if (!CHECK(config_load(path, &cfg, &err) == 0, "%s", err.message))
		return;
	CHECK_INT(cfg.heartbeat_seconds, 15);
	CHECK_STR(cfg.timezone, "Asia/Kolkata");
	CHECK_INT(cfg.probe_timeout_seconds, 10);
	CHECK_INT(cfg.max_concurrent_probes, 0); /* unset: sized from the stream count */
	CHECK_INT(config_probe_limit(&cfg), 2 * 2 / 15 + 32);
	CHECK_INT(cfg.max_probes_per_host, 4);
	CHECK_INT(cfg.thumbnail_seconds, 300);
	CHECK_INT(cfg.retention_days, 30);
	CHECK_INT(cfg.nwarnings, 0);
	if (CHECK_INT(cfg.nstreams, 2)) {
		CHECK_STR(cfg.streams[0].name, "Front Door");
		CHECK_STR(cfg.streams[0].url, "rtsp://admin:" SECRET "@192.168.1.64:554/stream1");
		CHECK_STR(cfg.streams[1].name, "Garage Pi");
		CHECK_STR(cfg.streams[1].url, "http://192.168.1.80:8081/");
		CHECK_INT(cfg.streams[0].transport, TRANSPORT_AUTO);
		CHECK_INT(cfg.streams[1].transport, TRANSPORT_AUTO);
		CHECK_INT(cfg.streams[0].enabled, 1);
		CHECK_INT(cfg.streams[1].enabled, 1);
		CHECK_INT(cfg.streams[0].line, 4);
		CHECK_INT(cfg.streams[1].line, 6);
		CHECK_INT(config_stream_timeout(&cfg, &cfg.streams[0]), 10);
	}
	CHECK(cfg.data_dir && cfg.data_dir[0] == '/', "%s", cfg.data_dir);
	CHECK(cfg.data_dir && ends_with(cfg.data_dir, "/tests/configs/data"), "%s", cfg.data_dir);
	snprintf(want, sizeof want, "%s/streams.db", cfg.data_dir ? cfg.data_dir : "");
	CHECK_STR(cfg.database, want);
	config_free(&cfg);
	config_free(&cfg);
	CHECK(is_empty(&cfg));
}

static int read_expect(const char *path, int *line, char *regex, size_t n)
{
	FILE *f = fopen(path, "r");
	char first[32];
	int ok;
	if (!f)
		return 0;
	ok = fgets(first, sizeof first, f) && sscanf(first, "%d", line) == 1 && fgets(regex, (int)n, f);
	fclose(f);
	if (ok)
		regex[strcspn(regex, "\n")] = '\0';
	return ok;
}

static int matches(const char *text, const char *regex)
{
	regex_t re;
	int ok;
	if (regcomp(&re, regex, REG_EXTENDED | REG_NOSUB) != 0)
		return 0;
	ok = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

static void test_bad_config(const char *dir, const char *file)
{
	char path[PATH_MAX + 300], expect[PATH_MAX + 400], regex[512], place[PATH_MAX + 400];
	struct config cfg;
	struct config_error err;
	int line = 0;
	snprintf(path, sizeof path, "%s/%s", dir, file);
	snprintf(expect, sizeof expect, "%.*s.expect", (int)(strlen(path) - 5), path);
	if (!CHECK(read_expect(expect, &line, regex, sizeof regex), "%s", expect))
		return;
	if (!CHECK(config_load(path, &cfg, &err) == -1, "%s was accepted", file)) {
		config_free(&cfg);
		return;
	}
	CHECK(err.line == line, "%s: line %d, want %d: %s", file, err.line, line, err.message);
	CHECK(err.column > 0, "%s: column %d", file, err.column);
	CHECK(matches(err.message, regex), "%s: \"%s\" does not match /%s/", file, err.message, regex);
	snprintf(place, sizeof place, "%s:%d:%d: ", path, err.line, err.column);
	CHECK(strncmp(err.message, place, strlen(place)) == 0, "%s: \"%s\" does not start with %s",
	      file, err.message, place);
	CHECK(!strstr(err.message, SECRET), "%s leaks the password: %s", file, err.message);
	CHECK(is_empty(&cfg), "%s", file);
	config_free(&cfg);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_bad_configs(void)
{
	char dir[PATH_MAX], *names[256];
	size_t n = 0, i, len;
	struct dirent *e;
	DIR *d;
	snprintf(dir, sizeof dir, "%s/tests/configs/bad", root());
	if (!CHECK((d = opendir(dir)) != NULL, "%s: %s", dir, strerror(errno)))
		return;
	while ((e = readdir(d)) && n < 256) {
		len = strlen(e->d_name);
		if (len > 5 && strcmp(e->d_name + len - 5, ".yaml") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	CHECK(n >= 12, "only %zu bad configs", n);
	for (i = 0; i < n; i++) {
		test_bad_config(dir, names[i]);
		free(names[i]);
	}
}

static void test_defaults(void)
{
	static const char *const texts[] = { "heartbeat_seconds: 15\n", "streams:\n", "streams: []\n",
					     "# only settings that are defaults\n{}\n" };
	struct config cfg;
	struct config_error err;
	size_t i;
	for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		if (!CHECK(parse(texts[i], &cfg, &err) == 0, "%s", err.message))
			continue;
		CHECK_INT(cfg.heartbeat_seconds, 15);
		CHECK_STR(cfg.timezone, "UTC");
		CHECK_INT(cfg.probe_timeout_seconds, 10);
		CHECK_INT(cfg.max_concurrent_probes, 0);
		CHECK_INT(config_probe_limit(&cfg), 32);
		CHECK_INT(cfg.retention_days, 30);
		CHECK_STR(cfg.data_dir, BASE "/data");
		CHECK_STR(cfg.database, BASE "/data/streams.db");
		CHECK(cfg.nstreams == 0 && cfg.streams == NULL && cfg.nwarnings == 0);
		config_free(&cfg);
	}
}

static void test_every_field(void)
{
	const char *text = "heartbeat_seconds: 60\n"
			   "timezone: US/Eastern\n"
			   "probe_timeout_seconds: 7\n"
			   "max_concurrent_probes: 4096\n"
			   "retention_days: 3650\n"
			   "data_dir: ./var/sp\n"
			   "database: /srv/sp.db\n"
			   "streams:\n"
			   "  - name: \"Caf\xc3\xa9 \xe2\x98\x95\"\n"
			   "    url: RTSPS://cam.example:322/live\n"
			   "    enabled: off\n"
			   "    transport: UDP\n"
			   "    timeout_seconds: 300\n"
			   "  - {name: Snapshot, url: \"https://[::1]:8443/snap.jpg\", enabled: On, "
			   "transport: tcp}\n";
	struct config cfg;
	struct config_error err;
	if (!CHECK(parse(text, &cfg, &err) == 0, "%s", err.message))
		return;
	CHECK_INT(cfg.heartbeat_seconds, 60);
	CHECK_STR(cfg.timezone, "US/Eastern");
	CHECK_INT(cfg.probe_timeout_seconds, 7);
	CHECK_INT(cfg.max_concurrent_probes, 4096);
	CHECK_INT(cfg.retention_days, 3650);
	CHECK_STR(cfg.data_dir, BASE "/var/sp");
	CHECK_STR(cfg.database, "/srv/sp.db");
	if (CHECK_INT(cfg.nstreams, 2)) {
		CHECK_STR(cfg.streams[0].name, "Caf\xc3\xa9 \xe2\x98\x95");
		CHECK_INT(cfg.streams[0].enabled, 0);
		CHECK_INT(cfg.streams[0].transport, TRANSPORT_UDP);
		CHECK_INT(config_stream_timeout(&cfg, &cfg.streams[0]), 300);
		CHECK_INT(cfg.streams[1].enabled, 1);
		CHECK_INT(config_stream_timeout(&cfg, &cfg.streams[1]), 7);
		CHECK_INT(cfg.streams[1].line, 14);
	}
	/* transport on an https stream does nothing: the user hears about it. */
	if (CHECK_INT(cfg.nwarnings, 1))
		CHECK(strstr(cfg.warnings[0], "mem.yaml:14:") && strstr(cfg.warnings[0], "streams[1].transport"),
		      "%s", cfg.warnings[0]);
	config_free(&cfg);
}

static void test_relative_database(void)
{
	struct config cfg;
	struct config_error err;
	if (!CHECK(parse("data_dir: /var/lib/sp\ndatabase: db/x.db\n", &cfg, &err) == 0, "%s",
		   err.message))
		return;
	CHECK_STR(cfg.data_dir, "/var/lib/sp");
	CHECK_STR(cfg.database, BASE "/db/x.db");
	config_free(&cfg);
}

static void test_unknown_keys(void)
{
	const char *text = "heartbeat_seconds: 20\n"
			   "foo: 1\n"
			   "streams:\n"
			   "  - name: a\n"
			   "    url: http://h/\n"
			   "    colour: red\n";
	struct config cfg;
	struct config_error err;
	if (!CHECK(parse(text, &cfg, &err) == 0, "%s", err.message))
		return;
	CHECK_INT(cfg.heartbeat_seconds, 20);
	if (CHECK_INT(cfg.nwarnings, 2)) {
		CHECK_STR(cfg.warnings[0], "mem.yaml:2:1: unknown key 'foo' ignored");
		CHECK_STR(cfg.warnings[1], "mem.yaml:6:5: unknown key 'colour' ignored");
	}
	config_free(&cfg);
}

/* Values of heartbeat_seconds, and what it must become (0: rejected). */
static void test_integers(void)
{
	static const struct {
		const char *text;
		int want;
	} cases[] = {
		{ "2", 2 },       { "3600", 3600 }, { "010", 10 },     { "'15'", 15 },   { "15 # c", 15 },
		{ "+20", 20 },    { "3601", 0 },    { "1", 0 },        { "0", 0 },       { "-5", 0 },
		{ "0x10", 0 },    { "1e3", 0 },     { "15.0", 0 },     { "--5", 0 },     { "5-", 0 },
		{ "''", 0 },      { "~", 0 },       { "", 0 },         { "null", 0 },    { "true", 0 },
		{ "{a: 1}", 0 },  { "4294967311", 0 }, { "-9223372036854775809", 0 },
	};
	char text[128];
	struct config cfg;
	struct config_error err;
	size_t i;
	int rc;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(text, sizeof text, "heartbeat_seconds: %s\n", cases[i].text);
		rc = parse(text, &cfg, &err);
		if (cases[i].want)
			CHECK(rc == 0 && cfg.heartbeat_seconds == cases[i].want, "'%s': %s", cases[i].text,
			      err.message);
		else
			CHECK(rc == -1 && strcmp(err.field, "heartbeat_seconds") == 0 && err.line == 1,
			      "'%s' was accepted or misplaced: %s", cases[i].text, err.message);
		config_free(&cfg);
	}
}

static void check_stream(const char *name, const char *url, int ok, const char *field)
{
	char text[512];
	struct config cfg;
	struct config_error err;
	int rc;
	snprintf(text, sizeof text, "streams:\n  - name: %s\n    url: %s\n", name, url);
	rc = parse(text, &cfg, &err);
	if (ok)
		CHECK(rc == 0, "name %s url %s: %s", name, url, err.message);
	else
		CHECK(rc == -1 && strcmp(err.field, field) == 0, "name %s url %s accepted or wrong field: %s",
		      name, url, err.message);
	config_free(&cfg);
}

static void test_urls_and_names(void)
{
	static const char *const good_urls[] = { "rtsp://h", "RTSP://H/", "http://[::1]/",
						 "https://u@h:1/", "rtsps://h:65535/a?b#c",
						 "'http://a:b@c:8080/snap'" };
	static const char *const bad_urls[] = { "rtsp://",      "rtsp:///x",      "http://h:0/",
						"http://h:/",   "'http://[::1/'", "rtsp:/h",
						"'rtsp://h x'", "udp://h",        "'\"\"'",
						"http://h:123456/", "'http://[::1]x/'" };
	static const char *const bad_names[] = { "\"   \"", "\"\"", "\"a\\x80b\"", "\"a\\0b\"",
						 "\"a\\tb\"", "[a]" };
	char name64[80];
	size_t i;
	for (i = 0; i < sizeof good_urls / sizeof good_urls[0]; i++)
		check_stream("a", good_urls[i], 1, "");
	for (i = 0; i < sizeof bad_urls / sizeof bad_urls[0]; i++)
		check_stream("a", bad_urls[i], 0, "streams[0].url");
	for (i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++)
		check_stream(bad_names[i], "rtsp://h/", 0, "streams[0].name");
	memset(name64, 'n', 64);
	name64[64] = '\0';
	check_stream(name64, "rtsp://h/", 1, "");
	strcat(name64, "n");
	check_stream(name64, "rtsp://h/", 0, "streams[0].name");
	check_stream("\"Stra\xc3\x9f" "e \xe6\x9d\xb1\xe4\xba\xac\"", "rtsp://h/", 1, "");
}

static void test_timezones(void)
{
	static const struct {
		const char *zone;
		int ok;
	} cases[] = {
		{ "UTC", 1 },        { "Europe/Berlin", 1 }, { "America/Argentina/Buenos_Aires", 1 },
		{ "Etc/GMT+5", 1 },  { "US/Eastern", 1 },    { "Asia", 0 },
		{ "zone.tab", 0 },   { "leapseconds", 0 },   { "/etc/localtime", 0 }, { "Europe/../UTC", 0 },
		{ "Europe//Berlin", 0 }, { "Europe/", 0 },   { "''", 0 },
		{ "Nowhere/Town", 0 }, { "\"UTC\\n\"", 0 },
	};
	char text[128];
	struct config cfg;
	struct config_error err;
	size_t i;
	int rc;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(text, sizeof text, "timezone: %s\n", cases[i].zone);
		rc = parse(text, &cfg, &err);
		CHECK(cases[i].ok ? rc == 0 : rc == -1 && strcmp(err.field, "timezone") == 0, "%s: %s",
		      cases[i].zone, rc ? err.message : "accepted");
		config_free(&cfg);
	}
}

/* Every place a URL or a stray secret can reach a message: none may show the password. */
static void test_passwords_never_shown(void)
{
	static const char *const texts[] = {
		"streams:\n  - name: a\n    url: ftp://admin:" SECRET "@h/\n",
		"streams:\n  - name: a\n    url: admin:" SECRET "@h/\n",
		"streams:\n  - name: a\n    url: rtsp://admin:" SECRET "@h:99999/\n",
		"streams:\n  - name: a\n    url: rtsp://admin:pass/" SECRET "@h:1/\n",
		"streams:\n  - name: a\n    url: rtsp://admin:" SECRET "@/x\n",
		"streams:\n  - name: a\n    url: \"rtsp://admin:" SECRET "@h/a b\"\n",
		"streams:\n  - rtsp://admin:" SECRET "@h/\n",
		"timezone: rtsp://admin:" SECRET "@h/\n",
		"heartbeat_seconds: rtsp://admin:" SECRET "@h/\n",
		"streams:\n  - name: admin:" SECRET "@x\n    url: http://h/\n"
		"  - name: admin:" SECRET "@x\n    url: http://h/\n",
		"streams:\n  - name: a\n    url: rtsp://admin:" SECRET "@h/\n"
		"    url: rtsp://admin:" SECRET "@h/\n",
	};
	struct config cfg;
	struct config_error err;
	size_t i;
	for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		CHECK(parse(texts[i], &cfg, &err) == -1, "case %zu accepted", i);
		CHECK(!strstr(err.message, SECRET) && !strstr(err.message, "pass/"), "case %zu: %s", i,
		      err.message);
		config_free(&cfg);
	}
	CHECK(parse("\"rtsp://admin:" SECRET "@h/\": 1\n", &cfg, &err) == 0, "%s", err.message);
	if (CHECK_INT(cfg.nwarnings, 1))
		CHECK(!strstr(cfg.warnings[0], SECRET) && strstr(cfg.warnings[0], "\xe2\x80\xa2"), "%s",
		      cfg.warnings[0]);
	config_free(&cfg);
}

static void expect_error(const char *text, int line, const char *regex)
{
	struct config cfg;
	struct config_error err;
	int rc = config_parse(text, text ? strlen(text) : 0, "mem.yaml", BASE, &cfg, &err);
	CHECK(rc == -1, "accepted: %.60s", text);
	CHECK(err.line == line, "line %d, want %d: %s", err.line, line, err.message);
	CHECK(matches(err.message, regex), "\"%s\" does not match /%s/", err.message, regex);
	CHECK(is_empty(&cfg));
	config_free(&cfg);
}

static void test_structure_errors(void)
{
	const char *nested = "extra:\n  a: 1\n  b: 2\n  a: 3\n";
	expect_error(nested, 4, "^mem.yaml:4:3: duplicate key 'a' \\(first at line 2\\)$");
	expect_error("a: &x [*x]\n", 1, "aliases are not allowed");
	expect_error("a: 1\n...\n---\nb: 2\n", 3, "only one YAML document");
	expect_error("# just a comment\n", 1, ": empty file$");
	expect_error("---\n", 1, ": empty file$");
	expect_error(NULL, 1, "^mem.yaml:1:1: empty file$");
	expect_error("just text\n", 1, "top level must be a mapping");
	expect_error("streams: [a, {name: b, url: 'http://h/'}]\n", 1,
		     "streams\\[0\\]: expected a stream");
	expect_error("? [a]\n: 1\n", 1, "keys must be plain names");
	expect_error("streams:\n  - name: a\n    url: http://h/\n    ? {x: 1}\n    : 2\n", 4,
		     "streams\\[0\\]: keys must be plain names");
	expect_error("timezone: {zone: UTC}\n", 1, "timezone: expected a time zone name");
	expect_error("streams:\n  - name: a\n    enabled: yes\n", 2, "streams\\[0\\].url: missing");
	expect_error("heartbeat_seconds: 1\xff\n", 1, "invalid leading UTF-8 octet");
	expect_error("a:\n  b:\n\t c: 1\n", 3, "tabs are not allowed");
}

static void test_memory_text_is_bounded(void)
{
	const char text[] = "heartbeat_seconds: 209";
	struct config cfg;
	struct config_error err;
	/* config_parse must honour len: the text need not end in NUL where the config ends. */
	if (CHECK(config_parse(text, sizeof text - 2, "mem", NULL, &cfg, &err) == 0, "%s", err.message))
		CHECK_INT(cfg.heartbeat_seconds, 20);
	CHECK(cfg.data_dir && cfg.data_dir[0] == '/', "%s", cfg.data_dir);
	config_free(&cfg);
}

static void test_file_errors(void)
{
	char path[PATH_MAX];
	struct config cfg;
	struct config_error err;
	CHECK(config_load("/nonexistent/sp/config.yaml", &cfg, &err) == -1);
	CHECK_STR(err.message, "/nonexistent/sp/config.yaml: cannot read: No such file or directory");
	CHECK_INT(err.line, 0);
	CHECK(is_empty(&cfg));
	snprintf(path, sizeof path, "%s/tests/configs", root());
	CHECK(config_load(path, &cfg, &err) == -1 && strstr(err.message, strerror(EISDIR)), "%s",
	      err.message);
	config_free(&cfg);
}

/* Builds "streams:" with n streams; names repeat when dup_every divides the index. */
static char *many_streams(size_t n, size_t *len)
{
	char *text = malloc(n * 48 + 16), *p = text;
	size_t i;
	if (!text)
		return NULL;
	p += sprintf(p, "streams:\n");
	for (i = 0; i < n; i++)
		p += sprintf(p, "- {name: cam%zu, url: 'http://h/%zu'}\n", i, i);
	*len = (size_t)(p - text);
	return text;
}

static void test_limits(void)
{
	struct config cfg;
	struct config_error err;
	size_t len, i;
	char *text = many_streams(100000, &len), *big;
	if (!CHECK(text != NULL))
		return;
	CHECK(config_parse(text, len, "big", BASE, &cfg, &err) == 0, "%s", err.message);
	CHECK_INT(cfg.nstreams, 100000);
	config_free(&cfg);
	/* Rename the last stream to the first one's name: found in O(n log n), both lines named. */
	memcpy(strstr(text + len - 48, "cam99999,"), "cam0,    ", 9);
	CHECK(config_parse(text, len, "big", BASE, &cfg, &err) == -1, "duplicate accepted");
	CHECK_STR(err.message, "big:100001:10: streams[99999].name: duplicate name 'cam0' (first at line 2, streams[0])");
	free(text);

	text = many_streams(100001, &len);
	CHECK(config_parse(text, len, "big", BASE, &cfg, &err) == -1 && strstr(err.message, "too many streams"),
	      "%s", err.message);
	free(text);

	big = malloc(((size_t)4 << 20) + 2);
	if (CHECK(big != NULL)) {
		memset(big, '#', ((size_t)4 << 20) + 1);
		CHECK(config_parse(big, ((size_t)4 << 20) + 1, "big", BASE, &cfg, &err) == -1 &&
		      strstr(err.message, "larger than 4 MiB"), "%s", err.message);
		for (i = 0; i < 200000; i++)
			big[i] = '[';
		CHECK(config_parse(big, 200000, "deep", BASE, &cfg, &err) == -1 &&
		      strstr(err.message, "levels deep"), "%s", err.message);
		for (len = 0, i = 0; i < 1000; i++)
			len += (size_t)sprintf(big + len, "k%zu: 1\n", i);
		CHECK(config_parse(big, len, "many", BASE, &cfg, &err) == 0, "%s", err.message);
		if (CHECK_INT(cfg.nwarnings, 101))
			CHECK_STR(cfg.warnings[100], "many: more warnings not shown");
		config_free(&cfg);
		free(big);
	}
}

static void test_free(void)
{
	struct config cfg;
	memset(&cfg, 0, sizeof cfg);
	config_free(&cfg);
	config_free(&cfg);
	config_free(NULL);
	CHECK(is_empty(&cfg));
}

int main(void)
{
	test_seed();
	test_bad_configs();
	test_defaults();
	test_every_field();
	test_relative_database();
	test_unknown_keys();
	test_integers();
	test_urls_and_names();
	test_timezones();
	test_passwords_never_shown();
	test_structure_errors();
	test_memory_text_is_bounded();
	test_file_errors();
	test_limits();
	test_free();
	return unit_done();
}
