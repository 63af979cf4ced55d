#!/usr/bin/env bash
# Sessions and forms through nginx + FastCGI: CSRF on every POST route of the route table (no
# token, a wrong one, another session's: 403 and nothing changed), session fixation, logout and
# expiry revoke, cookie flags (Secure when HTTPS), login throttling per user and per address,
# passwords stored as crypt(3) hashes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/web.sh"
cfg="$OUT/config.yaml"
cat >"$cfg" <<YAML
heartbeat_seconds: 30
streams:
  - name: cam
    url: rtsp://127.0.0.1:9/x
YAML
start_web "$cfg"
db="$OUT/data/streams.db"
A="$OUT/admin.jar" V="$OUT/viewer.jar"
web_login "$A" admin admin123
check_eq "admin logs in" 303 "$WEB_STATUS"
web_get "$A" /account >/dev/null
acsrf=$(csrf_in "$WEB_BODY")
web_get "$A" /account --data-urlencode "csrf=$acsrf" -d action=adduser -d name=viewer1 \
	-d password=viewer-pass-1 -d role=viewer >/dev/null
check_eq "a viewer added" 200 "$WEB_STATUS"
web_get "$A" /account --data-urlencode "csrf=$acsrf" -d action=token -d label=t1 >/dev/null
web_login "$V" viewer1 viewer-pass-1
web_get "$V" /account >/dev/null
vcsrf=$(csrf_in "$WEB_BODY")
check "two sessions, two CSRF tokens" test -n "$acsrf" -a -n "$vcsrf" -a "$acsrf" != "$vcsrf"
session_of() { awk '$6 == "sp_session" {print $7}' "$1"; }
sql() { sqlite3 "$db" "$@"; }

# ---- CSRF on every POST route -----------------------------------------------------------------
# The POST routes, from the table itself: a new one fails here until it is covered below.
posts=$(sed -n '/^static const struct route routes\[\]/,/^};/p' "$SP_ROOT/cgi-bin/routes.c" |
	grep -E '[^A-Z]POST' | sed 's/^[^"]*"\([^"]*\)".*/\1/' | sort | tr '\n' ' ')
check_eq "the POST routes are the ones covered here" "/account /config /login /logout " "$posts"

# state: everything a forged POST could change.
state() {
	sql "SELECT name, hash, role FROM users ORDER BY id; SELECT count(*) FROM api_tokens;
	     SELECT token_hash FROM sessions ORDER BY 1;"
	md5sum <"$cfg"
}
web_get "$A" /config >/dev/null
version=$(sed -n 's/.*name="version" value="\([0-9a-f]*\)".*/\1/p' "$WEB_BODY")
web_get "$A" /account >/dev/null
tid=$(sed -n 's/.*name="id" value="\([0-9a-f]*\)".*/\1/p' "$WEB_BODY" | head -1)
check_match "the admin's API token is listed (to forge its revocation)" '^[0-9a-f]+$' "$tid"
# forged PATH WHAT FIELDS...: the POST without a token, with a made-up one and with the viewer's
# (valid, but another session's) token: 403 each time, state unchanged, the session still works.
forged() {
	local path=$1 what=$2 before tok
	shift 2
	before=$(state)
	for tok in "" "csrf=$(printf '%064d' 0)" "csrf=$vcsrf"; do
		web_get "$A" "$path" -X POST ${tok:+--data-urlencode "$tok"} "$@" >/dev/null
		check_eq "$what, ${tok:-no token}${tok:+ ${tok:5:8}...}: 403" 403 "$WEB_STATUS"
	done
	check_eq "$what: nothing changed" "$before" "$(state)"
}
forged /config "POST /config" --data-urlencode "version=$version" -d heartbeat_seconds=10 -d timezone=UTC \
	-d rows=1 -d name0=forged -d old0= -d url0=rtsp://127.0.0.1:9/y -d enabled0=1
forged /account "POST /account password" -d action=password -d current=admin123 -d password=forged-pass-1 \
	-d password2=forged-pass-1
