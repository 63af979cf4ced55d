#!/usr/bin/env bash
# GET /metrics at 2,000 streams (BENCH_METRICS_STREAMS) through nginx + FastCGI (4 workers, release
# build), with an API token, curl time_total, median of 9 each:
# - warm: the workers hold the rollup sums (metrics.c's uptime cache), a request reads the
#   streams' states, the journal and the few down streams' last up heartbeat;
# - after a monitor write (a heartbeat through --import): the journal changed, the cache stays;
# - after a compaction (meta monitor_write_ms bumped, as every compaction does): each request
#   rescans rollup_hour, the 30 d window's 720 hours x 2,000 streams.
# The database: a day of real heartbeats per stream (bench/seed.sh, bench/store_day), then 29 more
# days of hourly rollup rows inserted by SQL (BENCH_METRICS_DAYS, default 30): the uptime read
# covers only rollups for whole hours, so their count is what the 30 d window costs.
SP_BUILD=${SP_BUILD:-build/release}
. "$(dirname "$0")/../tests/lib.sh"
. "$SP_ROOT/tests/web.sh"
. "$SP_ROOT/bench/lib.sh"
. "$SP_ROOT/bench/seed.sh"
N=${BENCH_METRICS_STREAMS:-2000}
DAYS=${BENCH_METRICS_DAYS:-30}

dir=${BENCH_WEB_SEEDED:-$OUT/s$N}
[ -n "${BENCH_WEB_SEEDED:-}" ] || seed "$N" || bail "seed $N" "failed"
DB="$dir/data/streams.db"
# Rollups of the older days: 240 beats an hour, 2 of them down.
sqlite3 "$DB" "WITH RECURSIVE h(x) AS (SELECT (SELECT min(hour) FROM rollup_hour) - 1 UNION ALL SELECT x - 1 FROM h
	WHERE x > (SELECT min(hour) FROM rollup_hour) - ($DAYS - 1) * 24)
	INSERT OR IGNORE INTO rollup_hour(stream_id, hour, beats, ups, latency_sum, latency_n)
	SELECT s.id, h.x, 240, 238, 238 * 400, 238 FROM streams s, h" || bail "older rollups" "sqlite3 failed"
rows=$(sqlite3 "$DB" "SELECT count(*) FROM rollup_hour")
start_web "$dir/config.yaml"
J="$OUT/jar"
web_login "$J" admin admin123
web_api_token "$J" bench
token=$API_TOKEN
get() { curl -s -o "$OUT/metrics.txt" -w '%{time_total}\n' -H "Authorization: Bearer $token" "$WEB_URL/metrics"; }
median_ms() { sort -n | sed -n 5p | awk '{ printf "%.1f", $1 * 1000 }'; }
get >/dev/null
check "promtool check metrics at $N streams" bash -c "promtool check metrics <'$OUT/metrics.txt' >'$OUT/promtool.txt' 2>&1"
check_eq "an uptime series per stream and window" $((N * 3)) "$(grep -c '^streampulse_stream_uptime_ratio' "$OUT/metrics.txt")"
kb=$(($(stat -c %s "$OUT/metrics.txt") / 1024))
for _ in 1 2 3 4 5 6 7 8; do get >/dev/null; done # every worker has its cache
warm=$(for _ in $(seq 9); do get; done | median_ms)
after_write=$(for i in $(seq 9); do
	echo "{\"stream\":\"cam-0000\",\"ts_ms\":$(now_ms),\"up\":true,\"latency_ms\":$((200 + i))}" |
		"$SP_ROOT/$SP_BUILD/streampulse-monitor" -c "$dir/config.yaml" --import - 2>/dev/null || bail "import" "failed"
	get
done | median_ms)
after_compaction=$(for i in $(seq 9); do
	sqlite3 "$DB" "INSERT OR REPLACE INTO meta(key, value) VALUES ('monitor_write_ms', coalesce((SELECT value FROM meta WHERE key = 'monitor_write_ms'), 0) + 1)"
	get
done | median_ms)
bench_result metrics_warm_ms "GET /metrics, $N streams, rollups cached" "$warm" ms "< 100" "$(lt "$warm" 100)" "" \
	"curl median of 9 through nginx + 4 workers; body $kb KB; $rows rollup rows ($DAYS days)"
bench_result metrics_after_write_ms "GET /metrics right after a monitor write" "$after_write" ms "< 100" \
	"$(lt "$after_write" 100)" "" "a heartbeat through --import before each request: journal re-read, rollups cached"
bench_result metrics_after_compaction_ms "GET /metrics right after a compaction" "$after_compaction" ms "< 1000" \
	"$(lt "$after_compaction" 1000)" "" "meta monitor_write_ms bumped before each request: one scan of $rows rollup rows"
stop_web
finish
