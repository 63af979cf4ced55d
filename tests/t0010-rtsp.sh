#!/usr/bin/env bash
# RTSP probes against the GStreamer server: codec and exact size, multi-slice frames, auth, errors.
. "$(dirname "$0")/lib.sh"
start_rtsp
R="rtsp://127.0.0.1:$RTSP_PORT"

elapsed() { sed -n 's/.*elapsed=\([0-9]*\)ms.*/\1/p' <<<"$LAST_OUT"; }

check_probe "/cam" 0 '^OK - h264 640x360, first frame in [0-9]+ ms' "$R/cam" -t 10
check_probe "/small" 0 '^OK - h264 320x240, first frame in [0-9]+ ms' "$R/small" -t 10
check_probe "/sliced (multi-slice)" 0 '^OK - h264 640x360, first frame in [0-9]+ ms' "$R/sliced" -t 10
check_probe "/secure, right password (Digest)" 0 '^OK - h264 640x360' \
	"rtsp://$TEST_RTSP_USER:$TEST_RTSP_PASS@127.0.0.1:$RTSP_PORT/secure"
check_probe "/secure, wrong password" 2 '^CRITICAL - unauthorized: RTSP 401' \
	"rtsp://$TEST_RTSP_USER:wrong-$TEST_RTSP_PASS@127.0.0.1:$RTSP_PORT/secure"
check_probe "/secure, no credentials" 2 '^CRITICAL - unauthorized: ' "$R/secure"
check_probe "path that does not exist" 2 '^CRITICAL - not_found: RTSP 404' "$R/no-such-path"

dead=$(free_port)
check_probe "refused port" 2 '^CRITICAL - refused: connection refused' "rtsp://127.0.0.1:$dead/x"
check_lt "refused port fails in under 100 ms (probe took $(elapsed) ms)" "$(elapsed)" 100

start_fault silent
t0=$(now_ms)
check_probe "silent TCP peer" 2 '^CRITICAL - timeout: ' "rtsp://127.0.0.1:$FAULT_PORT/x" -t 2
t1=$(now_ms)
e=$(elapsed)
check_lt "silent peer: timeout at the 2 s deadline + 0.5 s (probe took $e ms)" "$e" 2500
check_lt "silent peer: not before the deadline ($e ms)" 1999 "$e"
check_lt "silent peer: whole command within deadline + 1.5 s ($((t1 - t0)) ms)" $((t1 - t0)) 3500

# The thumbnail of the multi-slice stream must be a whole picture, not a concealed half-grey one.
cat >"$OUT/config.yaml" <<YAML
heartbeat_seconds: 5
streams:
  - name: sliced
    url: $R/sliced
YAML
"$MON" -c "$OUT/config.yaml" --once -v 2>"$OUT/once.err"
thumb="$OUT/data/thumbs/1.jpg"
check "--once wrote a thumbnail for the sliced stream" test -s "$thumb"
size=$(ffprobe -v error -show_entries stream=width,height -of csv=p=0 "$thumb")
check_eq "thumbnail is 320 px wide, aspect kept" "320,180" "$size"
# signalstats of the bottom half: a concealed (grey) half is flat, the test pattern is not.
stats=$(ffmpeg -v error -i "$thumb" -vf "crop=iw:ih/2:0:ih/2,signalstats,metadata=print:file=-" -f null - 2>&1)
ymin=$(sed -n 's/.*signalstats.YMIN=\([0-9]*\).*/\1/p' <<<"$stats" | head -1)
ymax=$(sed -n 's/.*signalstats.YMAX=\([0-9]*\).*/\1/p' <<<"$stats" | head -1)
echo "bottom half luma: min $ymin max $ymax" >>"$OUT/check.log"
check_lt "bottom half of the sliced thumbnail is not flat grey (luma range $ymin..$ymax)" 60 $((ymax - ymin))
# Concealment can also smear instead of grey: compare with the pattern GStreamer draws, left
# 60 % (the right holds moving noise). Clean frames differ by ~12 (JPEG, scaling), smeared by ~50.
gst-launch-1.0 -q videotestsrc pattern=smpte num-buffers=1 ! video/x-raw,width=320,height=180 ! \
	videoconvert ! pngenc ! filesink location="$OUT/reference.png"
diff=$(ffmpeg -v error -i "$thumb" -i "$OUT/reference.png" -lavfi "[0]format=gbrp[a];[1]format=gbrp[b];[a][b]blend=all_mode=difference,crop=192:180:0:0,format=gray,signalstats,metadata=print:file=-" -f null - 2>&1 | sed -n 's/.*YAVG=\([0-9]*\).*/\1/p' | head -1)
check_lt "sliced thumbnail matches the test pattern (mean difference ${diff:-none})" "${diff:-999}" 25
check_match "the multi-slice stream was up in the --once run" "first state: 'sliced' up: h264 640x360" "$(cat "$OUT/once.err")"
finish
