# shellcheck shell=bash
# Sourced by every tests/tNNNN-*.sh. Provides the test servers (all on 127.0.0.1),
# counting assertions, and cleanup of every process a test started, also when it
# fails midway or is killed by the runner's timeout.
set -u

SP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SP_BUILD=${SP_BUILD:-build/asan}
case $SP_BUILD in
/*) MON="$SP_BUILD/streampulse-monitor" ;;
*) MON="$SP_ROOT/$SP_BUILD/streampulse-monitor" ;;
esac
PY=/usr/bin/python3 # Debian's python: the one with gi (GStreamer bindings)
T=$(basename "$0" .sh)
OUT="$SP_ROOT/tests/out/$T"
rm -rf "$OUT" && mkdir -p "$OUT/cache" "$OUT/home"
# GStreamer writes its registry cache under XDG_CACHE_HOME; keep it per test.
export XDG_CACHE_HOME="$OUT/cache" HOME="$OUT/home"
export SP_ROOT SP_BUILD MON PY T OUT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Test credentials; tests grep all output to prove these never leak.
export TEST_RTSP_USER=camuser TEST_RTSP_PASS=rtspPw7x9q
export TEST_HTTP_USER=viewer TEST_HTTP_PASS=httpPw3k8m

SP_PASS=0 SP_FAIL=0
SP_PIDS=()

# ---- assertions -------------------------------------------------------------
ok() { SP_PASS=$((SP_PASS + 1)); echo "ok - $1"; }
not_ok() { SP_FAIL=$((SP_FAIL + 1)); echo "not ok - $1${2:+: $2}"; }

# check WHAT CMD ARGS...: ok if CMD exits 0 (its output is kept for the failure detail).
check() {
	local what=$1 out rc
	shift
	out=$("$@" 2>&1) && rc=0 || rc=$?
	if [ "$rc" = 0 ]; then ok "$what"; else not_ok "$what" "exit $rc${out:+, ${out##*$'\n'}}"; fi
}
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected '$2', got '$3'"; fi
}
check_match() {
	if [[ $3 =~ $2 ]]; then ok "$1"; else not_ok "$1" "'$3' does not match /$2/"; fi
}
check_lt() {
	if [[ $2 =~ ^-?[0-9]+$ && $3 =~ ^-?[0-9]+$ ]] && (($2 < $3)); then ok "$1"
	else not_ok "$1" "expected '$2' < '$3'"; fi
}

# finish: summary line, counts for tests/run.sh, exit 0 (failures are in the counts).
finish() {
	echo "$T: $SP_PASS passed, $SP_FAIL failed"
	echo "$SP_PASS $SP_FAIL" >"$OUT/counts"
	exit 0
}

# bail WHAT DETAIL: a failure the test cannot go on after.
bail() { not_ok "$1" "${2:-}"; finish; }

# check_probe WHAT EXPECTED_RC REGEX URL [ARGS...]: one `--check` run, its exit code and its
# line; the line is kept in LAST_OUT and logged (without the URL: it may hold a password).
check_probe() {
	local what=$1 want_rc=$2 re=$3 rc
	shift 3
	LAST_OUT=$("$MON" --check "$@" 2>>"$OUT/check.err") && rc=0 || rc=$?
	echo "$what -> $LAST_OUT (rc $rc)" >>"$OUT/check.log"
	check_eq "$what: exit code" "$want_rc" "$rc"
	check_match "$what: output" "$re" "$LAST_OUT"
}

# ---- the store ----------------------------------------------------------------
# hb_sql CONFIG SQL: SQL over the heartbeats the monitor kept, exported with
# `streampulse-monitor -c CONFIG --export` (the store packs them; doc/store.md) into an
# in-memory database: heartbeats(stream_id, ts_ms, up, latency_ms, connect_ms, error, message,
# codec, width, height) as the old table had it (NULL where none) plus state (up, down, degraded,
# skipped; error holds a degraded or skipped beat's reason), and streams(id, name) of the
# streams that have heartbeats, ids in the store's order.
hb_sql() {
	local cfg=$1 sql=$2 csv rc
	csv=$(mktemp "$OUT/hb_sql.XXXXXX") || return 1
	if ! "$MON" -c "$cfg" --export >"$csv" 2>>"$OUT/hb_sql.err"; then
		rm -f "$csv"
		return 1
	fi
	sqlite3 -batch -cmd ".import --csv $csv hb_csv" :memory: "
CREATE TABLE streams AS SELECT row_number() OVER (ORDER BY min(rowid)) AS id, stream AS name
  FROM hb_csv GROUP BY stream;
CREATE TABLE heartbeats AS SELECT s.id AS stream_id, CAST(ts_ms AS INTEGER) AS ts_ms,
  CAST(up AS INTEGER) AS up, CAST(NULLIF(latency_ms, '') AS INTEGER) AS latency_ms,
  CAST(NULLIF(connect_ms, '') AS INTEGER) AS connect_ms, NULLIF(error, '') AS error,
  NULLIF(message, '') AS message, NULLIF(codec, '') AS codec,
  CAST(NULLIF(width, '') AS INTEGER) AS width, CAST(NULLIF(height, '') AS INTEGER) AS height,
  state FROM hb_csv c JOIN streams s ON s.name = c.stream ORDER BY s.id, ts_ms;
$sql" && rc=0 || rc=$?
	rm -f "$csv"
	return "$rc"
}

# ---- time -------------------------------------------------------------------
now_ms() { local t=${EPOCHREALTIME//[.,]/}; echo $((t / 1000)); }

# wait_for WHAT TIMEOUT_S CMD...: poll CMD every 0.1 s; 1 on timeout (TIMEOUT_S may be "0.5").
wait_for() {
	local what=$1 s=$2 ms
	shift 2
	if [[ $s == *.* ]]; then local i=${s%%.*} f=${s#*.}000; ms=$((${i:-0} * 1000 + 10#${f:0:3}))
	else ms=$((s * 1000)); fi
	local end=$(($(now_ms) + ms))
	until "$@" >/dev/null 2>&1; do
		if (($(now_ms) >= end)); then echo "# wait_for: $what: timed out after ${s} s" >&2; return 1; fi
		sleep 0.1
	done
}

# ---- processes --------------------------------------------------------------
# free_port: an unused 127.0.0.1 TCP port below the kernel's ephemeral range (so
# no outgoing connection's source port takes it before the server binds), never
# the same twice in one test.
free_port() {
	"$PY" - "$OUT/.ports" <<'EOF'
import random, socket, sys
used = set(open(sys.argv[1]).read().split()) if __import__("os").path.exists(sys.argv[1]) else set()
for _ in range(1000):
    port = random.randint(20000, 32000)
    if str(port) in used:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    open(sys.argv[1], "a").write(f"{port}\n")
    print(port)
    sys.exit(0)
sys.exit("free_port: no free port")
EOF
}

# spawn NAME CMD...: run CMD in the background in its own session (so cleanup
# reaches its children too), stdout/stderr to $OUT/NAME.out/.err; sets SPAWN_PID.
spawn() {
	local name=$1
	shift
	setsid "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" </dev/null &
	SPAWN_PID=$!
	SP_PIDS+=("$SPAWN_PID")
}

sp_alive() { # true unless PID is gone or a zombie
	local stat
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

sp_any_alive() { local p; for p; do sp_alive "$p" && return 0; done; return 1; }

# stop_proc PID...: SIGTERM their process groups, SIGKILL what is left after 5 s, reap.
stop_proc() {
	local pid p i rest=()
	for pid; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null; done
	for ((i = 0; i < 50; i++)); do sp_any_alive "$@" || break; sleep 0.1; done
	for pid; do
		kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for p in "${SP_PIDS[@]}"; do [[ " $* " == *" $p "* ]] || rest+=("$p"); done
	SP_PIDS=("${rest[@]}")
	return 0
}

# On exit: stop spawned servers and any job the test put in the background itself
# (e.g. `"$MON" ... &`), with that job's direct children; all at once, so the
# runner's SIGKILL 10 s after its SIGTERM never comes first.
sp_cleanup() {
	local pid kids
	for pid in $(jobs -p); do
		kids=$(cat /proc/"$pid"/task/*/children 2>/dev/null)
		# shellcheck disable=SC2086 # word-splitting the pid list is intended
		[ -n "$kids" ] && kill -TERM $kids 2>/dev/null
		[[ " ${SP_PIDS[*]} " == *" $pid "* ]] || SP_PIDS+=("$pid")
	done
	((${#SP_PIDS[@]})) && stop_proc "${SP_PIDS[@]}"
	wait 2>/dev/null
}
trap sp_cleanup EXIT
trap 'exit 143' TERM INT HUP # make the EXIT trap run when the runner's timeout fires

# sp_start NAME PORTVAR CMD...: spawn CMD --port P, wait for READY on its stdout.
# Retried with another port if the chosen one was taken in the meantime.
sp_start() {
	local name=$1 var=$2 port i
	shift 2
	for _ in 1 2 3; do
		port=$(free_port) || bail "start $name" "no free port"
		spawn "$name" "$@" --port "$port"
		for ((i = 0; i < 150; i++)); do
			if grep -q '^READY' "$OUT/$name.out"; then
				printf -v "$var" %s "$port"
				export "${var?}"
				return 0
			fi
			sp_alive "$SPAWN_PID" || break
			sleep 0.1
		done
		stop_proc "$SPAWN_PID"
		grep -q 'Address already in use\|cannot listen' "$OUT/$name.err" || break
	done
	bail "start $name server" "not READY; stderr: $(tail -5 "$OUT/$name.err")"
}

# start_rtsp: GStreamer RTSP server (/cam /small /sliced /secure /udp-only); sets RTSP_PORT RTSP_LOG RTSP_PID.
start_rtsp() {
	RTSP_LOG="$OUT/rtsp.log"
	: >"$RTSP_LOG"
	sp_start rtsp RTSP_PORT "$PY" "$SP_ROOT/tests/fixtures/rtsp_server.py" \
		--user "$TEST_RTSP_USER" --password "$TEST_RTSP_PASS" --log "$RTSP_LOG"
	RTSP_PID=$SPAWN_PID
	export RTSP_LOG RTSP_PID
}

# start_mjpeg: HTTP MJPEG camera; sets MJPEG_PORT MJPEG_LOG MJPEG_PID.
start_mjpeg() {
	MJPEG_LOG="$OUT/mjpeg.log"
	: >"$MJPEG_LOG"
	if [ ! -e "$OUT/frames/f10.jpg" ]; then
		mkdir -p "$OUT/frames"
		ffmpeg -loglevel error -f lavfi -i testsrc=size=640x360:rate=10 -frames:v 10 -q:v 5 \
			"$OUT/frames/f%02d.jpg" || bail "make MJPEG frames" "ffmpeg failed"
	fi
	sp_start mjpeg MJPEG_PORT "$PY" "$SP_ROOT/tests/fixtures/mjpeg_server.py" --frames "$OUT/frames" \
		--user "$TEST_HTTP_USER" --password "$TEST_HTTP_PASS" --log "$MJPEG_LOG"
	MJPEG_PID=$SPAWN_PID
	export MJPEG_LOG MJPEG_PID
}

# start_fault silent|close: a TCP peer that never answers or hangs up at once; sets FAULT_PORT FAULT_PID.
start_fault() {
	sp_start "fault-$1" FAULT_PORT "$PY" "$SP_ROOT/tests/fixtures/tcp_fault.py" --mode "$1"
	FAULT_PID=$SPAWN_PID
	export FAULT_PID
}

# ---- web servers ------------------------------------------------------------
# The web program (one binary: FastCGI under spawn-fcgi, CGI under lighttpd mod_cgi). SP_WEB_BIN
# overrides it, e.g. with a stub while the real one is not built.
case $SP_BUILD in
/*) SP_WEB_BIN=${SP_WEB_BIN:-$SP_BUILD/streampulse.fcgi} ;;
*) SP_WEB_BIN=${SP_WEB_BIN:-$SP_ROOT/$SP_BUILD/streampulse.fcgi} ;;
esac
export SP_WEB_BIN
SP_WEB_SOCKETS=() # FastCGI sockets this test created: cleanup stops whoever listens on them

# sp_fill TEMPLATE OUTPUT KEY=VALUE...: TEMPLATE with every @KEY@ replaced by VALUE (no newlines
# in VALUE); fails if a placeholder is left, so a template and its caller cannot drift apart.
sp_fill() {
	local in=$1 out=$2 kv v args=()
	shift 2
	for kv; do
		v=${kv#*=}
		v=${v//\\/\\\\} v=${v//|/\\|} v=${v//&/\\&}
		args+=(-e "s|@${kv%%=*}@|$v|g")
	done
	sed "${args[@]}" "$in" >"$out" || return 1
	if grep -n '@[A-Z_]*@' "$out" >&2; then echo "sp_fill: $out: placeholder left" >&2; return 1; fi
}

# sp_socket_pids SOCKET: the processes that have the listening Unix socket SOCKET as fd 0, i.e.
# the FastCGI workers serving it, however they were started. Found through /proc, so a worker
# that never made it into spawn-fcgi's pid file (spawn-fcgi killed mid-start) is found as well.
# An unlinked socket keeps its path in /proc/net/unix: every socket ever bound there counts.
sp_socket_pids() {
	local socks fd link
	socks=" $(awk -v p="$1" '$8 == p { printf "socket:[%s] ", $7 }' /proc/net/unix)"
	[ "$socks" != " " ] || return 0
	for fd in /proc/[0-9]*/fd/0; do
		link=$(readlink "$fd" 2>/dev/null) || continue
		if [[ $socks == *" $link "* ]]; then
			fd=${fd#/proc/}
			echo "${fd%%/*}"
		fi
	done
}

# sp_web_collect: adds the workers of every FastCGI socket to SP_PIDS, for stop_proc/sp_cleanup.
# spawn-fcgi forks the workers, each calls setsid() and spawn-fcgi exits: they are neither our
# children nor in a process group we know, so only their pids can reach them.
sp_web_collect() {
	local sock pid
	for sock in "${SP_WEB_SOCKETS[@]}"; do
		for pid in $(sp_socket_pids "$sock"); do
			[[ " ${SP_PIDS[*]} " == *" $pid "* ]] || SP_PIDS+=("$pid")
		done
	done
}
trap 'sp_web_collect; sp_cleanup' EXIT

# sp_nginx_user: the nginx "user" line. As root, nginx would run its workers as nobody, who can
# open neither the 0600 FastCGI socket nor (often) the checkout's htdocs/: they stay the user
# that owns both. Unprivileged, nginx cannot switch users and warns about the line: none.
sp_nginx_user() {
	if [ "$(id -u)" = 0 ]; then echo "user $(id -un) $(id -gn);"; fi
}

# sp_web_ready URL PID: wait up to 10 s for URL to answer (any status); 1 if PID died first.
sp_web_ready() {
	local i
	for ((i = 0; i < 100; i++)); do
		curl -s -o /dev/null --max-time 2 "$1" && return 0
		sp_alive "$2" || return 1
		sleep 0.1
	done
	return 1
}

# start_web [CONFIG [NAME]]: the web program under spawn-fcgi (4 workers on $OUT/fcgi.sock, mode
# 0600, STREAMPULSE_CONFIG=CONFIG, default $OUT/config.yaml) behind nginx (conf/nginx/test.conf.in)
# on a free port. Sets WEB_PORT WEB_URL (http://127.0.0.1:PORT, no trailing slash), WEB_PID (nginx
# master), WEB_WORKERS (the 4 worker pids), WEB_LOG (the workers' stderr: error lines, sanitizer
# reports), WEB_NGINX_LOG (nginx's error log; the access log is beside it). Called again, it
# restarts both (e.g. with another config). A NAME gives a second front end its own files
# ($OUT/fcgi-NAME.sock, $OUT/nginx-NAME/...): keep the first one's WEB_* values, clear WEB_PID
# and WEB_WORKERS, then start_web CONFIG NAME (cleanup stops both).
start_web() {
	local cfg=${1:-$OUT/config.yaml} sfx=${2:+-$2} rc pid
	local prefix="$OUT/nginx$sfx" sock="$OUT/fcgi$sfx.sock"
	stop_web "${2:-}"
	[ -x "$SP_WEB_BIN" ] || bail "start web" "no program $SP_WEB_BIN (build it, or set SP_WEB_BIN)"
	# sun_path holds 107 bytes; spawn-fcgi would only say "too long".
	((${#sock} < 108)) || bail "start web" "socket path over 107 bytes: $sock (check out nearer /)"
	mkdir -p "$prefix/logs" "$prefix/tmp"
	rm -f "$sock" "$OUT/fcgi$sfx.pid"
	SP_WEB_SOCKETS+=("$sock")
	WEB_LOG="$OUT/fcgi$sfx.err"
	: >"$WEB_LOG"
	# spawn-fcgi points the workers' stdout and stderr at /dev/null (and closes inherited fds
	# below the one it opens for that): the sh in between reopens stderr on WEB_LOG by name, then
	# execs the program (same pid). -F with -n would be ignored (-n execs one program in place),
	# hence forking mode; the pid file ($OUT/fcgi.pid) is for people, cleanup uses the socket.
	# shellcheck disable=SC2016 # $1 and $@ belong to that sh
	STREAMPULSE_CONFIG=$cfg spawn-fcgi -F 4 -M 0600 -s "$sock" -P "$OUT/fcgi$sfx.pid" \
		-- /bin/sh -c 'log=$1; shift; exec "$@" 2>>"$log"' sh "$WEB_LOG" "$SP_WEB_BIN" \
		>"$OUT/spawn-fcgi$sfx.out" 2>&1 </dev/null && rc=0 || rc=$?
	sp_web_collect
	WEB_WORKERS=$(sp_socket_pids "$sock" | tr '\n' ' ')
	WEB_WORKERS=${WEB_WORKERS% }
	if [ "$rc" != 0 ] || [ -z "$WEB_WORKERS" ]; then
		bail "start web: spawn-fcgi" "exit $rc: $(tail -3 "$OUT/spawn-fcgi$sfx.out") $(tail -3 "$WEB_LOG")"
	fi
	WEB_NGINX_LOG="$prefix/logs/error.log"
	for _ in 1 2 3; do
		WEB_PORT=$(free_port) || bail "start web" "no free port"
		sp_fill "$SP_ROOT/conf/nginx/test.conf.in" "$prefix/nginx.conf" PREFIX="$prefix" \
			LISTEN="127.0.0.1:$WEB_PORT" HTDOCS="$SP_ROOT/htdocs" SOCKET="$sock" \
			USER="$(sp_nginx_user)" || bail "start web" "conf/nginx/test.conf.in does not fill"
		: >"$WEB_NGINX_LOG"
		spawn "nginx$sfx" nginx -p "$prefix" -c "$prefix/nginx.conf" -e "$WEB_NGINX_LOG"
		WEB_PID=$SPAWN_PID
		if sp_web_ready "http://127.0.0.1:$WEB_PORT/static/app.css" "$WEB_PID"; then
			for pid in $WEB_WORKERS; do
				sp_alive "$pid" || bail "start web" "worker $pid died: $(tail -5 "$WEB_LOG")"
			done
			WEB_URL="http://127.0.0.1:$WEB_PORT"
			export WEB_PORT WEB_URL WEB_PID WEB_WORKERS WEB_LOG WEB_NGINX_LOG
			return 0
		fi
		stop_proc "$WEB_PID"
		grep -q 'Address already in use' "$WEB_NGINX_LOG" "$OUT/nginx$sfx.err" || break
	done
	bail "start nginx" "not answering; $(tail -3 "$WEB_NGINX_LOG" "$OUT/nginx$sfx.err")"
}

# stop_web [NAME]: stops nginx and the FastCGI workers start_web started (e.g. to start them again).
stop_web() {
	local pids=()
	[ -n "${WEB_PID:-}" ] && pids+=("$WEB_PID")
	# shellcheck disable=SC2206,SC2207 # lists of pids
	pids+=(${WEB_WORKERS:-} $(sp_socket_pids "$OUT/fcgi${1:+-$1}.sock"))
	((${#pids[@]})) && stop_proc "${pids[@]}"
	WEB_PID="" WEB_WORKERS=""
}

# start_lighttpd [CONFIG]: lighttpd with mod_cgi (conf/lighttpd/test.conf.in) on a free port, the
# web program run once per request for every path but /static/, STREAMPULSE_CONFIG=CONFIG
# (default $OUT/config.yaml). Sets LIGHTTPD_PORT LIGHTTPD_URL (no trailing slash) LIGHTTPD_PID
# LIGHTTPD_LOG (lighttpd's stderr, where the program's stderr goes too).
start_lighttpd() {
	local cfg=${1:-$OUT/config.yaml} prefix="$OUT/lighttpd"
	[ -x "$SP_WEB_BIN" ] || bail "start lighttpd" "no program $SP_WEB_BIN (build it, or set SP_WEB_BIN)"
	mkdir -p "$prefix/logs" "$prefix/tmp"
	LIGHTTPD_LOG="$OUT/lighttpd.err"
	for _ in 1 2 3; do
		LIGHTTPD_PORT=$(free_port) || bail "start lighttpd" "no free port"
		sp_fill "$SP_ROOT/conf/lighttpd/test.conf.in" "$prefix/lighttpd.conf" PREFIX="$prefix" \
			BIND=127.0.0.1 PORT="$LIGHTTPD_PORT" HTDOCS="$SP_ROOT/htdocs" BIN="$SP_WEB_BIN" \
			CONFIG="$cfg" TEMPLATES="${STREAMPULSE_TEMPLATES:-}" PATH="$PATH" \
			ASAN_OPTIONS="$ASAN_OPTIONS" UBSAN_OPTIONS="$UBSAN_OPTIONS" ||
			bail "start lighttpd" "conf/lighttpd/test.conf.in does not fill"
		: >"$prefix/logs/error.log"
		spawn lighttpd lighttpd -D -f "$prefix/lighttpd.conf"
		LIGHTTPD_PID=$SPAWN_PID
		if sp_web_ready "http://127.0.0.1:$LIGHTTPD_PORT/static/app.css" "$LIGHTTPD_PID"; then
			LIGHTTPD_URL="http://127.0.0.1:$LIGHTTPD_PORT"
			export LIGHTTPD_PORT LIGHTTPD_URL LIGHTTPD_PID LIGHTTPD_LOG
			return 0
		fi
		stop_proc "$LIGHTTPD_PID"
		grep -q 'Address already in use' "$prefix/logs/error.log" "$LIGHTTPD_LOG" || break
	done
	bail "start lighttpd" "not answering; $(tail -3 "$prefix/logs/error.log" "$LIGHTTPD_LOG")"
}
