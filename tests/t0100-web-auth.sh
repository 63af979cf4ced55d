#!/usr/bin/env bash
# Login through real nginx + FastCGI: default admin and its banner, wrong passwords, throttling,
# sessions (new token at login, logout revokes), viewers, API tokens, HTTP Basic.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/web.sh"
cat >"$OUT/config.yaml" <<YAML
heartbeat_seconds: 5
streams:
  - name: cam
    url: rtsp://127.0.0.1:9/x
YAML
start_web "$OUT/config.yaml"
J="$OUT/admin.jar"

web_get "$OUT/anon.jar" / >/dev/null
check_eq "anonymous dashboard redirects to login" 303 "$WEB_STATUS"
check_match "redirect goes to /login" "Location: /login" "$(cat "$WEB_HEADERS")"
web_get "$OUT/anon.jar" /api/streams >/dev/null
check_eq "anonymous API gets 401" 401 "$WEB_STATUS"
check_eq "health needs no login (monitor never wrote: 503)" 503 "$(curl -s -o /dev/null -w '%{http_code}' "$WEB_URL/api/health")"

web_login "$J" admin admin123
check_eq "admin/admin123 logs in (303)" 303 "$WEB_STATUS"
cookie=$(grep -i '^set-cookie: sp_session=' "$WEB_HEADERS" | head -1)
check_match "session cookie is HttpOnly" "HttpOnly" "$cookie"
check_match "session cookie is SameSite=Lax" "SameSite=Lax" "$cookie"
check_match "session cookie has Path=/" "Path=/" "$cookie"
first_token=$(awk '$6 == "sp_session" {print $7}' "$J")
check_match "session token is 256 bits of hex" '^[0-9a-f]{64}$' "$first_token"
web_get "$J" / >/dev/null
page=$(cat "$WEB_BODY")
check_eq "dashboard after login" 200 "$WEB_STATUS"
check_match "default-password banner shown" 'id="default-password"' "$page"

# a new token at every login (no session fixation)
web_login "$J" admin admin123
second_token=$(awk '$6 == "sp_session" {print $7}' "$J")
check "a second login issues a different token" test "$first_token" != "$second_token"

# account: viewer, API token, password change
web_get "$J" /account >/dev/null
page=$(cat "$WEB_BODY")
csrf=$(csrf_in "$WEB_BODY")
web_get "$J" /account --data-urlencode "csrf=$csrf" -d action=adduser -d name=watcher \
	--data-urlencode "password=watcher-pass-1" -d role=viewer >/dev/null
check_eq "admin adds a viewer" 200 "$WEB_STATUS"
web_get "$J" /account --data-urlencode "csrf=$csrf" -d action=token -d label=curl >/dev/null
page=$(cat "$WEB_BODY")
token=$(sed -n 's/.*id="api-token">\([0-9a-f]*\)<.*/\1/p' "$WEB_BODY")
check_match "API token shown once" '^[0-9a-f]{64}$' "$token"
json=$(curl -s -H "Authorization: Bearer $token" "$WEB_URL/api/streams")
check_match "API token works with curl" '"name":"cam"' "$json"
web_get "$J" /account >/dev/null
tid=$(sed -n 's/.*name="id" value="\([0-9a-f]*\)".*/\1/p' "$WEB_BODY" | head -1)
check_match "the token is listed by label" "<td>curl</td>" "$(cat "$WEB_BODY")"
check "the listing never shows the token itself" bash -c "! grep -qF '$token' '$WEB_BODY'"
check_eq "a wrong API token gets 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${token//?/0}" "$WEB_URL/api/streams")"

web_get "$J" /account --data-urlencode "csrf=$csrf" -d action=revoke -d "id=$tid" >/dev/null
check_match "token revoked" "token revoked" "$(cat "$WEB_BODY")"
check_eq "a revoked API token gets 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$WEB_URL/api/streams")"

web_login "$OUT/viewer.jar" watcher watcher-pass-1
check_eq "viewer logs in" 303 "$WEB_STATUS"
web_get "$OUT/viewer.jar" / >/dev/null
check_eq "viewer sees the dashboard" 200 "$WEB_STATUS"
check "viewer has no default-password banner" bash -c "! grep -q default-password '$WEB_BODY'"
web_get "$OUT/viewer.jar" /config >/dev/null
check_eq "viewer cannot open /config (403)" 403 "$WEB_STATUS"
web_get "$OUT/viewer.jar" /account >/dev/null
vcsrf=$(csrf_in "$WEB_BODY")
web_get "$OUT/viewer.jar" /config --data-urlencode "csrf=$vcsrf" -d rows=0 -d version=x -d heartbeat_seconds=5 -d timezone=UTC >/dev/null
check_eq "viewer cannot POST /config (403)" 403 "$WEB_STATUS"
check_eq "HTTP Basic works for GET" 200 "$(curl -s -o /dev/null -w '%{http_code}' -u watcher:watcher-pass-1 "$WEB_URL/api/streams")"

# change the admin password: banner gone; logout revokes the cookie
web_get "$J" /account >/dev/null
csrf=$(csrf_in "$WEB_BODY")
web_get "$J" /account --data-urlencode "csrf=$csrf" -d action=password -d current=admin123 \
	-d password=n3w-Admin-pass -d password2=n3w-Admin-pass >/dev/null
check_eq "password change accepted" 200 "$WEB_STATUS"
web_get "$J" / >/dev/null
page=$(cat "$WEB_BODY")
check "banner gone after the change" bash -c "! grep -q default-password '$WEB_BODY'"
cp "$J" "$OUT/stolen.jar"
csrf=$(csrf_in "$WEB_BODY")
web_get "$J" /logout --data-urlencode "csrf=$csrf" >/dev/null
check_eq "logout redirects" 303 "$WEB_STATUS"
web_get "$OUT/stolen.jar" / >/dev/null
check_eq "the logged-out cookie no longer works" 303 "$WEB_STATUS"
web_get "$OUT/stolen.jar" /logout -d csrf=0 >/dev/null
check_eq "POST without a session: 401" 401 "$WEB_STATUS"
# Last: the address key of the throttle then locks every login from 127.0.0.1.
# wrong passwords, then throttling: the 6th try in 10 minutes gets 429
web_login "$OUT/bad.jar" admin wrong-password
check_eq "wrong password refused (401)" 401 "$WEB_STATUS"
check_match "wrong password page says so" "wrong user name or password" "$(cat "$WEB_BODY")"
for i in 2 3 4 5; do web_login "$OUT/bad.jar" admin "wrong-$i"; done
check_eq "5th wrong try still 401" 401 "$WEB_STATUS"
web_login "$OUT/bad.jar" admin n3w-Admin-pass
check_eq "6th try within 10 min: 429 even with the right password" 429 "$WEB_STATUS"
check_match "429 carries Retry-After" "Retry-After: [0-9]+" "$(cat "$WEB_HEADERS")"

# The long-lived FastCGI workers exit through exit() on SIGTERM: ASan's leak check runs then.
stop_web
sleep 0.5
check "FastCGI workers: no leak or memory error across all requests" \
	bash -c "! grep -E 'LeakSanitizer|AddressSanitizer|runtime error' '$WEB_LOG' '$WEB_NGINX_LOG'"
finish
