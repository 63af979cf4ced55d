#!/usr/bin/env bash
# Many sites (issue 7): one camera list split by `shard: 1/2` and `shard: 2/2` between two
# monitors, each with its own database and web front end, and a real Prometheus server scraping
# both /metrics with bearer tokens. Asserts: the split is the documented FNV-1a one (computed
# here independently), every camera appears exactly once across the sites, the PromQL sum of
# streampulse_stream_up equals the up count in both databases, the shipped alert rules and
# example config pass promtool and load, and the camera-down rule (with a short `for:` in a test
# copy) fires for the dead cameras only, while the shipped 5-minute rule is still pending.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/web.sh"
for tool in prometheus promtool; do
	command -v $tool >/dev/null || bail "$tool" "not installed (Debian package prometheus: make deps)"
done
command -v jq >/dev/null || bail "jq" "not installed (make deps)"
RULES="$SP_ROOT/conf/prometheus/streampulse.rules.yml"
EXAMPLE="$SP_ROOT/conf/prometheus/prometheus.yml"

start_rtsp
start_mjpeg
# One list of six cameras, two of them dead (nothing listens on their ports).
NAMES=(Gate Warehouse 'Dead gate' Lobby Snapshot 'Dead door')
URLS=("rtsp://127.0.0.1:$RTSP_PORT/cam" "http://127.0.0.1:$MJPEG_PORT/mjpeg" "rtsp://127.0.0.1:$(free_port)/x"
	"rtsp://$TEST_RTSP_USER:$TEST_RTSP_PASS@127.0.0.1:$RTSP_PORT/secure"
	"http://127.0.0.1:$MJPEG_PORT/snapshot.jpg" "http://127.0.0.1:$(free_port)/snapshot.jpg")
write_site() { # write_site DIR K: the same list, shard K/2, its own data folder
	mkdir -p "$1"
	{
		cat <<YAML
heartbeat_seconds: 2
probe_timeout_seconds: 3
# the fixtures serve every stream from one host:port: no client slots
max_clients: 0
fail_threshold: 1
recover_threshold: 1
shard: $2/2
streams:
YAML
		for i in "${!NAMES[@]}"; do printf '  - name: %s\n    url: %s\n' "${NAMES[$i]}" "${URLS[$i]}"; done
	} >"$1/config.yaml"
}
A="$OUT/site-a" B="$OUT/site-b"
write_site "$A" 1
write_site "$B" 2

# The split, computed here from the documented rule (FNV-1a 32 of the name's UTF-8 bytes,
# mod N, plus 1), not from the program: "1 Gate" lines, sorted.
"$PY" - "${NAMES[@]}" >"$OUT/expect-split.txt" <<'PYEOF'
import sys
def fnv1a(s):
    h = 2166136261
    for b in s.encode():
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h
for name in sorted(sys.argv[1:]):
    print(fnv1a(name) % 2 + 1, name)
PYEOF
na=$(grep -c '^1 ' "$OUT/expect-split.txt")
check_eq "the six names split 3 / 3 (both shards have a dead camera)" "3 3" "$na $(grep -c '^2 ' "$OUT/expect-split.txt")"
check_match "--check-config names the shard" 'OK, 6 streams \(3 of 6 in shard 1/2\)' "$("$MON" --check-config -c "$A/config.yaml" 2>&1)"

"$MON" -c "$A/config.yaml" 2>"$OUT/monitor-a.err" &
MON_A=$!
"$MON" -c "$B/config.yaml" 2>"$OUT/monitor-b.err" &
MON_B=$!
# Streams with a heartbeat in a site's export, sorted.
exported() { hb_sql "$1/config.yaml" "SELECT name FROM streams ORDER BY name"; }
both_beating() {
	[ "$(exported "$A" | wc -l)" = 3 ] && [ "$(exported "$B" | wc -l)" = 3 ]
}
wait_for "heartbeats from both monitors" 30 both_beating ||
	bail "monitors" "$(tail -2 "$OUT/monitor-a.err" "$OUT/monitor-b.err")"
check_eq "monitor 1/2 probes exactly its shard" "$(sed -n 's/^1 //p' "$OUT/expect-split.txt")" "$(exported "$A")"
check_eq "monitor 2/2 probes exactly its shard" "$(sed -n 's/^2 //p' "$OUT/expect-split.txt")" "$(exported "$B")"
check "the monitor logs its shard" grep -q 'shard 1/2: probing 3 of the 6 streams' "$OUT/monitor-a.err"

