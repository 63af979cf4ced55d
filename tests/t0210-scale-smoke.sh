#!/usr/bin/env bash
# Bench smoke: 200 streams (80 % RTSP from the replay server, 20 % MJPEG), 2 cycles. Fails when
# a probe is skipped or a started probe's heartbeat is lost.
. "$(dirname "$0")/lib.sh"
make -s -C "$SP_ROOT" -f tests/fixtures/fixtures.mk fixtures >"$OUT/build.log" 2>&1 ||
	bail "build fixtures" "$(tail -5 "$OUT/build.log")"
ffmpeg -v error -f lavfi -i testsrc=size=640x360:rate=10 -t 4 -pix_fmt yuv420p -c:v libx264 \
	-preset ultrafast -tune zerolatency -x264-params keyint=20:min-keyint=20:scenecut=0 \
	-bsf:v h264_mp4toannexb -f h264 "$OUT/clip.h264" || bail "make the clip" "ffmpeg failed"
sp_start replay REPLAY_PORT "$SP_ROOT/build/fixtures/rtsp_replay" --clip "$OUT/clip.h264" --fps 10 \
	--gop-wait-max-ms 2000 --max-seconds 300
start_mjpeg
INTERVAL=10
{
	echo "heartbeat_seconds: $INTERVAL"
	echo "probe_timeout_seconds: 6"
	echo "max_concurrent_probes: 100"
	echo "max_probes_per_host: 0" # every simulated camera is on 127.0.0.1
	echo "max_clients: 0" # simulated cameras share one host:port: no client slot limit
	echo "streams:"
	for ((i = 0; i < 200; i++)); do
		if ((i % 5 == 4)); then u="http://127.0.0.1:$MJPEG_PORT/mjpeg"; else u="rtsp://127.0.0.1:$REPLAY_PORT/cam$i"; fi
		printf '  - name: cam%03d\n    url: %s\n' "$i" "$u"
	done
} >"$OUT/config.yaml"
"$MON" -c "$OUT/config.yaml" 2>"$OUT/monitor.err" &
pid=$!
wait_for "monitor scheduled 200 streams" 15 grep -q "200 streams scheduled" "$OUT/monitor.err"
sleep $((2 * INTERVAL)).3
kill -TERM "$pid"
wait "$pid"
check_eq "monitor exits 0" 0 "$?"
line=$(grep "stopped:" "$OUT/monitor.err")
read -r started skipped written cancelled < <(sed -n 's/.*stopped: \([0-9]*\) probes started, \([0-9]*\) skipped, \([0-9]*\) heartbeats written, \([0-9]*\) cancelled.*/\1 \2 \3 \4/p' <<<"$line")
echo "started=$started skipped=$skipped written=$written cancelled=$cancelled" >"$OUT/figures"
check_eq "no probe skipped ($line)" 0 "${skipped:-x}"
check_lt "2 cycles of 200 started (started $started)" 399 "${started:-0}"
check_eq "every started probe written or cancelled at shutdown" "$started" "$((written + cancelled))"
n=$(hb_sql "$OUT/config.yaml" "SELECT count(*) FROM heartbeats")
check_eq "database holds every written heartbeat" "$written" "$n"
check_eq "every heartbeat is up" 0 "$(hb_sql "$OUT/config.yaml" "SELECT count(*) FROM heartbeats WHERE up = 0")"
check_lt "at most the probes of the last second were cancelled ($cancelled)" "${cancelled:-999}" 60
finish
