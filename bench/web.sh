#!/usr/bin/env bash
# Issue #4's web figures at 2,000 streams with a day of heartbeats each (bench/seed.sh), through
# nginx + FastCGI (4 workers, release build), measured with wrk and a logged-in session cookie:
# - p50 latency of GET / (dashboard) and GET /api/streams: wrk --latency, one connection,
#   BENCH_WEB_SECONDS (5) s: what one user waiting for the page sees;
# - requests/s of /api/streams against nginx serving the same bytes as a static file (same nginx,
#   same wrk settings -t2 -c8, same cookie header): three rounds of static then API, the round
#   with the median ratio is reported (the baseline is its static figure), so a burst of other
#   load on the machine does not decide the result;
# - GET / and /api/streams right after a monitor write (nothing cached: the monitor writes every
#   second at 2,000 streams, so this is what a busy install sees; bound by store_web_status): curl,
#   median of 9, the write simulated by bumping the monitor's write time in the database.
SP_BUILD=${SP_BUILD:-build/release}
. "$(dirname "$0")/../tests/lib.sh"
. "$SP_ROOT/tests/web.sh"
. "$SP_ROOT/bench/lib.sh"
. "$SP_ROOT/bench/seed.sh"
N=${BENCH_WEB_STREAMS:-2000}
SECS=${BENCH_WEB_SECONDS:-5}

# wrk_run NAME PATH ARGS...: wrk against PATH with the session cookie; output in $OUT/wrk-NAME.txt.
wrk_run() {
	local name=$1 path=$2
	shift 2
	wrk "$@" -d"${SECS}s" --latency -H "Cookie: $COOKIE" "$WEB_URL$path" >"$OUT/wrk-$name.txt" 2>&1 ||
		bail "wrk $name" "$(tail -3 "$OUT/wrk-$name.txt")"
	if grep -q 'Non-2xx' "$OUT/wrk-$name.txt"; then
		bail "wrk $name" "non-2xx answers: $(grep Non-2xx "$OUT/wrk-$name.txt")"
	fi
}

# p50_ms NAME: the 50 % line of wrk --latency, in ms (wrk prints us, ms or s).
p50_ms() {
	awk '$1 == "50%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
		print (u == "us" ? v / 1000 : u == "s" ? v * 1000 : v) + 0 }' "$OUT/wrk-$1.txt"
}
rps() { awk '$1 == "Requests/sec:" { printf "%d", $2 }' "$OUT/wrk-$1.txt"; }

# after_write_ms PATH: median of 9 requests, each right after a monitor write (one heartbeat
# written through the monitor's write path with --import, so every cached body is stale).
after_write_ms() {
	local i
	for i in 1 2 3 4 5 6 7 8 9; do
		echo "{\"stream\":\"cam-0000\",\"ts_ms\":$(now_ms),\"up\":true,\"latency_ms\":$((200 + i))}" |
			"$SP_ROOT/$SP_BUILD/streampulse-monitor" -c "$dir/config.yaml" --import - 2>/dev/null ||
			bail "import a heartbeat" "streampulse-monitor --import failed"
		curl -s -o /dev/null -w '%{time_total}\n' -b "$J" "$WEB_URL$1"
	done | sort -n | sed -n 5p | awk '{ printf "%.1f", $1 * 1000 }'
}

# BENCH_WEB_SEEDED=DIR: a folder seeded before (DIR/config.yaml, DIR/data/streams.db), to skip seeding.
dir=${BENCH_WEB_SEEDED:-$OUT/s$N}
[ -n "${BENCH_WEB_SEEDED:-}" ] || seed "$N" || bail "seed $N" "failed"
DB="$dir/data/streams.db"
start_web "$dir/config.yaml"
J="$OUT/jar"
web_login "$J" admin admin123
COOKIE="sp_session=$(awk '$6 == "sp_session" { print $7 }' "$J")"
web_get "$J" / >/dev/null
check_eq "dashboard answers 200" 200 "$WEB_STATUS"
page_kb=$(($(stat -c %s "$WEB_BODY") / 1024))
web_get "$J" /api/streams >/dev/null
check_eq "API answers 200" 200 "$WEB_STATUS"
check_eq "API lists every stream" "$N" "$(jq '.streams | length' "$WEB_BODY")"
api_bytes=$(stat -c %s "$WEB_BODY")
mkdir -p "$OUT/nginx/bench-static"
cp "$WEB_BODY" "$OUT/nginx/bench-static/streams.json"
check_eq "nginx serves the same bytes statically" "$api_bytes" \
	"$(curl -s -o /dev/null -w '%{size_download}' "$WEB_URL/bench-static/streams.json")"

wrk_run dash / -t1 -c1
wrk_run api /api/streams -t1 -c1
dash_ms=$(p50_ms dash) api_ms=$(p50_ms api)
rounds=""
for r in 1 2 3; do
	wrk_run "static$r" /bench-static/streams.json -t2 -c8
	wrk_run "load$r" /api/streams -t2 -c8
	rounds+="$(awk -v a="$(rps "load$r")" -v b="$(rps "static$r")" 'BEGIN { printf "%.3f %d %d\n", (b > 0 ? a / b : 0), a, b }')"$'\n'
done
read -r ratio api_rps static_rps < <(sort -n <<<"${rounds%$'\n'}" | sed -n 2p)
ratio=$(printf '%.2f' "$ratio")
dash_cold=$(after_write_ms /) api_cold=$(after_write_ms /api/streams)

bench_result web_dash_p50_ms "dashboard GET / p50, $N streams" "$dash_ms" ms "< 50" "$(lt "$dash_ms" 50)" "" \
	"wrk -t1 -c1 -d${SECS}s --latency through nginx + 4 FastCGI workers; page ${page_kb} KB (200 rows)"
bench_result web_api_p50_ms "GET /api/streams p50, $N streams" "$api_ms" ms "< 50" "$(lt "$api_ms" 50)" "" \
	"wrk -t1 -c1 -d${SECS}s --latency through nginx + 4 FastCGI workers; body $((api_bytes / 1024)) KB"
bench_result web_api_vs_static "GET /api/streams req/s vs nginx static, same bytes" "$api_rps" "req/s" \
	">= 0.33 x static" "$(ge "$ratio" 0.33)" "$static_rps" \
	"wrk -t2 -c8 -d${SECS}s, same nginx and cookie; ratio $ratio (median of 3 rounds, ratio api static: $(tr '\n' ';' <<<"${rounds%$'\n'}"))"
bench_result web_dash_after_write_ms "dashboard GET / right after a monitor write" "$dash_cold" ms "< 50" \
	"$(lt "$dash_cold" 50)" "" "curl, median of 9, each right after a heartbeat write (--import): nothing cached"
bench_result web_api_after_write_ms "GET /api/streams right after a monitor write" "$api_cold" ms "< 50" \
	"$(lt "$api_cold" 50)" "" "curl, median of 9, each right after a heartbeat write (--import): nothing cached"
stop_web
finish
