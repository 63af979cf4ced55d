#!/usr/bin/env bash
# The web at 2,000 streams: a compact dashboard that still names every down stream, paging and
# filters, ETag/304 per user, and the cached bodies following config edits and new heartbeats.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/web.sh"
N=2000
cfg="$OUT/config.yaml"
{
	echo "heartbeat_seconds: 15"
	echo "max_clients: 0" # simulated cameras share one host:port: no client slot limit
	echo "streams:"
	for ((i = 0; i < N; i++)); do printf '  - name: cam-%04d\n    url: rtsp://127.0.0.1:9/%d\n' "$i" "$i"; done
} >"$cfg"
db="$OUT/data/streams.db"
# Heartbeats through the monitor's own write path (--import): every 7th stream down.
now=$(now_ms)
awk -v n="$N" -v now="$now" 'BEGIN { for (x = 0; x < n; x++) for (k = 2; k >= 0; k--) {
	down = x % 7 == 0; ts = now - 5000 - k * 15000
	if (down) printf "{\"stream\":\"cam-%04d\",\"ts_ms\":%.0f,\"up\":false,\"error\":\"refused\",\"message\":\"connection refused\"}\n", x, ts
	else printf "{\"stream\":\"cam-%04d\",\"ts_ms\":%.0f,\"up\":true,\"latency_ms\":250,\"codec\":\"h264\",\"width\":640,\"height\":360}\n", x, ts } }' \
	>"$OUT/seed.jsonl"
"$MON" -c "$cfg" --import "$OUT/seed.jsonl" 2>"$OUT/import.err" || bail "seed the database" "$(tail -2 "$OUT/import.err")"
sqlite3 "$db" "SELECT name FROM streams WHERE state = 0 ORDER BY name" >"$OUT/down.want"
ndown=$(wc -l <"$OUT/down.want")
start_web "$cfg"
J="$OUT/admin.jar"
web_login "$J" admin admin123

# names_in FILE: stream names of the table rows, in order.
rows_in() { sed -n 's/.*<tr class="state-[a-z]*" data-name="\([^"]*\)">.*/\1/p' "$1"; }
problems_in() { sed -n '/id="problems"/,/<\/section>/p' "$1" | grep -o '<a href="/stream/[^"]*"' | sed 's|<a href="/stream/||; s|"$||' | sort; }
etag_of() { sed -n 's/^ETag: *//Ip' "$1" | tr -d '\r'; }

web_get "$J" / >/dev/null
check_eq "dashboard 200 at $N streams" 200 "$WEB_STATUS"
page=$WEB_BODY
kb=$(($(stat -c %s "$page") / 1024))
check_lt "the page is compact: $kb KB (was 7 MB)" "$kb" 300
check_eq "200 rows a page" 200 "$(rows_in "$page" | wc -l)"
check_match "counts cover every stream" "$ndown down.*$((N - ndown)) up.*of $N streams" "$(tr -d '\n' <"$page")"
check "every one of the $ndown down streams is named on the page" cmp -s "$OUT/down.want" <(problems_in "$page")
check_eq "down streams come first" "cam-0000" "$(rows_in "$page" | head -1)"
check_match "a pager to the next page" 'rel="next" href="/\?page=2"' "$(cat "$page")"
check_lt "under 1 KB a row, bar included (a title per heartbeat made 3 KB)" $(($(stat -c %s "$page") / 200)) 1024
web_get "$J" "/?page=10" >/dev/null
check_eq "page 10 of 10" 200 "$WEB_STATUS"
check_eq "the last page ends with the last up stream" "cam-1999" "$(rows_in "$WEB_BODY" | tail -1)"
check "down streams are named on the last page too" cmp -s "$OUT/down.want" <(problems_in "$WEB_BODY")
web_get "$J" "/?page=11" >/dev/null
check_eq "a page beyond the last: 404" 404 "$WEB_STATUS"
web_get "$J" "/?page=0" >/dev/null
check_eq "page 0: 400" 400 "$WEB_STATUS"
web_get "$J" "/?q=cam-001" >/dev/null
check_eq "name filter: cam-0010..cam-0019" "$(seq -f 'cam-%04g' 10 19 | grep -v '^cam-0014$' | sed '1i cam-0014' | tr '\n' ' ')" "$(rows_in "$WEB_BODY" | tr '\n' ' ')"
check "one page: no pager and no separate list" bash -c "! grep -q 'id=\"pager\"\|id=\"problems\"' '$WEB_BODY'"
web_get "$J" "/?state=down" >/dev/null
check_eq "state filter: only down rows" "$ndown" "$( (rows_in "$WEB_BODY"; web_get "$J" "/?state=down&page=2" >/dev/null; rows_in "$WEB_BODY") | grep -cxFf "$OUT/down.want")"

# The API: compact, filterable.
web_get "$J" /api/streams >/dev/null
check_eq "API lists every stream" "$N" "$(jq '.streams | length' "$WEB_BODY")"
check "no per-stream history in the list" bash -c "! grep -q '\"recent\"' '$WEB_BODY'"
check "no relative times in the list" bash -c "! grep -q 'ago\|_local' '$WEB_BODY'"
api_etag=$(etag_of "$WEB_HEADERS")
check_match "API has an ETag" '^"[0-9a-f]{32}"$' "$api_etag"
check_match "API may be kept, but revalidated, by this user only" 'Cache-Control: private, no-cache' "$(cat "$WEB_HEADERS")"
web_get "$J" "/api/streams?state=down" >/dev/null
check_eq "?state=down: down streams only" "$ndown/$ndown" "$(jq '[.streams[] | select(.state == "down")] | length' "$WEB_BODY")/$(jq '.streams | length' "$WEB_BODY")" 2>/dev/null
web_get "$J" "/api/streams?state=sideways" >/dev/null
check_eq "?state=sideways: 400" 400 "$WEB_STATUS"