forged /account "POST /account adduser" -d action=adduser -d name=mallory -d password=mallory-pass-1 -d role=admin
forged /account "POST /account token" -d action=token -d label=forged
forged /account "POST /account revoke" -d action=revoke -d "id=$tid"
forged /logout "POST /logout"
web_get "$A" / >/dev/null
check_eq "after the forged logouts the session still works" 200 "$WEB_STATUS"
# The login form: a double-submit cookie (sp_login_csrf) must match the form's field.
before=$(state)
web_get "$OUT/l.jar" /login >/dev/null
web_get "$OUT/l.jar" /login -d user=admin -d password=admin123 >/dev/null
check_eq "POST /login without a token: 403" 403 "$WEB_STATUS"
web_get "$OUT/l.jar" /login -d user=admin -d password=admin123 -d "csrf=$(printf '%064d' 0)" >/dev/null
check_eq "POST /login with a wrong token: 403" 403 "$WEB_STATUS"
web_get "$OUT/nocookie.jar" /login -d user=admin -d password=admin123 -d "csrf=$acsrf" >/dev/null
check_eq "POST /login with a token but no cookie to match: 403" 403 "$WEB_STATUS"
check "no session cookie from a refused login" bash -c "! grep -qi '^set-cookie: sp_session=' '$WEB_HEADERS'"
check_eq "POST /login forged: no session created" "$before" "$(state)"
check_eq "HTTP Basic is not accepted for a POST (browsers replay it): 401" 401 \
	"$(curl -s -o /dev/null -w '%{http_code}' -u admin:admin123 -d action=token -d label=x "$WEB_URL/account")"

# ---- session fixation -------------------------------------------------------------------------
planted=$(printf 'ab%.0s' {1..32})
printf '127.0.0.1\tFALSE\t/\tFALSE\t0\tsp_session\t%s\n' "$planted" >"$OUT/fix.jar"
web_get "$OUT/fix.jar" /login >/dev/null
c=$(csrf_in "$WEB_BODY")
web_get "$OUT/fix.jar" /login --data-urlencode "user=admin" -d password=admin123 -d "csrf=$c" >/dev/null
check_eq "login with a planted cookie: 303" 303 "$WEB_STATUS"
check_match "a new session token is issued" '^[0-9a-f]{64}$' "$(session_of "$OUT/fix.jar")"
check "it is not the planted one" test "$(session_of "$OUT/fix.jar")" != "$planted"
check_eq "the planted cookie is not accepted after the login" 303 \
	"$(curl -s -o /dev/null -w '%{http_code}' -b "sp_session=$planted" "$WEB_URL/")"
# An attacker's own live session planted in the victim's browser: revoked when the victim logs in.
attacker=$(session_of "$V")
printf '127.0.0.1\tFALSE\t/\tFALSE\t0\tsp_session\t%s\n' "$attacker" >"$OUT/victim.jar"
web_get "$OUT/victim.jar" /login >/dev/null
c=$(csrf_in "$WEB_BODY")
web_get "$OUT/victim.jar" /login -d user=admin -d password=admin123 -d "csrf=$c" >/dev/null
victim=$(session_of "$OUT/victim.jar")
check "victim logged in with a token of their own" test -n "$victim" -a "$victim" != "$attacker"
check_eq "the planted (attacker's) session is revoked at that login" 303 \
	"$(curl -s -o /dev/null -w '%{http_code}' -b "sp_session=$attacker" "$WEB_URL/")"
web_get "$OUT/victim.jar" /account >/dev/null
check_eq "the victim's session belongs to the victim" "admin" "$(sed -n 's/.*<h1>Account: \([^<]*\)<.*/\1/p' "$WEB_BODY")"

