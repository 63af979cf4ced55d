#!/usr/bin/env bash
# The seed's config loads unchanged; every broken config gives file:line and the problem, exit 2.
. "$(dirname "$0")/lib.sh"
out=$("$MON" --check-config -c "$SP_ROOT/tests/configs/seed.yaml" 2>&1); rc=$?
check_eq "seed config.yaml loads (exit 0)" 0 "$rc"
check_match "seed config: 2 streams every 15 s" "OK, 2 streams, heartbeat every 15 s" "$out"
out=$("$MON" --check-config -c "$SP_ROOT/config.yaml" 2>&1); rc=$?
check_eq "the shipped demo config.yaml loads" 0 "$rc"

n=0
for y in "$SP_ROOT"/tests/configs/bad/*.yaml; do
	name=$(basename "$y" .yaml)
	line=$(sed -n 1p "${y%.yaml}.expect")
	re=$(sed -n 2p "${y%.yaml}.expect")
	out=$("$MON" --check-config -c "$y" 2>&1); rc=$?
	echo "$name: rc $rc: $out" >>"$OUT/messages.log"
	check_eq "$name: exit 2 (no crash)" 2 "$rc"
	check_match "$name: names file and line $line" "^[^ ]*$name.yaml:$line:[0-9]+: " "$out"
	check_match "$name: names the problem" "$re" "$out"
	check_eq "$name: one line, no sanitizer report" 1 "$(wc -l <<<"$out")"
	n=$((n + 1))
done
check_lt "at least 10 broken configs tried ($n)" 9 "$n"

# unknown keys are warnings that name the key, and do not stop the load
printf 'heartbeat_seconds: 5\nfrobnicate: 1\nstreams: []\n' >"$OUT/unknown.yaml"
out=$("$MON" --check-config -c "$OUT/unknown.yaml" 2>&1); rc=$?
check_eq "unknown key: still loads" 0 "$rc"
check_match "unknown key: warning names it and its line" "unknown.yaml:2:1: unknown key 'frobnicate'" "$out"
out=$("$MON" -c "$OUT/missing.yaml" --once 2>&1); rc=$?
check_eq "missing config file: exit 2" 2 "$rc"
check_match "missing config file: says so" "missing.yaml.*No such file" "$out"
finish
