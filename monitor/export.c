/* export.c - streampulse-monitor --export: the kept heartbeats as CSV on stdout. */
#include "export.h"

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "store.h"
#include "store_web.h"

/* RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
static void csv_field(FILE *f, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* -1 (none) is an empty field, as NULL was in the old table. */
static void csv_int(FILE *f, int v)
{
	if (v >= 0)
		fprintf(f, "%d", v);
}

static int csv_row(void *ctx, const char *stream, const struct heartbeat *h)
{
	FILE *f = ctx;
	csv_field(f, stream);
	fprintf(f, ",%lld,%d,", (long long)h->ts_ms, h->state == HB_UP);
	csv_int(f, h->latency_ms);
	fputc(',', f);
	csv_int(f, h->connect_ms);
	fputc(',', f);
	csv_field(f, h->error);
	fputc(',', f);
	csv_field(f, h->message);
	fputc(',', f);
	csv_field(f, h->codec);
	fputc(',', f);
	csv_int(f, h->width);
	fputc(',', f);
	csv_int(f, h->height);
	fprintf(f, ",%s\n", hb_state_name(h->state));
	return ferror(f) ? -1 : 0;
}

int export_run(const char *config_path, const char *stream)
{
	struct config cfg;
	struct config_error cerr;
	struct store *st = NULL;
	char err[512];
	int rc = 1;
	if (config_load(config_path, &cfg, &cerr) < 0) {
		fprintf(stderr, "%s\n", cerr.message);
		return 2;
	}
	if (store_open(cfg.database, &st, err, sizeof err) < 0) {
		fprintf(stderr, "streampulse-monitor: cannot open database: %s\n", err);
		goto end;
	}
	int64_t id = stream ? store_web_stream_id(st, stream) : 0;
	if (stream && !id) {
		fprintf(stderr, "streampulse-monitor: no stream named '%s' in %s\n", stream, cfg.database);
		goto end;
	}
	printf("stream,ts_ms,up,latency_ms,connect_ms,error,message,codec,width,height,state\n");
	if (store_export(st, id, csv_row, stdout, err, sizeof err) < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "streampulse-monitor: export: %s\n", err);
		goto end;
	}
	rc = 0;
end:
	store_close(st);
	config_free(&cfg);
	return rc;
}
