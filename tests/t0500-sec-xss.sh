#!/usr/bin/env bash
# Hostile text through nginx + FastCGI: stream names, URLs, camera error messages, a user name, a
# token label, a posted time zone and query parameters come out escaped in every HTML page
# (dashboard, stream page, config editor, account, login, error pages), intact as data in the
# JSON, and in the CSV with would-be formulas (= + - @, tab, CR first) neutralised by a leading '.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/web.sh"

# Markup that would run if printed raw; each has its own marker, so a leak says where it came from.
N_SCRIPT='<script>alert("n1")</script>'
N_ATTR="\"><img src=x onerror=alert('n2')>"
N_FORMULA='=HYPERLINK("evil.example","n3")'
U_SCRIPT='<script>alert("u1")</script>'
cfg="$OUT/config.yaml"
# JSON strings are YAML double-quoted scalars: jq quotes the names exactly.
q() { jq -Rn --arg s "$1" '$s'; }
cat >"$cfg" <<YAML
heartbeat_seconds: 30
max_clients: 0 # the test cameras share one host:port; slots are t0720's subject
streams:
  - name: Lobby
    url: $(q 'http://127.0.0.1:9/cam?a="><svg/onload=alert(9)>')
  - name: $(q "$N_SCRIPT")
    url: rtsp://127.0.0.1:9/x
  - name: $(q "$N_ATTR")
    url: rtsp://127.0.0.1:9/x
  - name: $(q "$N_FORMULA")
    url: rtsp://127.0.0.1:9/x
  - name: "+n4"
    url: rtsp://127.0.0.1:9/x
  - name: "-n5"
    url: rtsp://127.0.0.1:9/x
  - name: "@n6"
    url: rtsp://127.0.0.1:9/x
YAML
# What a hostile camera could make the monitor record, through its own write path (--import):
# error messages (and error classes, codecs) with markup, formulas, tabs, CRs and quotes.
db="$OUT/data/streams.db"
"$PY" - "$cfg" "$OUT/seeded.json" "$OUT/seed.jsonl" <<'EOF' || bail "seed the database" "python failed"
import json, sys, time, yaml
cfg, out, lines = sys.argv[1:4]
names = [s["name"] for s in yaml.safe_load(open(cfg))["streams"]]
msgs = ['<script>alert("m1")</script>', "\"><img src=x onerror=alert('m2')>", "=cmd|' /C calc'!A0",
        "+m4", "-m5", "@m6", "\t=m7", "\r=m8", 'plain, "quoted"\nand a newline m9', "</textarea>m10"]
now = int(time.time() * 1000)
seeded, rows = [], []
for i, name in enumerate(names, 1):
    # An up beat first, so the stream has a (hostile) codec; then the failures.
    rows.append({"stream": name, "ts_ms": now - 2000000, "up": True, "latency_ms": 100,
                 "codec": "<i>h264</i>", "width": 640, "height": 360})
    seeded.append({"stream": name, "ts_ms": now - 2000000, "message": "", "error": ""})
    for k, m in enumerate(msgs):
        ts = now - 1000 - k * 30000
        err = "=err<b>" if k == 0 else "refused"
        rows.append({"stream": name, "ts_ms": ts, "up": False, "error": err, "message": m})
        seeded.append({"stream": name, "ts_ms": ts, "message": m, "error": err})
    last = msgs[(i - 1) % len(msgs)]
    rows.append({"stream": name, "ts_ms": now - 500, "up": False, "error": "=err<b>", "message": last})
    seeded.append({"stream": name, "ts_ms": now - 500, "message": last, "error": "=err<b>"})
with open(lines, "w") as f:
    for r in rows:
        f.write(json.dumps(r) + "\n")
json.dump(seeded, open(out, "w"))
EOF
"$MON" -c "$cfg" --import "$OUT/seed.jsonl" 2>"$OUT/import.err" || bail "seed the database" "$(tail -2 "$OUT/import.err")"
# A thumbnail for each (the bytes are not looked at), so the dashboard links them too.
mkdir -p "$OUT/data/thumbs"
for i in $(sqlite3 "$db" "SELECT id FROM streams"); do printf 'thumb %s' "$i" >"$OUT/data/thumbs/$i.jpg"; done
start_web "$cfg"
J="$OUT/admin.jar"
web_login "$J" admin admin123

