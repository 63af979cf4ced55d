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
SAMPLE=${BENCH_FFMPEG_SAMPLE:-20}
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
	echo "max_probes_per_host: 0" # every simulated camera is on 127.0.0.1
	[ -n "${BENCH_SCALE_CONCURRENCY:-}" ] && echo "max_concurrent_probes: $BENCH_SCALE_CONCURRENCY"
	echo "max_clients: 0" # simulated cameras share one host:port: no client slot limit
	echo "streams:"
	for i in "${!urls[@]}"; do printf '  - name: cam%04d\n    url: %s\n' "$i" "${urls[$i]}"; done
} >"$OUT/config.yaml"

# cpu_s PID: user+system CPU seconds of a live process.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }

"$REL" -v -c "$OUT/config.yaml" 2>"$OUT/monitor.err" &
pid=$!
wait_for "monitor scheduled $N streams" 30 grep -q "$N streams scheduled" "$OUT/monitor.err"
sleep $((CYCLES * INTERVAL - 2))
smaps=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { file = ($6 ~ /^\//) } /^Rss:/ { if (file) f += $2; else a += $2 }
	END { printf "%d MB anonymous (heap, stacks), %d MB mapped libraries", a / 1024, f / 1024 }' "/proc/$pid/smaps")
sleep 2
cpu=$(cpu_s "$pid")
rss=$(awk '/VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$pid/status")
threads=$(awk '/Threads/ { print $2 }' "/proc/$pid/status")
kill -TERM "$pid"
wait "$pid"
check_eq "monitor exits 0" 0 "$?"
line=$(grep "stopped:" "$OUT/monitor.err")
read -r started skipped written cancelled < <(sed -n 's/.*stopped: \([0-9]*\) probes started, \([0-9]*\) skipped, \([0-9]*\) heartbeats written, \([0-9]*\) cancelled.*/\1 \2 \3 \4/p' <<<"$line")
read -r lag_started within p995 maxlag < <(sed -n 's/.*start lag: \([0-9]*\) started, \([0-9]*\) within 1 s of their slot, p99.5 <= \([-0-9]*\) ms, max \([0-9]*\) ms.*/\1 \2 \3 \4/p' "$OUT/monitor.err")
down=$(grep -c "' down: " "$OUT/monitor.err")
heap=$(grep -o 'stats: .*' "$OUT/monitor.err" | sort -t' ' -k6 -n | tail -1)
echo "monitor: $line; threads $threads, CPU $cpu s, peak RSS $rss MB, start lag p99.5 <= $p995 ms, max $maxlag ms, $down down"

# The baseline: the ffmpeg CLI per probe on a sample of the same URLs (4 RTSP : 1 MJPEG), one
# after another, against the same servers, same run.
sample=()
for ((i = 0; i < SAMPLE; i++)); do sample+=("${urls[$((i * N / SAMPLE))]}"); done
/usr/bin/time -f "%e %U %S" -o "$OUT/ffmpeg.time" bash -c 'for u; do t=(); [[ $u == rtsp* ]] && t=(-rtsp_transport tcp)
	ffmpeg -nostdin -v error "${t[@]}" -i "$u" -frames:v 1 -f null - || echo "ffmpeg failed: $u" >&2; done' _ "${sample[@]}" \
	2>"$OUT/ffmpeg.err"
read -r fwall fuser fsys < <(tail -1 "$OUT/ffmpeg.time")
ffail=$(grep -c "ffmpeg failed" "$OUT/ffmpeg.err")
check_eq "the ffmpeg CLI decoded every sampled stream" 0 "$ffail"

probes=$((written > 0 ? written : 1))
ours=$(awk -v c="$cpu" -v n="$probes" 'BEGIN { printf "%.4f", c / n }')
base=$(awk -v u="$fuser" -v s="$fsys" -v n="$SAMPLE" 'BEGIN { printf "%.4f", (u + s) / n }')
ratio=$(awk -v a="$ours" -v b="$base" 'BEGIN { printf "%.3f", a / b }')
pct=$(awk -v w="$within" -v s="$started" -v k="$skipped" 'BEGIN { printf "%.2f", 100 * w / (s + k) }')
per_cycle=$(awk -v w="$started" -v c="$CYCLES" 'BEGIN { printf "%d", w / c }')
cores=$(nproc)
bench_result probes_on_time "probes started within 1 s of their slot, $N streams every 15 s, $cores cores" \
	"$pct" "%" ">= 99.5" "$(ge "$pct" 99.5)" "" \
	"$started started, $skipped skipped, $within within 1 s; p99.5 lag <= $p995 ms, max $maxlag ms; ${CYCLES} cycles"
bench_result per_cycle "probes per 15 s cycle ($N streams, 80 % RTSP / 20 % MJPEG)" \
	"$per_cycle" "" ">= $((N * 995 / 1000))" "$(ge "$per_cycle" $((N * 995 / 1000)))" "" \
	"$started started, $written written in $CYCLES cycles, $down down, $cancelled cancelled at shutdown"
bench_result rss_mb "monitor peak RSS at $N streams" "$rss" "MB" "< 128" "$(lt "$rss" 128)" "" \
	"VmHWM; $threads threads at the end; near the end: $smaps; largest heap: $heap"
bench_result cpu_ratio "monitor CPU per probe / ffmpeg CLI per probe" "$ratio" "x" "<= 0.1" \
	"$(le "$ratio" 0.1)" "$base" "ours $ours s per probe ($cpu s / $written); ffmpeg CLI $base s per probe ($SAMPLE probes, $fwall s wall)"
finish
