/* store_day.c - bench: the store's write path over simulated days: bytes written, size, read times.
 *
 * usage: store_day [all|writes|size|history] --dir DIR
 *        store_day seed --streams N --days D --db PATH [--names FORMAT]
 * Prints one JSON object per line. Time is simulated (the store takes the commit time from its
 * caller), so a day of 15 s cycles runs in seconds; every write goes through store_open,
 * store_sync_streams and store_insert_heartbeats as in the monitor (one commit per cycle). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "store_web.h"

#define CYCLE_MS 15000LL
#define DAY_MS (24 * 3600 * 1000LL)
#define PRUNE_EVERY_MS (10 * 60 * 1000LL) /* as monitor/main.c */
#define RETENTION_DAYS 30                 /* config.c's default */

struct sim {
	const char *db, *names;
	int streams, days;
	int64_t end_ms;          /* the last cycle ends here */
	int fast;                /* synchronous=OFF: for size and read figures, not for writes */
};

static double mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Bytes this process caused to be written to storage: counted when a page turns dirty, so
 * a page rewritten before writeback counts once and one rewritten after an fsync twice. */
static long long io_write_bytes(void)
{
	char line[128];
	long long v = -1;
	FILE *f = fopen("/proc/self/io", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "write_bytes: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static unsigned rnd(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 8) & 0xffffff;
}

/* Down probes: 1 % of all. In outages of 20 cycles (5 min) by default; with flapping, each
 * probe fails on its own (a state change, i.e. a streams row write, every other down beat). */
static int flapping;
static int left[4096];        /* cycles each stream's outage still lasts */

static int is_down(int64_t id, unsigned *seed)
{
	if (flapping)
		return rnd(seed) % 100 == 0;
	int *l = &left[id % 4096];
	if (*l > 0)
		return (*l)-- > 0;
	if (rnd(seed) % 2000 == 0)
		*l = 19;
	return *l > 0;
}

/* One synthetic probe result: latency 150-900 ms, connect 2-40 ms, a few codecs and sizes,
 * one error class and message per stream when down. */
static void synth(struct heartbeat *h, int64_t id, int64_t ts, unsigned *seed)
{
	static const char *const err[] = { "refused", "timeout", "not_found" };
	static const char *const msg[] = { "connection refused", "no frame within 10000 ms",
					   "server answered 404 Not Found" };
	int down = is_down(id, seed), k = (int)(id % 3);
	*h = (struct heartbeat){ .stream_id = id, .ts_ms = ts, .state = down ? HB_DOWN : HB_UP,
				 .latency_ms = down ? -1 : 150 + (int)(rnd(seed) % 751),
				 .connect_ms = down && k == 0 ? -1 : 2 + (int)(rnd(seed) % 40),
				 .error = down ? err[k] : NULL, .message = down ? msg[k] : NULL,
				 .codec = down ? NULL : id % 4 ? "h264" : "hevc",
				 .width = id % 5 ? 640 : 1920, .height = id % 5 ? 360 : 1080 };
}

static char **make_names(const char *fmt, int n)
{
	char **names = calloc((size_t)n, sizeof *names);
	for (int i = 0; names && i < n; i++) {
		char buf[80];
		snprintf(buf, sizeof buf, fmt, i);
		names[i] = strdup(buf);
	}
	return names;
}

static void free_names(char **names, int n)
{
	for (int i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

/* Runs the monitor's writes for s->days of cycles; 0, or -1 after printing why. */
static int simulate(const struct sim *s)
{
	char err[256];
	struct store *st = NULL;
	int64_t *ids = calloc((size_t)s->streams, sizeof *ids);
	struct heartbeat *hb = calloc((size_t)s->streams, sizeof *hb);
	char **names = make_names(s->names, s->streams);
	int64_t cycles = (int64_t)s->days * (DAY_MS / CYCLE_MS), start = s->end_ms - cycles * CYCLE_MS;
	int64_t next_prune = start + PRUNE_EVERY_MS;
	unsigned seed = 42;
	int rc = -1;
	memset(left, 0, sizeof left);
	if (!ids || !hb || !names || store_open(s->db, &st, err, sizeof err) < 0 ||
	    store_sync_streams(st, (const char *const *)names, (size_t)s->streams, ids, start, err, sizeof err) < 0)
		goto end;
	if (s->fast)
		sqlite3_exec(store_db(st), "PRAGMA synchronous=OFF", NULL, NULL, NULL);
	for (int64_t c = 0; c < cycles; c++) {
		int64_t t = start + c * CYCLE_MS;
		/* the scheduler spreads the probes over the cycle; the lead's monitor commits once
		 * per cycle, at its end */
		for (int i = 0; i < s->streams; i++)
			synth(&hb[i], ids[i], t + (int64_t)i * CYCLE_MS / s->streams, &seed);
		if (store_insert_heartbeats(st, hb, (size_t)s->streams, t + CYCLE_MS, err, sizeof err) < 0)
			goto end;
		/* the monitor's pruning (nothing is 30 days old within these runs): in the writes
		 * run only, where what it costs counts */
		if (!s->fast && t + CYCLE_MS >= next_prune) {
			for (int i = 0; i < s->streams; i++)
				if (store_prune_stream(st, ids[i], t + CYCLE_MS - RETENTION_DAYS * DAY_MS, 500,
						       err, sizeof err) < 0)
					goto end;
			next_prune += PRUNE_EVERY_MS;
		}
	}
	rc = 0;
end:
	if (rc < 0)
		fprintf(stderr, "store_day: %s: %s\n", s->db, st ? err : "cannot open");
	store_close(st); /* the last connection checkpoints the WAL into the file */
	free_names(names, s->streams);
	free(ids);
	free(hb);
	return rc;
}

/* ---- the old layout (schema v3), for comparison ------------------------------- */

static const char old_schema[] =
	"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	"CREATE TABLE streams (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_ms INTEGER NOT NULL,"
	" removed_ms INTEGER, state INTEGER, since_ms INTEGER, last_ms INTEGER, last_latency_ms INTEGER,"
	" last_error TEXT, last_message TEXT, codec TEXT, width INTEGER, height INTEGER);"
	"CREATE TABLE heartbeats (stream_id INTEGER NOT NULL, ts_ms INTEGER NOT NULL, up INTEGER NOT NULL,"
	" latency_ms INTEGER, connect_ms INTEGER, error TEXT, message TEXT, codec TEXT, width INTEGER,"
	" height INTEGER, PRIMARY KEY (stream_id, ts_ms)) WITHOUT ROWID;"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
	"CREATE TABLE rollup_hour (stream_id INTEGER NOT NULL, hour INTEGER NOT NULL, beats INTEGER NOT NULL,"
	" ups INTEGER NOT NULL, latency_sum INTEGER NOT NULL, latency_n INTEGER NOT NULL,"
	" PRIMARY KEY (stream_id, hour)) WITHOUT ROWID;";

/* The statements lib/store.c ran per heartbeat before schema v4. */
static const char *const old_sql[] = {
	"INSERT OR REPLACE INTO heartbeats VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	"UPDATE streams SET since_ms = CASE WHEN state IS ?3 THEN since_ms ELSE ?2 END, state = ?3,"
	" last_ms = ?2, last_latency_ms = ?4, last_error = ?6, last_message = ?7, codec = coalesce(?8, codec),"
	" width = coalesce(?9, width), height = coalesce(?10, height) WHERE id = ?1 AND ?5 IS ?5",
	"INSERT INTO rollup_hour VALUES (?1, ?2 / 3600000, 1, ?3, coalesce(?4, 0), ?4 IS NOT NULL) ON CONFLICT"
	" (stream_id, hour) DO UPDATE SET beats = beats + 1, ups = ups + excluded.ups, latency_sum ="
	" latency_sum + excluded.latency_sum, latency_n = latency_n + excluded.latency_n",
};

static void bind_old(sqlite3_stmt *s, const struct heartbeat *h)
{
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, h->stream_id);
	sqlite3_bind_int64(s, 2, h->ts_ms);
	sqlite3_bind_int(s, 3, h->state == HB_UP);
	if (h->latency_ms >= 0)
		sqlite3_bind_int(s, 4, h->latency_ms);
	else
		sqlite3_bind_null(s, 4);
	if (h->connect_ms >= 0)
		sqlite3_bind_int(s, 5, h->connect_ms);
	else
		sqlite3_bind_null(s, 5);
	sqlite3_bind_text(s, 6, h->error, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, h->message, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, h->codec, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 9, h->width);
	sqlite3_bind_int(s, 10, h->height);
}

static void sync_files(const char *db)
{
	char wal[4200];
	snprintf(wal, sizeof wal, "%s-wal", db);
	const char *files[] = { db, wal };
	for (int i = 0; i < 2; i++) {
		int fd = open(files[i], O_RDONLY);
		if (fd >= 0) {
			fdatasync(fd);
			close(fd);
		}
	}
}

/* A day as the old monitor wrote it: a commit every second holding the probes that finished
 * in it, each heartbeat a row plus a state UPDATE and a rollup upsert. It used
 * synchronous=NORMAL, which fsyncs only at checkpoints: the kernel writes dirty pages back
 * ~every 5-30 s, so the files are fdatasync'ed once per 15 s cycle here (not per commit,
 * which would overstate the old cost; not never, which a simulation running days in seconds
 * would understate). */
static int simulate_old(const char *db, int streams, int64_t end_ms)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *s[3] = { 0 };
	struct heartbeat hb;
	int64_t cycles = DAY_MS / CYCLE_MS, start = end_ms - cycles * CYCLE_MS;
	unsigned seed = 42;
	int rc = -1;
	char sql[160];
	memset(left, 0, sizeof left);
	if (sqlite3_open(db, &h) != SQLITE_OK || sqlite3_exec(h, old_schema, NULL, NULL, NULL) != SQLITE_OK)
		goto end;
	for (int i = 0; i < 3; i++)
		if (sqlite3_prepare_v2(h, old_sql[i], -1, &s[i], NULL) != SQLITE_OK)
			goto end;
	for (int i = 0; i < streams; i++) {
		snprintf(sql, sizeof sql, "INSERT INTO streams(name, created_ms) VALUES ('cam-%04d', 0)", i);
		sqlite3_exec(h, sql, NULL, NULL, NULL);
	}
	for (int64_t c = 0; c < cycles; c++) {
		int64_t t = start + c * CYCLE_MS;
		int i = 0;
		for (int sec = 0; sec < CYCLE_MS / 1000; sec++) {
			sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
			for (; i < streams && (int64_t)i * CYCLE_MS / streams < (sec + 1) * 1000; i++) {
				synth(&hb, i + 1, t + (int64_t)i * CYCLE_MS / streams, &seed);
				for (int k = 0; k < 3; k++) {
					bind_old(s[k], &hb);
					if (sqlite3_step(s[k]) != SQLITE_DONE)
						goto end;
				}
			}
			snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO meta VALUES ('monitor_write_ms', %lld); COMMIT",
				 (long long)(t + sec * 1000 + 1000));
			if (sqlite3_exec(h, sql, NULL, NULL, NULL) != SQLITE_OK)
				goto end;
		}
		sync_files(db);
	}
	rc = 0;
end:
	if (rc < 0)
		fprintf(stderr, "store_day: old layout: %s\n", h ? sqlite3_errmsg(h) : "cannot open");
	for (int i = 0; i < 3; i++)
		sqlite3_finalize(s[i]);
	sqlite3_close(h);
	return rc;
}

/* ---- the figures ------------------------------------------------------------ */

static void path_in(char *out, size_t len, const char *dir, const char *name)
{
	char cmd[4400];
	snprintf(out, len, "%s/%s", dir, name);
	snprintf(cmd, sizeof cmd, "rm -f '%s' '%s-wal' '%s-shm'", out, out, out);
	if (system(cmd) != 0)
		fprintf(stderr, "store_day: cannot clear %s\n", out);
}

static int run_writes(const char *dir)
{
	char db[4096], old[4096];
	path_in(db, sizeof db, dir, "writes.db");
	path_in(old, sizeof old, dir, "writes-old.db");
	struct sim s = { db, "cam-%04d", 100, 1, 1795600000000LL, 0 };
	double t0 = mono_ms();
	long long w0 = io_write_bytes();
	if (simulate(&s) < 0)
		return -1;
	long long w1 = io_write_bytes();
	double t1 = mono_ms();
	if (simulate_old(old, 100, s.end_ms) < 0)
		return -1;
	long long w2 = io_write_bytes();
	double t2 = mono_ms();
	/* the same day with every down probe a state change of its own */
	path_in(db, sizeof db, dir, "writes-flap.db");
	flapping = 1;
	if (simulate(&s) < 0)
		return -1;
	flapping = 0;
	long long w3 = io_write_bytes();
	printf("{\"run\":\"writes\",\"streams\":100,\"days\":1,\"bytes\":%lld,\"mb\":%.2f,"
	       "\"baseline_bytes\":%lld,\"baseline_mb\":%.2f,\"flapping_bytes\":%lld,\"flapping_mb\":%.2f,"
	       "\"seconds\":%.1f,\"baseline_seconds\":%.1f}\n", w1 - w0, (w1 - w0) / 1e6, w2 - w1,
	       (w2 - w1) / 1e6, w3 - w2, (w3 - w2) / 1e6, (t1 - t0) / 1e3, (t2 - t1) / 1e3);
	return 0;
}

static int run_size(const char *dir)
{
	char db[4096];
	struct stat sb;
	path_in(db, sizeof db, dir, "size.db");
	struct sim s = { db, "cam-%04d", 100, 30, 1795600000000LL, 1 };
	double t0 = mono_ms();
	if (simulate(&s) < 0 || stat(db, &sb) < 0)
		return -1;
	printf("{\"run\":\"size\",\"streams\":100,\"days\":30,\"bytes\":%lld,\"mb\":%.2f,\"seconds\":%.1f}\n",
	       (long long)sb.st_size, sb.st_size / 1e6, (mono_ms() - t0) / 1e3);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return v[n / 2];
}

enum { RUNS = 21 };

/* Reads as the web does them, on a fresh connection to the seeded file. */
static int measure_reads(const struct sim *s, size_t *beats)
{
	char err[256];
	struct store *st = NULL;
	struct beat *b = malloc(6000 * sizeof *b);
	struct stream_status *ss = malloc((size_t)s->streams * sizeof *ss);
	char **names = make_names(s->names, s->streams);
	double hist[RUNS], stat[RUNS];
	int rc = -1;
	if (!b || !ss || !names || store_open(s->db, &st, err, sizeof err) < 0)
		goto end;
	int64_t id = store_web_stream_id(st, names[s->streams / 2]);
	for (int r = 0; r < RUNS; r++) {
		double t0 = mono_ms();
		if (store_web_beats(st, id, s->end_ms - DAY_MS, s->end_ms + 1, 0, b, 6000, beats, err, sizeof err) < 0)
			goto end;
		double t1 = mono_ms();
		if (store_web_status(st, (const char *const *)names, (size_t)s->streams, s->end_ms, ss, err,
				     sizeof err) < 0)
			goto end;
		hist[r] = t1 - t0;
		stat[r] = mono_ms() - t1;
	}
	printf("{\"run\":\"history\",\"streams\":%d,\"days\":%d,\"beats\":%zu,\"history_ms\":%.2f,"
	       "\"status_ms\":%.2f,\"uptime_24h\":%.2f}\n", s->streams, s->days, *beats,
	       median(hist, RUNS), median(stat, RUNS), ss[s->streams / 2].uptime_24h);
	rc = 0;
end:
	if (rc < 0)
		fprintf(stderr, "store_day: reads: %s\n", err);
	store_close(st);
	free_names(names, s->streams);
	free(b);
	free(ss);
	return rc;
}

/* Half an hour into the journal's hour: the average reader's view between compactions. */
#define HISTORY_END (1795600000000LL - 1795600000000LL % 3600000 + 32 * 60 * 1000)

static int run_history(const char *dir)
{
	char db[4096];
	size_t n = 0;
	path_in(db, sizeof db, dir, "history.db");
	struct sim s = { db, "cam-%04d", 2000, 1, HISTORY_END, 1 };
	if (simulate(&s) < 0 || measure_reads(&s, &n) < 0)
		return -1;
	return n == (size_t)(DAY_MS / CYCLE_MS) ? 0 : -1;
}

/* The three runs side by side, one process each: /proc/self/io counts each run's own writes,
 * and the history run (the longest) times its reads after the others are done. 1-2 cores
 * keep the whole under ~3 minutes. */
static int run_all(const char *dir)
{
	int (*const run[])(const char *) = { run_history, run_writes, run_size };
	pid_t pid[3];
	int rc = 0;
	fflush(stdout);
	for (int i = 0; i < 3; i++) {
		if ((pid[i] = fork()) == 0) {
			int r = run[i](dir);
			fflush(stdout);
			_exit(r < 0 ? 1 : 0);
		}
		if (pid[i] < 0)
			return 1;
	}
	for (int i = 0; i < 3; i++) {
		int status;
		if (waitpid(pid[i], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			rc = 1;
	}
	return rc;
}

static void usage(void)
{
	fprintf(stderr, "usage: store_day [all|writes|size|history] --dir DIR\n"
			"       store_day seed --streams N --days D --db PATH [--names FORMAT]\n");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 && argv[1][0] != '-' ? argv[1] : "all", *dir = "/tmp";
	struct sim seed = { NULL, "cam-%04d", 0, 0, (int64_t)time(NULL) * 1000, 1 };
	for (int i = mode == argv[1] ? 2 : 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--dir"))
			dir = argv[i + 1];
		else if (!strcmp(argv[i], "--streams"))
			seed.streams = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--days"))
			seed.days = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--db"))
			seed.db = argv[i + 1];
		else if (!strcmp(argv[i], "--names"))
			seed.names = argv[i + 1];
		else {
			usage();
			return 2;
		}
	}
	if (!strcmp(mode, "seed")) {
		if (!seed.db || seed.streams < 1 || seed.days < 1) {
			usage();
			return 2;
		}
		/* the last cycle ends now, so the web shows these streams as current */
		return simulate(&seed) < 0 ? 1 : 0;
	}
	int rc = 0;
	if (!strcmp(mode, "all"))
		return run_all(dir);
	if (!strcmp(mode, "writes"))
		rc |= run_writes(dir);
	if (!strcmp(mode, "size"))
		rc |= run_size(dir);
	if (!strcmp(mode, "history"))
		rc |= run_history(dir);
	if (!strcmp(mode, "reads")) { /* the reads again on the last history run's file */
		char db[4096];
		size_t n;
		snprintf(db, sizeof db, "%s/history.db", dir);
		struct sim s = { db, "cam-%04d", 2000, 1, HISTORY_END, 1 };
		rc |= measure_reads(&s, &n);
	}
	return rc ? 1 : 0;
}
