#!/usr/bin/env bash
# Zoo of misbehaving cameras, TCP level: a peer that accepts and stays silent, hangs up, or
# answers one byte per second (slowloris), for RTSP and HTTP, and a TLS handshake that stalls.
# Each probe keeps its deadline and names the failure.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zoo.sh"
start_hostile
Z="127.0.0.1:$HOSTILE_PORT"

zoo_check "RTSP, silent peer" timeout 'no RTSP answer within 3000 ms' "rtsp://$Z/tcp/silent"
zoo_check "HTTP, silent peer" timeout 'no image within 3000 ms' "http://$Z/tcp/silent"
zoo_check "RTSP, peer hangs up" protocol 'RTSP setup failed' "rtsp://$Z/tcp/close"
zoo_check "HTTP, peer hangs up" protocol 'Empty reply' "http://$Z/tcp/close"
zoo_check "RTSP, slowloris" timeout 'no RTSP answer within 3000 ms' "rtsp://$Z/tcp/slowloris"
zoo_check "HTTP, slowloris" timeout 'no image within 3000 ms' "http://$Z/tcp/slowloris"
zoo_check "HTTPS, TLS handshake stalls" timeout 'TLS handshake not done within 3000 ms' "https://$Z/tls"
zoo_check "RTSPS, TLS handshake stalls" timeout 'no RTSP answer within 3000 ms' "rtsps://$Z/tls"
check "the server saw the TLS handshakes" grep -q '^TLS$' "$HOSTILE_LOG"
zoo_table
finish
