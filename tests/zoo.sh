# shellcheck shell=bash
# Sourced by the zoo tests (t03NN-zoo-*.sh) after lib.sh: the hostile camera server and one
# assertion set per misbehaviour (verdict, deadline kept, no crash, bounded memory).

ZOO_DEADLINE_S=3
ZOO_RSS_MAX_KB=204800 # 200 MB, under ASan: a 50 MB part or a 10 MB SDP must not be held whole twice

# start_hostile: builds build/fixtures/hostile, makes its H.264 clip and JPEG (one slice per
# frame, a keyframe every 10 frames at 25 fps) and starts it; sets HOSTILE_PORT HOSTILE_LOG
# HOSTILE_PID.
start_hostile() {
	make -s -C "$SP_ROOT" -f tests/fixtures/fixtures.mk fixtures >"$OUT/build.log" 2>&1 ||
		bail "build the fixtures" "$(tail -5 "$OUT/build.log")"
	ffmpeg -v error -f lavfi -i testsrc=size=320x240:rate=25 -t 2 -pix_fmt yuv420p -c:v libx264 \
		-threads 1 -preset ultrafast -tune zerolatency \
		-x264-params keyint=10:min-keyint=10:scenecut=0:sliced-threads=0 \
		-bsf:v h264_mp4toannexb -f h264 "$OUT/clip.h264" || bail "make the clip" "ffmpeg failed"
	ffmpeg -v error -f lavfi -i testsrc=size=640x360:rate=10 -frames:v 1 -q:v 5 "$OUT/zoo.jpg" ||
		bail "make the JPEG" "ffmpeg failed"
	HOSTILE_LOG="$OUT/hostile.log"
	sp_start hostile HOSTILE_PORT "$SP_ROOT/build/fixtures/hostile" --clip "$OUT/clip.h264" \
		--jpeg "$OUT/zoo.jpg" --max-seconds 300 --log "$HOSTILE_LOG"
	HOSTILE_PID=$SPAWN_PID
	export HOSTILE_LOG HOSTILE_PID
}

# zoo_probe WHAT URL: one `--check URL -t $ZOO_DEADLINE_S` under /usr/bin/time. Sets LAST_OUT
# (its line), LAST_RC, LAST_WALL_MS, LAST_ELAPSED_MS (from the perfdata), LAST_RSS_KB; its
# stderr goes to $OUT/zoo-N.err. The line is logged without the URL (it may hold a password).
ZOO_N=0
zoo_probe() {
	local what=$1 url=$2 t0 t1
	ZOO_N=$((ZOO_N + 1))
	ZOO_ERR="$OUT/zoo-$ZOO_N.err"
	t0=$(now_ms)
	LAST_OUT=$(/usr/bin/time -f %M -o "$OUT/zoo-$ZOO_N.rss" "$MON" --check "$url" -t "$ZOO_DEADLINE_S" \
		2>"$ZOO_ERR") && LAST_RC=0 || LAST_RC=$?
	t1=$(now_ms)
	LAST_WALL_MS=$((t1 - t0))
	# elapsed= on CRITICAL lines; an OK line has the time to its first frame
	LAST_ELAPSED_MS=$(sed -n 's/.*elapsed=\([0-9]*\)ms.*/\1/p;s/.*first_frame=\([0-9]*\)ms.*/\1/p' <<<"$LAST_OUT")
	LAST_RSS_KB=$(tail -1 "$OUT/zoo-$ZOO_N.rss") # after "Command terminated by signal N", if any
	echo "$what -> $LAST_OUT (rc $LAST_RC, wall ${LAST_WALL_MS} ms, peak RSS ${LAST_RSS_KB} KB)" \
		>>"$OUT/check.log"
	printf '%-34s %-13s %6s ms\n' "$what" "$(sed -n 's/^CRITICAL - \([a-z_]*\):.*/\1/p;s/^OK.*/ok/p' <<<"$LAST_OUT")" \
		"${LAST_ELAPSED_MS:-?}" >>"$OUT/table"
}

# zoo_sane WHAT: the last probe ended by itself (no signal), without a sanitizer report, within
# the deadline + 0.5 s (its own clock; + 1.5 s for the whole command, ASan start included), in
# under 200 MB.
zoo_sane() {
	local what=$1
	check_lt "$what: no signal (exit $LAST_RC)" "$LAST_RC" 128
	if grep -q 'ERROR: AddressSanitizer\|runtime error:\|ERROR: LeakSanitizer' "$ZOO_ERR"; then
		not_ok "$what: no sanitizer report" "$(grep -m1 'ERROR\|runtime error' "$ZOO_ERR")"
	else
		ok "$what: no sanitizer report"
	fi
	check_lt "$what: wall time ${LAST_WALL_MS} ms within the deadline + 1.5 s" "$LAST_WALL_MS" \
		$((ZOO_DEADLINE_S * 1000 + 1500))
	check_lt "$what: peak RSS ${LAST_RSS_KB} KB under 200 MB" "${LAST_RSS_KB:-x}" "$ZOO_RSS_MAX_KB"
}

# zoo_check WHAT CLASS MESSAGE_REGEX URL: CRITICAL (exit 2) with error class CLASS, a message
# with a match of MESSAGE_REGEX, elapsed within the deadline + 0.5 s; a timeout not before the deadline.
zoo_check() {
	local what=$1 class=$2 re=$3 url=$4 e
	zoo_probe "$what" "$url"
	check_eq "$what: exit code 2 (CRITICAL)" 2 "$LAST_RC"
	check_match "$what: class $class" "^CRITICAL - $class: .*$re" "$LAST_OUT"
	e=${LAST_ELAPSED_MS:-x}
	check_lt "$what: elapsed $e ms within the deadline + 0.5 s" "$e" $((ZOO_DEADLINE_S * 1000 + 500))
	if [ "$class" = timeout ]; then
		check_lt "$what: a timeout is not declared before the deadline ($e ms)" \
			$((ZOO_DEADLINE_S * 1000 - 1)) "$e"
	fi
	zoo_sane "$what"
}

# zoo_ok WHAT URL: the control: the same server, well behaved, is up.
zoo_ok() {
	zoo_probe "$1" "$2"
	check_eq "$1: exit code 0 (OK)" 0 "$LAST_RC"
	check_match "$1: OK line" "^OK - " "$LAST_OUT"
	zoo_sane "$1"
}

# zoo_table: the mode table (mode, class, elapsed ms) into the test's output.
zoo_table() { sed 's/^/# /' "$OUT/table"; }