# Raw markup that must never reach a page, and the escaped forms that prove the text was shown.
RAW=('<script>alert(' '<img src=x' '<svg/onload' '</textarea>m10' '<b>' '<i>h264')
# no_raw WHAT [ESCAPED...]: the last page holds none of RAW (nor any of the payloads' tags) and
# each ESCAPED text literally.
no_raw() {
	local what=$1 r e bad=""
	shift
	for r in "${RAW[@]}"; do grep -qF -- "$r" "$WEB_BODY" && bad+=" raw '$r'"; done
	for e; do grep -qF -- "$e" "$WEB_BODY" || bad+=" missing '$e'"; done
	if [ -z "$bad" ]; then ok "$what"; else not_ok "$what" "$bad (in $WEB_BODY)"; fi
}
E_N1='&lt;script&gt;alert(&quot;n1&quot;)&lt;/script&gt;'
E_N2='&quot;&gt;&lt;img src=x onerror=alert('
E_M1='&lt;script&gt;alert(&quot;m1&quot;)&lt;/script&gt;'
E_M2='&quot;&gt;&lt;img src=x onerror=alert('

web_get "$J" / >/dev/null
check_eq "dashboard 200" 200 "$WEB_STATUS"
no_raw "dashboard: names, messages, error classes, codecs escaped" "$E_N1" "$E_N2" "$E_M1" "$E_M2" '=err&lt;b&gt;' '&lt;i&gt;h264&lt;/i&gt;'
check "dashboard links to the names percent-encoded" grep -qF 'href="/stream/%3Cscript%3Ealert%28%22n1%22%29%3C%2Fscript%3E"' "$WEB_BODY"
# Every link of the dashboard reaches its stream (a name with spaces was a '+' in the path: 404).
grep -o '\(href\|src\)="/\(stream\|thumb\|preview\)/[^"]*"' "$WEB_BODY" | sed 's/^[a-z]*="//; s/"$//' >"$OUT/links"
check_eq "the dashboard links each stream's page, thumbnail and preview" 21 "$(sort -u "$OUT/links" | wc -l)"
bad=""
while read -r link; do
	code=$(curl -s -o "$OUT/link.body" -w '%{http_code}' -b "$J" "$WEB_URL$link")
	case $link in
	/preview/*) [ "$code" = 504 ] && grep -q 'refused' "$OUT/link.body" || bad+=" $link:$code" ;;
	*) [ "$code" = 200 ] || bad+=" $link:$code" ;;
	esac
done <"$OUT/links"
check_eq "every one reaches its stream (page and thumbnail 200, preview probes it: 504 refused)" "" "$bad"

web_get "$J" "/?q=$(jq -rn --arg s '"><script>alert("q1")</script>' '$s|@uri')" >/dev/null
check_eq "dashboard with a hostile filter: 200" 200 "$WEB_STATUS"
no_raw "the filter is echoed escaped" '&quot;&gt;&lt;script&gt;alert(&quot;q1&quot;)'
web_get "$J" "/?state=%3Cscript%3Ealert(1)%3C/script%3E" >/dev/null
check_eq "hostile state filter: 400" 400 "$WEB_STATUS"
no_raw "its error page escapes" 

for n in "$N_SCRIPT" "$N_ATTR" "$N_FORMULA"; do
	web_get "$J" "/stream/$(jq -rn --arg s "$n" '$s|@uri')" >/dev/null
	check_eq "stream page of '$n': 200" 200 "$WEB_STATUS"
	no_raw "stream page of '$n': title, heading, incidents, heartbeats escaped" "$E_M1" "$E_M2" '=err&lt;b&gt;'
done
web_get "$J" "/stream/Lobby?page=%22%3E%3Cscript%3Ealert(1)%3C/script%3E" >/dev/null
check_eq "hostile page number: 400" 400 "$WEB_STATUS"
no_raw "its error page escapes"

web_get "$J" /config >/dev/null
check_eq "config editor 200" 200 "$WEB_STATUS"
no_raw "config editor: names and URLs escaped in the inputs" "value=\"$E_N1\"" "value=\"$E_N2" '&quot;&gt;&lt;svg/onload=alert(9)&gt;'
version=$(sed -n 's/.*name="version" value="\([0-9a-f]*\)".*/\1/p' "$WEB_BODY")
csrf=$(csrf_in "$WEB_BODY")
cp "$cfg" "$OUT/before.yaml"
web_get "$J" /config --data-urlencode "csrf=$csrf" --data-urlencode "version=$version" -d heartbeat_seconds=30 \
	--data-urlencode 'timezone="><script>alert("tz1")</script>' -d rows=1 -d name0=Lobby -d old0=Lobby \
	-d url0=rtsp://127.0.0.1:9/x -d enabled0=1 >/dev/null