# ETag / 304: the same tag from every worker; a 304 has no body.
tags=$(for _ in 1 2 3 4 5 6 7 8; do curl -s -D - -o /dev/null -b "$J" "$WEB_URL/api/streams" | sed -n 's/^ETag: *//Ip' | tr -d '\r'; done | sort -u)
check_eq "every worker gives the same ETag" "$api_etag" "$tags"
web_get "$J" /api/streams -H "If-None-Match: $api_etag" >/dev/null
check_eq "If-None-Match with the current tag: 304" 304 "$WEB_STATUS"
check "304 has no body" test ! -s "$WEB_BODY"
web_get "$J" / >/dev/null
dash_etag=$(etag_of "$WEB_HEADERS")
web_get "$J" / -H "If-None-Match: $dash_etag" >/dev/null
check_eq "dashboard: 304 for its tag" 304 "$WEB_STATUS"
web_get "$OUT/anon.jar" /api/streams -H "If-None-Match: $api_etag" >/dev/null
check_eq "no login, even with the tag: 401 (auth before any cache)" 401 "$WEB_STATUS"
web_get "$OUT/anon.jar" / -H "If-None-Match: $dash_etag" >/dev/null
check_eq "no login on the page, even with the tag: 303 to /login" 303 "$WEB_STATUS"
web_get "$J" /account >/dev/null
csrf=$(csrf_in "$WEB_BODY")
web_get "$J" /account --data-urlencode "csrf=$csrf" -d action=adduser -d name=watcher \
	--data-urlencode "password=watcher-pass-1" -d role=viewer >/dev/null
web_login "$OUT/viewer.jar" watcher watcher-pass-1
web_get "$OUT/viewer.jar" / -H "If-None-Match: $dash_etag" >/dev/null
check_eq "another user with the admin's page tag gets a full page" 200 "$WEB_STATUS"
check "the viewer's page holds neither the admin's name nor CSRF token" bash -c \
	"! grep -q '>admin</a>\|$csrf' '$WEB_BODY' && grep -q '>watcher</a>' '$WEB_BODY'"
check "the viewer's page has no Configuration link" bash -c "! grep -q 'href=\"/config\"' '$WEB_BODY'"

# A new heartbeat batch (as the monitor writes it: state beside the stream, meta write time).
later=$((now + 1000))
echo "{\"stream\":\"cam-0001\",\"ts_ms\":$later,\"up\":false,\"error\":\"timeout\",\"message\":\"no frame\"}" |
	"$MON" -c "$cfg" --import - 2>>"$OUT/import.err" || not_ok "import a new heartbeat" "$(tail -1 "$OUT/import.err")"
states=$(for _ in 1 2 3 4 5 6 7 8; do curl -s -b "$J" "$WEB_URL/api/streams" | jq -r '.streams[] | select(.name == "cam-0001") | .state'; done | sort -u)
check_eq "after a heartbeat write every worker shows the new state" down "$states"
web_get "$J" /api/streams -H "If-None-Match: $api_etag" >/dev/null
check_eq "the old tag no longer matches" 200 "$WEB_STATUS"
web_get "$J" / >/dev/null
check "the page names the newly down stream" bash -c "sed -n '/id=\"problems\"/,/section>/p' '$WEB_BODY' | grep -q 'cam-0001'"

# Config edits: an atomic replace (new inode) and an edit in place of the same size.
grep -v -e '^  - name: cam-0002$' -e '^    url: rtsp://127.0.0.1:9/2$' "$cfg" >"$cfg.new" && mv "$cfg.new" "$cfg"
counts=$(for _ in 1 2 3 4 5 6 7 8; do curl -s -b "$J" "$WEB_URL/api/streams" | jq '.streams | length'; done | sort -u)
check_eq "a replaced config.yaml is read by every worker" $((N - 1)) "$counts"
sleep 0.01 # a new modification time even on coarse clocks
"$PY" - "$cfg" <<'PY'
import sys
p = sys.argv[1]
with open(p, "r+b") as f:
    data = f.read().replace(b"name: cam-0003\n", b"name: cam-X003\n")
    f.seek(0)
    f.write(data)
PY
names=$(for _ in 1 2 3 4 5 6 7 8; do curl -s -b "$J" "$WEB_URL/api/streams" | jq -r '.streams[] | select(.name | endswith("003")) | .name' | head -1; done | sort -u)
check_eq "an edit in place (same size, same inode) is read too" cam-X003 "$names"
web_get "$J" "/?q=X003" >/dev/null
check_eq "and the dashboard follows" cam-X003 "$(rows_in "$WEB_BODY")"

stop_web
sleep 0.5
check "FastCGI workers: no leak or memory error across all requests" \
	bash -c "! grep -E 'LeakSanitizer|AddressSanitizer|runtime error' '$WEB_LOG' '$WEB_NGINX_LOG'"
finish
