/* fuzz_config.c - libFuzzer target: config_parse on arbitrary YAML text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

/* A parse either fails with a message or yields a config every consumer can trust: what the
 * monitor and the web read without re-checking is asserted here, so a crash names the gap. */
static void check_config(const struct config *cfg)
{
	if (cfg->heartbeat_seconds < 2 || cfg->heartbeat_seconds > 3600 ||
	    cfg->probe_timeout_seconds < 1 || !cfg->data_dir || cfg->data_dir[0] != '/' ||
	    !cfg->database || cfg->database[0] != '/' || cfg->nwarnings > 101 ||
	    (cfg->nstreams && !cfg->streams))
		abort();
	if (config_probe_limit(cfg) < 1)
		abort();
	for (size_t i = 0; i < cfg->nstreams; i++) {
		const struct stream_conf *s = &cfg->streams[i];
		if (!s->name[0] || strlen(s->name) > CONFIG_NAME_MAX || !s->url || !s->url[0] ||
		    config_stream_timeout(cfg, s) < 1)
			abort();
		for (size_t j = 0; j < i; j++)
			if (!strcmp(cfg->streams[j].name, s->name))
				abort(); /* duplicates must have been refused */
	}
	for (size_t i = 0; i < cfg->nwarnings; i++)
		if (!cfg->warnings[i] || !cfg->warnings[i][0])
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, not NUL-terminated: a read past the text is an ASan report. */
	char *text = malloc(size ? size : 1);
	struct config cfg;
	struct config_error err;
	if (!text)
		return 0;
	memcpy(text, data, size);
	if (config_parse(text, size, "fuzz.yaml", "/tmp", &cfg, &err) == 0) {
		check_config(&cfg);
		config_free(&cfg);
	} else if (!err.message[0] || strnlen(err.message, sizeof err.message) == sizeof err.message) {
		abort(); /* every failure names its problem */
	}
	free(text);
	return 0;
}
