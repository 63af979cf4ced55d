#!/usr/bin/env bash
# The monitor loop with the whole zoo plus one good MJPEG camera, heartbeat_seconds 2: while the
# zoo stalls, floods and loops, the good camera is probed every cycle on time, and the monitor
# neither crashes nor reports a sanitizer error.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zoo.sh"
start_hostile
start_mjpeg
Z="127.0.0.1:$HOSTILE_PORT"
ZOO=("rtsp://$Z/tcp/silent" "http://$Z/tcp/close" "rtsp://$Z/tcp/slowloris" "http://$Z/tcp/slowloris"
	"https://$Z/tls")
for m in garbage empty-sdp huge-sdp endless-sdp audio-only auth-loop redirect-loop no-rtp random-rtp corrupt-h264; do
	ZOO+=("rtsp://$Z/rtsp/$m")
done
for m in html no-boundary endless-part huge-part huge-part-nolen huge-jpeg sof-huge truncated-jpeg \
	chunked-stop auth-loop redirect-file redirect-ftp redirect-loop; do
	ZOO+=("http://$Z/http/$m")
done
{
	echo "heartbeat_seconds: 2"
	echo "probe_timeout_seconds: 3"
	# Every camera here is on 127.0.0.1; in the field each zoo animal is a host of its own.
	echo "max_probes_per_host: 0"
	echo "max_clients: 0" # simulated cameras share one host:port: no client slot limit
	echo "streams:"
	echo "  - name: good"
	echo "    url: http://127.0.0.1:$MJPEG_PORT/mjpeg"
	for i in "${!ZOO[@]}"; do printf '  - name: zoo%02d\n    url: %s\n' "$i" "${ZOO[$i]}"; done
} >"$OUT/config.yaml"

# ASan keeps 256 MB of freed memory in quarantine, which would hide the figure: keep 16 MB.
export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=16"
/usr/bin/time -f %M -o "$OUT/monitor.rss" "$MON" -c "$OUT/config.yaml" -v 2>"$OUT/monitor.err" &
pid=$!
wait_for "monitor scheduled its streams" 15 grep -q "scheduled every 2 s" "$OUT/monitor.err" ||
	bail "monitor start" "$(tail -3 "$OUT/monitor.err")"
sleep 12.5
mon=$(cat /proc/"$pid"/task/*/children 2>/dev/null | head -1) # the monitor, under time
kill -TERM "${mon:-$pid}"
wait "$pid"
rc=$?
log=$(cat "$OUT/monitor.err")
check_eq "monitor exits 0 on SIGTERM" 0 "$rc"
if grep -q 'ERROR: AddressSanitizer\|runtime error:\|ERROR: LeakSanitizer' "$OUT/monitor.err"; then
	not_ok "no sanitizer report" "$(grep -m1 'ERROR\|runtime error' "$OUT/monitor.err")"
else
	ok "no sanitizer report"
fi
# 131 MB measured: the ASan runtime, the 16 MB limit held by several probes at once, decoders.
rss=$(tail -1 "$OUT/monitor.rss")
check_lt "monitor peak RSS under 256 MB with the zoo (${rss} KB)" "${rss:-x}" 262144

# Times (ms of the day) of the good camera's heartbeats: "2026-...T12:34:56.789Z probe: 'good' up: ..."
mapfile -t times < <(grep "'good' up" "$OUT/monitor.err" | sed -n 's/^[0-9-]*T\([0-9]*\):\([0-9]*\):\([0-9]*\)\.\([0-9]*\)Z.*/\1 \2 \3 \4/p' |
	while read -r h m s ms; do echo $(((10#$h * 3600 + 10#$m * 60 + 10#$s) * 1000 + 10#$ms)); done)
check_lt "the good camera is up every cycle: ${#times[@]} heartbeats in 12.5 s" 5 "${#times[@]}"
worst=0
for ((i = 1; i < ${#times[@]}; i++)); do
	gap=$(((times[i] - times[i - 1] + 86400000) % 86400000))
	((gap > worst)) && worst=$gap
done
check_lt "the good camera's heartbeats are at most 2.5 s apart (worst gap $worst ms)" "$worst" 2500
check_eq "the good camera is never down" "" "$(grep "'good' down" "$OUT/monitor.err")"
check_eq "the good camera's probe is never skipped" "" "$(grep "skipped probe of 'good'" "$OUT/monitor.err")"
# The zoo did misbehave: every animal was probed and is down, for the reasons the --check tests name.
down=$(grep -o "'zoo[0-9]*' down" "$OUT/monitor.err" | sort -u | wc -l)
check_eq "every zoo stream was probed and is down" "${#ZOO[@]}" "$down"
for class in timeout protocol no_video unauthorized decode too_large; do
	check_match "a zoo stream is down with $class" "'zoo[0-9]*' down: $class: " "$log"
done
finish
