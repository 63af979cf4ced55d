#!/usr/bin/env bash
# Alerts end to end: the real monitor, the GStreamer RTSP server, Debian's mosquitto broker and
# a webhook receiver, all on 127.0.0.1. A camera that goes away gives one "down" after
# fail_threshold cycles and one "up" when it is back; one failed probe gives nothing; MQTT
# holds each stream's state retained and Home Assistant's discovery config; the command runs
# with the STREAMPULSE_* variables; a 500 is retried and every attempt is in alert_log; every
# camera down at once gives one site_down and no per-stream alerts; no password is shown.
. "$(dirname "$0")/lib.sh"
TOKEN=hookTok9f3x MQTT_PASS=mqttPw5z7k
command -v mosquitto >/dev/null || bail "mosquitto installed" "apt-get install mosquitto mosquitto-clients"

start_rtsp
sp_start hook HOOK_PORT "$PY" "$SP_ROOT/tests/fixtures/webhook_receiver.py" --log "$OUT/hooks.jsonl"
: >"$OUT/hooks.jsonl"
sp_start fwd FWD_PORT "$PY" "$SP_ROOT/tests/fixtures/tcp_forward.py" --to "127.0.0.1:$RTSP_PORT" \
	--log "$OUT/fwd.log"
FWD_PID=$SPAWN_PID

# ---- mosquitto on a free port, with a password ----
MQTT_PORT=$(free_port) || bail "free port for mosquitto"
mosquitto_passwd -c -b "$OUT/mosq.passwd" ha "$MQTT_PASS" >/dev/null 2>&1 || bail "mosquitto_passwd"
chmod 0644 "$OUT/mosq.passwd"
cat >"$OUT/mosquitto.conf" <<EOF
listener $MQTT_PORT 127.0.0.1
allow_anonymous false
password_file $OUT/mosq.passwd
persistence false
log_dest stderr
$([ "$(id -u)" = 0 ] && echo "user root")
EOF
spawn mosquitto mosquitto -c "$OUT/mosquitto.conf"
sub() { mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" -u ha -P "$MQTT_PASS" "$@"; }
wait_for "mosquitto listening" 10 sub -t probe/none -C 1 -W 1 -E || bail "start mosquitto" "$(tail -3 "$OUT/mosquitto.err")"

# ---- the command channel's program ----
cat >"$OUT/notify.sh" <<EOF
#!/bin/sh
{ echo "ARGS=\$*"; env | grep '^STREAMPULSE_' | sort; echo ---; } >>"$OUT/command.log"
EOF
chmod +x "$OUT/notify.sh"
: >"$OUT/command.log"

cfg="$OUT/config.yaml"
cat >"$cfg" <<YAML
heartbeat_seconds: 2
probe_timeout_seconds: 4
fail_threshold: 2
recover_threshold: 1
site_down_percent: 50
dashboard_url: http://127.0.0.1:8080/
streams:
  - name: Front Door
    url: rtsp://127.0.0.1:$FWD_PORT/cam
    transport: tcp
  - name: Garage
    url: rtsp://127.0.0.1:$RTSP_PORT/small
    transport: tcp
  - name: Yard
    url: rtsp://127.0.0.1:$RTSP_PORT/cam
    transport: tcp
  - name: Porch
    url: rtsp://127.0.0.1:$RTSP_PORT/small
    transport: tcp
alerts:
  - type: webhook
    url: http://127.0.0.1:$HOOK_PORT/hook
    headers: ["Authorization: Bearer $TOKEN"]
    timeout_seconds: 5
    retries: 3
  - type: webhook
    url: http://127.0.0.1:$HOOK_PORT/ntfy
    format: ntfy
  - type: mqtt
    url: mqtt://127.0.0.1:$MQTT_PORT
    username: ha
    password: $MQTT_PASS
  - type: command
    command: $OUT/notify.sh
    args: ["--quiet"]
    timeout_seconds: 5
YAML
check "config with alerts is valid" "$MON" -c "$cfg" --check-config
spawn monitor "$MON" -c "$cfg" -v
MON_PID=$SPAWN_PID
db="$OUT/data/streams.db"

# hooks PATH EVENT [STREAM]: POSTs to PATH answered 200 whose JSON body has that event (and stream).
hooks() {
	jq -s --arg p "$1" --arg e "$2" --arg s "${3:-}" '[.[] | select(.path == $p and .status == 200)
	  | .body | fromjson | select(.event == $e and ($s == "" or .stream == $s))] | length' "$OUT/hooks.jsonl"
}
has_hooks() { [ "$(hooks "$@")" -ge 1 ]; }
retained() { sub -t "$1" -C 1 -W 5 --retained-only 2>/dev/null; }
state_is() { [ "$(retained "streampulse/$1/state")" = "$2" ]; }

# ---- every stream up: retained states and discovery ----
for s in front_door garage yard porch; do
	wait_for "$s up on MQTT" 20 state_is "$s" up || not_ok "retained state of $s is up" "$(retained "streampulse/$s/state")"
