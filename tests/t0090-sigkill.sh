#!/usr/bin/env bash
# SIGKILL mid-cycle, then a restart: the database is intact and at most one cycle of heartbeats
# is missing (results are written at least once a second).
. "$(dirname "$0")/lib.sh"
start_mjpeg
dead=$(free_port)
{
	echo "heartbeat_seconds: 2"
	echo "max_clients: 0" # simulated cameras share one host:port: no client slot limit
	echo "streams:"
	for i in 1 2 3 4 5 6 7 8; do
		if ((i % 4)); then u="http://127.0.0.1:$MJPEG_PORT/snapshot.jpg"; else u="rtsp://127.0.0.1:$dead/x"; fi
		printf '  - name: cam%d\n    url: %s\n' "$i" "$u"
	done
} >"$OUT/config.yaml"
db="$OUT/data/streams.db"
"$MON" -c "$OUT/config.yaml" 2>"$OUT/monitor1.err" &
pid=$!
sleep 5.3 # mid-way through the third cycle
t_kill=$(now_ms)
kill -KILL "$pid"
wait "$pid" 2>/dev/null
check_eq "integrity_check after SIGKILL" ok "$(sqlite3 "$db" 'PRAGMA integrity_check')"
n=$(hb_sql "$OUT/config.yaml" "SELECT count(*) FROM heartbeats")
# 8 streams spread over 2 s: by 5.3 s about 8 * 5.3 / 2 = 21 probes started; at most one cycle (8)
# may be lost, and probes take milliseconds here.
check_lt "heartbeats kept after SIGKILL: $n (at most one cycle of 21 lost)" 12 "$n"
last=$(hb_sql "$OUT/config.yaml" "SELECT max(ts_ms) FROM heartbeats")
check_lt "the newest kept heartbeat is under one interval before the kill ($((t_kill - last)) ms)" $((t_kill - last)) 2000

"$MON" -c "$OUT/config.yaml" 2>"$OUT/monitor2.err" &
pid=$!
sleep 2.5
kill -TERM "$pid"
wait "$pid"
check_eq "restarted monitor exits 0" 0 "$?"
check_eq "integrity_check after the restart" ok "$(sqlite3 "$db" 'PRAGMA integrity_check')"
check_lt "the restart wrote a new cycle" "$n" "$(hb_sql "$OUT/config.yaml" "SELECT count(*) FROM heartbeats")"
check "the restart does not re-log known states as changes" bash -c "! grep -q 'first state' '$OUT/monitor2.err'"
finish
