/* main.c - streampulse-monitor: flags, signals, --check, --once and the probe loop. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include "alerts.h"
#include "config.h"
#include "engine.h"
#include "export.h"
#include "import.h"
#include "fileio.h"
#include "health.h"
#include "log.h"
#include "metrics.h"
#include "paths.h"
#include "pool.h"
#include "probe.h"
#include "scheduler.h"
#include "slots.h"
#include "store.h"
#include "url.h"
#include "users.h"

#define RELOAD_CHECK_MS 500
/* One commit per cycle (at most every 15 s): an SD card sees a few pages per commit, and a
 * crash loses at most the heartbeats of one cycle. A state change is written at once. */
#define FLUSH_MAX_MS 15000
#define STATS_MS 10000
#define PRUNE_MS (10 * 60 * 1000)
#define METRICS_MS 60000

enum { EXIT_NAGIOS_OK = 0, EXIT_NAGIOS_WARNING = 1, EXIT_NAGIOS_CRITICAL = 2, EXIT_USAGE = 3 };

#define LOOP_BUSY_TIMEOUT_MS 300

static volatile sig_atomic_t stop_requested, reload_requested;

static void on_stop(int sig) { (void)sig; stop_requested = 1; }
static void on_hup(int sig) { (void)sig; reload_requested = 1; }

static void usage(FILE *f)
{
	fprintf(f, "usage: streampulse-monitor [-c config.yaml] [--once] [-v]\n"
		   "       streampulse-monitor [-c config.yaml] --check-config\n"
		   "       streampulse-monitor [-c config.yaml] --export [--stream NAME]\n"
		   "       streampulse-monitor [-c config.yaml] --import FILE.jsonl\n"
		   "       streampulse-monitor --check URL [-t SECONDS] [--tcp|--udp] [--max-latency-ms N]\n"
		   "       streampulse-monitor [-c config.yaml] --users\n"
		   "       streampulse-monitor [-c config.yaml] --passwd USER [--password-stdin]\n"
		   "       streampulse-monitor [-c config.yaml] --add-user USER [--role admin|viewer] [--password-stdin]\n"
		   "\n"
		   "--users lists the web's users; --passwd sets a user's password (typed twice on the\n"
		   "terminal, or one line of stdin with --password-stdin) and logs out all its sessions.\n"
		   "\n"
		   "-c defaults to " SP_MONITOR_CONFIG ".\n"
		   "--check prints one Nagios line: OK (exit 0); WARNING - degraded (exit 1) when the\n"
		   "picture is black or uniform, or the first frame came later than --max-latency-ms;\n"
		   "CRITICAL (exit 2) when no frame came. A frozen picture needs several probes: only\n"
		   "the monitor daemon can see it, one --check cannot.\n");
}

struct opts {
	const char *config, *check_url, *stream, *import;
	int once, timeout_s, check_config, export;
	enum transport transport;   /* --check: auto unless --tcp or --udp */
	int max_latency_ms;         /* --check: slower first frame is degraded; 0 off */
	struct users_cmd users;     /* --users, --passwd, --add-user */
};

/* --users, --passwd and --add-user exclude each other. 0, or EXIT_USAGE after saying so. */
static int set_users_op(struct opts *o, enum users_op op, const char *name)
{
	if (o->users.op) {
		fprintf(stderr, "streampulse-monitor: one of --users, --passwd, --add-user at a time\n");
		return EXIT_USAGE;
	}
	o->users.op = op;
	o->users.name = name;
	return 0;
}