check_eq "hostile time zone refused (400)" 400 "$WEB_STATUS"
no_raw "the time zone is echoed escaped (error and select)" 'data-field="timezone"' '&gt;&lt;script&gt;alert(&quot;tz1&quot;)'
check "nothing written" cmp -s "$cfg" "$OUT/before.yaml"
web_get "$J" /config --data-urlencode "csrf=$csrf" --data-urlencode "version=$version" -d heartbeat_seconds=30 \
	-d timezone=UTC -d rows=1 --data-urlencode "name0=$N_SCRIPT" -d old0= \
	--data-urlencode 'url0=ftp://x/"><script>alert("url1")</script>' -d enabled0=1 >/dev/null
check_eq "hostile URL refused (400)" 400 "$WEB_STATUS"
no_raw "the posted URL is echoed escaped" '&quot;&gt;&lt;script&gt;alert(&quot;url1&quot;)'

web_get "$J" /account >/dev/null
csrf=$(csrf_in "$WEB_BODY")
web_get "$J" /account --data-urlencode "csrf=$csrf" -d action=token --data-urlencode "label=$N_ATTR" >/dev/null
check_eq "token with a hostile label created" 200 "$WEB_STATUS"
no_raw "account: the label is escaped" "<td>$E_N2"
web_get "$J" /account --data-urlencode "csrf=$csrf" -d action=adduser --data-urlencode "name=$U_SCRIPT" \
	--data-urlencode "password=viewer-pass-1" -d role=viewer >/dev/null
check_eq "a user named with markup can be added" 200 "$WEB_STATUS"
web_login "$OUT/u.jar" "$U_SCRIPT" viewer-pass-1
check_eq "that user logs in" 303 "$WEB_STATUS"
web_get "$OUT/u.jar" /account >/dev/null
no_raw "account: the user's own name escaped (heading and menu)" '&lt;script&gt;alert(&quot;u1&quot;)&lt;/script&gt;</a>' 'Account: &lt;script&gt;'

web_get "$OUT/anon.jar" "/login?next=$(jq -rn --arg s '/"><script>alert("next1")</script>' '$s|@uri')" >/dev/null
check_eq "login form with a hostile next: 200" 200 "$WEB_STATUS"
no_raw "login: next echoed escaped" 'value="/&quot;&gt;&lt;script&gt;alert(&quot;next1&quot;)'
lcsrf=$(csrf_in "$WEB_BODY")
web_get "$OUT/anon.jar" /login --data-urlencode "csrf=$lcsrf" --data-urlencode "user=$N_ATTR" -d password=wrong >/dev/null
check_eq "wrong login with a hostile user name: 401" 401 "$WEB_STATUS"
no_raw "login: the user name echoed escaped" "value=\"$E_N2"

web_get "$J" "/nope$(jq -rn --arg s '<script>alert("p1")</script>' '$s|@uri')" >/dev/null
check_eq "unknown page: 404" 404 "$WEB_STATUS"
no_raw "404 page: the path escaped" '/nope&lt;script&gt;alert(&quot;p1&quot;)'
web_get "$J" "/stream/$(jq -rn --arg s '<script>alert("p2")</script>' '$s|@uri')" >/dev/null
check_eq "unknown stream: 404" 404 "$WEB_STATUS"
no_raw "404 page: the name escaped" '&#39;&lt;script&gt;alert(&quot;p2&quot;)'
check "error pages are text/html with nosniff" grep -qi '^X-Content-Type-Options: nosniff' "$WEB_HEADERS"
# Defence in depth from nginx, on pages and error pages alike: no inline script would run anyway.
for p in / /nope /login; do
	web_get "$J" "$p" >/dev/null
	check_match "$p ($WEB_STATUS): CSP allows scripts from this site only" "Content-Security-Policy: [^"$'\r'"]*script-src 'self'" "$(cat "$WEB_HEADERS")"
	check_match "$p ($WEB_STATUS): not framable" 'X-Frame-Options: DENY' "$(cat "$WEB_HEADERS")"