done
ok "retained state of every stream is 'up'"
disc=$(retained homeassistant/binary_sensor/streampulse_front_door/config)
check_eq "HA discovery: device class" connectivity "$(jq -r .device_class <<<"$disc")"
check_eq "HA discovery: state topic" streampulse/front_door/state "$(jq -r .state_topic <<<"$disc")"
check_eq "HA discovery: payload_on/off" "up down" "$(jq -r '"\(.payload_on) \(.payload_off)"' <<<"$disc")"
check_eq "HA discovery: attributes topic" streampulse/front_door/attributes "$(jq -r .json_attributes_topic <<<"$disc")"
check_eq "HA discovery: unique id and device" "streampulse_front_door Front Door" \
	"$(jq -r '"\(.unique_id) \(.device.name)"' <<<"$disc")"
check_eq "availability topic says online" online "$(retained streampulse/status)"

# ---- one failed probe: no alert ----
kill -USR1 "$FWD_PID"
wait_for "one connection dropped" 10 grep -q DROP "$OUT/fwd.log"
sleep 8
check_eq "one failed probe sends nothing" 0 "$(wc -l <"$OUT/hooks.jsonl")"
check_eq "one failed probe runs no command" 0 "$(wc -l <"$OUT/command.log")"

# ---- Front Door goes away (the first two POSTs to /hook fail with 500) ----
curl -s "http://127.0.0.1:$HOOK_PORT/control?path=/hook&fail=2" >/dev/null
t0=$(now_ms)
kill -USR2 "$FWD_PID"
wait_for "webhook down" 30 has_hooks /hook down "Front Door" || not_ok "webhook down for Front Door" "none"
t1=$(now_ms)
check_lt "down sent after the thresholds and retries, within 25 s ($((t1 - t0)) ms)" $((t1 - t0)) 25000
wait_for "ntfy down" 5 grep -q '"/ntfy"' "$OUT/hooks.jsonl"
wait_for "MQTT down" 10 state_is front_door down
check "retained state of Front Door is 'down'" state_is front_door down
check_eq "others stay 'up'" "up up up" "$(retained streampulse/garage/state) $(retained streampulse/yard/state) $(retained streampulse/porch/state)"
body=$(jq -s -c '[.[] | select(.path == "/hook" and .status == 200)][0].body | fromjson' "$OUT/hooks.jsonl")
check_eq "payload fields" "down|Front Door|down|protocol|http://127.0.0.1:8080/stream/Front%20Door" \
	"$(jq -r '"\(.event)|\(.stream)|\(.state)|\(.reason)|\(.dashboard)"' <<<"$body")"
check_match "payload since is ISO 8601 UTC, since_ms a number" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z [0-9]{13}$' \
	"$(jq -r '"\(.since) \(.since_ms)"' <<<"$body")"
check_eq "webhook sends the configured header" "Bearer $TOKEN" \
	"$(jq -s -r '[.[] | select(.path == "/hook")][0].headers.Authorization' "$OUT/hooks.jsonl")"
ntfy=$(jq -s -c '[.[] | select(.path == "/ntfy")][0]' "$OUT/hooks.jsonl")
check_eq "ntfy: title and priority headers" "StreamPulse: Front Door down|high" \
	"$(jq -r '"\(.headers.Title)|\(.headers.Priority)"' <<<"$ntfy")"
check_match "ntfy: plain text body" '^Front Door is down: protocol: RTSP ' "$(jq -r .body <<<"$ntfy")"
wait_for "command ran" 5 grep -q STREAMPULSE_EVENT=down "$OUT/command.log"
first_run=$(awk '/^---$/ { exit } { print }' "$OUT/command.log")
check_eq "command: event, stream, state, reason, latency" \
	"STREAMPULSE_EVENT=down|STREAMPULSE_LATENCY_MS=-1|STREAMPULSE_REASON=protocol|STREAMPULSE_STATE=down|STREAMPULSE_STREAM=Front Door" \
	"$(grep -E '^STREAMPULSE_(EVENT|STREAM|STATE|REASON|LATENCY_MS)=' <<<"$first_run" | tr '\n' '|' | sed 's/|$//')"
check_match "command: since (epoch seconds) and message" $'STREAMPULSE_MESSAGE=RTSP [^\n]+\nSTREAMPULSE_REASON=protocol\nSTREAMPULSE_SINCE=[0-9]{10}\n' "$first_run"$'\n'
check "command: its args" grep -q '^ARGS=--quiet$' "$OUT/command.log"
q() { sqlite3 "$db" "$1"; }
check_eq "alert_log: the webhook's attempts (500, 500, 200)" "1|0|HTTP 500 2|0|HTTP 500 3|1|HTTP 200" \
	"$(q "SELECT attempt || '|' || ok || '|' || detail FROM alert_log WHERE channel = 'webhook#0' AND event = 'down' AND stream = 'Front Door' ORDER BY id" | tr '\n' ' ' | sed 's/ $//')"
