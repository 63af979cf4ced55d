#!/usr/bin/env bash
# max_probes_per_host: one slow device (an NVR with many channels, a camera behind a dying link)
# never holds more than its share of probes, and a camera elsewhere is still probed on time.
. "$(dirname "$0")/lib.sh"
start_fault silent
start_mjpeg
cat >"$OUT/config.yaml" <<YAML
heartbeat_seconds: 2
probe_timeout_seconds: 3
max_probes_per_host: 2
max_clients: 0 # the test cameras share one host:port; slots are t0720's subject
streams:
YAML
for i in 1 2 3 4 5 6; do printf '  - name: nvr channel %d\n    url: rtsp://127.0.0.1:%s/ch%d\n' "$i" "$FAULT_PORT" "$i"; done >>"$OUT/config.yaml"
# Another host name for the same loopback address: a different device as far as limits go.
printf '  - name: other camera\n    url: http://localhost:%s/mjpeg\n' "$MJPEG_PORT" >>"$OUT/config.yaml"
"$MON" -v -c "$OUT/config.yaml" 2>"$OUT/monitor.err" &
pid=$!
sleep 7
kill -TERM "$pid"
wait "$pid"
check_eq "exit 0 after SIGTERM" 0 "$?"
log=$(cat "$OUT/monitor.err")
check_match "a device at its limit: the probe is skipped and logged" \
	"skipped probe of 'nvr channel [0-9]': its host already has max_probes_per_host probes running" "$log"
timeouts=$(grep -c "'nvr channel [0-9]' down: timeout" "$OUT/monitor.err")
# 7 s, 3 s timeouts, 2 at a time: at most 2 rounds of 2 finish (more would mean the limit leaked).
check_lt "at most 2 probes of the slow device at once ($timeouts timeouts in 7 s)" "$timeouts" 5
check_lt "the slow device was still probed" 0 "$timeouts"
ups=$(grep -c "'other camera' up" "$OUT/monitor.err")
check_lt "the camera on another host was probed every cycle ($ups probes in 7 s)" 2 "$ups"
check_eq "the camera on another host was never skipped" 0 "$(grep -c "skipped probe of 'other camera'" "$OUT/monitor.err")"
finish
