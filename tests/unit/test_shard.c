/* test_shard.c - `shard: K/N`: parsing, errors naming file:line:col and field, the stable hash,
 * and the split of a stream list: a partition, roughly balanced, order kept. */
#include "config.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NAMES 1000

static int parse(const char *text, struct config *cfg, struct config_error *err)
{
	return config_parse(text, strlen(text), "mem.yaml", "/nonexistent/sp-test", cfg, err);
}

static void test_parse(void)
{
	static const struct { const char *text; int k, n; } good[] = {
		{ "heartbeat_seconds: 15\n", 1, 1 }, /* the default: every stream */
		{ "shard: 1/2\n", 1, 2 },
		{ "shard: 2/2\n", 2, 2 },
		{ "shard: '3/7'\n", 3, 7 },
		{ "shard: 1/1\n", 1, 1 },
		{ "shard: 1000/1000\n", 1000, 1000 },
		{ "shard: 01/02\n", 1, 2 },
	};
	struct config cfg;
	struct config_error err;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		if (!CHECK(parse(good[i].text, &cfg, &err) == 0, "%s: %s", good[i].text, err.message))
			continue;
		CHECK(cfg.shard.k == good[i].k && cfg.shard.n == good[i].n, "%s: got %d/%d", good[i].text,
		      cfg.shard.k, cfg.shard.n);
		config_free(&cfg);
	}
}

/* Every bad value fails at the value's line and column, names the field, and says why. */
static void test_errors(void)
{
	static const struct { const char *text, *want; } bad[] = {
		{ "shard: 0/2\n", "mem.yaml:1:8: shard: K (this monitor's shard) must be from 1 to N (2), got 0" },
		{ "shard: 3/2\n", "mem.yaml:1:8: shard: K (this monitor's shard) must be from 1 to N (2), got 3" },
		{ "shard: 1/0\n", "mem.yaml:1:8: shard: N (the number of shards) must be from 1 to 1000, got 0" },
		{ "shard: 1/1001\n", "mem.yaml:1:8: shard: N (the number of shards) must be from 1 to 1000, got 1001" },
		{ "shard: 2\n", "mem.yaml:1:8: shard: expected K/N such as 1/2 (this monitor probes part K of N), got '2'" },
		{ "timezone: UTC\nshard: a/b\n", "mem.yaml:2:8: shard: expected K/N such as 1/2 (this monitor probes part K of N), got 'a/b'" },
		{ "shard: 1/2/3\n", "mem.yaml:1:8: shard: expected K/N such as 1/2 (this monitor probes part K of N), got '1/2/3'" },
		{ "shard: -1/2\n", "mem.yaml:1:8: shard: expected K/N such as 1/2 (this monitor probes part K of N), got '-1/2'" },
		{ "shard: 1 / 2\n", "mem.yaml:1:8: shard: expected K/N such as 1/2 (this monitor probes part K of N), got '1 / 2'" },
		{ "shard: 1/99999999999\n", "mem.yaml:1:8: shard: expected K/N such as 1/2 (this monitor probes part K of N), got '1/99999999999'" },
		{ "shard:\n", "mem.yaml:1:7: shard: no value given (expected K/N such as 1/2)" },
		{ "shard: [1, 2]\n", "mem.yaml:1:8: shard: expected K/N such as 1/2, got a list" },
		{ "shard: 1/2\nshard: 2/2\n", "mem.yaml:2:1: duplicate key 'shard' (first at line 1)" },
	};
	struct config cfg;
	struct config_error err;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (!CHECK(parse(bad[i].text, &cfg, &err) < 0, "%s loaded", bad[i].text))
			continue;
		CHECK_STR(err.message, bad[i].want);
		CHECK_STR(err.field, "shard");
	}
}

/* Published values (FNV-1a 32): a change here moves cameras between sites. */
static void test_hash_is_stable(void)
{
	CHECK_INT(config_shard_hash(""), 0x811c9dc5u);
	CHECK_INT(config_shard_hash("a"), 0xe40c292cu);
	CHECK_INT(config_shard_hash("foobar"), 0xbf9cf968u);
	CHECK_INT(config_shard_of("foobar", 2), 0xbf9cf968u % 2 + 1);
	CHECK_INT(config_shard_of("foobar", 7), 0xbf9cf968u % 7 + 1);
	CHECK_INT(config_shard_of("anything", 1), 1);
}

/* 1,000 names into N shards: each name in exactly one, each shard within 20 % of 1000/N. */
static void test_partition(void)
{
	static const int counts[] = { 2, 3, 4, 5, 7, 10, 16 };
	char names[NAMES][32];
	struct config cfg = { 0 };
	for (int i = 0; i < NAMES; i++)
		snprintf(names[i], sizeof names[i], i % 2 ? "cam-%04d" : "Site %d front door", i);
	for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
		int n = counts[c], per[16] = { 0 }, once = 0;
		cfg.shard.n = n;
		for (int i = 0; i < NAMES; i++) {
			int in = 0;
			for (int k = 1; k <= n; k++) {
				cfg.shard.k = k;
				if (config_in_shard(&cfg, names[i])) {
					in++;
					per[k - 1]++;
				}
			}
			once += in == 1;
		}
		CHECK(once == NAMES, "N=%d: %d of %d names in exactly one shard", n, once, NAMES);
		for (int k = 0; k < n; k++)
			CHECK(per[k] * n * 10 >= NAMES * 8 && per[k] * n * 10 <= NAMES * 12,
			      "N=%d: shard %d has %d names, expected about %d", n, k + 1, per[k], NAMES / n);
	}
}

