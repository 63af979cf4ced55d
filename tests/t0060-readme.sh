#!/usr/bin/env bash
# The README tells a new user what they need: the two commands, the keys, cron and Nagios use.
. "$(dirname "$0")/lib.sh"
r="$SP_ROOT/README.md"
for want in 'make run' 'make test' heartbeat_seconds timezone probe_timeout_seconds \
	max_concurrent_probes retention_days data_dir database transport timeout_seconds enabled \
	'--once' 'define command' 'check_command' '--check' 'streampulse-monitor --once -c' \
	'http://127.0.0.1:8000/' 'admin / admin123' '/api/health' 'docker compose'; do
	check "README mentions '$want'" grep -qF -- "$want" "$r"
done
check_match "README has a cron line" '(^|
)[*0-9/,-]+ [*0-9/,-]+ [*0-9/,-]+ [*0-9/,-]+ [*0-9/,-]+ [^
]*--once' "$(cat "$r")"
check "every key the README documents is accepted by the loader" \
	"$MON" --check-config -c "$SP_ROOT/tests/configs/all-keys.yaml"
finish
