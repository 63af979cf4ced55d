#!/usr/bin/env bash
# SIGKILL mid-cycle: how many heartbeats the monitor had finished (its -v log has one line per
# finished probe, written before the heartbeat is queued) are not in the database, in cycles;
# then the database's integrity and a restart.
SP_BUILD=${SP_BUILD:-build/release}
. "$(dirname "$0")/../tests/lib.sh"
. "$SP_ROOT/bench/lib.sh"
N=100
INTERVAL=5
REL="$SP_ROOT/$SP_BUILD/streampulse-monitor"
ffmpeg -v error -f lavfi -i testsrc=size=640x360:rate=15 -t 4 -pix_fmt yuv420p -c:v libx264 \
	-preset veryfast -x264-params keyint=30:min-keyint=30:scenecut=0:bframes=0 -bsf:v h264_mp4toannexb \
	-f h264 "$OUT/clip.h264" || bail "make the clip" "ffmpeg failed"
sp_start replay REPLAY_PORT "$SP_ROOT/build/fixtures/rtsp_replay" --clip "$OUT/clip.h264" --fps 15 \
	--gop-wait-max-ms 2000 --max-seconds 120
start_mjpeg
{
	echo "heartbeat_seconds: $INTERVAL"
	echo "max_probes_per_host: 0"
	echo "max_clients: 0" # simulated cameras share one host:port: no client slot limit
	echo "streams:"
	for ((i = 0; i < N; i++)); do
		if ((i % 5 == 4)); then u="http://127.0.0.1:$MJPEG_PORT/mjpeg"; else u="rtsp://127.0.0.1:$REPLAY_PORT/cam$i"; fi
		printf '  - name: cam%03d\n    url: %s\n' "$i" "$u"
	done
} >"$OUT/config.yaml"
db="$OUT/data/streams.db"
stored() { "$REL" -c "$OUT/config.yaml" --export 2>/dev/null | tail -n +2 | wc -l; }

"$REL" -v -c "$OUT/config.yaml" 2>"$OUT/monitor1.err" &
pid=$!
sleep $((3 * INTERVAL)).6 # into the fourth cycle
kill -KILL "$pid"
wait "$pid" 2>/dev/null
finished=$(grep -c "probe: '" "$OUT/monitor1.err")
n=$(stored)
lost=$((finished - n))
cycles=$(awk -v l="$lost" -v n="$N" 'BEGIN { printf "%.2f", l / n }')
integrity=$(sqlite3 "$db" 'PRAGMA integrity_check')
check_eq "integrity_check after SIGKILL" ok "$integrity"

"$REL" -c "$OUT/config.yaml" 2>"$OUT/monitor2.err" &
pid=$!
sleep $((INTERVAL + 1))
kill -TERM "$pid"
wait "$pid"
check_eq "restarted monitor exits 0" 0 "$?"
after=$(stored)
check_lt "the restart wrote a new cycle" "$n" "$after"
bench_result sigkill_lost "heartbeats lost when the monitor is killed with SIGKILL" "$cycles" "cycles" \
	"<= 1" "$(awk -v c="$cycles" -v i="$integrity" 'BEGIN { print (c <= 1 && i == "ok") ? 1 : 0 }')" "" \
	"$N streams every $INTERVAL s, killed 3.6 cycles in: $finished finished, $n stored, $lost lost; integrity_check $integrity; restart wrote $((after - n)) more"
finish
