#!/usr/bin/env bash
# The shell tool for a forgotten admin password (streampulse-monitor --users / --passwd /
# --add-user) against the database a real nginx + FastCGI serves: the reset password logs in, the
# old one no longer does, the admin's sessions are logged out, its failed-login lock is lifted,
# bad input is refused with a clear message and an exit code, and the password shows up neither
# in the tool's output nor in the database.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/web.sh"
cfg="$OUT/config.yaml"
cat >"$cfg" <<YAML
heartbeat_seconds: 30
streams:
  - name: cam
    url: rtsp://127.0.0.1:9/x
YAML
NEW_PW=Reset-Pw-4417q TTY_PW=Tty-Pw-8812zz VIEW_PW=Viewer-Pw-3301k
db="$OUT/data/streams.db"
# tool ARGS...: the monitor's user flags on $cfg; stdout+stderr into TOOL_OUT (and tool.log, which
# the password checks read), exit code into TOOL_RC. Stdin is the caller's.
tool() {
	TOOL_OUT=$("$MON" -c "$cfg" "$@" 2>&1) && TOOL_RC=0 || TOOL_RC=$?
	printf '$ %s\n%s\n(exit %s)\n' "$*" "$TOOL_OUT" "$TOOL_RC" >>"$OUT/tool.log"
}
from() { # from ADDRESS JAR USER PASSWORD: a form login from that loopback address
	local ip=$1 jar=$2 c
	: >"$jar"
	web_get "$jar" /login --interface "$ip" >/dev/null
	c=$(csrf_in "$WEB_BODY")
	web_get "$jar" /login --interface "$ip" --data-urlencode "user=$3" --data-urlencode "password=$4" \
		-d "csrf=$c" >/dev/null
}

tool --users
check_eq "--users before any database: exit 2" 2 "$TOOL_RC"
check_match "... says the database is missing" "database .*streams.db: No such file" "$TOOL_OUT"
check "... and does not create it" test ! -e "$db"

start_web "$cfg"
A="$OUT/admin.jar"
web_login "$A" admin admin123
check_eq "admin/admin123 logs in" 303 "$WEB_STATUS"
web_get "$A" / >/dev/null
check_eq "the admin's session works" 200 "$WEB_STATUS"

tool --users
check_eq "--users: exit 0" 0 "$TOOL_RC"
check_match "--users lists admin, role admin, default password, 1 session" \
	$'\nadmin +admin +default +[0-9-]+ [0-9:]+ UTC +[0-9-]+ [0-9:]+ UTC +1 +0' "$TOOL_OUT"

# The owner forgot the password and tried: the user name is locked (5 failures, each from
# another address so only the per-user key counts).
for i in 2 3 4 5 6; do from "127.0.0.$i" "$OUT/bad.jar" admin "guess-$i"; done
from 127.0.0.7 "$OUT/bad.jar" admin admin123
check_eq "after 5 wrong guesses the admin is throttled (429)" 429 "$WEB_STATUS"

# ---- bad input: refused, clear message, non-zero exit, nothing changed -------------------------
hash_before=$(sqlite3 "$db" "SELECT hash FROM users WHERE name = 'admin'")
tool --passwd nobody --password-stdin <<<"$NEW_PW"
check_eq "unknown user: exit 1" 1 "$TOOL_RC"
check_match "... message names the user" "no user named 'nobody'" "$TOOL_OUT"
tool --passwd admin --password-stdin <<<"short7"
check_eq "password too short: exit 1" 1 "$TOOL_RC"
check_match "... message says why" "at least 8 characters" "$TOOL_OUT"
tool --passwd admin --password-stdin <<<"admin"
check_eq "password = user name (too short too): exit 1" 1 "$TOOL_RC"
tool --passwd admin --password-stdin <<<"admin123"
check_match "the default password is refused" "differ from the default password" "$TOOL_OUT"
tool --passwd admin --password-stdin </dev/null
check_eq "empty stdin: exit 1" 1 "$TOOL_RC"
check_match "... 'no password given'" "no password given" "$TOOL_OUT"
tool --passwd admin </dev/null
check_eq "no terminal and no --password-stdin: exit 1" 1 "$TOOL_RC"
check_match "... says to use --password-stdin" "stdin is not a terminal: pass --password-stdin" "$TOOL_OUT"
tool --passwd admin --password-stdin < <(head -c 600 /dev/zero | tr '\0' x; echo)
check_match "a 600-character password: too long" "too long" "$TOOL_OUT"
tool --users --passwd admin
check_eq "two operations at once: usage error (exit 3)" 3 "$TOOL_RC"
tool --passwd admin --role admin
check_eq "--role without --add-user: exit 3" 3 "$TOOL_RC"
tool --add-user x --role root --password-stdin <<<"$VIEW_PW"
check_match "--role root: names the valid roles" "admin or viewer" "$TOOL_OUT"
check_eq "... exit 3" 3 "$TOOL_RC"
TOOL_OUT=$("$MON" -c "$OUT/none.yaml" --users 2>&1) && TOOL_RC=0 || TOOL_RC=$?
check_eq "missing config: exit 2" 2 "$TOOL_RC"
printf 'data_dir: %s/elsewhere\nstreams: []\n' "$OUT" >"$OUT/other.yaml"
TOOL_OUT=$("$MON" -c "$OUT/other.yaml" --passwd admin --password-stdin <<<"$NEW_PW" 2>&1) && TOOL_RC=0 || TOOL_RC=$?
check_eq "config naming a database that does not exist: exit 2" 2 "$TOOL_RC"
check_match "... message names the path" "elsewhere/streams.db: No such file" "$TOOL_OUT"
check "... and no empty database was made there" test ! -e "$OUT/elsewhere/streams.db"
if [ "$(id -u)" = 0 ]; then
	chown nobody "$db"
	tool --passwd admin --password-stdin <<<"$NEW_PW"
	check_eq "root on a database that is nobody's: exit 2" 2 "$TOOL_RC"
	check_match "... says to run it as the owner" "belongs to nobody: run this as that user \\(sudo -u nobody" "$TOOL_OUT"
	chown root "$db"
