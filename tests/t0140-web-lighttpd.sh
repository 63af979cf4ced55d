#!/usr/bin/env bash
# The same binary as plain CGI under lighttpd mod_cgi (OpenWrt): login, dashboard, JSON API.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/web.sh"
start_mjpeg
cat >"$OUT/config.yaml" <<YAML
heartbeat_seconds: 2
streams:
  - name: Workshop
    url: http://127.0.0.1:$MJPEG_PORT/snapshot.jpg
  - name: "Café <b>"
    url: rtsp://127.0.0.1:$(free_port)/x
YAML
"$MON" -c "$OUT/config.yaml" 2>"$OUT/monitor.err" &
start_lighttpd "$OUT/config.yaml"
WEB_URL=$LIGHTTPD_URL
wait_for "monitor wrote both streams" 10 bash -c "[ \"\$(sqlite3 '$OUT/data/streams.db' 'SELECT count(*) FROM streams WHERE state IS NOT NULL')\" = 2 ]"
J="$OUT/admin.jar"
web_login "$J" admin admin123
check_eq "login through mod_cgi" 303 "$WEB_STATUS"
web_get "$J" / >/dev/null
page=$(cat "$WEB_BODY")
check_eq "dashboard through mod_cgi" 200 "$WEB_STATUS"
check_match "Workshop is up" '<tr class="state-up" data-name="Workshop">' "$page"
check_match "the other is down, name escaped" '<tr class="state-down" data-name="Café &lt;b&gt;">' "$page"
web_get "$J" /api/streams >/dev/null
check_eq "API through mod_cgi" 200 "$WEB_STATUS"
check_eq "API JSON lists both" "Café <b>,Workshop" "$(jq -r '[.streams[].name] | sort | join(",")' "$WEB_BODY")"
web_get "$J" "/stream/Caf%C3%A9%20%3Cb%3E" >/dev/null
check_eq "history of a UTF-8 name with markup" 200 "$WEB_STATUS"
web_get "$J" "/thumb/Workshop.jpg" >/dev/null
check_eq "thumbnail through mod_cgi" 200 "$WEB_STATUS"
check "thumbnail bytes intact (a JPEG that decodes)" ffprobe -v error "$WEB_BODY"
finish
