#!/usr/bin/env bash
# Client slots (max_clients, lib/hostlock.c): a camera's connections are shared by the monitor's
# probes and the web's previews across processes. A preview held open on a slow camera makes the
# monitor record "busy" instead of opening a second connection; a probe held open makes a preview
# answer 503; two monitors together never exceed max_clients; a preview's frame is the cycle's
# heartbeat (the monitor does not connect for it). Connections are counted at the server (ss).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/web.sh"
start_fault silent
start_rtsp
DATA="$OUT/data"

# conns PORT: established connections the server on PORT holds right now.
conns() { ss -Htn state established "( sport = :$1 )" | wc -l; }
# sample_conns PORT FILE: one count a line into FILE every 0.1 s until killed.
sample_conns() { while :; do conns "$1" >>"$2"; sleep 0.1; done; }
max_of() { sort -n "$1" | tail -1; }

# ---- 1: a preview holds the only slot; the monitor's probes record busy -------------------
cat >"$OUT/config.yaml" <<YAML
heartbeat_seconds: 2
probe_timeout_seconds: 2
max_clients: 1
data_dir: $DATA
streams:
  - name: slow cam
    url: rtsp://127.0.0.1:$FAULT_PORT/slow
    timeout_seconds: 8
    enabled: false
  - name: probed cam
    url: rtsp://127.0.0.1:$FAULT_PORT/probed
YAML
start_web "$OUT/config.yaml"
J="$OUT/admin.jar"
web_login "$J" admin admin123
# The silent camera keeps the preview connecting (and its slot taken) for its full 8 s.
curl -s -m 20 -b "$J" -o "$OUT/held.body" -w '%{http_code}' "$WEB_URL/preview/slow%20cam.jpg" >"$OUT/held.code" &
held=$!
wait_for "the preview connected to the slow camera" 5 bash -c "[ \$(ss -Htn state established '( sport = :$FAULT_PORT )' | wc -l) = 1 ]" ||
	bail "preview connected" "no connection at the fault server"
