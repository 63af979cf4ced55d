#!/usr/bin/env bash
# Dashboard, history, JSON, CSV and health through nginx + FastCGI, with the states the monitor
# recorded; hostile names and messages come out escaped in HTML and JSON.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/web.sh"
start_rtsp
start_mjpeg
start_fault close
XSS_NAME='<script>alert(1)</script>'
cat >"$OUT/config.yaml" <<YAML
heartbeat_seconds: 2
timezone: Asia/Kolkata
probe_timeout_seconds: 3
max_clients: 0 # the test cameras share one host:port; slots are t0720's subject
streams:
  - name: Lobby
    url: rtsp://$TEST_RTSP_USER:$TEST_RTSP_PASS@127.0.0.1:$RTSP_PORT/secure
  - name: "$XSS_NAME"
    url: http://127.0.0.1:$MJPEG_PORT/snapshot.jpg
  - name: Dead door
    url: rtsp://127.0.0.1:$(free_port)/x
  - name: Hostile message
    url: http://127.0.0.1:$FAULT_PORT/x
  - name: Not yet
    url: rtsp://127.0.0.1:$RTSP_PORT/cam
    enabled: false
YAML
"$MON" -c "$OUT/config.yaml" 2>"$OUT/monitor.err" &
start_web "$OUT/config.yaml"
db="$OUT/data/streams.db"
wait_for "monitor wrote every enabled stream" 15 bash -c "[ \"\$(sqlite3 '$db' 'SELECT count(*) FROM streams WHERE state IS NOT NULL')\" -ge 4 ]"
# A message as hostile as a camera could make it: injected straight into the store.
sqlite3 "$db" "UPDATE streams SET last_message = '\"><img src=x onerror=alert(1)>' WHERE name = 'Hostile message'"

J="$OUT/admin.jar"
web_login "$J" admin admin123
web_get "$J" / >/dev/null
page=$(cat "$WEB_BODY")
check_eq "dashboard 200" 200 "$WEB_STATUS"
for n in Lobby "Dead door" "Hostile message" "Not yet"; do
	check_match "dashboard lists '$n'" "data-name=\"$n\"" "$page"
done
check_match "Lobby is up (digest camera)" 'data-name="Lobby">[^<]*<td class="thumb">.*' "$(tr -d '\n' <<<"$page")"
row() { tr -d '\n' <<<"$page" | grep -o "<tr class=\"state-[a-z]*\" data-name=\"$1\">" ; }
check_eq "Lobby row is up" '<tr class="state-up" data-name="Lobby">' "$(row Lobby)"
check_eq "Dead door row is down" '<tr class="state-down" data-name="Dead door">' "$(row 'Dead door')"
check_eq "disabled stream never probed" '<tr class="state-never" data-name="Not yet">' "$(row 'Not yet')"
check_match "down reason shown" "refused: connection refused" "$page"
check_match "counts at the top" '([0-9]+) down' "$page"
check "script name is escaped in HTML" bash -c "grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' '$WEB_BODY' && ! grep -qF '<script>alert(1)' '$WEB_BODY'"
check "hostile message is escaped in HTML" bash -c "grep -qF '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;' '$WEB_BODY' && ! grep -qF '<img src=x' '$WEB_BODY'"
check_match "down streams come first" 'state-down.*state-down.*state-up' "$(tr -d '\n' <<<"$page")"
web_get "$J" "/?state=up" >/dev/null
filtered=$(cat "$WEB_BODY")
check "filter by state keeps only up streams" bash -c "! grep -q 'state-down' '$WEB_BODY' && grep -q 'data-name=\"Lobby\"' '$WEB_BODY'"
web_get "$J" "/?q=dead" >/dev/null
check_eq "filter by name" 1 "$(grep -c 'data-name=' "$WEB_BODY")"

web_get "$J" /api/streams >/dev/null