done

# JSON: valid, every hostile value intact as a string.
web_get "$J" /api/streams >/dev/null
check_eq "API 200" 200 "$WEB_STATUS"
check_match "API is application/json" '[Cc]ontent-[Tt]ype: application/json' "$(cat "$WEB_HEADERS")"
check "API is valid JSON" jq -e . "$WEB_BODY"
check_eq "API: every hostile name round-trips exactly" \
	"$("$PY" -c 'import sys, yaml; print("\n".join(sorted(s["name"] for s in yaml.safe_load(open(sys.argv[1]))["streams"])))' "$cfg")" \
	"$(jq -r '[.streams[].name] | sort | .[]' "$WEB_BODY")"
check "API: every hostile message, error class and codec round-trips exactly" "$PY" -c '
import json, sqlite3, sys
got = sorted((s["name"], s["message"], s["error"], s["codec"]) for s in json.load(open(sys.argv[1]))["streams"])
want = sorted(sqlite3.connect(sys.argv[2]).execute("SELECT name, last_message, last_error, codec FROM streams"))
sys.exit(0 if got == want else "got %r want %r" % (got[:2], want[:2]))' "$WEB_BODY" "$db"
web_get "$J" "/api/streams/$(jq -rn --arg s "$N_SCRIPT" '$s|@uri')/heartbeats?limit=100" >/dev/null
check_eq "heartbeats API 200" 200 "$WEB_STATUS"
check "heartbeats: every seeded message intact (tabs, CRs, quotes, newlines)" "$PY" -c '
import json, sys
got = sorted(b.get("message", "") for b in json.load(open(sys.argv[1]))["heartbeats"])
want = sorted(s["message"] for s in json.load(open(sys.argv[2])) if s["stream"] == sys.argv[3])
sys.exit(0 if got == want else "got %r want %r" % (got, want))' "$WEB_BODY" "$OUT/seeded.json" "$N_SCRIPT"
web_get "$J" "/api/streams/$(jq -rn --arg s '<script>alert("j1")</script>' '$s|@uri')/heartbeats" >/dev/null
check_eq "heartbeats of an unknown hostile name: 404" 404 "$WEB_STATUS"
check_eq "its JSON error holds the name as data" "no stream named '<script>alert(\"j1\")</script>'" "$(jq -r .error "$WEB_BODY")"

# CSV: every cell the seeded value, a would-be formula prefixed with one '.
web_get "$J" /export.csv >/dev/null
check_eq "CSV 200" 200 "$WEB_STATUS"
check "CSV: each seeded row once; formulas (= + - @ tab CR first) neutralised, other text intact" "$PY" -c '
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
head, rows = rows[0], rows[1:]
i = {k: head.index(k) for k in ("stream", "message", "error", "ts_ms")}
safe = lambda v: "\x27" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v
got = sorted((r[i["stream"]], int(r[i["ts_ms"]]), r[i["message"]], r[i["error"]]) for r in rows)
want = sorted((safe(s["stream"]), s["ts_ms"], safe(s["message"]), safe(s["error"])) for s in json.load(open(sys.argv[2])))
bad = [g for g in got if g not in want] + [w for w in want if w not in got]
sys.exit(0 if not bad else "mismatch: %r" % bad[:4])' "$WEB_BODY" "$OUT/seeded.json"
check "CSV: no cell starts with a formula character" "$PY" -c '
import csv, sys
bad = [c for r in csv.reader(open(sys.argv[1], newline="")) for c in r if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and not c[1:].isdigit())]
sys.exit(0 if not bad else "cells: %r" % bad[:4])' "$WEB_BODY"
web_get "$J" "/export.csv?stream=$(jq -rn --arg s "$N_FORMULA" '$s|@uri')" >/dev/null
check_match "one formula-named stream's CSV: its name neutralised" $'\n"\'=HYPERLINK\\(""evil.example"",""n3""\\)",' "$(cat "$WEB_BODY")"

stop_web
sleep 0.5
check "FastCGI workers: no leak or memory error across all requests" \
	bash -c "! grep -E 'LeakSanitizer|AddressSanitizer|runtime error' '$WEB_LOG' '$WEB_NGINX_LOG'"
finish
