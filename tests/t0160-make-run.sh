#!/usr/bin/env bash
# `make run` as a new user: a fresh clone, one command, the demo dashboard on 127.0.0.1:8000
# with live states; Ctrl-C (SIGINT to its process group) stops everything it started.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/web.sh"
for port in 8000 8554 8081; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then bail "make run" "port $port is busy before the test"; fi
done
git clone -q "$SP_ROOT" "$OUT/clone" || bail "git clone" "failed"
setsid make -C "$OUT/clone" run >"$OUT/run.out" 2>&1 </dev/null &
pid=$!
up() { curl -s -o /dev/null "http://127.0.0.1:8000/login"; }
wait_for "make run serves :8000" 240 up || bail "make run" "no answer on :8000: $(tail -5 "$OUT/run.out")"
check_match "make run prints the URL and the default login" "http://127.0.0.1:8000/ +\(login admin / admin123\)" "$(cat "$OUT/run.out")"
WEB_URL=http://127.0.0.1:8000
J="$OUT/admin.jar"
web_login "$J" admin admin123
check_eq "default login works on the demo" 303 "$WEB_STATUS"
states() {
	web_get "$J" /api/streams
	jq -r '[.streams[] | .name + "=" + .state] | sort | join(",")' "$WEB_BODY"
}
live() { [ "$(states)" = "Gate snapshot=up,Lobby=up,Old barn camera=down,Parking (digest auth)=up,Workshop Pi (MJPEG)=up" ]; }
wait_for "demo states are live" 40 live
check_eq "demo cameras: four up, the dead one down" \
	"Gate snapshot=up,Lobby=up,Old barn camera=down,Parking (digest auth)=up,Workshop Pi (MJPEG)=up" "$(states)"
web_get "$J" / >/dev/null
check_match "dashboard shows the dead camera as down" '<tr class="state-down" data-name="Old barn camera">' "$(cat "$WEB_BODY")"

kill -INT -- "-$pid"
stopped() { ! (exec 3<>/dev/tcp/127.0.0.1/8000) 2>/dev/null && ! (exec 3<>/dev/tcp/127.0.0.1/8554) 2>/dev/null; }
wait_for "Ctrl-C stops the demo" 20 stopped
check "after Ctrl-C nothing listens on :8000 or :8554" stopped
# Anything still running from the clone (by command line or working folder), zombies aside.
left=""
for d in /proc/[0-9]*; do
	sp_alive "${d#/proc/}" || continue
	if grep -qF "$OUT/clone" "$d/cmdline" 2>/dev/null || [[ $(readlink "$d/cwd" 2>/dev/null) == "$OUT/clone"* ]]; then
		left+="${d#/proc/}:$(tr '\0' ' ' <"$d/cmdline" | cut -c1-60) "
	fi
done
check_eq "no process of the demo is left" "" "$left"
rm -rf "$OUT/clone" # its tests/lib.sh holds the test passwords t9990 looks for
finish
