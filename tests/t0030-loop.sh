#!/usr/bin/env bash
# Loop mode: 6 streams (4 live, 2 dead) for 3 cycles at heartbeat_seconds 2: 18 +- 1 heartbeats
# with the right states, start times spread over the interval.
. "$(dirname "$0")/lib.sh"
start_rtsp
start_mjpeg
dead=$(free_port)
cat >"$OUT/config.yaml" <<YAML
heartbeat_seconds: 2
timezone: Europe/Berlin
probe_timeout_seconds: 5
max_clients: 0 # the test cameras share one host:port; slots are t0720's subject
streams:
  - name: rtsp cam
    url: rtsp://127.0.0.1:$RTSP_PORT/cam
  - name: mjpeg
    url: http://127.0.0.1:$MJPEG_PORT/mjpeg
  - name: dead refused
    url: rtsp://127.0.0.1:$dead/stream1
  - name: rtsp small
    url: rtsp://127.0.0.1:$RTSP_PORT/small
  - name: snapshot
    url: http://127.0.0.1:$MJPEG_PORT/snapshot.jpg
  - name: dead 404
    url: http://127.0.0.1:$MJPEG_PORT/gone.jpg
YAML
"$MON" -c "$OUT/config.yaml" 2>"$OUT/monitor.err" &
pid=$!
wait_for "monitor scheduled its streams" 10 grep -q "scheduled every 2 s" "$OUT/monitor.err"
sleep 6.1
kill -TERM "$pid"
t0=$(now_ms)
wait "$pid"; rc=$?
t1=$(now_ms)
check_eq "monitor exits 0 on SIGTERM" 0 "$rc"
check_lt "monitor exits promptly on SIGTERM ($((t1 - t0)) ms)" $((t1 - t0)) 5000

db="$OUT/data/streams.db"
q() { hb_sql "$OUT/config.yaml" "$1"; }
n=$(q "SELECT count(*) FROM heartbeats")
check_lt "at least 17 heartbeats in 3 cycles (got $n)" 16 "$n"
check_lt "at most 19 heartbeats in 3 cycles (got $n)" "$n" 20
per=$(q "SELECT group_concat(c) FROM (SELECT count(*) c FROM heartbeats GROUP BY stream_id)")
check_match "every stream probed 3 (+-1) times ($per)" '^[234],[234],[234],[234],[234],[234]$' "$per"
for s in "rtsp cam" "mjpeg" "rtsp small" "snapshot"; do
	bad=$(q "SELECT count(*) FROM heartbeats h JOIN streams s ON s.id = h.stream_id WHERE s.name = '$s' AND (h.up != 1 OR h.width IS NULL)")
	check_eq "'$s' is up in every heartbeat" 0 "$bad"
done
check_eq "'dead refused' is down/refused every time" "refused" \
	"$(q "SELECT group_concat(DISTINCT error) FROM heartbeats h JOIN streams s ON s.id = h.stream_id WHERE s.name = 'dead refused' AND up = 0")"
check_eq "'dead 404' is down/not_found every time" "not_found" \
	"$(q "SELECT group_concat(DISTINCT error) FROM heartbeats h JOIN streams s ON s.id = h.stream_id WHERE s.name = 'dead 404' AND up = 0")"
check_eq "live heartbeats record codec and size" "h264 640x360" \
	"$(q "SELECT h.codec || ' ' || h.width || 'x' || h.height FROM heartbeats h JOIN streams s ON s.id = h.stream_id WHERE s.name = 'rtsp cam' LIMIT 1")"

# Spread: the first probe of each stream, in order, about interval/6 apart.
firsts=$(q "SELECT min(ts_ms) FROM heartbeats GROUP BY stream_id ORDER BY 1")
read -r -d '' -a ts <<<"$firsts"
span=$((ts[5] - ts[0]))
mingap=99999
for i in 1 2 3 4 5; do g=$((ts[i] - ts[i - 1])); [ "$g" -lt "$mingap" ] && mingap=$g; done
check_lt "first probes span most of the 2 s interval (span $span ms)" 1300 "$span"
check_lt "first probes span less than the interval (span $span ms)" "$span" 2000
check_lt "no two streams start together (smallest gap $mingap ms, expect ~333)" 200 "$mingap"
check_eq "WAL mode" "wal" "$(sqlite3 "$db" 'PRAGMA journal_mode')"
check_eq "schema is versioned" "5" "$(sqlite3 "$db" 'PRAGMA user_version')"
check_match "state changes are logged" "first state: 'dead refused' down: refused" "$(cat "$OUT/monitor.err")"
probes=$(grep -c "probe: " "$OUT/monitor.err")
check_eq "without -v no per-probe lines" 0 "$probes"
finish
