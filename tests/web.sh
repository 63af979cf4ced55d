# shellcheck shell=bash
# Sourced by the web tests after lib.sh: a logged-in curl, form tokens, the app's URLs.
# Every response body and header a test fetches is kept under $OUT (t9990 greps them all).

# web_get JAR PATH [curl args...]: sets WEB_STATUS, WEB_BODY and WEB_HEADERS (files). Not in $(...):
# the variables would be lost with the subshell.
WEB_N=0
web_get() {
	local jar=$1 path=$2
	shift 2
	WEB_N=$((WEB_N + 1))
	WEB_STATUS=$(curl -s -m 30 -b "$jar" -c "$jar" -D "$OUT/resp$WEB_N.h" -o "$OUT/resp$WEB_N.body" \
		-w '%{http_code}' "$@" "$WEB_URL$path")
	WEB_BODY="$OUT/resp$WEB_N.body"
	WEB_HEADERS="$OUT/resp$WEB_N.h"
}

# csrf_in FILE: the csrf hidden field of the first form in an HTML file.
csrf_in() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$1" | head -1; }

# web_login JAR USER PASSWORD: logs in through the form; WEB_STATUS is the POST's status.
web_login() {
	local jar=$1 user=$2 pass=$3 csrf
	: >"$jar"
	web_get "$jar" /login >/dev/null
	csrf=$(csrf_in "$WEB_BODY")
	web_get "$jar" /login --data-urlencode "user=$user" --data-urlencode "password=$pass" \
		--data-urlencode "csrf=$csrf" --data-urlencode "next=/" >/dev/null
}

# web_api_token JAR LABEL: creates an API token on /account as the logged-in user of JAR into
# API_TOKEN (the page shows it once; WEB_BODY is that page). Not in $(...), like web_get.
web_api_token() {
	local jar=$1 label=$2 csrf
	web_get "$jar" /account >/dev/null
	csrf=$(csrf_in "$WEB_BODY")
	web_get "$jar" /account --data-urlencode "csrf=$csrf" -d action=token -d label="$label" >/dev/null
	API_TOKEN=$(sed -n 's/.*id="api-token">\([0-9a-f]*\)<.*/\1/p' "$WEB_BODY")
}
