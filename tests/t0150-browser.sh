#!/usr/bin/env bash
# A person in Chromium: logs in, sees a green stream and a red one, watches the page refresh
# itself, opens a stream's history; screenshots are kept in the test's output folder.
. "$(dirname "$0")/lib.sh"
start_mjpeg
cat >"$OUT/config.yaml" <<YAML
heartbeat_seconds: 2
streams:
  - name: Workshop
    url: http://127.0.0.1:$MJPEG_PORT/snapshot.jpg
  - name: Barn
    url: rtsp://127.0.0.1:$(free_port)/x
YAML
"$MON" -c "$OUT/config.yaml" 2>"$OUT/monitor.err" &
start_web "$OUT/config.yaml"
B="$SP_ROOT/tests/browser"
if [ ! -d "$B/node_modules/playwright-core" ]; then
	(cd "$B" && npm ci --no-audit --no-fund >"$OUT/npm.log" 2>&1) || bail "npm ci playwright-core" "$(tail -3 "$OUT/npm.log")"
fi
wait_for "monitor wrote both streams" 10 bash -c "[ \"\$(sqlite3 '$OUT/data/streams.db' 'SELECT count(*) FROM streams WHERE state IS NOT NULL')\" = 2 ]"
sleep 1 # a thumbnail for the up stream
seen=$(cd "$OUT" && HOME="$OUT/home" XDG_CONFIG_HOME="$OUT/home" XDG_CACHE_HOME="$OUT/cache" \
	timeout 120 node "$B/dashboard.js" "$WEB_URL" "$OUT" 2 2>"$OUT/browser.err")
echo "$seen" >"$OUT/seen.json"
j() { jq -r "$1" <<<"$seen" 2>/dev/null; }
check_eq "anonymous visitor lands on /login" /login "$(j .loginUrl)"
check_eq "first login goes to /account (default password)" /account "$(j .afterLogin)"
check_eq "banner asks to change the default password" 1 "$(j .banner)"
check_eq "one green (up) stream" 1 "$(j .up)"
check_eq "one red (down) stream" 1 "$(j .down)"
check_eq "the up pill is green" "rgb(24, 121, 78)" "$(j .upColor)"
check_eq "the down pill is red" "rgb(196, 37, 43)" "$(j .downColor)"
check_eq "the up stream shows its thumbnail" 1 "$(j .thumbs)"
check_lt "the page refreshed itself: bar grew from $(j .barBefore) to $(j .barAfter)" "$(j .barBefore)" "$(j .barAfter)"
check_eq "history page opened" /stream/Workshop "$(j .historyPath)"
check_eq "history has the latency chart" 1 "$(j .chart)"
check_eq "no JavaScript errors" "[]" "$(jq -c .consoleErrors <<<"$seen" 2>/dev/null)"
check "dashboard screenshot saved" test -s "$OUT/dashboard.png"
finish
