#!/usr/bin/env bash
# Dashboard and /api/streams render time through nginx + FastCGI (release build), for a demo-sized
# config and for 2,000 streams with BENCH_BEATS heartbeats each. Prints medians of 7 requests.
SP_BUILD=${SP_BUILD:-build/release}
. "$(dirname "$0")/../tests/lib.sh"
. "$SP_ROOT/tests/web.sh"
. "$SP_ROOT/bench/seed.sh"

# median_ms PATH: median of 7 timed requests (after one warm-up), and the size.
median_ms() {
	local path=$1 t
	curl -s -o /dev/null -b "$J" "$WEB_URL$path"
	for _ in 1 2 3 4 5 6 7; do
		curl -s -o "$OUT/last" -w '%{time_total}\n' -b "$J" "$WEB_URL$path"
	done | sort -n | sed -n 4p | awk '{printf "%d", $1 * 1000}'
	printf ' ms, %s KB' "$(($(stat -c %s "$OUT/last") / 1024))"
}

printf '\n%-40s %-28s %-28s\n' "web render, nginx + FastCGI (release)" "GET / (dashboard HTML)" "GET /api/streams"
for n in 5 2000; do
	seed "$n" || bail "seed $n" "failed"
	start_web "$OUT/s$n/config.yaml"
	J="$OUT/jar$n"
	web_login "$J" admin admin123
	printf '%-40s %-28s %-28s\n' "$n streams x $BEATS heartbeats" "$(median_ms /)" "$(median_ms /api/streams)"
	stop_web
done
finish
