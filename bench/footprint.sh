#!/usr/bin/env bash
# Edge footprint (issue 7): the stripped installed programs' sizes, the shared libraries each
# needs (ldd), and the monitor's RSS and CPU while idle between cycles with 10 cameras (8 RTSP,
# 2 MJPEG, heartbeat 15 s): CPU is the monitor's utime+stime over 3 cycles, per cycle, and the
# share of one core it takes on average.
SP_BUILD=${SP_BUILD:-build/release}
. "$(dirname "$0")/../tests/lib.sh"
. "$SP_ROOT/bench/lib.sh"
R="$OUT/root"
nice make -s -C "$SP_ROOT" install-strip DESTDIR="$R" PREFIX=/usr >"$OUT/install.log" 2>&1 ||
	bail "make install-strip" "$(tail -5 "$OUT/install.log")"
MON_I=$R/usr/bin/streampulse-monitor
WEB_I=$R/usr/lib/streampulse/streampulse.fcgi
kb() { echo $((($(stat -c %s "$1") + 512) / 1024)); }
bench_result footprint_monitor_kb "stripped streampulse-monitor" "$(kb "$MON_I")" KB "" 1
bench_result footprint_fcgi_kb "stripped streampulse.fcgi" "$(kb "$WEB_I")" KB "" 1
for b in "$MON_I" "$WEB_I"; do
	echo "== $(basename "$b") needs directly: $(readelf -d "$b" | awk '/NEEDED/ { gsub(/[][]/, "", $5); printf "%s ", $5 }')"
	echo "== ldd $(basename "$b"): $(ldd "$b" | wc -l) libraries"
	ldd "$b" | awk '{ print "   " $1 }' | sort
done >"$OUT/ldd.txt"
cat "$OUT/ldd.txt"
bench_result footprint_monitor_libs "shared libraries streampulse-monitor loads (ldd, direct and indirect)" \
	"$(ldd "$MON_I" | wc -l)" "" "" 1
bench_result footprint_fcgi_libs "shared libraries streampulse.fcgi loads" "$(ldd "$WEB_I" | wc -l)" "" "" 1

start_rtsp
start_mjpeg
INTERVAL=15
{
	echo "heartbeat_seconds: $INTERVAL"
	echo "thumbnail_seconds: 300"
	echo "streams:"
	for i in 1 2 3 4 5 6 7 8; do
		printf '  - name: cam%d\n    url: rtsp://127.0.0.1:%s/%s\n' "$i" "$RTSP_PORT" "$([ $((i % 2)) = 0 ] && echo cam || echo small)"
	done
	printf '  - name: mjpeg\n    url: http://127.0.0.1:%s/mjpeg\n' "$MJPEG_PORT"
	printf '  - name: snapshot\n    url: http://127.0.0.1:%s/snapshot.jpg\n' "$MJPEG_PORT"
	echo "max_clients: 0 # the test cameras share one host:port"
} >"$OUT/config.yaml"
"$MON_I" -c "$OUT/config.yaml" 2>"$OUT/monitor.err" &
pid=$!
SP_PIDS+=("$pid")
sleep $((INTERVAL + 2)) # the first cycle done: thumbnails written, decoders gone
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
t0=$(ticks)
w0=$(now_ms)
sleep $((3 * INTERVAL))
t1=$(ticks)
w1=$(now_ms)
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
cpu_ms=$(((t1 - t0) * 1000 / hz))
kill -TERM "$pid"
wait "$pid"
bench_result footprint_rss_mb "monitor RSS between cycles, 10 cameras" "$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')" MB "" 1 \
	"" "peak $(awk -v k="$hwm" 'BEGIN { printf "%.1f", k / 1024 }') MB"
bench_result footprint_cpu_ms_per_cycle "monitor CPU per 15 s cycle, 10 cameras (probes included)" \
	"$((cpu_ms / 3))" ms "" 1 "" "$(awk -v c="$cpu_ms" -v w=$((w1 - w0)) 'BEGIN { printf "%.2f %% of one core", 100 * c / w }')"
finish