sample_conns "$FAULT_PORT" "$OUT/conns1" &
sampler=$!
"$MON" -v -c "$OUT/config.yaml" 2>"$OUT/monitor1.err" &
mon=$!
sleep 5
kill -TERM "$mon"
wait "$mon"
check_eq "monitor exits 0" 0 "$?"
kill "$sampler"
wait "$held"
check_eq "the held preview ended as a 504 (silent camera), not a 503" 504 "$(cat "$OUT/held.code")"
check_eq "connections at the camera while the preview held its slot: never more than 1" 1 "$(max_of "$OUT/conns1")"
busy=$(hb_sql "$OUT/config.yaml" "SELECT count(*) FROM heartbeats h JOIN streams s ON s.id = h.stream_id
  WHERE s.name = 'probed cam' AND h.error = 'busy' AND h.up = 0")
check_lt "the scheduled probes recorded busy ($busy)" 1 "$busy"
check_eq "busy heartbeats are stored as skipped (neither up nor down)" "$busy" \
	"$(hb_sql "$OUT/config.yaml" "SELECT count(*) FROM heartbeats h JOIN streams s ON s.id = h.stream_id WHERE s.name = 'probed cam' AND h.state = 'skipped'")"
other=$(hb_sql "$OUT/config.yaml" "SELECT count(*) FROM heartbeats WHERE error IS NOT 'busy'")
check_eq "no probe connected (no other outcome than busy)" 0 "$other"
check_match "busy heartbeats say why" "host busy: 1 of 1 client slots in use \\(max_clients\\)" \
	"$(hb_sql "$OUT/config.yaml" "SELECT DISTINCT message FROM heartbeats")"

# ---- 2: the monitor holds the only slot; a preview answers 503 without connecting ---------
cat >"$OUT/monitor2.yaml" <<YAML
heartbeat_seconds: 30
max_clients: 1
data_dir: $DATA
database: $OUT/monitor2.db
streams:
  - name: slow cam
    url: rtsp://127.0.0.1:$FAULT_PORT/slow
    timeout_seconds: 8
YAML
"$MON" -c "$OUT/monitor2.yaml" 2>"$OUT/monitor2.err" &
mon=$!
wait_for "the monitor connected to the slow camera" 5 bash -c "[ \$(ss -Htn state established '( sport = :$FAULT_PORT )' | wc -l) = 1 ]" ||
	bail "monitor connected" "no connection at the fault server"
: >"$OUT/conns2"
sample_conns "$FAULT_PORT" "$OUT/conns2" &
sampler=$!
t0=$(now_ms)
web_get "$J" "/preview/probed%20cam.jpg" >/dev/null
t1=$(now_ms)
kill "$sampler"
check_eq "preview while the monitor holds the slot: 503" 503 "$WEB_STATUS"
check_match "503 says the camera is busy" "camera busy: its max_clients slots are in use" "$(cat "$WEB_BODY")"
check_lt "503 after the 2 s slot wait, not the probe deadline ($((t1 - t0)) ms)" $((t1 - t0)) 4000
check_eq "the preview did not connect (never more than 1 connection)" 1 "$(max_of "$OUT/conns2")"
kill -TERM "$mon"
wait "$mon"
check_eq "monitor 2 exits 0" 0 "$?"

# ---- 3: two monitors on one data_dir: together never more than max_clients ----------------
for m in a b; do
	{
		echo "heartbeat_seconds: 2"
		echo "probe_timeout_seconds: 3"
		echo "max_clients: 2"
		echo "data_dir: $DATA"
		echo "database: $OUT/monitor3$m.db"
		echo "streams:"
		for i in 1 2 3; do printf '  - name: %s%d\n    url: rtsp://127.0.0.1:%s/%s%d\n' "$m" "$i" "$FAULT_PORT" "$m" "$i"; done
	} >"$OUT/monitor3$m.yaml"
done
: >"$OUT/conns3"
sample_conns "$FAULT_PORT" "$OUT/conns3" &
sampler=$!
"$MON" -c "$OUT/monitor3a.yaml" 2>"$OUT/monitor3a.err" &
ma=$!
"$MON" -c "$OUT/monitor3b.yaml" 2>"$OUT/monitor3b.err" &
mb=$!
sleep 7
kill -TERM "$ma" "$mb"
wait "$ma" "$mb"
kill "$sampler"
# Without slots the two would hold 6 at once (3 each, under max_probes_per_host 4).
check_eq "two monitors, 6 silent cameras on one host, max_clients 2: at most 2 connections" 2 "$(max_of "$OUT/conns3")"
nbusy=0
for m in a b; do
	n=$(hb_sql "$OUT/monitor3$m.yaml" "SELECT count(*) FROM heartbeats WHERE error = 'busy'")
	nbusy=$((nbusy + n))
done
check_lt "the probes that found both slots taken recorded busy ($nbusy)" 0 "$nbusy"
nto=$(( $(hb_sql "$OUT/monitor3a.yaml" "SELECT count(*) FROM heartbeats WHERE error = 'timeout'") +
	$(hb_sql "$OUT/monitor3b.yaml" "SELECT count(*) FROM heartbeats WHERE error = 'timeout'") ))
check_lt "the probes that got a slot connected and timed out ($nto)" 0 "$nto"

# ---- 4: a preview's frame is that cycle's heartbeat ------------------------------------
cat >"$OUT/proof.yaml" <<YAML
heartbeat_seconds: 4
max_clients: 1
data_dir: $OUT/data4
streams:
  - name: Small cam
    url: rtsp://127.0.0.1:$RTSP_PORT/small
YAML
start_web "$OUT/proof.yaml"
web_login "$J" admin admin123
: >"$RTSP_LOG"
"$MON" -v -c "$OUT/proof.yaml" 2>"$OUT/monitor4.err" &
mon=$!
probes_are() { [ "$(grep -c "probe: 'Small cam' up" "$OUT/monitor4.err")" = "$1" ]; }
wait_for "the monitor's first probe" 5 probes_are 1 ||
	bail "first heartbeat" "$(tail -3 "$OUT/monitor4.err")"
web_get "$J" "/preview/Small%20cam.jpg" >/dev/null
check_eq "preview 200" 200 "$WEB_STATUS"
proof=$(cat "$OUT"/data4/locks/*.proof 2>/dev/null)
check_match "the preview left a proof: start ms, latency, connect ms, codec, size" \
	'^[0-9]{13} [0-9]+ [0-9]+ h264 320 240$' "$proof"
check_eq "monitor + preview: 2 connections so far" 2 "$(grep -c '^CONNECT' "$RTSP_LOG")"
# The engine logs each probe with -v when it takes it, right after the slot (at 4 s); the next
# slot is 4 s later: counting now and stopping at once leaves no room for a third probe.
wait_for "the second cycle's result" 8 probes_are 2
check_eq "the monitor did not connect for the second cycle" 2 "$(grep -c '^CONNECT' "$RTSP_LOG")"
check_match "the monitor logged the second cycle as the preview's frame" \
	"probe: 'Small cam' up: h264 320x240, first frame in [0-9]+ ms .*\\(a preview's frame\\)" "$(cat "$OUT/monitor4.err")"
kill -TERM "$mon"
wait "$mon"
check_eq "monitor 4 exits 0" 0 "$?"
check_eq "2 heartbeats written" 2 "$(hb_sql "$OUT/proof.yaml" "SELECT count(*) FROM heartbeats")"
read -r p_ts p_lat p_conn _ <<<"$proof"
check_eq "the second heartbeat is the preview's: up, its start, latency and connect time" \
	"1|$p_ts|$p_lat|$p_conn|h264|320|240" \
	"$(hb_sql "$OUT/proof.yaml" "SELECT up, ts_ms, latency_ms, connect_ms, codec, width, height FROM heartbeats ORDER BY ts_ms LIMIT 1 OFFSET 1")"
check "the proof was used up" bash -c "! ls '$OUT'/data4/locks/*.proof 2>/dev/null"

stop_web
sleep 0.5
check "no sanitizer report in the monitors or the web" \
	bash -c "! grep -E 'LeakSanitizer|AddressSanitizer|runtime error' '$OUT'/monitor*.err '$WEB_LOG'"
finish
