#!/usr/bin/env bash
# GET /metrics over weeks of history: uptime ratios over 24h/7d/30d and the last success read
# from compacted hours (rollups, blocks) plus the journal match the same figures computed from
# the exported heartbeats, also right after more heartbeats and after another compaction. The
# history goes in through the monitor's own write path (--import), 35 days, one beat a minute.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/web.sh"
cfg="$OUT/config.yaml"
cat >"$cfg" <<YAML
heartbeat_seconds: 60
streams:
  - name: flaky
    url: rtsp://127.0.0.1:9/a
  - name: mixed
    url: rtsp://127.0.0.1:9/b
  - name: gone dark
    url: rtsp://127.0.0.1:9/c
YAML
# flaky: down one minute in three; mixed: up, degraded and skipped; gone dark: up until 3 days
# ago, down since (its last success is in a block, not the journal). One beat every 2 min.
now=$(now_ms)
awk -v now="$now" 'BEGIN { for (k = 35 * 720; k >= 2; k--) { ts = now - k * 120000
	printf "{\"stream\":\"flaky\",\"ts_ms\":%.0f,\"state\":\"%s\",\"latency_ms\":300}\n", ts, k % 3 ? "up" : "down"
	printf "{\"stream\":\"mixed\",\"ts_ms\":%.0f,\"state\":\"%s\"}\n", ts, k % 7 == 0 ? "skipped" : k % 5 == 0 ? "degraded" : "up"
	printf "{\"stream\":\"gone dark\",\"ts_ms\":%.0f,\"state\":\"%s\"}\n", ts, (k > 3 * 720 ? "up" : "down") } }' >"$OUT/seed.jsonl"
"$MON" -c "$cfg" --import "$OUT/seed.jsonl" 2>"$OUT/import.err" || bail "import the history" "$(tail -2 "$OUT/import.err")"
# A second commit: the journal (past 512 KB) is compacted into blocks and rollups.
echo "{\"stream\":\"flaky\",\"ts_ms\":$((now - 120000)),\"state\":\"up\",\"latency_ms\":250}" |
	"$MON" -c "$cfg" --import - 2>>"$OUT/import.err" || bail "import" "$(tail -2 "$OUT/import.err")"
db="$OUT/data/streams.db"
check_lt "the history was compacted: rollup rows" 2000 "$(sqlite3 "$db" 'SELECT count(*) FROM rollup_hour')"
start_web "$cfg"
J="$OUT/admin.jar"
web_login "$J" admin admin123
web_api_token "$J" prometheus
token=$API_TOKEN

# compare WHAT: GET /metrics, then every stream's ratios and last success against the export.
US=$'\x1f'
compare() {
	local what=$1 m="$OUT/metrics-$1.txt" hour
	curl -s -o "$m" -H "Authorization: Bearer $token" "$WEB_URL/metrics"
	hour=$(($(now_ms) / 3600000))
	check "$what: promtool accepts it" bash -c "promtool check metrics <'$m' >/dev/null 2>&1"
	hb_sql "$cfg" "
SELECT stream, w.name,
  total(state = 'up') / total(state != 'skipped')
FROM hb_csv, (SELECT '24h' AS name, 24 AS h UNION ALL SELECT '7d', 168 UNION ALL SELECT '30d', 720) w
WHERE CAST(ts_ms AS INTEGER) >= ($hour - w.h + 1) * 3600000 GROUP BY stream, w.name" |
		awk -F'|' -v us="$US" '{ printf "streampulse_stream_uptime_ratio\tstream=%s%swindow=%s\t%s\n", $1, us, $2, $3 }' >"$OUT/expect-$what.tsv"
	hb_sql "$cfg" "SELECT stream, max(CAST(ts_ms AS INTEGER)) FROM hb_csv WHERE state = 'up' GROUP BY stream" |
		awk -F'|' '{ printf "streampulse_stream_last_success_timestamp_seconds\tstream=%s\t%.3f\n", $1, $2 / 1000 }' >>"$OUT/expect-$what.tsv"
	check_eq "$what: 9 ratios and 3 last successes expected" 12 "$(wc -l <"$OUT/expect-$what.tsv")"
	"$PY" "$SP_ROOT/tests/metrics_check.py" "$m" "$OUT/expect-$what.tsv" >"$OUT/compare-$what.txt" 2>&1
	while read -r verdict line; do
		if [ "$verdict" = ok ]; then ok "$what: ${line#- }"; else not_ok "$what: ${line#ok - }"; fi
	done <"$OUT/compare-$what.txt"
}
compare compacted
check_match "gone dark: its last success is 3 days old" 'last_success_timestamp_seconds\{stream="gone dark"\} [0-9]+' \
	"$(grep 'gone dark' "$OUT/metrics-compacted.txt")"

# More heartbeats in the journal: the workers' cached rollups plus the new journal.
for k in 1 2 3; do
	echo "{\"stream\":\"mixed\",\"ts_ms\":$((now - 60000 + k * 1000)),\"state\":\"down\"}"
done | "$MON" -c "$cfg" --import - 2>>"$OUT/import.err" || not_ok "import three more" "$(tail -1 "$OUT/import.err")"
for _ in 1 2 3 4; do compare journal; done # every worker (4) answers at least once, very likely
# Another compaction (over 512 KB of journal again) moves them into the recent hours' rollups.
awk -v now="$now" 'BEGIN { for (k = 60000; k >= 1; k--) printf "{\"stream\":\"flaky\",\"ts_ms\":%.0f,\"state\":\"%s\"}\n", now - 40 * 86400000 - k, k % 2 ? "up" : "down" }' |
	"$MON" -c "$cfg" --import - 2>>"$OUT/import.err" || not_ok "import old beats" "$(tail -1 "$OUT/import.err")"
echo "{\"stream\":\"gone dark\",\"ts_ms\":$((now - 1000)),\"state\":\"up\"}" |
	"$MON" -c "$cfg" --import - 2>>"$OUT/import.err" || not_ok "import" "$(tail -1 "$OUT/import.err")"
for _ in 1 2 3 4; do compare recompacted; done
stop_web
sleep 0.5
check "FastCGI workers: no leak or memory error" \
	bash -c "! grep -E 'LeakSanitizer|AddressSanitizer|runtime error' '$WEB_LOG' '$WEB_NGINX_LOG'"
finish