/* Returns 0, or EXIT_USAGE after printing why. */
static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longs[] = {
		{ "config", required_argument, NULL, 'c' }, { "once", no_argument, NULL, 'o' },
		{ "check", required_argument, NULL, 'k' }, { "timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' }, { "udp", no_argument, NULL, 'u' },
		{ "tcp", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' }, { "check-config", no_argument, NULL, 'n' },
		{ "export", no_argument, NULL, 'x' }, { "stream", required_argument, NULL, 's' },
		{ "import", required_argument, NULL, 'i' },
		{ "max-latency-ms", required_argument, NULL, 'l' },
		{ "users", no_argument, NULL, 'U' }, { "passwd", required_argument, NULL, 'P' },
		{ "add-user", required_argument, NULL, 'A' }, { "role", required_argument, NULL, 'r' },
		{ "password-stdin", no_argument, NULL, 'S' }, { NULL, 0, NULL, 0 },
	};
	int c;
	char *end;
	*o = (struct opts){ .config = SP_MONITOR_CONFIG, .timeout_s = 10, .transport = TRANSPORT_AUTO };
	while ((c = getopt_long(argc, argv, "c:t:vh", longs, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'o': o->once = 1; break;
		case 'k': o->check_url = optarg; break;
		case 'u': o->transport = TRANSPORT_UDP; break;
		case 'T': o->transport = TRANSPORT_TCP; break;
		case 'n': o->check_config = 1; break;
		case 'x': o->export = 1; break;
		case 's': o->stream = optarg; break;
		case 'i': o->import = optarg; break;
		case 'v': log_verbose = 1; break;
		case 'U': if (set_users_op(o, USERS_LIST, NULL)) return EXIT_USAGE; break;
		case 'P': if (set_users_op(o, USERS_PASSWD, optarg)) return EXIT_USAGE; break;
		case 'A': if (set_users_op(o, USERS_ADD, optarg)) return EXIT_USAGE; break;
		case 'r': o->users.role = optarg; break;
		case 'S': o->users.password_stdin = 1; break;
		case 't':
			errno = 0;
			long v = strtol(optarg, &end, 10);
			if (errno || *end || v < 1 || v > 300) {
				fprintf(stderr, "streampulse-monitor: -t wants whole seconds from 1 to 300, got '%s'\n", optarg);
				return EXIT_USAGE;
			}
			o->timeout_s = (int)v;
			break;
		case 'l':
			errno = 0;
			long ms = strtol(optarg, &end, 10);
			if (errno || *end || ms < 1 || ms > 300000) {
				fprintf(stderr, "streampulse-monitor: --max-latency-ms wants milliseconds from 1 to 300000, got '%s'\n", optarg);
				return EXIT_USAGE;
			}
			o->max_latency_ms = (int)ms;
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "streampulse-monitor: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	return users_check_args(&o->users);
}

/* Nagios plugin: one line, exit 0 OK, 1 WARNING (degraded picture), 2 CRITICAL, 3 UNKNOWN.
 * The picture checks use the config defaults; frozen needs history a single probe lacks. */
static int run_check(const struct opts *o)
{
	struct health_conf h;
	struct health_verdict v;
	struct probe_request req = {
		.url = o->check_url,
		.transport = o->transport,
		.timeout_ms = o->timeout_s * 1000,
	};
	struct probe_result res;
	char scheme[16] = "";
	probe_run(&req, &res);
	url_scheme(o->check_url, scheme, sizeof scheme);
	config_health_defaults(&h);
	h.max_latency_ms = o->max_latency_ms;
	health_judge(&res, &h, NULL, &v);
	if (v.state == HB_DEGRADED) {
		printf("WARNING - degraded (%s): %s; %s %dx%d|first_frame=%dms;;;0 connect=%dms;;;0\n",
		       v.reason, v.message, res.codec, res.width, res.height, res.first_frame_ms,
		       res.connect_ms < 0 ? 0 : res.connect_ms);
		return EXIT_NAGIOS_WARNING;
	}
	if (res.up) {
		printf("OK - %s %dx%d, first frame in %d ms%s%s|first_frame=%dms;;;0 connect=%dms;;;0\n",
		       res.codec, res.width, res.height, res.first_frame_ms,
		       strncmp(scheme, "rtsp", 4) ? "" : " over ",
		       strncmp(scheme, "rtsp", 4) ? "" : (res.transport == TRANSPORT_UDP ? "udp" : "tcp"),
		       res.first_frame_ms, res.connect_ms < 0 ? 0 : res.connect_ms);
		return EXIT_NAGIOS_OK;
	}
	if (res.error == PROBE_INTERNAL) {
		printf("UNKNOWN - %s\n", res.message);
		return EXIT_USAGE;
	}
	printf("CRITICAL - %s: %s|elapsed=%dms;;;0\n", probe_class_name(res.error), res.message,
	       res.elapsed_ms);
	return EXIT_NAGIOS_CRITICAL;
}

/* Like nginx -t: load and validate, say what is wrong, probe nothing. */
static int run_check_config(const char *path)
{
	struct config cfg;
	struct config_error err;
	if (config_load(path, &cfg, &err) < 0) {
		fprintf(stderr, "%s\n", err.message);
		return 2;
	}
	for (size_t i = 0; i < cfg.nwarnings; i++)
		fprintf(stderr, "warning: %s\n", cfg.warnings[i]);
	printf("%s: OK, %zu streams", path, cfg.nstreams);
	if (cfg.shard.n > 1) {
		size_t all = cfg.nstreams;
		printf(" (%zu of %zu in shard %d/%d)", config_keep_shard(&cfg), all, cfg.shard.k, cfg.shard.n);
	}
	printf(", heartbeat every %d s, database %s\n", cfg.heartbeat_seconds, cfg.database);
	config_free(&cfg);
	return 0;
}

static void log_clock_sync(void)
{
	struct timex tx = { .modes = 0 };
	int state = adjtimex(&tx);
	if (state == -1 || state == TIME_ERROR || (tx.status & STA_UNSYNC))
		log_line("clock: NOT synchronized by NTP (kernel reports STA_UNSYNC): heartbeat times "
			 "may be off; run an NTP client (chrony, systemd-timesyncd) to trust them");
	else
		log_line("clock: NTP-synchronized (estimated error %ld us)", tx.esterror);
}

struct monitor {
	const char *config_path;
	struct config cfg;
	struct stat cfg_stat;
	struct store *st;
	struct pool *pool;
	struct engine *eng;
	struct alerts *alerts;      /* NULL with --once: nothing changes state in one pass */
	struct scheduler sched;
	struct metrics metrics;     /* self metrics for GET /metrics (monitor/metrics.c) */
	int reload_failed;          /* the current file on disk is bad: report it once */
};

static void log_config_warnings(const struct config *cfg)
{
	for (size_t i = 0; i < cfg->nwarnings; i++)
		log_line("config warning: %s", cfg->warnings[i]);
}

/* The file, down to this monitor's shard: every later step (store, scheduler, engine, alerts'
 * site-down count) sees only the streams it probes. */
static int load_config(const char *path, struct config *cfg, struct config_error *err)
{
	if (config_load(path, cfg, err) < 0)
		return -1;
	log_config_warnings(cfg);
	if (cfg->shard.n > 1) {
		size_t all = cfg->nstreams;
		log_line("shard %d/%d: probing %zu of the %zu streams in %s", cfg->shard.k, cfg->shard.n,
			 config_keep_shard(cfg), all, path);
	}
	return 0;
}

/* Gives the config's streams their ids and schedules them. */
static int apply_config(struct monitor *m, struct config *cfg)
{
	char err[256];
	const char **names = config_names(cfg);
	int64_t *ids = calloc(cfg->nstreams + 1, sizeof *ids);
	int rc = -1;
	if (!names || !ids)
		goto end;
	if (store_sync_streams(m->st, names, cfg->nstreams, ids, clock_utc_ms(), err, sizeof err) < 0) {
		log_line("%s", err);
		goto end;
	}
	if (sched_apply(&m->sched, cfg, ids, clock_mono_ms()) < 0 || engine_apply(m->eng, cfg, ids) < 0) {
		log_line("out of memory applying the config");
		goto end;
	}
	if (m->pool)
		pool_set_limit(m->pool, config_probe_limit(cfg));
	rc = 0;
end:
	free(names);
	free(ids);
	return rc;
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Reloads when the file changed (or on SIGHUP); a bad file leaves the last good config. */
static void maybe_reload(struct monitor *m, int forced)
{
	struct stat sb;
	struct config cfg;
	struct config_error err;
	if (stat(m->config_path, &sb) < 0) {
		if (!m->reload_failed)
			log_line("cannot read %s: %s; keeping the last good configuration",
				 m->config_path, strerror(errno));
		m->reload_failed = 1;
		memset(&m->cfg_stat, 0, sizeof m->cfg_stat);
		return;
	}
	if (!forced && same_file(&sb, &m->cfg_stat))
		return;
	m->cfg_stat = sb;
	if (load_config(m->config_path, &cfg, &err) < 0) {
		log_line("config not reloaded: %s; keeping the last good configuration", err.message);
		m->reload_failed = 1;
		return;
	}
	if (strcmp(cfg.database, m->cfg.database))
		log_line("config: 'database' changed; it takes effect after a restart");
	if (apply_config(m, &cfg) < 0) {
		config_free(&cfg);
		return;
	}
	if (alerts_apply(m->alerts, &cfg, err.message, sizeof err.message) < 0)
		log_line("%s; alerts keep the last good configuration", err.message);
	m->reload_failed = 0;
	log_line("config reloaded: %zu streams, %zu scheduled every %d s", cfg.nstreams,
		 m->sched.n, cfg.heartbeat_seconds);
	/* database stays what the store was opened with */
	free(cfg.database);
	cfg.database = m->cfg.database;
	m->cfg.database = NULL;
	config_free(&m->cfg);
	m->cfg = cfg;
}

static void collect(struct monitor *m)
{
	struct done *d;
	size_t n = pool_take_done(m->pool, &d);
	if (!n) {
		free(d);
		return;
	}
	sched_finished(&m->sched, d, n);
	metrics_observe(&m->metrics, d, n);
	engine_take(m->eng, d, n);
	pool_free_done(d, n);
}

static void sleep_until_mono(int64_t when_ms)
{
	int64_t now = clock_mono_ms();
	if (when_ms <= now)
		return;
	struct timespec ts = { (time_t)((when_ms - now) / 1000), (long)((when_ms - now) % 1000) * 1000000 };
	nanosleep(&ts, NULL); /* a signal cuts it short, which is what we want */
}

/* With -v: what the probes cost right now (the figures the scale bench reads). */
static void log_stats(struct monitor *m)
{
	struct mallinfo2 mi = mallinfo2();
	log_line("stats: %d probes running, heap %zu MB in use of %zu MB", pool_busy(m->pool),
		 mi.uordblks >> 20, (mi.arena + mi.hblkhd) >> 20);
}

static int64_t flush_ms(const struct config *cfg)
{
	int64_t ms = (int64_t)cfg->heartbeat_seconds * 1000;
	return ms < FLUSH_MAX_MS ? ms : FLUSH_MAX_MS;
}

static void publish_metrics(struct monitor *m)
{
	metrics_publish(&m->metrics, m->st, m->sched.started, m->sched.skipped);
}

static void run_loop(struct monitor *m)
{
	int64_t next_stats = 0, next_reload = 0, next_flush = clock_mono_ms() + flush_ms(&m->cfg), next_prune = clock_mono_ms() + 60000;
	int64_t next_cycle = clock_mono_ms() + (int64_t)m->cfg.heartbeat_seconds * 1000;
	int64_t next_metrics = 0;
	metrics_cycle(&m->metrics, clock_utc_ms()); /* the first cycle starts here, not at startup */
	while (!stop_requested) {
		int64_t now = clock_mono_ms();
		if (reload_requested || now >= next_reload) {
			maybe_reload(m, reload_requested);
			reload_requested = 0;
			next_reload = now + RELOAD_CHECK_MS;
		}
		sched_dispatch(&m->sched, m->pool, now);
		if (log_verbose && now >= next_stats) {
			log_stats(m);
			next_stats = now + STATS_MS;
		}
		collect(m);
		if (now >= next_flush) {
			metrics_cycle(&m->metrics, clock_utc_ms());
			/* Staged, written by the flush's commit, at most once a minute: the meta page
			 * costs the card 1 KB of WAL each time (1.4 MB a day). */
			if (now >= next_metrics) {
				publish_metrics(m);
				next_metrics = now + METRICS_MS;
			}
			engine_flush(m->eng);
			malloc_trim(0); /* once a cycle: freed pages back to the system */
			next_flush = now + flush_ms(&m->cfg);
		} else if (engine_urgent(m->eng)) {
			engine_flush(m->eng); /* a state change: at once, the cycle's schedule unchanged */
		}
		if (now >= next_cycle) { /* site-down grouping, and the cycle's alerts go out */
			size_t total, failing;
			engine_failing(m->eng, &total, &failing);
			alerts_cycle(m->alerts, total, failing, clock_utc_ms());
			next_cycle = now + (int64_t)m->cfg.heartbeat_seconds * 1000;
		}
		if (now >= next_prune) {
			engine_prune(m->eng, m->cfg.retention_days);
			next_prune = now + PRUNE_MS;
		}
		int64_t wake = sched_next_due(&m->sched);
		int64_t soon = now + 100; /* collect finished probes promptly */
		sleep_until_mono(wake < soon ? wake : soon);
	}
}

static void run_once(struct monitor *m)
{
	for (size_t i = 0; i < m->sched.n && !stop_requested; i++) {
		struct job job;
		int64_t now = clock_mono_ms();
		if (sched_job(&m->sched, i, &job, now, now) == 0) {
			pool_submit_wait(m->pool, &job);
			m->sched.started++;
		}
	}
	while (pool_wait_idle(m->pool, 200) > 0 && !stop_requested)
		;
}

/* The engine's confirmed changes, to the alert thread: an incident opened or closed is an
 * alert (a first state only when it is a failure); every confirmed state, also the first and
 * one found in the store at start (prev_state == state), is MQTT's retained state. */
static void on_change(void *ctx, const struct engine_event *ev)
{
	struct alerts *a = ctx;
	struct alert_event ae = { .ts_ms = ev->ts_ms, .state = ev->state, .prev_state = ev->prev_state,
				  .since_ms = ev->since_ms, .latency_ms = ev->latency_ms };
	alerts_stream_state(a, ev->stream, ev->state, ev->reason, ev->since_ms, ev->latency_ms);
	if (ev->prev_state == ev->state || (ev->prev_state < 0 && ev->state == HB_UP))
		return;
	snprintf(ae.stream, sizeof ae.stream, "%s", ev->stream);
	snprintf(ae.reason, sizeof ae.reason, "%s", ev->reason ? ev->reason : "");
	snprintf(ae.message, sizeof ae.message, "%s", ev->message ? ev->message : "");
	alerts_stream_event(a, &ae);
}

static int open_everything(struct monitor *m, int once)
{
	char err[512], thumbs[4096];
	struct config_error cerr;
	if (load_config(m->config_path, &m->cfg, &cerr) < 0) {
		log_line("%s", cerr.message);
		return -1;
	}
	stat(m->config_path, &m->cfg_stat);
	snprintf(thumbs, sizeof thumbs, "%s/thumbs", m->cfg.data_dir);
	if (file_mkdirs(thumbs, err, sizeof err) < 0 ||
	    file_mkdirs_parent(m->cfg.database, err, sizeof err) < 0) {
		log_line("%s", err);
		return -1;
	}
	if (store_open(m->cfg.database, &m->st, err, sizeof err) < 0) {
		log_line("cannot open database: %s", err);
		return -1;
	}
	/* The main loop also collects probe results and starts probes: it must not wait 5 s for
	 * another process's write lock. A write that times out is kept and retried (engine.c). */
	store_set_busy_timeout(m->st, LOOP_BUSY_TIMEOUT_MS);
	if (!once && !(m->alerts = alerts_create(&m->cfg, err, sizeof err))) {
		log_line("cannot start alerts: %s", err);
		return -1;
	}
	m->sched.thumb_dir = strdup(thumbs);
	m->sched.data_dir = strdup(m->cfg.data_dir);
	m->eng = engine_create(m->st);
	m->pool = pool_create(config_probe_limit(&m->cfg));
	if (!m->sched.thumb_dir || !m->sched.data_dir || !m->eng || !m->pool) {
		log_line("out of memory, or cannot start probe threads");
		return -1;
	}
	if (m->alerts)
		engine_on_change(m->eng, on_change, m->alerts);
	return apply_config(m, &m->cfg);
}

static void close_everything(struct monitor *m)
{
	if (m->pool) {
		pool_cancel(m->pool);
		pool_destroy(m->pool); /* joins: cancelled probes end within milliseconds */
	}
	alerts_destroy(m->alerts); /* after the last flush: sends what it queued, briefly */
	engine_destroy(m->eng);
	store_close(m->st);
	sched_free(&m->sched);
	config_free(&m->cfg);
}

/* Hundreds of probe threads allocate and free decoder-sized blocks all the time. glibc's
 * defaults give each thread group its own arena, return freed memory to the kernel (madvise,
 * munmap) and move the mmap threshold up and down: measured at 2,000 streams that cost more
 * CPU in the kernel than the probes did, and RSS grew with the arenas. A few arenas that
 * keep what they freed make memory follow the live set. */
static void tune_memory(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	mallopt(M_ARENA_MAX, cores > 0 ? (int)cores * 2 : 4);
	mallopt(M_TRIM_THRESHOLD, 32 << 20);
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	/* Decoding is CPU-bound: more at once than cores only adds memory. */
	if (slots_start(cores > 0 ? (int)cores : 2) < 0)
		log_line("cannot start decode threads: decoding in the probe threads");
}

/* "start lag: N started, W within 1 s of their slot, p99.5 X ms, max Y ms" */
static void log_lag(struct monitor *m)
{
	struct pool_lag lag;
	uint64_t within = 0, seen = 0, target;
	int p995 = -1;
	pool_lag(m->pool, &lag);
	for (int b = 0; b < POOL_LAG_BUCKETS && b < 20; b++)
		within += lag.hist[b];
	target = lag.started - lag.started / 200; /* 99.5 %, rounded in the strict direction */
	for (int b = 0; b < POOL_LAG_BUCKETS && p995 < 0; b++)
		if ((seen += lag.hist[b]) >= target && lag.started)
			p995 = (b + 1) * 50;
	log_line("start lag: %llu started, %llu within 1 s of their slot, p99.5 <= %d ms, max %lld ms",
		 (unsigned long long)lag.started, (unsigned long long)within, p995,
		 (long long)lag.max_ms);
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
	struct opts o;
	struct monitor m = { 0 };
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc;
	if (o.check_config)
		return run_check_config(o.config);
	if (o.export)
		return export_run(o.config, o.stream);
	if (o.import)
		return import_run(o.config, o.import);
	if (o.users.op)
		return users_run(o.config, &o.users);
	probe_global_init();
	if (o.check_url) {
		rc = run_check(&o);
		probe_global_cleanup();
		return rc;
	}
	install_signals();
	tune_memory();
	m.config_path = o.config;
	metrics_start(&m.metrics, clock_utc_ms());
	log_line("streampulse-monitor starting with %s%s", o.config, o.once ? " (--once)" : "");
	log_clock_sync();
	if (open_everything(&m, o.once) < 0) {
		close_everything(&m);
		probe_global_cleanup();
		return 2;
	}
	log_line("%zu streams scheduled every %d s, at most %d probes at once", m.sched.n,
		 m.cfg.heartbeat_seconds, config_probe_limit(&m.cfg));
	if (o.once)
		run_once(&m);
	else
		run_loop(&m);
	if (stop_requested)
		log_line("stopping: cancelling running probes");
	pool_cancel(m.pool);
	pool_wait_idle(m.pool, m.cfg.probe_timeout_seconds * 1000);
	collect(&m);
	store_set_busy_timeout(m.st, 5000); /* the last write may wait: nothing else is left to do */
	publish_metrics(&m);
	size_t left = engine_flush(m.eng);
	store_meta_commit_staged(m.st); /* when the flush had nothing to write */
	if (left)
		log_line("exiting with %zu heartbeats not written", left);
	log_lag(&m);
	uint64_t written, cancelled;
	engine_counts(m.eng, &written, &cancelled);
	log_line("stopped: %llu probes started, %llu skipped, %llu heartbeats written, %llu cancelled "
		 "at shutdown", (unsigned long long)m.sched.started, (unsigned long long)m.sched.skipped,
		 (unsigned long long)written, (unsigned long long)cancelled);
	close_everything(&m);
	slots_stop();
	probe_global_cleanup();
	return left ? 1 : 0;
}
