#!/usr/bin/env bash
# Runs last: no camera password in any log, output or database the whole run produced.
. "$(dirname "$0")/lib.sh"
outs="$SP_ROOT/tests/out"
files=0
for which in RTSP HTTP; do
	pw_var=TEST_${which}_PASS
	pw=${!pw_var}
	# Config files hold the passwords by design; everything else must not.
	hits=$(grep -rlaF --exclude='*.yaml' --exclude='*.yaml.tmp*' -- "$pw" "$outs" 2>/dev/null | grep -v "^$OUT/")
	check_eq "the $which password appears in no log, output or database file" "" "$hits"
	for db in $(find "$outs" -name '*.db' -not -path "$OUT/*"); do
		files=$((files + 1))
		dump=$(sqlite3 "$db" .dump 2>/dev/null | grep -cF -- "$pw")
		check_eq "password absent from $(basename "$(dirname "$(dirname "$db")")")'s database dump" 0 "$dump"
	done
done
check_lt "some databases were checked ($files)" 0 "$files"
finish