json=$(cat "$WEB_BODY")
check_eq "API 200" 200 "$WEB_STATUS"
check "API is valid JSON" jq -e . "$WEB_BODY"
check_eq "API name round-trips exactly" "$XSS_NAME" "$(jq -r '.streams[] | select(.name | startswith("<")) | .name' "$WEB_BODY")"
check_eq "API message round-trips exactly" '"><img src=x onerror=alert(1)>' "$(jq -r '.streams[] | select(.name == "Hostile message") | .message' "$WEB_BODY")"
check "API escapes < in JSON strings or keeps it inside a string" jq -e '.streams | length == 5' "$WEB_BODY"
check_eq "API states" "down,down,never,up,up" "$(jq -r '[.streams[].state] | sort | join(",")' "$WEB_BODY")"
check "the list carries no per-stream history (that is /heartbeats)" bash -c "! grep -q '\"recent\"' '$WEB_BODY'"
check_match "API times are absolute UTC ms" '"last_ms":[0-9]{13}' "$json"
# A new heartbeat batch from the monitor is seen at once, whatever the workers kept.
last=$(jq -r '.streams[] | select(.name == "Lobby") | .last_ms' "$WEB_BODY")
etag=$(sed -n 's/^ETag: *//Ip' "$WEB_HEADERS" | tr -d '\r')
newer() {
	web_get "$J" /api/streams >/dev/null
	[ "$(jq -r '.streams[] | select(.name == "Lobby") | .last_ms' "$WEB_BODY")" -gt "$last" ]
}
check "the monitor's next write shows in the API (cache follows the data)" wait_for "newer Lobby heartbeat" 10 newer
web_get "$J" /api/streams >/dev/null
check "with a new ETag" bash -c "! grep -qiF 'ETag: $etag' '$WEB_HEADERS'"

web_get "$J" /stream/Lobby >/dev/null

hist=$(cat "$WEB_BODY")
check_eq "history page 200" 200 "$WEB_STATUS"
check_match "history has the latency chart" '<svg class="chart"' "$hist"
check_match "history has uptime" 'id="uptime-day">[0-9.]+ %' "$hist"
web_get "$J" "/stream/$(jq -rn --arg n "$XSS_NAME" '$n|@uri')" >/dev/null
check_eq "history of the script-named stream" 200 "$WEB_STATUS"
check "its title is escaped" bash -c "! grep -qF '<script>alert(1)' '$WEB_BODY'"
web_get "$J" /stream/nope >/dev/null
check_eq "unknown stream 404" 404 "$WEB_STATUS"
web_get "$J" "/api/streams/Dead%20door/heartbeats?limit=5" >/dev/null
check_eq "heartbeats API" "refused" "$(jq -r '.heartbeats[0].error' "$WEB_BODY")"
# A name that is not UTF-8 (the server decodes %FF): the error still says which stream, and
# is JSON a client can parse (it was {"error":"out of memory"}: jansson refused the byte).
web_get "$J" "/api/streams/%FFcam/heartbeats" >/dev/null
check_eq "non-UTF-8 name is 404" 404 "$WEB_STATUS"
check_match "its JSON error names the stream" "no stream named '.cam'" "$(jq -r .error "$WEB_BODY")"
web_get "$J" "/api/streams/Lobby/heartbeats?limit=abc" >/dev/null
check_eq "bad limit is 400" 400 "$WEB_STATUS"
check_match "bad limit names the parameter" "limit" "$(cat "$WEB_BODY")"

web_get "$J" /export.csv >/dev/null
check_eq "CSV 200" 200 "$WEB_STATUS"
check_eq "CSV starts with the original's columns" "stream,ts_utc,status,latency_ms,message" "$(head -1 "$WEB_BODY" | cut -d, -f1-5)"
check_match "CSV has Lobby rows" $'\nLobby,[0-9T:.-]+Z,up,[0-9]+,' "$(cat "$WEB_BODY")"
web_get "$J" "/export.csv?stream=Dead%20door" >/dev/null
check "one stream's CSV holds only it" bash -c "tail -n +2 '$WEB_BODY' | grep -v '^Dead door,' | grep -q . && exit 1 || exit 0"

check_eq "health 200 while the monitor writes" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$WEB_URL/api/health")"
web_get "$J" /nope >/dev/null
check_eq "unknown path 404" 404 "$WEB_STATUS"
curl -s -o /dev/null -w '%{http_code}' -X DELETE -b "$J" "$WEB_URL/" >"$OUT/del.code"
check_eq "wrong method 405" 405 "$(cat "$OUT/del.code")"
# The long-lived FastCGI workers exit through exit() on SIGTERM: ASan's leak check runs then.
stop_web
sleep 0.5
check "FastCGI workers: no leak or memory error across all requests" \
	bash -c "! grep -E 'LeakSanitizer|AddressSanitizer|runtime error' '$WEB_LOG' '$WEB_NGINX_LOG'"
finish
