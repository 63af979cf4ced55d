# shellcheck shell=bash
# Sourced by the bench scripts (after tests/lib.sh). Each measured figure becomes one JSON line in
# $BENCH_JSONL; bench/all.sh turns them into the table and bench/results.json.
BENCH_JSONL=${BENCH_JSONL:-$OUT/results.jsonl}

# bench_result KEY FIGURE VALUE UNIT TARGET PASS [BASELINE] [DETAIL]
#   KEY: short id (e.g. rss_mb); FIGURE: the table's words; VALUE, BASELINE: numbers (BASELINE ""
#   when there is none); TARGET: text such as "< 128"; PASS: 1 or 0 (computed by the caller from
#   the measured VALUE, never typed in); DETAIL: what was measured and how, one line.
bench_result() {
	local key=$1 figure=$2 value=$3 unit=$4 target=$5 pass=$6 base=${7:-} detail=${8:-}
	jq -cn --arg k "$key" --arg f "$figure" --arg v "$value" --arg u "$unit" --arg t "$target" \
		--arg p "$pass" --arg b "$base" --arg d "$detail" \
		'{key: $k, figure: $f, value: ($v | tonumber? // $v), unit: $u, target: $t,
		  pass: ($p == "1"), baseline: (if $b == "" then null else ($b | tonumber? // $b) end),
		  detail: $d}' >>"$BENCH_JSONL"
	printf 'bench: %s = %s %s (target %s) %s\n' "$figure" "$value" "$unit" "$target" \
		"$([ "$pass" = 1 ] && echo PASS || echo FAIL)"
}

# lt A B / le A B: numeric comparisons for PASS (floats allowed), printing 1 or 0.
lt() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 < b + 0) ? 1 : 0 }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 <= b + 0) ? 1 : 0 }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 >= b + 0) ? 1 : 0 }'; }