# Two web front ends, one per site, each with its own admin and API token for Prometheus.
mkdir -p "$OUT/prom"
start_web "$A/config.yaml" a
URL_A=$WEB_URL WEB_A_LOG=$WEB_LOG WEB_A_NGINX=$WEB_NGINX_LOG
# shellcheck disable=SC2034 # start_web's stop_web reads them: site a's front end stays up
WEB_PID="" WEB_WORKERS=""
start_web "$B/config.yaml" b
URL_B=$WEB_URL WEB_B_LOG=$WEB_LOG WEB_B_NGINX=$WEB_NGINX_LOG
for s in a b; do
	if [ $s = a ]; then WEB_URL=$URL_A; else WEB_URL=$URL_B; fi
	web_login "$OUT/$s.jar" admin admin123
	web_api_token "$OUT/$s.jar" "prometheus"
	check_match "site $s: an API token" '^[0-9a-f]{64}$' "$API_TOKEN"
	printf '%s\n' "$API_TOKEN" >"$OUT/prom/streampulse-site-$s.token"
	chmod 600 "$OUT/prom/streampulse-site-$s.token"
	# The site's own dashboard data: its shard only.
	web_get "$OUT/$s.jar" /api/streams >/dev/null
	k=$([ $s = a ] && echo 1 || echo 2)
	check_eq "site $s: /api/streams lists only its shard" "$(sed -n "s/^$k //p" "$OUT/expect-split.txt")" \
		"$(jq -r '(.streams? // .)[] | .name' "$WEB_BODY" | sort)"
	web_get "$OUT/$s.jar" /config >/dev/null
	check_eq "site $s: the config editor still shows the whole file (saving it keeps every stream)" \
		"$(sed 's/^[12] //' "$OUT/expect-split.txt" | sort)" \
		"$(sed -n 's/.*name="name[0-9]*" value="\([^"]\+\)".*/\1/p' "$WEB_BODY" | sort)"
done
WEB_URL=""

# Prometheus: the shipped example with this test's targets, token files, rules and a 1 s cadence.
cp "$RULES" "$OUT/prom/streampulse.rules.yml"
# A copy with short `for:` and its own group names, to see the rules fire within the test.
sed -E -e 's/for: [0-9]+m/for: 4s/' -e 's/^(  - name: .*)$/\1-fast/' "$RULES" >"$OUT/prom/fast.rules.yml"
sed -e "s|/etc/prometheus/|$OUT/prom/|" -e "s|site-a.example.net:8000|${URL_A#http://}|" \
	-e "s|site-b.example.net:8000|${URL_B#http://}|" -e 's/_interval: 15s/_interval: 1s/' \
	-e "/^rule_files:/a\\  - $OUT/prom/fast.rules.yml" "$EXAMPLE" >"$OUT/prom/prometheus.yml"
check "promtool check rules: the shipped rules" promtool check rules "$RULES"
check "promtool check config: the example, with this test's paths" promtool check config "$OUT/prom/prometheus.yml"
# 2 intervals, 2 targets, 2 token paths, the rules path and the fast rules: 8 lines.
check "the test's config differs from the example only in addresses, paths and cadence" \
	test "$(diff "$EXAMPLE" "$OUT/prom/prometheus.yml" | grep -c '^>')" -le 8
PROM_PORT=$(free_port)
spawn prometheus prometheus --config.file="$OUT/prom/prometheus.yml" --storage.tsdb.path="$OUT/prom/data" \
	--storage.tsdb.retention.time=1h --web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn
PROM=http://127.0.0.1:$PROM_PORT
wait_for "prometheus ready" 30 curl -sf "$PROM/-/ready" || bail "prometheus" "$(tail -3 "$OUT/prometheus.err")"
# q PROMQL: the instant query's result array (JSON) into stdout.
q() { curl -sf -m 10 --get "$PROM/api/v1/query" --data-urlencode "query=$1" | jq -c '.data.result'; }
value() { q "$1" | jq -r '.[0].value[1] // "none"'; }
six() { [ "$(value 'count(streampulse_stream_up)')" = 6 ]; }
wait_for "both sites scraped" 30 six || not_ok "count(streampulse_stream_up) reaches 6" "$(value 'count(streampulse_stream_up)')"
check_eq "both scrapes succeed (up == 1 for each site)" "2" "$(value 'sum(up{job=~"streampulse.*"})')"
check_eq "count(streampulse_stream_up): every camera of the list" 6 "$(value 'count(streampulse_stream_up)')"
check_eq "each camera appears exactly once across the sites" '[1]' \
	"$(q 'count by (stream) (streampulse_stream_up)' | jq -c '[.[].value[1] | tonumber] | unique')"
check_eq "... and all six names are there" "$(sed 's/^[12] //' "$OUT/expect-split.txt" | sort)" \
	"$(q 'streampulse_stream_up' | jq -r '.[].metric.stream' | sort)"
check_eq "instance and site labels tell the sites apart" \
	"$(printf '%s site-a 3\n%s site-b 3' "${URL_A#http://}" "${URL_B#http://}" | sort)" \
	"$(q 'count by (instance, site) (streampulse_stream_up)' | jq -r '.[] | "\(.metric.instance) \(.metric.site) \(.value[1])"' | sort)"
check_eq "site-a's series are shard 1's cameras" "$(sed -n 's/^1 //p' "$OUT/expect-split.txt")" \
	"$(q 'streampulse_stream_up{site="site-a"}' | jq -r '.[].metric.stream' | sort)"

# The sum against both databases: streams whose confirmed state (the last heartbeat, with
# fail_threshold 1) is up, from each monitor's export.
db_up() {
	local n=0 s
	for s in "$A" "$B"; do
		n=$((n + $(hb_sql "$s/config.yaml" "SELECT count(*) FROM heartbeats h WHERE state = 'up' AND ts_ms =
			(SELECT max(ts_ms) FROM heartbeats m WHERE m.stream_id = h.stream_id AND m.state != 'skipped')")))
	done
	echo "$n"
}
sum_matches() { up=$(db_up) && [ "$(value 'sum(streampulse_stream_up)')" = "$up" ]; }
check "sum(streampulse_stream_up) equals the up streams of both databases" wait_for "sum = db" 20 sum_matches
check_eq "... which is the four live cameras" 4 "$(db_up)"
check_eq "the PromQL sum: 4 of 6 up" 4 "$(value 'sum(streampulse_stream_up)')"
check_eq "down cameras per site" "site-a 1 site-b 1" \
	"$(q 'sum by (site) (streampulse_stream_state{state="down"})' | jq -r '.[] | "\(.metric.site) \(.value[1])"' | sort | tr '\n' ' ' | sed 's/ $//')"

# The rules: all loaded, the fast camera-down alert fires for the two dead cameras only, the
# shipped one (for: 5m) holds them as pending.
rules() { curl -sf -m 10 "$PROM/api/v1/rules"; }
check_eq "the shipped rules are loaded" "StreamPulseCameraDegraded StreamPulseCameraDown StreamPulseMonitorNotWriting StreamPulseSiteDown StreamPulseSiteUnreachable" \
	"$(rules | jq -r '.data.groups[] | select(.name | endswith("-fast") | not) | .rules[].name' | sort | tr '\n' ' ' | sed 's/ $//')"
# rule_state GROUP-SUFFIX ALERT: the alert's firing/pending streams, "state:stream" sorted.
rule_state() {
	rules | jq -r --arg g "$1" --arg a "$2" '.data.groups[] | select(.name | endswith($g)) | .rules[] |
		select(.name == $a) | .alerts[] | "\(.state):\(.labels.stream)"' | sort | tr '\n' ' ' | sed 's/ $//'
}
fired() { [ "$(rule_state -fast StreamPulseCameraDown)" = "firing:Dead door firing:Dead gate" ]; }
check "the camera-down alert (for: 4s in the test copy) fires for the dead cameras" wait_for "down alert" 20 fired
check_eq "... the shipped rule (for: 5m) holds them as pending" "pending:Dead door pending:Dead gate" \
	"$(rule_state -cameras StreamPulseCameraDown)"
check_eq "no site is down (1 of 3 cameras each)" "" "$(rule_state -sites-fast StreamPulseSiteDown)"
check_eq "every alert has its labels and annotations" "critical Camera Dead door is down (${URL_B#http://})" \
	"$(rules | jq -r '.data.groups[] | select(.name == "streampulse-cameras-fast") | .rules[] |
		select(.name == "StreamPulseCameraDown") | .alerts[] | select(.labels.stream == "Dead door") |
		"\(.labels.severity) \(.annotations.summary)"')"

# Site b's monitor stops: its web still answers, monitor_up falls to 0 after three intervals
# and the not-writing alert fires for that instance only.
stop_proc "$MON_B"
not_writing() {
	[ "$(rules | jq -r '.data.groups[] | select(.name == "streampulse-sites-fast") | .rules[] |
		select(.name == "StreamPulseMonitorNotWriting") | .alerts[] | select(.state == "firing") |
		.labels.site' | tr '\n' ' ')" = "site-b " ]
}
check "the monitor-not-writing alert fires for site b only" wait_for "not writing" 25 not_writing

stop_proc "$MON_A"
stop_web a
stop_web b
sleep 0.5
check "web front ends: no leak or memory error" \
	bash -c "! grep -E 'LeakSanitizer|AddressSanitizer|runtime error' '$WEB_A_LOG' '$WEB_B_LOG' '$WEB_A_NGINX' '$WEB_B_NGINX'"
check "monitors: no leak or memory error" \
	bash -c "! grep -E 'LeakSanitizer|AddressSanitizer|runtime error' '$OUT/monitor-a.err' '$OUT/monitor-b.err'"
finish
