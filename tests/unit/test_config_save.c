/* test_config_save.c - the config editor: edits land, everything else stays, bad or stale saves write nothing. */
#include "config.h"
#include "url.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SECRET "s3cr%40t"

static const char original[] =
	"# StreamPulse test config: this comment is not kept\n"
	"heartbeat_seconds: 15\n"
	"timezone: UTC\n"
	"notify: {email: x}\n"
	"max_concurrent_probes: 8\n"
	"streams:\n"
	"  - name: Front Door\n"
	"    url: rtsp://admin:" SECRET "@10.0.0.5:554/stream1\n"
	"    transport: udp\n"
	"    timeout_seconds: 5\n"
	"    color: blue\n"
	"  - name: Garage\n"
	"    url: http://10.0.0.6:8081/\n"
	"  - name: Attic\n"
	"    url: rtsp://10.0.0.7/live\n"
	"    enabled: false\n";

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 1 << 16);
	size_t n = 0;
	if (f && buf)
		n = fread(buf, 1, (1 << 16) - 1, f);
	if (f)
		fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	if (!CHECK(f != NULL))
		return;
	fputs(text, f);
	fclose(f);
}

static int has_warning(const struct config *cfg, const char *needle)
{
	for (size_t i = 0; i < cfg->nwarnings; i++)
		if (strstr(cfg->warnings[i], needle))
			return 1;
	return 0;
}

static void test_restore_password(void)
{
	char out[128];
	CHECK_INT(url_restore_password("rtsp://admin:" URL_MASK "@10.0.0.5/x", "rtsp://admin:" SECRET
				       "@10.0.0.5/y", out, sizeof out), 0);
	CHECK_STR(out, "rtsp://admin:" SECRET "@10.0.0.5/x");
	/* another host: the stored password is not sent there */
	CHECK_INT(url_restore_password("rtsp://admin:" URL_MASK "@10.0.0.9/x", "rtsp://admin:" SECRET
				       "@10.0.0.5/y", out, sizeof out), -3);
	CHECK_STR(out, "");
	CHECK_INT(url_restore_password("rtsp://admin:new@h/x", "rtsp://admin:old@h/x", out, sizeof out), 0);
	CHECK_STR(out, "rtsp://admin:new@h/x");
	/* only the exact mask stands for the stored password */
	CHECK_INT(url_restore_password("rtsp://a:" URL_MASK "x@h/", "rtsp://a:old@h/", out, sizeof out), 0);
	CHECK_STR(out, "rtsp://a:" URL_MASK "x@h/");
	CHECK_INT(url_restore_password("rtsp://a:" URL_MASK "@h/", "rtsp://h/", out, sizeof out), -1);
	CHECK_INT(url_restore_password("rtsp://a:" URL_MASK "@h/", NULL, out, sizeof out), -1);
	CHECK_INT(url_restore_password("rtsp://a:" URL_MASK "@h/", "rtsp://a:longerpassword@h/", out, 16), -2);
	CHECK(!strstr(out, "longer"), "got %s", out);
}

