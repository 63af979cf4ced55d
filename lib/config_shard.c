/* config_shard.c - `shard: K/N`: which of the file's streams this monitor probes, by a stable
 * hash of the stream's name, so that N monitors sharing one stream list split it between them. */
#include "config.h"
#include "config_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a, 32 bits, over the name's UTF-8 bytes as written in the file. Fixed constants and no
 * seed: every version on every machine puts a name in the same shard (doc/sites.md). */
uint32_t config_shard_hash(const char *name)
{
	uint32_t h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	return h;
}

int config_shard_of(const char *name, int n)
{
	return n > 1 ? (int)(config_shard_hash(name) % (uint32_t)n) + 1 : 1;
}

int config_in_shard(const struct config *cfg, const char *name)
{
	return cfg->shard.n <= 1 || config_shard_of(name, cfg->shard.n) == cfg->shard.k;
}

/* Digits only, at most 9 of them (no sign, no spaces): -1 when not a number. */
static long number(const char *s, size_t len)
{
	long v = 0;
	if (len == 0 || len > 9)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int cfg_check_shard(const struct field *f, const char *s, size_t len, void *dst, char *why,
		    size_t whylen)
{
	struct shard_conf *out = dst;
	const char *slash = memchr(s, '/', len);
	char shown[SHOW_MAX];
	long k, n;
	(void)f;
	if (!slash || (k = number(s, (size_t)(slash - s))) < 0 ||
	    (n = number(slash + 1, len - (size_t)(slash - s) - 1)) < 0)
		return cfg_say(why, whylen, "expected K/N such as 1/2 (this monitor probes part K of N), got %s",
			       cfg_show(s, len, shown));
	if (n < 1 || n > CONFIG_SHARD_MAX)
		return cfg_say(why, whylen, "N (the number of shards) must be from 1 to %d, got %ld",
			       CONFIG_SHARD_MAX, n);
	if (k < 1 || k > n)
		return cfg_say(why, whylen, "K (this monitor's shard) must be from 1 to N (%ld), got %ld", n, k);
	out->k = (int)k;
	out->n = (int)n;
	return 0;
}

size_t config_keep_shard(struct config *cfg)
{
	size_t k = 0;
	for (size_t i = 0; i < cfg->nstreams; i++) {
		if (config_in_shard(cfg, cfg->streams[i].name))
			cfg->streams[k++] = cfg->streams[i];
		else
			free(cfg->streams[i].url);
	}
	cfg->nstreams = k;
	return k;
}

int config_shard_view(const struct config *full, struct config *view)
{
	*view = *full;
	view->nstreams = 0;
	if (!(view->streams = calloc(full->nstreams + 1, sizeof *view->streams)))
		return -1;
	for (size_t i = 0; i < full->nstreams; i++)
		if (config_in_shard(full, full->streams[i].name))
			view->streams[view->nstreams++] = full->streams[i];
	return 0;
}

void config_shard_view_free(struct config *view)
{
	free(view->streams);
	memset(view, 0, sizeof *view);
}