fi
check_eq "refused attempts left the hash as it was" "$hash_before" \
	"$(sqlite3 "$db" "SELECT hash FROM users WHERE name = 'admin'")"

# ---- the reset ----------------------------------------------------------------------------------
tool --passwd admin --password-stdin <<<"$NEW_PW"
check_eq "--passwd admin --password-stdin: exit 0" 0 "$TOOL_RC"
check_match "... says the sessions were logged out" "password of 'admin' changed; all of its sessions logged out" "$TOOL_OUT"
web_get "$A" / >/dev/null
check_eq "the admin's existing session is logged out (redirect to /login)" 303 "$WEB_STATUS"
check_eq "... and its API call gets 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' -b "$A" "$WEB_URL/api/streams")"
check_eq "no session of admin is left in the database" 0 \
	"$(sqlite3 "$db" "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.name = 'admin'")"
web_login "$OUT/old.jar" admin admin123
check_eq "the old password no longer logs in (401, not 429: the lock was lifted)" 401 "$WEB_STATUS"
web_login "$OUT/new.jar" admin "$NEW_PW"
check_eq "the new password logs in" 303 "$WEB_STATUS"
web_get "$OUT/new.jar" / >/dev/null
check_eq "... to the dashboard" 200 "$WEB_STATUS"
check "... without the default-password banner" bash -c "! grep -q default-password '$WEB_BODY'"
tool --users
check_match "--users: admin's password is no longer the default" $'\nadmin +admin +set ' "$TOOL_OUT"

# At a terminal: typed twice, echo off.
out=$("$PY" "$SP_ROOT/tests/fixtures/tty_answer.py" "$TTY_PW" 'New password: ' 'Again: ' -- \
	"$MON" -c "$cfg" --passwd admin 2>&1) && rc=0 || rc=$?
printf '$ (tty) --passwd admin\n%s\n(exit %s)\n' "$out" "$rc" >>"$OUT/tool.log"
check_eq "--passwd at a terminal (typed twice): exit 0" 0 "$rc"
check "... the typed password is not echoed" bash -c "! grep -qF '$TTY_PW' <<<'$out'"
web_get "$OUT/new.jar" / >/dev/null
check_eq "... the session of the previous reset's login is logged out" 303 "$WEB_STATUS"
web_login "$OUT/tty.jar" admin "$TTY_PW"
check_eq "... and the typed password logs in" 303 "$WEB_STATUS"
out=$("$PY" "$SP_ROOT/tests/fixtures/tty_answer.py" "Mismatch-pw-1" 'New password: ' -- \
	"$MON" -c "$cfg" --passwd admin 2>&1) && rc=0 || rc=$?
check_eq "at a terminal, Ctrl-D at the second prompt: exit 1" 1 "$rc"

# ---- --add-user -----------------------------------------------------------------------------------
tool --add-user watcher --role viewer --password-stdin <<<"$VIEW_PW"
check_eq "--add-user watcher --role viewer: exit 0" 0 "$TOOL_RC"
tool --add-user watcher --password-stdin <<<"$VIEW_PW"
check_match "adding it twice: 'already exists'" 'user "watcher" already exists' "$TOOL_OUT"
check_eq "... exit 1" 1 "$TOOL_RC"
web_login "$OUT/w.jar" watcher "$VIEW_PW"
check_eq "the added viewer logs in" 303 "$WEB_STATUS"
tool --users
check_match "--users lists the viewer" $'\nwatcher +viewer +set ' "$TOOL_OUT"

# ---- the password stays secret -------------------------------------------------------------------
check "no password in the tool's output" bash -c "! grep -qF -e '$NEW_PW' -e '$TTY_PW' -e '$VIEW_PW' '$OUT/tool.log'"
for f in "$db" "$db-wal"; do
	[ -e "$f" ] || continue
	check "no clear password in $(basename "$f")" bash -c "! grep -aqF -e '$NEW_PW' -e '$TTY_PW' -e '$VIEW_PW' '$f'"
done
check_eq "every hash is crypt(3) (yescrypt or SHA-512)" "" \
	"$(sqlite3 "$db" "SELECT name FROM users WHERE NOT (hash LIKE '\$y\$%' OR hash LIKE '\$6\$%')")"
check "no sanitizer report from the tool" bash -c "! grep -E 'Sanitizer|runtime error' '$OUT/tool.log'"

stop_web
sleep 0.5
check "FastCGI workers: no leak or memory error" \
	bash -c "! grep -E 'LeakSanitizer|AddressSanitizer|runtime error' '$WEB_LOG' '$WEB_NGINX_LOG'"
finish
