#!/usr/bin/env bash
# Picture checks (doc/health.md): --check calls a black or flat picture degraded; the monitor
# calls a still picture frozen after frozen_after probes, a clock overlay notwithstanding, and
# never a moving one.
. "$(dirname "$0")/lib.sh"
start_rtsp
R="rtsp://127.0.0.1:$RTSP_PORT"

# ---- one probe: --check ---------------------------------------------------------------------
check_probe "/black" 1 '^WARNING - degraded \(black\): picture is black \(mean luma [0-9]+, black_max_luma 40' "$R/black"
check_probe "/solid (blue no-signal screen)" 1 '^WARNING - degraded \(uniform\): picture is uniform \(luma stddev [0-9.]+, uniform_max_stddev 6' "$R/solid"
check_probe "/live" 0 '^OK - h264 640x360, first frame in [0-9]+ ms' "$R/live"
check_probe "/live-clock" 0 '^OK - h264 640x360' "$R/live-clock"
# One probe cannot see a frozen picture: a still stream is OK for --check.
check_probe "/still (frozen needs several probes)" 0 '^OK - h264 640x360' "$R/still"
check_probe "--max-latency-ms 1: slow" 1 '^WARNING - degraded \(slow\): first frame after [0-9]+ ms \(max_latency_ms 1\)' \
	"$R/live" --max-latency-ms 1
check_probe "--max-latency-ms 10000: fast enough" 0 '^OK - ' "$R/live" --max-latency-ms 10000
check_probe "black outranks slow" 1 '^WARNING - degraded \(black\)' "$R/black" --max-latency-ms 1
check_probe "--max-latency-ms junk" 3 '^$' "$R/live" --max-latency-ms 12x
check_probe "down is still CRITICAL" 2 '^CRITICAL - not_found' "$R/no-such-path"

# ---- the monitor: frozen over several probes --------------------------------------------------
# The export's trailing `state` column and the reason in `error` come with the engine that calls
# health_judge() (doc/health.md).
cat >"$OUT/config.yaml" <<YAML
heartbeat_seconds: 2
probe_timeout_seconds: 5
streams:
  - name: still
    url: $R/still
  - name: still-clock
    url: $R/still-clock
  - name: live
    url: $R/live
  - name: live-clock
    url: $R/live-clock
  - name: black
    url: $R/black
  - name: solid
    url: $R/solid
YAML
spawn monitor "$MON" -c "$OUT/config.yaml"
MON_PID=$SPAWN_PID
# 5 cycles: frozen_after is 3, so still streams are frozen from the 3rd probe on.
enough() {
	hb_sql "$OUT/config.yaml" "SELECT 1 FROM hb_csv GROUP BY stream HAVING count(*) >= 5;" | grep -c 1 |
		grep -qx 6
}
wait_for "5 heartbeats of each stream" 20 enough || not_ok "5 heartbeats of each stream within 20 s"
stop_proc "$MON_PID"
check "monitor exited without sanitizer reports" bash -c "! grep -q 'ERROR: \(Address\|Leak\)Sanitizer\|runtime error' '$OUT/monitor.err'"

has_state=$("$MON" -c "$OUT/config.yaml" --export 2>/dev/null | head -1 | grep -c ',state$')
check_eq "the export has a state column (main's engine with health_judge)" 1 "$has_state"

# count STREAM CONDITION: heartbeats of STREAM matching the SQL condition over hb_csv's columns.
count() { hb_sql "$OUT/config.yaml" "SELECT count(*) FROM hb_csv WHERE stream = '$1' AND ($2);"; }
for s in still still-clock; do
	n=$(count "$s" "state = 'degraded' AND error = 'frozen'")
	check_lt "$s: frozen from the 3rd probe on ($n of 5+ heartbeats)" 1 "${n:-0}"
	first=$(hb_sql "$OUT/config.yaml" "SELECT error FROM hb_csv WHERE stream = '$s' ORDER BY CAST(ts_ms AS INTEGER) LIMIT 2;" | tr '\n' ' ')
	check_eq "$s: the first two probes are not frozen yet" "  " "$first"
done
for s in live live-clock; do
	check_eq "$s: never frozen" 0 "$(count "$s" "error = 'frozen'")"
	check_eq "$s: every heartbeat up" 0 "$(count "$s" "state != 'up'")"
done
check_eq "black: every heartbeat degraded (black)" 0 "$(count black "NOT (state = 'degraded' AND error = 'black')")"
check_eq "solid: every heartbeat degraded (uniform)" 0 "$(count solid "NOT (state = 'degraded' AND error = 'uniform')")"
msg=$(hb_sql "$OUT/config.yaml" "SELECT message FROM hb_csv WHERE stream = 'still-clock' AND error = 'frozen' LIMIT 1;")
check_match "frozen message names the probes and the threshold" 'frozen \(the same for the last [0-9]+ probes.*frozen_max_diff 3\)' "$msg"
finish
