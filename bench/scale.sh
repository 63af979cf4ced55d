#!/usr/bin/env bash
# The monitor at scale: BENCH_SCALE_STREAMS (2,000) streams every 15 s on this machine's cores,
# 80 % RTSP from the replay server (H.264 640x360, 2 s GOP, a joining client waits 0-2 s for the
# keyframe), 20 % MJPEG; then the ffmpeg CLI on a sample of the same URLs, same servers, same run.
# Figures: probes started within 1 s of their slot, peak RSS, CPU per probe vs the ffmpeg CLI.
SP_BUILD=${SP_BUILD:-build/release}
. "$(dirname "$0")/../tests/lib.sh"
. "$SP_ROOT/bench/lib.sh"
N=${BENCH_SCALE_STREAMS:-2000}
CYCLES=${BENCH_SCALE_CYCLES:-3}
INTERVAL=15
SAMPLE=${BENCH_FFMPEG_SAMPLE:-40}
REL="$SP_ROOT/$SP_BUILD/streampulse-monitor"

ffmpeg -v error -f lavfi -i testsrc=size=640x360:rate=15 -t 8 -pix_fmt yuv420p -c:v libx264 \
	-preset veryfast -x264-params keyint=30:min-keyint=30:scenecut=0:bframes=0 -bsf:v h264_mp4toannexb \
	-f h264 "$OUT/clip.h264" || bail "make the clip" "ffmpeg failed"
mkdir -p "$OUT/frames"
ffmpeg -v error -f lavfi -i testsrc=size=640x360:rate=10 -frames:v 10 -q:v 5 "$OUT/frames/f%02d.jpg" ||
	bail "make MJPEG frames" "ffmpeg failed"
max=$((CYCLES * INTERVAL + 240))
sp_start replay REPLAY_PORT "$SP_ROOT/build/fixtures/rtsp_replay" --clip "$OUT/clip.h264" --fps 15 \
	--gop-wait-max-ms 2000 --max-seconds "$max"
sp_start mjpeg MJPEG_PORT "$SP_ROOT/build/fixtures/mjpeg_many" --frames "$OUT/frames" --fps 10 \
	--max-seconds "$max"

urls=()
for ((i = 0; i < N; i++)); do
	if ((i % 5 == 4)); then urls+=("http://127.0.0.1:$MJPEG_PORT/cam$i"); else urls+=("rtsp://127.0.0.1:$REPLAY_PORT/cam$i"); fi
done
{
	echo "heartbeat_seconds: $INTERVAL"
	echo "probe_timeout_seconds: 10"
	[ -n "${BENCH_SCALE_CONCURRENCY:-}" ] && echo "max_concurrent_probes: $BENCH_SCALE_CONCURRENCY"
	echo "streams:"
	for i in "${!urls[@]}"; do printf '  - name: cam%04d\n    url: %s\n' "$i" "${urls[$i]}"; done
} >"$OUT/config.yaml"

# cpu_s PID: user+system CPU seconds of a live process.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }

"$REL" -c "$OUT/config.yaml" 2>"$OUT/monitor.err" &
pid=$!
wait_for "monitor scheduled $N streams" 30 grep -q "$N streams scheduled" "$OUT/monitor.err"
sleep $((CYCLES * INTERVAL))
cpu=$(cpu_s "$pid")
rss=$(awk '/VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$pid/status")
threads=$(awk '/Threads/ { print $2 }' "/proc/$pid/status")
kill -TERM "$pid"
wait "$pid"
check_eq "monitor exits 0" 0 "$?"
line=$(grep "stopped:" "$OUT/monitor.err")
echo "$line"
read -r started skipped written cancelled < <(sed -n 's/.*stopped: \([0-9]*\) probes started, \([0-9]*\) skipped, \([0-9]*\) heartbeats written, \([0-9]*\) cancelled.*/\1 \2 \3 \4/p' <<<"$line")
lag=$(grep -o 'start lag: [^;]*' "$OUT/monitor.err" | tail -1)
echo "threads=$threads cpu=$cpu rss=$rss $lag"
