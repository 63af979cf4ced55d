#!/usr/bin/env bash
# /preview/NAME.jpg: a real frame of the right size; 8 viewers at once cost the camera one
# connection; unknown name 404; a dead camera 504 within the probe deadline + 1 s.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/web.sh"
start_rtsp
start_fault silent
cat >"$OUT/config.yaml" <<YAML
heartbeat_seconds: 30
probe_timeout_seconds: 3
streams:
  - name: Small cam
    url: rtsp://127.0.0.1:$RTSP_PORT/small
  - name: Silent cam
    url: rtsp://127.0.0.1:$FAULT_PORT/x
YAML
start_web "$OUT/config.yaml"
J="$OUT/admin.jar"
web_login "$J" admin admin123

: >"$RTSP_LOG"
pids=()
for i in 1 2 3 4 5 6 7 8; do
	curl -s -m 30 -b "$J" -o "$OUT/p$i.jpg" -D "$OUT/p$i.h" -w '%{http_code}\n' \
		"$WEB_URL/preview/Small%20cam.jpg" >"$OUT/p$i.code" &
	pids+=("$!")
done
wait "${pids[@]}" # not a bare wait: the test servers are this shell's jobs too
codes=$(cat "$OUT"/p?.code | sort -u | tr '\n' ' ')
check_eq "8 concurrent previews all 200" "200 " "$codes"
check_eq "8 concurrent previews: one upstream connection" 1 "$(grep -c '^CONNECT' "$RTSP_LOG")"
check_match "preview is image/jpeg" "Content-Type: image/jpeg" "$(cat "$OUT/p1.h")"
check_match "preview is not cached by browsers" "Cache-Control: no-store" "$(cat "$OUT/p1.h")"
size=$(ffprobe -v error -show_entries stream=width,height -of csv=p=0 "$OUT/p1.jpg")
check_eq "preview decodes to the stream's size" "320,240" "$size"
check "all 8 got the same frame" bash -c "[ \$(md5sum '$OUT'/p?.jpg | cut -d' ' -f1 | sort -u | wc -l) = 1 ]"

sleep 2.2
web_get "$J" "/preview/Small%20cam.jpg" >/dev/null
check_eq "a later preview probes again" 2 "$(grep -c '^CONNECT' "$RTSP_LOG")"

web_get "$J" /preview/nope.jpg >/dev/null
check_eq "unknown stream 404" 404 "$WEB_STATUS"
t0=$(now_ms)
web_get "$J" "/preview/Silent%20cam.jpg" >/dev/null
t1=$(now_ms)
check_eq "silent camera 504" 504 "$WEB_STATUS"
check_match "504 names the reason" "timeout" "$(cat "$WEB_BODY")"
check_lt "504 within the 3 s deadline + 1 s ($((t1 - t0)) ms)" $((t1 - t0)) 4000
web_get "$OUT/anon.jar" "/preview/Small%20cam.jpg" >/dev/null
check_eq "anonymous preview refused" 303 "$WEB_STATUS"
# The long-lived FastCGI workers exit through exit() on SIGTERM: ASan's leak check runs then.
stop_web
sleep 0.5
check "FastCGI workers: no leak or memory error across all requests" \
	bash -c "! grep -E 'LeakSanitizer|AddressSanitizer|runtime error' '$WEB_LOG' '$WEB_NGINX_LOG'"
finish