# ---- logout and expiry ------------------------------------------------------------------------
web_login "$OUT/out.jar" admin admin123
old=$(session_of "$OUT/out.jar")
web_get "$OUT/out.jar" / >/dev/null
web_get "$OUT/out.jar" /logout --data-urlencode "csrf=$(csrf_in "$WEB_BODY")" >/dev/null
check_eq "logout: 303" 303 "$WEB_STATUS"
check_match "logout clears the cookie" 'sp_session=;.*Max-Age=0' "$(grep -i '^set-cookie: sp_session' "$WEB_HEADERS")"
check_eq "the old cookie after logout: page redirects to login" "303 /login?next=%2F" \
	"$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -b "sp_session=$old" "$WEB_URL/" | sed "s|$WEB_URL||")"
check_eq "the old cookie after logout: API 401" 401 \
	"$(curl -s -o /dev/null -w '%{http_code}' -b "sp_session=$old" "$WEB_URL/api/streams")"
check_eq "the old cookie is gone from the database" 0 "$(sql "SELECT count(*) FROM sessions WHERE token_hash = '$(printf %s "$old" | sha256sum | cut -d' ' -f1)'")"

web_login "$OUT/exp.jar" admin admin123
tok=$(session_of "$OUT/exp.jar")
th=$(printf %s "$tok" | sha256sum | cut -d' ' -f1)
check_eq "a fresh session works" 200 "$(curl -s -o /dev/null -w '%{http_code}' -b "sp_session=$tok" "$WEB_URL/api/streams")"
check_match "sessions last 7 days" '^60480[0-9]{4}$' "$(sql "SELECT expires_ms - created_ms FROM sessions WHERE token_hash = '$th'")"
sql "UPDATE sessions SET expires_ms = $(($(now_ms) - 1)) WHERE token_hash = '$th'"
check_eq "an expired session: page redirects to login" 303 "$(curl -s -o /dev/null -w '%{http_code}' -b "sp_session=$tok" "$WEB_URL/")"
check_eq "an expired session: API 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' -b "sp_session=$tok" "$WEB_URL/api/streams")"
check_eq "an expired session is deleted when seen" 0 "$(sql "SELECT count(*) FROM sessions WHERE token_hash = '$th'")"

# A password change logs out the user's other sessions (a stolen cookie dies with the old password).
web_login "$OUT/p1.jar" viewer1 viewer-pass-1
web_login "$OUT/p2.jar" viewer1 viewer-pass-1
web_get "$OUT/p1.jar" /account >/dev/null
web_get "$OUT/p1.jar" /account --data-urlencode "csrf=$(csrf_in "$WEB_BODY")" -d action=password \
	-d current=viewer-pass-1 -d password=viewer-pass-2 -d password2=viewer-pass-2 >/dev/null
check_eq "password changed" 200 "$WEB_STATUS"
web_get "$OUT/p2.jar" / >/dev/null
check_eq "the user's other session is logged out" 303 "$WEB_STATUS"
web_get "$OUT/p1.jar" / >/dev/null
check_eq "the session that changed it stays" 200 "$WEB_STATUS"
web_login "$OUT/p3.jar" viewer1 viewer-pass-1
check_eq "the old password no longer logs in" 401 "$WEB_STATUS"

# ---- cookie flags -----------------------------------------------------------------------------
web_login "$OUT/flags.jar" admin admin123
sc=$(grep -i '^set-cookie: sp_session=' "$WEB_HEADERS" | tr -d '\r')
for f in HttpOnly "SameSite=Lax" "Path=/;" "Max-Age=604800"; do check_match "session cookie: $f" "$f" "$sc"; done
check "plain HTTP: no Secure (the browser would not send it back)" bash -c "! grep -qi secure <<<'$sc'"
web_get "$OUT/flags2.jar" /login >/dev/null
lc=$(grep -i '^set-cookie: sp_login_csrf=' "$WEB_HEADERS" | tr -d '\r')
for f in HttpOnly "SameSite=Strict" "Path=/login"; do check_match "login CSRF cookie: $f" "$f" "$lc"; done
# Behind HTTPS (HTTPS=on from the server, as nginx's fastcgi_params sends it): Secure on both,
# seen by running the program as one CGI request.
cgi() { env -i PATH="$PATH" ASAN_OPTIONS="$ASAN_OPTIONS" STREAMPULSE_CONFIG="$cfg" HTTPS=on REMOTE_ADDR=127.0.0.9 "$@" "$SP_WEB_BIN" 2>>"$OUT/cgi.err"; }
check_match "HTTPS: the login CSRF cookie is Secure" 'sp_login_csrf=[0-9a-f]+;.*; Secure' \
	"$(cgi REQUEST_METHOD=GET PATH_INFO=/login | grep -i '^set-cookie')"
