#!/usr/bin/env bash
# Anti-flap and incidents (doc/health.md): one failed probe changes nothing but the heartbeat;
# fail_threshold failures in a row confirm "down" and open one incident, recover_threshold good
# probes close it; a slow first frame is "degraded (slow)", shown in amber with its reason.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/web.sh"
start_rtsp
start_mjpeg
blip_pid=$MJPEG_PID blip_port=$MJPEG_PORT
start_mjpeg
flap_pid=$MJPEG_PID flap_port=$MJPEG_PORT
cat >"$OUT/config.yaml" <<YAML
heartbeat_seconds: 2
fail_threshold: 2
recover_threshold: 2
max_clients: 0
streams:
  - name: blip
    url: http://127.0.0.1:$blip_port/snapshot.jpg
    timeout_seconds: 1
  - name: flap
    url: http://127.0.0.1:$flap_port/snapshot.jpg
    timeout_seconds: 1
  - name: slow
    url: rtsp://127.0.0.1:$RTSP_PORT/cam
    max_latency_ms: 20
YAML
"$MON" -c "$OUT/config.yaml" -v 2>"$OUT/monitor.err" &
mon=$!
db="$OUT/data/streams.db"
# beats NAME: its heartbeats' states, oldest first, as one word each
beats() { "$MON" -c "$OUT/config.yaml" --export --stream "$1" 2>/dev/null | awk -F, 'NR > 1 { print $NF }' | tr '\n' ' '; }
downs() { beats "$1" | tr ' ' '\n' | grep -c '^down$'; }
export -f beats downs
wait_for "both cameras up twice" 15 bash -c "[ \"\$(sqlite3 '$db' \"SELECT count(*) FROM streams WHERE state = 1\")\" -ge 2 ]"

# blip: stopped (SIGSTOP: connections wait, the probe times out) for exactly one probe.
kill -STOP "$blip_pid"
# The log line comes as the probe ends (1 s deadline), a second before the next probe starts.
wait_for "blip failed once" 6 grep -q "probe: 'blip' down" "$OUT/monitor.err"
kill -CONT "$blip_pid"
# flap: stopped until it failed three times in a row, then back.
kill -STOP "$flap_pid"
wait_for "flap failed three times" 12 bash -c "[ \"\$(grep -c \"probe: 'flap' down\" '$OUT/monitor.err')\" -ge 3 ]"
check_eq "while it fails, flap is confirmed down" 0 "$(sqlite3 "$db" "SELECT state FROM streams WHERE name = 'flap'")"
kill -CONT "$flap_pid"
wait_for "flap up again after recover_threshold" 12 bash -c "[ \"\$(sqlite3 '$db' \"SELECT state FROM streams WHERE name = 'flap'\")\" = 1 ]"
sleep 2.5
kill -TERM "$mon"
wait "$mon"

check_eq "blip: exactly one failed heartbeat stored" 1 "$(downs blip)"
check_eq "blip: no incident" 0 "$(sqlite3 "$db" "SELECT count(*) FROM incidents i JOIN streams s ON s.id = i.stream_id WHERE s.name = 'blip'")"
check "blip: no state change logged" bash -c "! grep -q \"state change: 'blip'\" '$OUT/monitor.err'"
check_eq "blip: up" 1 "$(sqlite3 "$db" "SELECT state FROM streams WHERE name = 'blip'")"

check_eq "flap: one incident" 1 "$(sqlite3 "$db" "SELECT count(*) FROM incidents i JOIN streams s ON s.id = i.stream_id WHERE s.name = 'flap'")"
first_down=$(hb_sql "$OUT/config.yaml" "SELECT min(ts_ms) FROM heartbeats h JOIN streams s ON s.id = h.stream_id WHERE s.name = 'flap' AND h.state = 'down'")
first_up_after=$(hb_sql "$OUT/config.yaml" "SELECT min(ts_ms) FROM heartbeats h JOIN streams s ON s.id = h.stream_id WHERE s.name = 'flap' AND h.state = 'up' AND ts_ms > $first_down")
check_eq "flap: the incident starts at its first failed heartbeat" "$first_down" \
	"$(sqlite3 "$db" "SELECT start_ms FROM incidents i JOIN streams s ON s.id = i.stream_id WHERE s.name = 'flap'")"
check_eq "flap: and ends at the first good one after" "$first_up_after" \
	"$(sqlite3 "$db" "SELECT end_ms FROM incidents i JOIN streams s ON s.id = i.stream_id WHERE s.name = 'flap'")"
check_eq "flap: the incident says why" "0 timeout" \
	"$(sqlite3 "$db" "SELECT i.state || ' ' || i.reason FROM incidents i JOIN streams s ON s.id = i.stream_id WHERE s.name = 'flap'")"
check_eq "flap: one 'down' and one 'up' change logged" "1 1" \
	"$(grep -c "state change: 'flap' down" "$OUT/monitor.err") $(grep -c "state change: 'flap' up" "$OUT/monitor.err")"

check_match "slow: every heartbeat degraded" '^(degraded )+$' "$(beats slow)"
check_eq "slow: the reason is slow" "slow" \
	"$(hb_sql "$OUT/config.yaml" "SELECT group_concat(DISTINCT error) FROM heartbeats h JOIN streams s ON s.id = h.stream_id WHERE s.name = 'slow'")"
check_eq "slow: one open degraded incident" "2 slow open" \
	"$(sqlite3 "$db" "SELECT i.state || ' ' || i.reason || ' ' || coalesce(i.end_ms, 'open') FROM incidents i JOIN streams s ON s.id = i.stream_id WHERE s.name = 'slow'")"
check_eq "slow: degraded heartbeats keep the picture's codec and size" "h264 640x360" \
	"$(hb_sql "$OUT/config.yaml" "SELECT codec || ' ' || width || 'x' || height FROM heartbeats h JOIN streams s ON s.id = h.stream_id WHERE s.name = 'slow' LIMIT 1")"

# The dashboard: degraded in amber with the reason; its own count; the filter.
start_web "$OUT/config.yaml"
J="$OUT/admin.jar"
web_login "$J" admin admin123
web_get "$J" / >/dev/null
page=$(cat "$WEB_BODY")
check_match "dashboard: slow's pill says degraded" '<tr class="state-degraded" data-name="slow">' "$page"
check_match "dashboard: with its reason" 'slow: first frame after [0-9]+ ms \(max_latency_ms 20\)' "$page"
check_match "dashboard: a degraded count" '1 degraded' "$page"
check_match "the stylesheet paints degraded amber" 'pill\.degraded \{ background: #d97706' "$(cat "$SP_ROOT/htdocs/app.css")"
web_get "$J" "/?state=degraded" >/dev/null
check_eq "?state=degraded lists only slow" "slow" "$(grep -o 'data-name="[^"]*"' "$WEB_BODY" | sed 's/data-name="//; s/"//' | tr '\n' ' ' | sed 's/ $//')"
web_get "$J" /api/streams >/dev/null
check_eq "API: slow is degraded, with its reason" "degraded slow" \
	"$(jq -r '.streams[] | select(.name == "slow") | .state + " " + .error' "$WEB_BODY")"
check_eq "API: counts degraded apart" "1 2" "$(jq -r '"\(.counts.degraded) \(.counts.up)"' "$WEB_BODY")"
web_get "$J" /stream/flap >/dev/null
check_match "stream page: the incident, with its state" 'class="pill down">down</span> timeout' "$(cat "$WEB_BODY")"
finish
