#!/usr/bin/env bash
# When probes cannot start on time (one worker, slow cameras) they are skipped and logged,
# never queued; SIGTERM still ends the monitor promptly, cancelling the probes in flight.
. "$(dirname "$0")/lib.sh"
start_fault silent
cat >"$OUT/config.yaml" <<YAML
heartbeat_seconds: 2
probe_timeout_seconds: 3
max_concurrent_probes: 1
max_clients: 0 # the test cameras share one host:port; slots are t0720's subject
streams:
  - name: slow one
    url: rtsp://127.0.0.1:$FAULT_PORT/a
  - name: slow two
    url: http://127.0.0.1:$FAULT_PORT/b
YAML
"$MON" -c "$OUT/config.yaml" 2>"$OUT/monitor.err" &
pid=$!
sleep 5
check "monitor still running with every worker busy" kill -0 "$pid"
t0=$(now_ms)
kill -TERM "$pid"
wait "$pid"
rc=$?
t1=$(now_ms)
log=$(cat "$OUT/monitor.err")
check_eq "exit 0 after SIGTERM" 0 "$rc"
check_lt "SIGTERM cancels the running probe: exit in $((t1 - t0)) ms, under the 3 s probe timeout" $((t1 - t0)) 1500
check_match "busy workers: the probe is skipped and logged" \
	"skipped probe of 'slow (one|two)': all probe workers are busy" "$log"
check_match "an unfinished previous probe: skipped and logged" \
	"skipped probe of 'slow (one|two)': its previous probe is still running" "$log"
check_match "the count of skips is in the final line" "stopped: [0-9]+ probes started, [1-9][0-9]* skipped" "$log"
n=$(hb_sql "$OUT/config.yaml" "SELECT count(*) FROM heartbeats WHERE error = 'timeout'")
check_lt "timeouts were recorded ($n)" 0 "$n"
check_eq "cancelled probes are not recorded as failures" 0 \
	"$(hb_sql "$OUT/config.yaml" "SELECT count(*) FROM heartbeats WHERE error = 'cancelled'")"
finish