body="user=admin&password=admin123&csrf=$acsrf"
check_match "HTTPS: the session cookie is Secure" 'sp_session=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Lax; Max-Age=[0-9]+; Secure' \
	"$(printf %s "$body" | cgi REQUEST_METHOD=POST PATH_INFO=/login CONTENT_TYPE=application/x-www-form-urlencoded \
		CONTENT_LENGTH=${#body} HTTP_COOKIE="sp_login_csrf=$acsrf" | grep -i '^set-cookie: sp_session')"

# ---- passwords --------------------------------------------------------------------------------
check_eq "every password is a crypt(3) hash (yescrypt or SHA-512)" "" \
	"$(sql "SELECT name FROM users WHERE NOT (hash LIKE '\$y\$%' OR hash LIKE '\$6\$%')")"
check_eq "no hash is the password" 0 "$(sql "SELECT count(*) FROM users WHERE hash IN ('admin123', 'viewer-pass-1', 'viewer-pass-2') OR instr(hash, 'admin123') OR instr(hash, 'viewer-pass')")"
check_eq "two users, two salts (no equal hashes)" "$(sql 'SELECT count(*) FROM users')" "$(sql 'SELECT count(DISTINCT hash) FROM users')"

# ---- brute force ------------------------------------------------------------------------------
# Each client its own loopback address (REMOTE_ADDR), so the per-address key is seen apart from the
# per-user one. 127.0.0.1 (the rest of this test) is never throttled.
from() { local ip=$1 jar=$2 user=$3 pass=$4 c; : >"$jar"
	web_get "$jar" /login --interface "$ip" >/dev/null; c=$(csrf_in "$WEB_BODY")
	web_get "$jar" /login --interface "$ip" --data-urlencode "user=$user" --data-urlencode "password=$pass" -d "csrf=$c" >/dev/null; }
web_login "$OUT/v2.jar" viewer1 viewer-pass-2
for i in 1 2 3 4 5; do
	from 127.0.0.2 "$OUT/bf.jar" viewer1 "wrong-$i"
	check_eq "wrong password $i of 5: 401" 401 "$WEB_STATUS"
done
from 127.0.0.2 "$OUT/bf.jar" viewer1 viewer-pass-2
check_eq "6th try within 10 min, right password: 429" 429 "$WEB_STATUS"
check_match "429 says when to retry" 'Retry-After: [0-9]+' "$(cat "$WEB_HEADERS")"
check "no session cookie with the 429" bash -c "! grep -qi '^set-cookie: sp_session=' '$WEB_HEADERS'"
from 127.0.0.3 "$OUT/bf3.jar" viewer1 viewer-pass-2
check_eq "the same user from another address: 429 (per-user key)" 429 "$WEB_STATUS"
check_eq "the same user by HTTP Basic: 429" 429 \
	"$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.4 -u viewer1:viewer-pass-2 "$WEB_URL/api/streams")"
from 127.0.0.3 "$OUT/ok3.jar" admin admin123
check_eq "a different user from another address is not blocked" 303 "$WEB_STATUS"
from 127.0.0.2 "$OUT/ok2.jar" admin admin123
check_eq "a different user from the flooding address: 429 (per-address key)" 429 "$WEB_STATUS"
web_get "$OUT/v2.jar" / >/dev/null
check_eq "the throttled user's existing session keeps working" 200 "$WEB_STATUS"

stop_web
sleep 0.5
check "FastCGI workers: no leak or memory error across all requests" \
	bash -c "! grep -E 'LeakSanitizer|AddressSanitizer|runtime error' '$WEB_LOG' '$WEB_NGINX_LOG' '$OUT/cgi.err'"
finish
