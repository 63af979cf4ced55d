#!/usr/bin/env bash
# RTSP transport auto (the default): TCP first, UDP when the camera refuses TCP (461) or sends
# nothing over it; the monitor remembers per stream what worked and tries that first next time.
. "$(dirname "$0")/lib.sh"
start_rtsp
R="rtsp://127.0.0.1:$RTSP_PORT"

# --check probes with auto unless told otherwise, and names the transport that worked.
check_probe "auto, a camera that refuses TCP: up over UDP" 0 '^OK - h264 320x240, first frame in [0-9]+ ms over udp' \
	"$R/udp-only" -t 5
check_probe "tcp only, a camera that refuses TCP: down, 461" 2 '^CRITICAL - protocol: .*461 Unsupported transport' \
	"$R/udp-only" -t 5 --tcp
check_probe "auto, an ordinary camera: TCP" 0 '^OK - h264 640x360, first frame in [0-9]+ ms over tcp' "$R/cam" -t 5

# The monitor: auto reaches the UDP-only camera, tcp does not; the second and later probes of
# the auto stream go straight to UDP (one DESCRIBE each, not a refused TCP attempt first).
cat >"$OUT/auto.yaml" <<YAML
heartbeat_seconds: 2
probe_timeout_seconds: 5
max_clients: 0 # the test cameras share one host:port
streams:
  - name: udp camera
    url: $R/udp-only
  - name: plain camera
    url: $R/cam
    transport: auto
YAML
cat >"$OUT/tcp.yaml" <<YAML
heartbeat_seconds: 2
probe_timeout_seconds: 5
streams:
  - name: udp camera, tcp forced
    url: $R/udp-only
    transport: tcp
data_dir: $OUT/data-tcp
YAML
: >"$RTSP_LOG"
"$MON" -v -c "$OUT/auto.yaml" 2>"$OUT/auto.err" &
mon=$!
ups() { [ "$(grep -c "probe: 'udp camera' up" "$OUT/auto.err")" -ge "$1" ]; }
# Stop right after the 3rd probe's result: the 4th slot is 2 s away.
wait_for "3 probes of the udp camera" 10 ups 3
kill -TERM "$mon"
wait "$mon"
check_eq "monitor exits 0" 0 "$?"
check_eq "udp camera (auto): every heartbeat up" "3|3" \
	"$(hb_sql "$OUT/auto.yaml" "SELECT count(*), sum(up) FROM heartbeats h JOIN streams s ON s.id = h.stream_id WHERE s.name = 'udp camera'")"
check_eq "3 probes of the auto stream: 4 DESCRIBEs (only the first tried TCP)" 4 \
	"$(grep -c '^DESCRIBE /udp-only$' "$RTSP_LOG")"
check_eq "plain camera (auto, over TCP): up" 0 \
	"$(hb_sql "$OUT/auto.yaml" "SELECT count(*) FROM heartbeats h JOIN streams s ON s.id = h.stream_id WHERE s.name = 'plain camera' AND up = 0")"

"$MON" --once -c "$OUT/tcp.yaml" 2>"$OUT/tcp.err"
check_eq "transport: tcp on the UDP-only camera: down, protocol, 461" "0|protocol|1" \
	"$(hb_sql "$OUT/tcp.yaml" "SELECT up, error, message LIKE '%461%' FROM heartbeats")"
check "no sanitizer report" bash -c "! grep -E 'LeakSanitizer|AddressSanitizer|runtime error' '$OUT'/*.err"
finish
