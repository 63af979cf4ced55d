#!/usr/bin/env bash
# Smoke test of the test servers themselves (no monitor needed): if this fails,
# every other test's verdict is meaningless.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

t0=$(now_ms)
start_rtsp
echo "# rtsp server READY in $(($(now_ms) - t0)) ms"
start_mjpeg
start_fault silent
SILENT=$FAULT_PORT
start_fault close

probe() { # ffprobe's "codec,width,height" of the video stream
	timeout 20 ffprobe -v error -rtsp_transport tcp -select_streams v \
		-show_entries stream=codec_name,width,height -of csv=p=0 "$@" 2>>"$OUT/ffprobe.err"
}
R="rtsp://127.0.0.1:$RTSP_PORT"

# RTSP
check_eq "rtsp /cam is h264 640x360" "h264,640,360" "$(probe "$R/cam")"
check_eq "rtsp /small is h264 320x240" "h264,320,240" "$(probe "$R/small")"
t0=$(now_ms)
check_eq "rtsp /sliced is h264 640x360" "h264,640,360" "$(probe "$R/sliced")"
echo "# ffprobe /sliced took $(($(now_ms) - t0)) ms"
check_eq "rtsp /secure without credentials fails" "" "$(probe "$R/secure")"
check "rtsp /secure without credentials: 401" grep -q "secure: Server returned 401" "$OUT/ffprobe.err"
check_eq "rtsp /secure with Digest credentials is h264" "h264,640,360" \
	"$(probe "rtsp://$TEST_RTSP_USER:$TEST_RTSP_PASS@127.0.0.1:$RTSP_PORT/secure")"
check_eq "rtsp /secure with a wrong password fails" "" \
	"$(probe "rtsp://$TEST_RTSP_USER:wrong@127.0.0.1:$RTSP_PORT/secure")"
describe() { # the raw reply to an unauthenticated DESCRIBE
	"$PY" -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"DESCRIBE %s RTSP/1.0\r\nCSeq: 1\r\n\r\n" % sys.argv[2].encode())
print(s.recv(4096).decode())' "$RTSP_PORT" "$1"
}
reply=$(describe "$R/secure")
check_match "rtsp /secure challenges with Digest" $'\nWWW-Authenticate: Digest realm=' "$reply"
check_eq "rtsp /secure offers no Basic" "" "$(grep -i 'Authenticate: Basic' <<<"$reply")"
check_eq "rtsp unknown path fails" "" "$(probe "$R/nope")"
check "rtsp log has DESCRIBE /cam" grep -qx "DESCRIBE /cam" "$RTSP_LOG"
check "rtsp log has DESCRIBE /secure" grep -qx "DESCRIBE /secure" "$RTSP_LOG"
check_eq "rtsp log: one CONNECT per client (7 ffprobe + 1 raw)" 8 "$(grep -cx CONNECT "$RTSP_LOG")"

# MJPEG over HTTP
H="http://127.0.0.1:$MJPEG_PORT"
code_type() { curl -s -o "$OUT/body" -m 5 -w '%{http_code} %{content_type}' "$@"; }
check_eq "snapshot is a 200 image/jpeg" "200 image/jpeg" "$(code_type "$H/snapshot.jpg")"
check_eq "snapshot decodes as 640x360" "mjpeg,640,360" \
	"$(ffprobe -v error -show_entries stream=codec_name,width,height -of csv=p=0 "$OUT/body")"
check_eq "private snapshot without auth is 401" "401 text/plain" "$(code_type "$H/private/snapshot.jpg")"
check_match "401 offers Basic realm=cam" 'WWW-Authenticate: Basic realm="cam"' \
	"$(curl -s -m 5 -D - -o /dev/null "$H/private/snapshot.jpg")"
check_eq "private snapshot with auth is 200" "200 image/jpeg" \
	"$(code_type -u "$TEST_HTTP_USER:$TEST_HTTP_PASS" "$H/private/snapshot.jpg")"
check_eq "private snapshot with a wrong password is 401" "401 text/plain" \
	"$(code_type -u "$TEST_HTTP_USER:wrong" "$H/private/snapshot.jpg")"
check_match "page.html is text/html" '^200 text/html' "$(code_type "$H/page.html")"
check_match "unknown path is 404" '^404 text/plain' "$(code_type "$H/nope")"

# The stream: 1.2 s of it must hold ~10 frames, each part with a Content-Length.
curl -s -m 1.2 -D "$OUT/mjpeg.hdr" -o "$OUT/mjpeg.body" "$H/mjpeg"
check "mjpeg content type" grep -qi '^Content-Type: multipart/x-mixed-replace; boundary=spframe' "$OUT/mjpeg.hdr"
n=$(grep -ac -- '^--spframe' "$OUT/mjpeg.body")
check_lt "mjpeg sent more than 5 frames in 1.2 s ($n)" 5 "$n"
check_lt "mjpeg paced at 10 fps: fewer than 16 frames in 1.2 s ($n)" "$n" 16
check_eq "mjpeg parts have Content-Length" "$n" "$(grep -ac '^Content-Length: ' "$OUT/mjpeg.body")"
curl -s -m 0.5 -o "$OUT/nolen.body" "$H/mjpeg-nolen"
check_lt "mjpeg-nolen sends parts" 0 "$(grep -ac -- '^--spframe' "$OUT/nolen.body")"
check_eq "mjpeg-nolen parts have no Content-Length" 0 "$(grep -ac '^Content-Length: ' "$OUT/nolen.body")"
check_eq "private mjpeg without auth is 401" "401 text/plain" "$(code_type "$H/private/mjpeg")"
curl -s -m 0.5 -u "$TEST_HTTP_USER:$TEST_HTTP_PASS" -o "$OUT/private.body" "$H/private/mjpeg"
check_lt "private mjpeg with auth streams" 0 "$(grep -ac -- '^--spframe' "$OUT/private.body")"
check "mjpeg log has GET /snapshot.jpg" grep -qx "GET /snapshot.jpg" "$MJPEG_LOG"
check "mjpeg server survived clients hanging up" kill -0 "$MJPEG_PID"

# Fault peers
curl_rc() { curl -s -o /dev/null "$@"; echo $?; }
t0=$(now_ms)
check_eq "silent port: curl -m 1 times out" 28 "$(curl_rc -m 1 "http://127.0.0.1:$SILENT/")"
e=$(($(now_ms) - t0))
check_lt "silent port held the client ~1 s (took $e ms)" 900 "$e"
check_match "close port: curl gets an empty reply (52) or a reset (56)" "^5[26]$" "$(curl_rc -m 2 "http://127.0.0.1:$FAULT_PORT/")"

for pid in "$RTSP_PID" "$MJPEG_PID" "$FAULT_PID"; do
	check_eq "pid $pid listens on 127.0.0.1 only" "" "$(ss -Htulnp | grep "pid=$pid," | grep -v " 127\.0\.0\.1:")"
done
finish
