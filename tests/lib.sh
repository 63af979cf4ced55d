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

# start_rtsp: GStreamer RTSP server (/cam /small /sliced /secure); sets RTSP_PORT RTSP_LOG RTSP_PID.
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
