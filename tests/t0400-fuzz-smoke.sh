#!/usr/bin/env bash
# The libFuzzer targets (tests/fuzz/) replay their whole seed corpus without a crash, leak or
# failed check: every past finding stays fixed. Fuzzing for longer is `make fuzz`.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$SP_ROOT" || bail "cd" "$SP_ROOT"

command -v clang >/dev/null || bail "clang installed" "the fuzz targets need clang (make deps)"
check "fuzz targets build" make -s fuzz-build

for bin in build/fuzz/fuzz_*; do
	name=${bin#build/fuzz/fuzz_}
	corpus=tests/fuzz/corpus/$name
	want=$(find "$corpus" -type f | wc -l)
	if [ "$want" = 0 ]; then not_ok "$name: seed corpus" "$corpus is empty"; continue; fi
	# Given files, libFuzzer runs each once and exits non-zero on the first failure.
	"$bin" -timeout=10 -rss_limit_mb=2048 "$corpus"/* >"$OUT/$name.log" 2>&1 && rc=0 || rc=$?
	got=$(grep -c '^Executed ' "$OUT/$name.log")
	if [ "$rc" = 0 ]; then ok "$name: corpus replays cleanly"
	else not_ok "$name: corpus replays cleanly" "exit $rc: $(grep -m1 -E 'ERROR:|runtime error:' "$OUT/$name.log")"; fi
	check_eq "$name: every seed ran" "$want" "$got"
done
check_eq "all four targets present" 4 "$(find build/fuzz -maxdepth 1 -name 'fuzz_*' -type f | wc -l)"
finish
