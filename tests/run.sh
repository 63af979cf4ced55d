#!/usr/bin/env bash
# Runs the unit-test binaries ($SP_BUILD/tests/unit/test_*) and the shell tests
# (tests/tNNNN-*.sh, 300 s each) and prints one total line "N passed, N failed".
# Exit 1 if anything failed or nothing ran.
# Usage: tests/run.sh [FILTER]   FILTER: a glob matched anywhere in the test name.
set -u
cd "$(dirname "$0")/.." || exit 1
export SP_BUILD=${SP_BUILD:-build/asan}
filter=${1:-*}
mkdir -p tests/out
passed=0 failed=0 ran=0

# tally NAME P F: add one test's counts and print its summary line.
tally() {
	passed=$((passed + $2)) failed=$((failed + $3)) ran=$((ran + 1))
	echo "$1: $2 passed, $3 failed"
}

for bin in "$SP_BUILD"/tests/unit/test_*; do
	if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then continue; fi
	name=$(basename "$bin")
	# shellcheck disable=SC2053 # $filter is a glob on purpose
	[[ $name == *$filter* ]] || continue
	log="tests/out/unit-$name.log"
	timeout -k 10 300 "$bin" >"$log" 2>&1
	rc=$?
	# The summary is the last such line; sanitizer reports may follow it.
	sum=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
	if [ -n "$sum" ]; then
		read -r p _ f _ <<<"$sum"
	else
		p=0 f=1
	fi
	[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1 # crashed, leaked, or timed out
	grep -E '^not ok' "$log"
	[ "$rc" != 0 ] && echo "$name: exit $rc (see $log)"
	tally "$name" "$p" "$f"
done

for t in tests/t[0-9]*.sh; do
	name=$(basename "$t" .sh)
	# shellcheck disable=SC2053
	[[ $name == *$filter* ]] || continue
	log="tests/out/$name.log"
	rm -f "tests/out/$name/counts"
	timeout -k 10 300 bash "$t" >"$log" 2>&1
	rc=$?
	if [ -r "tests/out/$name/counts" ]; then
		read -r p f <"tests/out/$name/counts"
	else
		p=0 f=1
		echo "$name: died (exit $rc) without counts (see $log)"
		tail -5 "$log"
	fi
	grep -E '^not ok' "$log"
	tally "$name" "$p" "$f"
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$ran" -gt 0 ]