int main(void)
{
	char dir[] = "/tmp/sp-config-save-XXXXXX", path[128], v1[65], v2[65], v3[65];
	struct config_error err;
	struct config cfg;
	struct stat st;

	test_restore_password();
	if (!CHECK(mkdtemp(dir) != NULL))
		return unit_done();
	snprintf(path, sizeof path, "%s/config.yaml", dir);
	spit(path, original);
	chmod(path, 0600); /* it holds camera passwords */
	if (!CHECK_INT(config_version(path, v1, &err), 0))
		return unit_done();
	CHECK_INT(strlen(v1), 64);

	/* rename the password stream keeping its masked password, change the heartbeat, add a
	 * disabled stream, drop Garage, enable Attic */
	struct stream_edit streams[] = {
		{ .name = "Porch", .old_name = "Front Door",
		  .url = "rtsp://admin:" URL_MASK "@10.0.0.5:554/stream1", .enabled = 1 },
		{ .name = "New Cam", .old_name = "", .url = "rtsp://10.0.0.9/a", .enabled = 0 },
		{ .name = "Attic", .old_name = "Attic", .url = "rtsp://10.0.0.7/live", .enabled = 1 },
	};
	struct config_edit edit = { .heartbeat_seconds = 30, .timezone = "Europe/Berlin",
				    .streams = streams, .nstreams = 3 };
	CHECK_INT(config_save(path, v1, &edit, &err), CONFIG_SAVE_OK);
	CHECK_STR(err.message, "");
	if (CHECK_INT(config_load(path, &cfg, &err), 0)) {
		CHECK_INT(cfg.heartbeat_seconds, 30);
		CHECK_STR(cfg.timezone, "Europe/Berlin");
		CHECK_INT(cfg.max_concurrent_probes, 8);
		CHECK(has_warning(&cfg, "'notify'"), "the unknown key is kept");
		CHECK(has_warning(&cfg, "'color'"), "the unknown stream key is kept");
		if (CHECK_INT(cfg.nstreams, 3)) {
			CHECK_STR(cfg.streams[0].name, "Porch");
			CHECK_STR(cfg.streams[0].url, "rtsp://admin:" SECRET "@10.0.0.5:554/stream1");
			CHECK_INT(cfg.streams[0].transport, TRANSPORT_UDP);
			CHECK_INT(cfg.streams[0].timeout_seconds, 5);
			CHECK_INT(cfg.streams[0].enabled, 1);
			CHECK_STR(cfg.streams[1].name, "New Cam");
			CHECK_INT(cfg.streams[1].enabled, 0);
			CHECK_INT(cfg.streams[1].transport, TRANSPORT_AUTO);
			CHECK_STR(cfg.streams[2].name, "Attic");
			CHECK_INT(cfg.streams[2].enabled, 1);
		}
		config_free(&cfg);
	}
	char *saved = slurp(path);
	CHECK(strstr(saved, "notify:") && strstr(saved, "email: x"), "file:\n%s", saved);
	CHECK(!strstr(saved, "Garage"), "file:\n%s", saved);
	CHECK(!strstr(saved, URL_MASK), "file:\n%s", saved);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	CHECK_INT(config_version(path, v2, &err), 0);
	CHECK(strcmp(v1, v2) != 0);

	/* an invalid URL: the field the form shows it next to, no password, nothing written */
	struct stream_edit bad[] = {
		streams[0],
		{ .name = "New Cam", .old_name = "New Cam", .url = "ftp://admin:hunter2@10.0.0.9/a", .enabled = 1 },
	};
	bad[0].old_name[0] = '\0';
	snprintf(bad[0].old_name, sizeof bad[0].old_name, "Porch");
	struct config_edit bad_edit = { .heartbeat_seconds = 30, .timezone = "UTC", .streams = bad,
					.nstreams = 2 };
	CHECK_INT(config_save(path, v2, &bad_edit, &err), CONFIG_SAVE_INVALID);
	CHECK_STR(err.field, "streams[1].url");
	CHECK(strstr(err.message, "scheme") && !strstr(err.message, "hunter2"), "%s", err.message);
	char *after = slurp(path);
	CHECK_STR(after, saved);
	free(after);

	/* a raw '#' in a password cuts the URL short; no part of the password may show */
	bad[1].url = "rtsp://admin:abc#123@10.0.0.9/a";
	CHECK_INT(config_save(path, v2, &bad_edit, &err), CONFIG_SAVE_INVALID);
	CHECK_STR(err.field, "streams[1].url");
	CHECK(!strstr(err.message, "abc") && !strstr(err.message, "123"), "%s", err.message);

	/* the mask on a new stream has no stored password behind it */
	bad[1] = (struct stream_edit){ .name = "Other", .old_name = "",
				       .url = "rtsp://admin:" URL_MASK "@10.0.0.9/a", .enabled = 1 };
	CHECK_INT(config_save(path, v2, &bad_edit, &err), CONFIG_SAVE_INVALID);
	CHECK_STR(err.field, "streams[1].url");
	CHECK(strstr(err.message, "no stored password to keep"), "%s", err.message);
	/* a stream the file no longer holds */
	snprintf(bad[1].old_name, sizeof bad[1].old_name, "Garage");
	CHECK_INT(config_save(path, v2, &bad_edit, &err), CONFIG_SAVE_INVALID);
	CHECK_STR(err.field, "streams[1].name");
	/* a bad heartbeat names its field */
	bad_edit.nstreams = 1;
	bad_edit.heartbeat_seconds = 1;
	CHECK_INT(config_save(path, v2, &bad_edit, &err), CONFIG_SAVE_INVALID);
	CHECK_STR(err.field, "heartbeat_seconds");
	after = slurp(path);
	CHECK_STR(after, saved);
	free(after);

	/* a stale version: someone saved since; nothing written */
	edit.heartbeat_seconds = 60;
	CHECK_INT(config_save(path, v1, &edit, &err), CONFIG_SAVE_CONFLICT);
	CHECK_STR(err.message, "config.yaml changed since you opened it (someone else saved): reload "
		  "and redo your change");
	after = slurp(path);
	CHECK_STR(after, saved);
	free(after);
	free(saved);

	/* names YAML would misread unquoted, and unicode, come back exactly */
	static const char *const names[] = {
		"Cam: \"front\" # not a comment 'x'", "  leading spaces", "Caf\xc3\xa9 \xe2\x98\x95 \xe9\x96\x80",
		"- dash", "null", "yes", "[bracket", "{brace}", "a: b", "trailing ", "*star", "&amp", "!bang",
		"%percent", "@at", "`tick", "?q", "123", "|pipe", ">gt",
	};
	size_t nn = sizeof names / sizeof names[0];
	struct stream_edit odd[sizeof names / sizeof names[0]];
	for (size_t i = 0; i < nn; i++) {
		odd[i] = (struct stream_edit){ .url = "http://10.0.0.6:8081/a#b c", .enabled = (int)(i % 2) };
		snprintf(odd[i].name, sizeof odd[i].name, "%s", names[i]);
	}
	odd[0].url = "http://u:p%23w: x@10.0.0.6/#frag";
	struct config_edit odd_edit = { .heartbeat_seconds = 20, .timezone = "UTC", .streams = odd,
					.nstreams = nn };
	/* a URL with a space is invalid: then quote-worthy URLs without one */
	CHECK_INT(config_save(path, v2, &odd_edit, &err), CONFIG_SAVE_INVALID);
	for (size_t i = 0; i < nn; i++)
		odd[i].url = i % 2 ? "http://10.0.0.6:8081/a#b" : "rtsp://u:p%23w@10.0.0.6/'x'\"y\"#f:g";
	CHECK(config_save(path, v2, &odd_edit, &err) == CONFIG_SAVE_OK, "%s", err.message);
	if (CHECK(config_load(path, &cfg, &err) == 0, "%s", err.message)) {
		if (CHECK_INT(cfg.nstreams, nn))
			for (size_t i = 0; i < nn; i++) {
				CHECK_STR(cfg.streams[i].name, names[i]);
				CHECK_STR(cfg.streams[i].url, odd[i].url);
				CHECK_INT(cfg.streams[i].enabled, (int)(i % 2));
			}
		CHECK(has_warning(&cfg, "'notify'"));
		config_free(&cfg);
	}

	/* two savers from the same version at once: exactly one wins */
	CHECK_INT(config_version(path, v3, &err), 0);
	pid_t kids[4];
	for (int i = 0; i < 4; i++) {
		if ((kids[i] = fork()) == 0) {
			struct stream_edit one = { .name = "Solo", .old_name = "", .url = "rtsp://h/x", .enabled = 1 };
			struct config_edit e = { .heartbeat_seconds = 10 + i, .timezone = "UTC",
						 .streams = &one, .nstreams = 1 };
			_exit(config_save(path, v3, &e, &err) == CONFIG_SAVE_OK ? 0 : 1);
		}
	}
	int wins = 0;
	for (int i = 0; i < 4; i++) {
		int status = 1;
		waitpid(kids[i], &status, 0);
		wins += WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	CHECK_INT(wins, 1);

	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK_INT(system(cmd), 0);
	return unit_done();
}