static const char six[] =
	"streams:\n"
	"  - {name: Lobby, url: rtsp://10.0.0.1/a}\n"
	"  - {name: Gate, url: rtsp://10.0.0.2/a}\n"
	"  - {name: Yard, url: http://10.0.0.3/a}\n"
	"  - {name: Dock 1, url: rtsp://10.0.0.4/a}\n"
	"  - {name: Dock 2, url: rtsp://10.0.0.5/a}\n"
	"  - {name: Roof, url: http://10.0.0.6/a}\n";

/* The monitor's in-place cut and the web's view: the same streams, in file order, and the two
 * shards of one file together are the file. */
static void test_keep_and_view(void)
{
	char text[sizeof six + 32], seen[6] = { 0 };
	struct config a, b, full, view;
	struct config_error err;
	snprintf(text, sizeof text, "shard: 1/2\n%s", six);
	if (!CHECK(parse(text, &a, &err) == 0, "%s", err.message))
		return;
	snprintf(text, sizeof text, "shard: 2/2\n%s", six);
	if (!CHECK(parse(text, &b, &err) == 0, "%s", err.message) ||
	    !CHECK(parse(text, &full, &err) == 0, "%s", err.message))
		return;
	size_t na = config_keep_shard(&a), nb = config_keep_shard(&b);
	CHECK_INT(na + nb, 6);
	CHECK(na > 0 && nb > 0, "1/2 has %zu, 2/2 has %zu", na, nb);
	for (size_t i = 0; i < full.nstreams; i++)
		for (size_t j = 0; j < na + nb; j++)
			if (!strcmp(full.streams[i].name, j < na ? a.streams[j].name : b.streams[j - na].name))
				seen[i]++;
	for (size_t i = 0; i < 6; i++)
		CHECK(seen[i] == 1, "%s in %d shards", full.streams[i].name, seen[i]);
	if (CHECK(config_shard_view(&full, &view) == 0)) {
		CHECK_INT(view.nstreams, nb);
		for (size_t j = 0; j < view.nstreams && j < nb; j++) {
			CHECK_STR(view.streams[j].name, b.streams[j].name);
			CHECK_STR(view.streams[j].url, b.streams[j].url);
			CHECK(config_shard_of(view.streams[j].name, 2) == 2);
		}
		for (size_t j = 1; j < view.nstreams; j++)
			CHECK(view.streams[j - 1].line < view.streams[j].line, "file order kept");
		CHECK_INT(full.nstreams, 6);
		config_shard_view_free(&view);
	}
	config_free(&a);
	config_free(&b);
	config_free(&full);
}

/* The web's config editor lists the whole file and its save keeps `shard`: a sharded site's
 * editor never drops another shard's streams. */
static void test_editor_save_keeps_shard(void)
{
	char path[] = "/tmp/sp-test-shard-XXXXXX", version[65], text[sizeof six + 32];
	struct stream_edit rows[6];
	struct config full, again;
	struct config_error err;
	int fd = mkstemp(path);
	snprintf(text, sizeof text, "shard: 2/2\n%s", six);
	if (!CHECK(fd >= 0) || !CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text))) {
		if (fd >= 0)
			close(fd);
		unlink(path);
		return;
	}
	close(fd);
	if (CHECK(config_load(path, &full, &err) == 0, "%s", err.message)) {
		for (size_t i = 0; i < 6; i++) {
			memset(&rows[i], 0, sizeof rows[i]);
			snprintf(rows[i].name, sizeof rows[i].name, "%s", i ? full.streams[i].name : "Lobby renamed");
			snprintf(rows[i].old_name, sizeof rows[i].old_name, "%s", full.streams[i].name);
			rows[i].url = full.streams[i].url;
			rows[i].enabled = 1;
		}
		struct config_edit edit = { 15, "UTC", rows, 6 };
		CHECK(config_version(path, version, &err) == 0, "%s", err.message);
		CHECK_INT(config_save(path, version, &edit, &err), CONFIG_SAVE_OK);
		if (CHECK(config_load(path, &again, &err) == 0, "%s", err.message)) {
			CHECK(again.shard.k == 2 && again.shard.n == 2, "shard %d/%d", again.shard.k, again.shard.n);
			CHECK_INT(again.nstreams, 6);
			config_free(&again);
		}
		config_free(&full);
	}
	unlink(path);
}

int main(void)
{
	test_parse();
	test_errors();
	test_hash_is_stable();
	test_partition();
	test_keep_and_view();
	test_editor_save_keeps_shard();
	return unit_done();
}
