#!/usr/bin/env bash
# Hostile requests through nginx + FastCGI (and lighttpd + CGI): path traversal never reaches a
# file, CR/LF never splits a header, redirects stay on the site, oversized bodies (413), too many
# fields (400) and long query strings (414/400) are refused without crashing a worker, and a
# preview connects only to the configured camera, whatever the query says.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/web.sh"
start_fault silent
cfg="$OUT/config.yaml"
cat >"$cfg" <<YAML
heartbeat_seconds: 30
probe_timeout_seconds: 2
streams:
  - name: cam
    url: rtsp://127.0.0.1:$(free_port)/x
  - name: Silent
    url: rtsp://127.0.0.1:$FAULT_PORT/x
YAML
start_web "$cfg"
workers=$WEB_WORKERS
J="$OUT/admin.jar"
web_login "$J" admin admin123
check_eq "admin logs in" 303 "$WEB_STATUS"
raw() { curl -s -m 30 --path-as-is -b "$J" -o "$OUT/raw.body" -D "$OUT/raw.h" -w '%{http_code}' "$@"; }

# ---- path traversal ---------------------------------------------------------------------------
for p in '/preview/..%2f..%2fetc%2fpasswd.jpg' '/thumb/..%2f..%2fetc%2fpasswd.jpg' \
	'/preview/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd.jpg' '/thumb/%2e%2e%2f%2e%2e%2fetc%2fpasswd.jpg' \
	'/static/../../etc/passwd' '/static/%2e%2e/%2e%2e/etc/passwd' '/static/..%2f..%2fetc%2fpasswd' \
	'/static/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc/passwd' '/static/..%5c..%5cetc%5cpasswd' \
	'/stream/..%2f..%2fetc%2fpasswd' '/api/streams/..%2f..%2fetc%2fpasswd/heartbeats' \
	'/export.csv?stream=../../../../etc/passwd' '/export.csv?stream=..%2f..%2fetc%2fpasswd' \
	'/../../etc/passwd' '/%2e%2e/%2e%2e/etc/passwd'; do
	code=$(raw "$WEB_URL$p")
	check_match "$p: 400 or 404 ($code)" '^(400|404)$' "$code"
	check "$p: no file contents" bash -c "! grep -qaE 'root:.*:0:0:' '$OUT/raw.body'"
done
code=$(raw "$WEB_URL/static/app.css")
check_eq "/static/ itself still serves (control)" 200 "$code"

# ---- header injection -------------------------------------------------------------------------
# no_split WHAT: the last raw response has no header line the request tried to inject.
no_split() {
	if grep -qiE '^(X-Injected|Set-Cookie: *injected)' "$OUT/raw.h"; then not_ok "$1" "$(grep -iE 'injected' "$OUT/raw.h")"
	else ok "$1"; fi
}
inj='%0d%0aX-Injected:%201%0d%0aSet-Cookie:%20injected=1'
code=$(curl -s -o "$OUT/raw.body" -D "$OUT/raw.h" -w '%{http_code}' "$WEB_URL/stream/a${inj}")
check_eq "anonymous, CR/LF in the path: 303 to login" 303 "$code"
no_split "anonymous, CR/LF in the path: no header injected"
check_match "the path comes back percent-encoded in next=" 'Location: /login\?next=%2Fstream%2Fa%0D%0AX-Injected' "$(cat "$OUT/raw.h")"
code=$(raw "$WEB_URL/stream/a${inj}")
check_eq "logged in, CR/LF in a stream name: 404" 404 "$code"
no_split "logged in, CR/LF in a stream name: no header injected"
code=$(raw "$WEB_URL/preview/a${inj}.jpg")
no_split "CR/LF in a preview name ($code): no header injected"
code=$(raw "$WEB_URL/export.csv?stream=a${inj}")
check_eq "CR/LF in the export's stream: 400" 400 "$code"
no_split "CR/LF in the export's stream: no header injected"
code=$(raw "$WEB_URL/api/streams/a${inj}/heartbeats")
no_split "CR/LF in an API name ($code): no header injected"
# Raw CR/LF bytes in the request line: nginx refuses them before the program sees anything.
"$PY" - "$WEB_PORT" >"$OUT/raw.h" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"GET /stream/a\rX-Injected: 1\r\nSet-Cookie: injected=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
data = b""
while chunk := s.recv(65536):
    data += chunk
