#!/usr/bin/env bash
# make bench: every part in turn, then one table (figure, value, target, baseline, pass/fail) on
# stdout and in bench/results.json. Loopback only; each part bounds its own time.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export SP_BUILD=${SP_BUILD:-build/release}
export BENCH_JSONL="$ROOT/tests/out/bench-results.jsonl"
mkdir -p "$ROOT/tests/out" && : >"$BENCH_JSONL"
start=$(date +%s)
parts=${BENCH_PARTS:-"scale store web crash metrics footprint"}
for p in $parts; do
	echo "== bench/$p.sh"
	timeout -k 10 600 bash "$ROOT/bench/$p.sh" || echo "bench/$p.sh: exit $?"
done
secs=$(($(date +%s) - start))
jq -s --arg nproc "$(nproc)" --arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
	--argjson secs "$secs" '{machine: {nproc: ($nproc | tonumber), cpu: $cpu}, seconds: $secs,
	results: .}' "$BENCH_JSONL" >"$ROOT/bench/results.json"
printf '\nStreamPulse bench: %s cores, %s, %d s\n' "$(nproc)" \
	"$(jq -r .machine.cpu "$ROOT/bench/results.json")" "$secs"
jq -r '.results[] | [.figure, "\(.value) \(.unit)", .target,
	(if .baseline == null then "" else "\(.baseline)" end), (if .pass then "PASS" else "FAIL" end)] | @tsv' \
	"$ROOT/bench/results.json" |
	awk -F'\t' 'BEGIN { printf "%-58s %-16s %-14s %-14s %s\n", "figure", "measured", "target", "baseline", "";
		printf "%-58s %-16s %-14s %-14s %s\n", "------", "--------", "------", "--------", "" }
		{ printf "%-58s %-16s %-14s %-14s %s\n", $1, $2, $3, $4, $5 }'
fail=$(jq '[.results[] | select(.pass | not)] | length' "$ROOT/bench/results.json")
echo "results: bench/results.json ($fail of $(jq '.results | length' "$ROOT/bench/results.json") figures miss their target)"
