#!/usr/bin/env bash
# The config editor: CSRF, a valid save the monitor picks up, an invalid URL refused with the
# file untouched, two editors on one version (409), masked passwords kept, renames keep history.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/web.sh"
start_rtsp
start_mjpeg
cfg="$OUT/config.yaml"
cat >"$cfg" <<YAML
heartbeat_seconds: 2
timezone: UTC
notify:
  email: ops@example.invalid
streams:
  - name: Lobby
    url: rtsp://$TEST_RTSP_USER:$TEST_RTSP_PASS@127.0.0.1:$RTSP_PORT/secure
    transport: tcp
    timeout_seconds: 4
YAML
"$MON" -c "$cfg" 2>"$OUT/monitor.err" &
start_web "$cfg"
db="$OUT/data/streams.db"
J="$OUT/admin.jar"
web_login "$J" admin admin123
web_get "$J" /config >/dev/null
form=$(cat "$WEB_BODY")
check_eq "editor opens" 200 "$WEB_STATUS"
csrf=$(csrf_in "$WEB_BODY")
version=$(sed -n 's/.*name="version" value="\([0-9a-f]*\)".*/\1/p' "$WEB_BODY")
check_match "the form carries the file's version" '^[0-9a-f]{64}$' "$version"
check "password shown masked in the form" bash -c "grep -qF 'rtsp://$TEST_RTSP_USER:•••@' '$WEB_BODY' && ! grep -qF '$TEST_RTSP_PASS' '$WEB_BODY'"
cp "$cfg" "$OUT/before.yaml"

# post FIELDS...: POST /config with the form's usual fields plus FIELDS.
post() {
	web_get "$J" /config --data-urlencode "version=${VERSION:-$version}" -d heartbeat_seconds=2 -d timezone=UTC \
		-d rows=2 -d name0=Lobby -d old0=Lobby -d enabled0=1 \
		--data-urlencode "url0=rtsp://$TEST_RTSP_USER:•••@127.0.0.1:$RTSP_PORT/secure" "$@" >/dev/null
}
post -d name1=Extra --data-urlencode "url1=http://127.0.0.1:$MJPEG_PORT/mjpeg" -d enabled1=1
check_eq "POST without a CSRF token: 403" 403 "$WEB_STATUS"
check "file unchanged after the CSRF failure" cmp -s "$cfg" "$OUT/before.yaml"
post -d csrf=0000 -d name1=Extra --data-urlencode "url1=http://127.0.0.1:$MJPEG_PORT/mjpeg" -d enabled1=1
check_eq "POST with a wrong CSRF token: 403" 403 "$WEB_STATUS"
check "file unchanged after the wrong token" cmp -s "$cfg" "$OUT/before.yaml"

post -d "csrf=$csrf" -d name1=Extra --data-urlencode "url1=ftp://127.0.0.1/x" -d enabled1=1
check_eq "invalid URL: 400" 400 "$WEB_STATUS"
check_match "the error names the URL problem" "scheme &#39;ftp&#39; is not supported" "$(cat "$WEB_BODY")"
check_match "the error sits at the new row's URL field" 'data-field="row1.url"' "$(cat "$WEB_BODY")"
check "file unchanged after the invalid save" cmp -s "$cfg" "$OUT/before.yaml"

t0=$(now_ms)
post -d "csrf=$csrf" -d name1=Extra --data-urlencode "url1=http://127.0.0.1:$MJPEG_PORT/mjpeg" -d enabled1=1
check_eq "valid save: 303 back to the form" 303 "$WEB_STATUS"
check "the saved file holds the new stream" grep -q "name: Extra" "$cfg"
check "the masked password was kept" grep -qF "$TEST_RTSP_USER:$TEST_RTSP_PASS@" "$cfg"
check "keys the form does not show are kept" grep -q "email: ops@example.invalid" "$cfg"
check "per-stream keys are kept" grep -q "timeout_seconds: 4" "$cfg"
check "the saved file is valid" "$MON" --check-config -c "$cfg"
extra() { [ "$(hb_sql "$cfg" "SELECT count(*) FROM heartbeats h JOIN streams s ON s.id = h.stream_id WHERE s.name = 'Extra'" 2>/dev/null)" -ge 1 ]; }
wait_for "monitor probes the new stream" 6 extra
t1=$(now_ms)
check_lt "monitor probed it within 2 intervals (4 s): $((t1 - t0)) ms" $((t1 - t0)) 4000

# Two editors opened the same version: the second save is refused, the first kept.
cp "$cfg" "$OUT/after-first.yaml"
VERSION=$version post -d "csrf=$csrf" -d name1=Other --data-urlencode "url1=http://127.0.0.1:$MJPEG_PORT/snapshot.jpg"
check_eq "second editor on a stale version: 409" 409 "$WEB_STATUS"
check_match "409 says the file changed" "changed since you opened it" "$(cat "$WEB_BODY")"
check "the first editor's change is kept" cmp -s "$cfg" "$OUT/after-first.yaml"

# A kept (masked) password is not sent to another host.
web_get "$J" /config >/dev/null
v3=$(sed -n 's/.*name="version" value="\([0-9a-f]*\)".*/\1/p' "$WEB_BODY")
cp "$cfg" "$OUT/before-move.yaml"
web_get "$J" /config --data-urlencode "version=$v3" -d heartbeat_seconds=2 -d timezone=UTC -d rows=1 \
	-d name0=Lobby -d old0=Lobby -d enabled0=1 -d "csrf=$csrf" \
	--data-urlencode "url0=rtsp://$TEST_RTSP_USER:•••@localhost:$RTSP_PORT/secure" >/dev/null
check_eq "masked password with a new host: 400" 400 "$WEB_STATUS"
check_match "says to type the password again" "type its password again" "$(cat "$WEB_BODY")"
check "file unchanged when the host changed under a kept password" cmp -s "$cfg" "$OUT/before-move.yaml"

# Rename keeps history.
before=$(hb_sql "$cfg" "SELECT count(*) FROM heartbeats h JOIN streams s ON s.id = h.stream_id WHERE s.name = 'Lobby'")
web_get "$J" /config >/dev/null
version=$(sed -n 's/.*name="version" value="\([0-9a-f]*\)".*/\1/p' "$WEB_BODY")
web_get "$J" /config --data-urlencode "version=$version" -d heartbeat_seconds=2 -d timezone=UTC -d rows=2 \
	-d name0=Front%20hall -d old0=Lobby -d enabled0=1 --data-urlencode "url0=rtsp://$TEST_RTSP_USER:•••@127.0.0.1:$RTSP_PORT/secure" \
	-d name1=Extra -d old1=Extra -d enabled1=1 --data-urlencode "url1=http://127.0.0.1:$MJPEG_PORT/mjpeg" -d "csrf=$csrf" >/dev/null
check_eq "rename saved" 303 "$WEB_STATUS"
after=$(hb_sql "$cfg" "SELECT count(*) FROM heartbeats h JOIN streams s ON s.id = h.stream_id WHERE s.name = 'Front hall'")
check_lt "renamed stream keeps its history ($before before, $after after)" $((before - 1)) "$after"
# The long-lived FastCGI workers exit through exit() on SIGTERM: ASan's leak check runs then.
stop_web
sleep 0.5
check "FastCGI workers: no leak or memory error across all requests" \
	bash -c "! grep -E 'LeakSanitizer|AddressSanitizer|runtime error' '$WEB_LOG' '$WEB_NGINX_LOG'"
finish
