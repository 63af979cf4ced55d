#!/usr/bin/env bash
# Streams with passwords in their URLs, right and wrong, through every path that writes text:
# the -v log, --check output and the database. t9990 then greps the whole run.
. "$(dirname "$0")/lib.sh"
start_rtsp
start_mjpeg
start_fault silent
dead=$(free_port)
RU="$TEST_RTSP_USER:$TEST_RTSP_PASS"
HU="$TEST_HTTP_USER:$TEST_HTTP_PASS"
cat >"$OUT/config.yaml" <<YAML
heartbeat_seconds: 5
probe_timeout_seconds: 2
max_clients: 0 # the test cameras share one host:port; slots are t0720's subject
streams:
  - name: rtsp right
    url: rtsp://$RU@127.0.0.1:$RTSP_PORT/secure
  - name: rtsp wrong
    url: rtsp://$TEST_RTSP_USER:x$TEST_RTSP_PASS@127.0.0.1:$RTSP_PORT/secure
  - name: rtsp refused
    url: rtsp://$RU@127.0.0.1:$dead/secure
  - name: rtsp silent
    url: rtsp://$RU@127.0.0.1:$FAULT_PORT/secure
  - name: http right
    url: http://$HU@127.0.0.1:$MJPEG_PORT/private/mjpeg
  - name: http wrong
    url: http://$TEST_HTTP_USER:x$TEST_HTTP_PASS@127.0.0.1:$MJPEG_PORT/private/mjpeg
  - name: http 404
    url: http://$HU@127.0.0.1:$MJPEG_PORT/private/none
  - name: http silent
    url: http://$HU@127.0.0.1:$FAULT_PORT/
YAML
"$MON" -c "$OUT/config.yaml" --once -v 2>"$OUT/monitor.err"
check_eq "--once exits 0" 0 "$?"
db="$OUT/data/streams.db"
states=$(hb_sql "$OUT/config.yaml" "SELECT s.name || '=' || coalesce(h.error, 'up') FROM heartbeats h JOIN streams s ON s.id = h.stream_id ORDER BY s.id" | tr '\n' ' ')
check_eq "states with credentials" "rtsp right=up rtsp wrong=unauthorized rtsp refused=refused rtsp silent=timeout http right=up http wrong=unauthorized http 404=not_found http silent=timeout " "$states"
check_eq "wrong RTSP credentials are never 'up'" 0 \
	"$(hb_sql "$OUT/config.yaml" "SELECT count(*) FROM heartbeats h JOIN streams s ON s.id = h.stream_id WHERE s.name LIKE '%wrong' AND up = 1")"
for url in $(sed -n 's/^ *url: //p' "$OUT/config.yaml"); do
	"$MON" --check "$url" -t 2 >>"$OUT/check.out" 2>&1
done
for which in RTSP HTTP; do
	pw_var=TEST_${which}_PASS
	pw=${!pw_var}
	check_eq "no $which password in the -v log" 0 "$(grep -cF -- "$pw" "$OUT/monitor.err")"
	check_eq "no $which password in --check output" 0 "$(grep -cF -- "$pw" "$OUT/check.out")"
	check_eq "no $which password in the database" 0 "$(sqlite3 "$db" .dump | grep -cF -- "$pw")"
done
finish