sys.stdout.write(data.split(b"\r\n\r\n")[0].decode("latin-1").replace("\r", ""))
EOF
check_match "raw CR in the request line: 400" '^HTTP/1.1 400' "$(head -1 "$OUT/raw.h")"
no_split "raw CR/LF in the request line: no header injected"

# Redirect targets after login: only paths on this site, never a header split. (admin still has
# the default password, so its logins go to /account: another admin's do not.)
web_get "$J" /account >/dev/null
web_get "$J" /account --data-urlencode "csrf=$(csrf_in "$WEB_BODY")" -d action=adduser -d name=boss \
	-d password=boss-pass-12 -d role=admin >/dev/null
check_eq "a second admin added" 200 "$WEB_STATUS"
# login_next NEXT: logs in with next=NEXT; prints the Location.
login_next() {
	local c
	: >"$OUT/n.jar"
	web_get "$OUT/n.jar" /login >/dev/null
	c=$(csrf_in "$WEB_BODY")
	web_get "$OUT/n.jar" /login -d user=boss -d password=boss-pass-12 -d "csrf=$c" --data-urlencode "next=$1" >/dev/null
	cp "$WEB_HEADERS" "$OUT/raw.h"
}
location() { sed -n 's/^Location: *//Ip' "$OUT/raw.h" | tr -d '\r'; }
login_next "/stream/cam?page=1"
check_eq "next=/stream/cam?page=1: followed (control)" "/stream/cam?page=1" "$(location)"
for n in "//evil.example/" "/\\evil.example/" "https://evil.example/" "javascript:alert(1)" \
	$'/\t/evil.example/' $'/\n/evil.example/' $'/\r\nX-Injected: 1' $'/x\r\nSet-Cookie: injected=1' "evil.example"; do
	login_next "$n"
	shown=${n//$'\t'/\\t} shown=${shown//$'\r'/\\r} shown=${shown//$'\n'/\\n}
	check_eq "next=$shown: back to / only" "/" "$(location)"
	no_split "next=$shown: no header injected"
done
# A stream name with CR/LF cannot be saved (so it can never reach a header).
web_get "$J" /config >/dev/null
version=$(sed -n 's/.*name="version" value="\([0-9a-f]*\)".*/\1/p' "$WEB_BODY")
csrf=$(csrf_in "$WEB_BODY")
cp "$cfg" "$OUT/before.yaml"
web_get "$J" /config -d "csrf=$csrf" -d "version=$version" -d heartbeat_seconds=30 -d timezone=UTC -d rows=1 \
	-d "name0=a%0d%0aX-Injected:%201" -d old0= -d url0=rtsp://127.0.0.1:9/x -d enabled0=1 >/dev/null
check_eq "a stream name with CR/LF is refused: 400" 400 "$WEB_STATUS"
check_match "the error names the problem" 'control character' "$(cat "$WEB_BODY")"
check "nothing written" cmp -s "$cfg" "$OUT/before.yaml"

# ---- the preview connects to the configured camera only ---------------------------------------
# conns: connections the silent fixture accepted (it holds them, also after the client leaves).
conns() { ss -Htn "( sport = :$FAULT_PORT )" | wc -l; }
check_eq "no connection to the fixture yet" 0 "$(conns)"
for q in "url=rtsp://127.0.0.1:$FAULT_PORT/x" "url=http://127.0.0.1:$FAULT_PORT/x.jpg" \
	"stream=Silent" "name=Silent" "host=127.0.0.1&port=$FAULT_PORT"; do
	code=$(raw "$WEB_URL/preview/cam.jpg?$q")
	check_eq "preview of cam?$q: the configured (refused) camera, 504" 504 "$code"
	check "its reason is cam's (refused), not a timeout" grep -q 'refused' "$OUT/raw.body"
done
code=$(raw "$WEB_URL/preview/cam.jpg" -d "url=rtsp://127.0.0.1:$FAULT_PORT/x")
check_eq "a POST to the preview: 405" 405 "$code"
check_eq "the fixture got no connection from any of them" 0 "$(conns)"
code=$(raw "$WEB_URL/preview/Silent.jpg")
check_eq "control: the stream configured at the fixture times out (504)" 504 "$code"
check_lt "control: and the fixture saw that connection" 0 "$(conns)"

# ---- oversized input --------------------------------------------------------------------------
head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' a >"$OUT/big.body"
code=$(raw "$WEB_URL/login" --data-binary "@$OUT/big.body")
check_eq "POST body of 1 MB + 1 through nginx: 413" 413 "$code"
head -c 10000 /dev/zero | tr '\0' x | sed 's/x/f=1\&/g' >"$OUT/fields.body"
code=$(raw "$WEB_URL/login" --data-binary "@$OUT/fields.body")
check_eq "10,000 form fields: 400" 400 "$code"
check "the 400 names the problem" grep -q 'too many query or form fields' "$OUT/raw.body"
code=$(raw "$WEB_URL/account" --data-binary "@$OUT/fields.body")
check_eq "10,000 form fields, logged in: 400" 400 "$code"
q=$(head -c 20480 /dev/zero | tr '\0' q)
code=$(raw "$WEB_URL/?q=$q")
check_match "20 KB query string: 414 or 400 ($code)" '^(414|400)$' "$code"
code=$(raw "$WEB_URL/api/streams?$(head -c 2000 /dev/zero | tr '\0' x | sed 's/x/a\&/g')")
check_eq "a query of 2,000 fields within nginx's limit: answered" 200 "$code"

# The largest real form still fits: the config editor at 2,000 streams (~8,000 fields).
{
	echo "heartbeat_seconds: 30"
	echo "streams:"
	for ((i = 0; i < 2000; i++)); do printf '  - name: cam-%04d\n    url: rtsp://127.0.0.1:9/%d\n' "$i" "$i"; done
} >"$OUT/big.yaml"
cp "$OUT/big.yaml" "$cfg"
web_get "$J" /config >/dev/null
check_eq "editor at 2,000 streams: 200" 200 "$WEB_STATUS"
version=$(sed -n 's/.*name="version" value="\([0-9a-f]*\)".*/\1/p' "$WEB_BODY")
csrf=$(csrf_in "$WEB_BODY")
# The form as a browser posts it: every input of the page with its value (checked boxes only).
"$PY" - "$WEB_BODY" >"$OUT/form.body" <<'EOF'
import html, re, sys, urllib.parse
page = open(sys.argv[1]).read()
form = page[page.index('<form method="post" action="/config"'):]
form = form[:form.index("</form>")]
fields = []
for tag in re.findall(r"<input[^>]*>", form):
    a = dict((k, html.unescape(v)) for k, v in re.findall(r'(\w+)="([^"]*)"', tag))
    if a.get("type") == "checkbox" and " checked" not in tag:
        continue
    fields.append((a["name"], a.get("value", "")))
fields += [("timezone", "UTC")]
sys.stdout.write(urllib.parse.urlencode(fields))
EOF
nf=$(tr '&' '\n' <"$OUT/form.body" | wc -l)
check_lt "that form has 8,000 fields or more ($nf)" 7999 "$nf"
web_get "$J" /config --data-binary "@$OUT/form.body" >/dev/null
check_eq "and saves: 303" 303 "$WEB_STATUS"
check_eq "all 2,000 streams kept" 2000 "$(grep -c '^ *- name: cam-' "$cfg")"

# The program's own limit, not only nginx's: nginx told to pass up to 8 MB.
sed -i 's/client_max_body_size 1m;/client_max_body_size 8m;/' "$OUT/nginx/nginx.conf"
nginx -p "$OUT/nginx" -c "$OUT/nginx/nginx.conf" -e "$WEB_NGINX_LOG" -s reload
# nginx's own 413 page does not say "request body too large": the program's does.
# A reload lets old workers finish: wait until no old worker is left (a new connection could
# still reach one for a moment after the first new worker answers).
nginx_workers_settled() {
	local master
	master=$(cat "$OUT/nginx/nginx.pid" 2>/dev/null) || return 1
	[ "$(pgrep -P "$master" -f 'shutting down' | wc -l)" = 0 ] || return 1
	curl -s --data-binary @"$OUT/big.body" "$WEB_URL/login" | grep -q 'request body too large'
}
wait_for "nginx reloaded" 10 nginx_workers_settled
code=$(raw "$WEB_URL/login" --data-binary "@$OUT/big.body")
check_eq "1 MB + 1 past nginx: the program says 413" 413 "$code"
check "in its own words" grep -q 'request body too large' "$OUT/raw.body"
head -c $((4 * 1024 * 1024)) /dev/zero | tr '\0' a >"$OUT/huge.body"
code=$(raw "$WEB_URL/config" --data-binary "@$OUT/huge.body")
check_eq "4 MB past nginx: 413" 413 "$code"
head -c $((1024 * 1024 - 20)) /dev/zero | tr '\0' a | sed 's/^/user=/' >"$OUT/fit.body"
code=$(raw "$WEB_URL/login" --data-binary "@$OUT/fit.body")
check_eq "just under 1 MB: read, and refused for its missing token (403)" 403 "$code"

workers_now=$(sp_socket_pids "$OUT/fcgi.sock" | tr '\n' ' ')
check_eq "no FastCGI worker crashed or was replaced" "$workers" "${workers_now% }"

# Plain CGI: lighttpd refuses big bodies itself; the program refuses them when run by any server.
start_lighttpd "$cfg"
code=$(curl -s -o "$OUT/raw.body" -w '%{http_code}' --data-binary "@$OUT/big.body" "$LIGHTTPD_URL/login")
check_eq "lighttpd + CGI: 1 MB + 1: 413" 413 "$code"
code=$(curl -s -o "$OUT/raw.body" -w '%{http_code}' --data-binary "@$OUT/fields.body" "$LIGHTTPD_URL/login")
check_eq "lighttpd + CGI: 10,000 form fields: 400" 400 "$code"
code=$(curl -s -o "$OUT/raw.body" -w '%{http_code}' "$LIGHTTPD_URL/?q=$q")
check_match "lighttpd + CGI: 20 KB query string: 414, 431 or 400 ($code)" '^(414|431|400)$' "$code"
cgi() { env -i PATH="$PATH" ASAN_OPTIONS="$ASAN_OPTIONS" STREAMPULSE_CONFIG="$cfg" REMOTE_ADDR=127.0.0.9 "$@" "$SP_WEB_BIN" 2>>"$OUT/cgi.err"; }
st=$(cgi REQUEST_METHOD=POST PATH_INFO=/login CONTENT_TYPE=application/x-www-form-urlencoded \
	CONTENT_LENGTH=$((1024 * 1024 + 1)) <"$OUT/big.body" | head -1 | tr -d '\r')
check_eq "the program as plain CGI, 1 MB + 1: 413" "Status: 413" "$st"
st=$(cgi REQUEST_METHOD=POST PATH_INFO=/login CONTENT_TYPE=application/x-www-form-urlencoded \
	CONTENT_LENGTH=99999999999 </dev/null | head -1 | tr -d '\r')
check_eq "the program as plain CGI, a huge Content-Length: 413" "Status: 413" "$st"
st=$(cgi REQUEST_METHOD=GET PATH_INFO=/ QUERY_STRING="$(tr -d '\n' <"$OUT/fields.body")" | head -1 | tr -d '\r')
check_eq "the program as plain CGI, 10,000 query fields: 400" "Status: 400" "$st"

stop_web
sleep 0.5
check "no sanitizer report (FastCGI workers, CGI runs, nginx)" \
	bash -c "! grep -E 'LeakSanitizer|AddressSanitizer|runtime error' '$WEB_LOG' '$WEB_NGINX_LOG' '$OUT/cgi.err' '$LIGHTTPD_LOG'"
finish