check_eq "alert_log: mqtt and command sent once" "command#3|1 mqtt#2|1" \
	"$(q "SELECT channel || '|' || count(*) FROM alert_log WHERE event = 'down' AND ok = 1 AND channel IN ('mqtt#2', 'command#3') GROUP BY channel ORDER BY channel" | tr '\n' ' ' | sed 's/ $//')"
check_eq "the receiver saw 3 POSTs of the down to /hook" 3 \
	"$(jq -s '[.[] | select(.path == "/hook") | .body | fromjson | select(.event == "down")] | length' "$OUT/hooks.jsonl")"

# ---- back again ----
sleep 4
kill -USR2 "$FWD_PID"
wait_for "webhook up" 20 has_hooks /hook up "Front Door" || not_ok "webhook up for Front Door" "none"
wait_for "MQTT up" 10 state_is front_door up
check "retained state of Front Door is 'up' again" state_is front_door up
sleep 4
check_eq "exactly one down and one up delivered" "1 1" "$(hooks /hook down) $(hooks /hook up)"
check_eq "the command ran twice (down, up)" 2 "$(grep -c '^---$' "$OUT/command.log")"

# ---- every camera down: one site_down, no per-stream alert ----
before=$(wc -l <"$OUT/hooks.jsonl")
stop_proc "$RTSP_PID"
wait_for "site_down" 30 has_hooks /hook site_down || not_ok "webhook site_down" "none"
for s in front_door garage yard porch; do wait_for "$s down on MQTT" 15 state_is "$s" down; done
sleep 6
check_eq "one site_down" 1 "$(hooks /hook site_down)"
check_eq "no per-stream down during the site outage" 1 "$(hooks /hook down)"
check_eq "MQTT still holds each stream's state" "down down down down" \
	"$(for s in front_door garage yard porch; do retained "streampulse/$s/state"; done | tr '\n' ' ' | sed 's/ $//')"
site=$(jq -s -c '[.[] | select(.path == "/hook" and .status == 200) | .body | fromjson | select(.event == "site_down")][0]' "$OUT/hooks.jsonl")
check_match "site_down payload" '^null\|[34] of 4 streams failing$' "$(jq -r '"\(.stream)|\(.message)"' <<<"$site")"

# The RTSP server back on its port: one site_up, no per-stream up.
spawn rtsp2 "$PY" "$SP_ROOT/tests/fixtures/rtsp_server.py" --port "$RTSP_PORT" \
	--user "$TEST_RTSP_USER" --password "$TEST_RTSP_PASS" --log "$RTSP_LOG"
wait_for "site_up" 30 has_hooks /hook site_up || not_ok "webhook site_up" "none"
for s in front_door garage yard porch; do wait_for "$s up on MQTT" 15 state_is "$s" up; done
sleep 4
check_eq "one site_up, no per-stream up" "1 1" "$(hooks /hook site_up) $(hooks /hook up)"
check_eq "from the outage on, /hook got only site events" 0 "$(tail -n +$((before + 1)) "$OUT/hooks.jsonl" |
	jq -s '[.[] | select(.path == "/hook") | .body | fromjson | select(.event | startswith("site_") | not)] | length')"

# ---- a reload that changes a channel: the new one is used, MQTT reconnects and re-sends ----
sed "s|/hook\$|/hook2|" "$cfg" >"$cfg.tmp" && mv "$cfg.tmp" "$cfg"
wait_for "config reloaded" 5 grep -q "config reloaded" "$OUT/monitor.err"
kill -USR2 "$FWD_PID"
wait_for "webhook down at the reloaded URL" 30 has_hooks /hook2 down "Front Door" || not_ok "webhook down at /hook2" "none"
check_eq "after the reload the old URL gets nothing more" 1 "$(hooks /hook down)"
wait_for "MQTT down after the reload" 10 state_is front_door down
check "retained state follows after the reload" state_is front_door down
kill -USR2 "$FWD_PID"
wait_for "webhook up at the reloaded URL" 20 has_hooks /hook2 up "Front Door" || not_ok "webhook up at /hook2" "none"

# ---- shutdown: availability goes offline; nothing secret anywhere ----
kill -TERM "$MON_PID"
wait_for "monitor stopped" 15 bash -c "! kill -0 $MON_PID 2>/dev/null"
check_eq "availability topic says offline after shutdown" offline "$(retained streampulse/status)"
check "no sanitizer report in the monitor's log" bash -c "! grep -q 'ERROR: AddressSanitizer\|runtime error:\|LeakSanitizer' '$OUT/monitor.err'"
check "no password or token in the monitor's log" bash -c "! grep -q -e '$MQTT_PASS' -e '$TOKEN' '$OUT/monitor.err' '$OUT/monitor.out'"
check "no password or token in alert_log" bash -c "! sqlite3 '$db' 'SELECT * FROM alert_log' | grep -q -e '$MQTT_PASS' -e '$TOKEN'"
check_lt "alert_log has rows" 5 "$(q 'SELECT count(*) FROM alert_log')"
finish
