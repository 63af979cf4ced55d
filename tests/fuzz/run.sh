#!/usr/bin/env bash
# Runs each named fuzz target (build/fuzz/fuzz_NAME) for FUZZ_SECONDS over its seed corpus and
# prints one line per target: executions, seconds, corpus size, result. New inputs go to
# build/fuzz/corpus/NAME (the seeds in tests/fuzz/corpus/NAME are only read); a crash leaves
# build/fuzz/artifacts/NAME-crash-* to replay with `build/fuzz/fuzz_NAME FILE`.
# Exit 1 when any target crashed, leaked or timed out.
# Usage: tests/fuzz/run.sh NAME...
set -u
cd "$(dirname "$0")/../.." || exit 1
secs=${FUZZ_SECONDS:-60}
failed=0
mkdir -p build/fuzz/artifacts build/fuzz/logs
for name; do
	bin=build/fuzz/fuzz_$name
	work=build/fuzz/corpus/$name
	log=build/fuzz/logs/$name.log
	mkdir -p "$work"
	# -timeout: one input taking 10 s is a finding (a hang), not patience.
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="build/fuzz/artifacts/$name-" "$work" "tests/fuzz/corpus/$name" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
	size=$(find "$work" "tests/fuzz/corpus/$name" -type f | wc -l)
	if [ "$rc" = 0 ]; then
		echo "$name: ${runs:-?} executions in ${took:-$secs} s, corpus $size inputs: ok"
	else
		failed=1
		art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
		echo "$name: ${runs:-?} executions, FAILED (exit $rc): ${art:-see $log}"
		grep -m3 -E 'ERROR: |runtime error:|SUMMARY:' "$log"
	fi
done
exit "$failed"
