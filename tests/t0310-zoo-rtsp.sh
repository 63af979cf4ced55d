#!/usr/bin/env bash
# Zoo of misbehaving cameras, RTSP: broken replies, SDPs without video (empty, 10 MB, audio
# only), an SDP claiming 2 GB, endless 401s and redirects, RTP that never comes, random
# payloads and corrupt H.264.
# Each probe names the failure within its deadline, without a crash, in bounded memory.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zoo.sh"
start_hostile
Z="rtsp://127.0.0.1:$HOSTILE_PORT/rtsp"
CRED="rtsp://$TEST_RTSP_USER:$TEST_RTSP_PASS@127.0.0.1:$HOSTILE_PORT/rtsp"

# The control: the clip the corrupt modes garble decodes when sent as it is.
zoo_ok "clean clip (control)" "$Z/clip"
zoo_check "garbage status line" protocol 'RTSP setup failed' "$Z/garbage"
zoo_check "200 with an empty SDP" protocol 'RTSP setup failed' "$Z/empty-sdp"
zoo_check "200 with a 10 MB SDP" no_video 'no video stream' "$Z/huge-sdp"
# FFmpeg allocated the claimed 2 GB and read until the deadline: 880 MB RSS; now refused at once.
zoo_check "200 claiming a 2 GB SDP" protocol 'RTSP setup failed' "$Z/endless-sdp"
check_lt "2 GB SDP: over in under a second ($LAST_ELAPSED_MS ms)" "$LAST_ELAPSED_MS" 1000
zoo_check "SDP with audio only" no_video 'no video stream' "$Z/audio-only"
zoo_check "401 forever, no credentials" unauthorized 'RTSP 401' "$Z/auth-loop"
zoo_check "401 forever, with credentials" unauthorized 'RTSP 401' "$CRED/auth-loop"
check "the 401 line holds no password" test "${LAST_OUT/$TEST_RTSP_PASS/}" = "$LAST_OUT"
zoo_check "302 to itself" protocol 'more than 3 RTSP redirects' "$Z/redirect-loop"
# FFmpeg alone reconnected about 700 times a second until the deadline. The 4th redirect's
# connection is made before the probe can stop it, but no request goes out on it.
check_eq "redirect loop: the first request and 3 redirects followed" 4 \
	"$(grep -c '^OPTIONS /rtsp/redirect-loop$' "$HOSTILE_LOG")"
zoo_check "SETUP ok, no RTP ever" timeout 'no clean video frame within 3000 ms \(0 packets, no keyframe\)' \
	"$Z/no-rtp"
zoo_check "RTP with random payloads" decode 'no clean video frame within 3000 ms' "$Z/random-rtp"
zoo_check "H.264 with corrupt slices" decode 'no clean video frame within 3000 ms \([0-9]+ packets, [1-9]' \
	"$Z/corrupt-h264"
zoo_table
finish
