#!/usr/bin/env bash
# HTTP probes against the MJPEG fixture: MJPEG (with and without part lengths), snapshots,
# Basic auth, and what is not video.
. "$(dirname "$0")/lib.sh"
start_mjpeg
H="http://127.0.0.1:$MJPEG_PORT"
A="http://$TEST_HTTP_USER:$TEST_HTTP_PASS@127.0.0.1:$MJPEG_PORT"
W="http://$TEST_HTTP_USER:wrong-$TEST_HTTP_PASS@127.0.0.1:$MJPEG_PORT"


check_probe "MJPEG stream" 0 '^OK - mjpeg 640x360, first frame in [0-9]+ ms' "$H/mjpeg"
check_probe "MJPEG without part lengths" 0 '^OK - mjpeg 640x360' "$H/mjpeg-nolen"
check_probe "snapshot URL" 0 '^OK - mjpeg 640x360' "$H/snapshot.jpg"
check_probe "Basic-auth MJPEG, right password" 0 '^OK - mjpeg 640x360' "$A/private/mjpeg"
check_probe "Basic-auth snapshot, right password" 0 '^OK - mjpeg 640x360' "$A/private/snapshot.jpg"
check_probe "Basic-auth MJPEG, wrong password" 2 '^CRITICAL - unauthorized: HTTP 401' "$W/private/mjpeg"
check_probe "Basic-auth MJPEG, no credentials" 2 '^CRITICAL - unauthorized: HTTP 401' "$H/private/mjpeg"
check_probe "HTML page" 2 '^CRITICAL - no_video: not a video: Content-Type text/html' "$H/page.html"
check_probe "404" 2 '^CRITICAL - not_found: HTTP 404' "$H/no-such-file"

dead=$(free_port)
check_probe "refused port" 2 '^CRITICAL - refused: connection refused' "http://127.0.0.1:$dead/"
start_fault silent
check_probe "silent peer" 2 '^CRITICAL - timeout: ' "http://127.0.0.1:$FAULT_PORT/" -t 1
start_fault close
check_probe "peer that closes at once" 2 '^CRITICAL - protocol: ' "http://127.0.0.1:$FAULT_PORT/"
check_probe "unsupported scheme is bad usage" 3 '^UNKNOWN - scheme .ftp. is not supported' "ftp://127.0.0.1/x"
out=$("$MON" --check "$H/mjpeg" -t nonsense 2>&1); rc=$?
check_eq "bad -t is bad usage (exit 3)" 3 "$rc"
check_match "bad -t says what is wrong" "-t wants whole seconds" "$out"
finish
