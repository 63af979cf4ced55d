#!/usr/bin/env bash
# The README tells a new user what they need: the two commands, the keys, cron and Nagios use.
. "$(dirname "$0")/lib.sh"
r="$SP_ROOT/README.md"
for want in 'make run' 'make test' heartbeat_seconds timezone probe_timeout_seconds \
	max_concurrent_probes retention_days data_dir database transport timeout_seconds enabled \
	'--once' 'define command' 'check_command' '--check' 'streampulse-monitor --once -c' \
	'http://127.0.0.1:8000/' 'admin / admin123' '/api/health' 'docker compose' \
	fail_threshold recover_threshold checks black_max_luma uniform_max_stddev frozen_after \
	frozen_max_diff max_latency_ms max_clients site_down_percent dashboard_url alerts \
	metrics_public /metrics 'transport: auto' 'WARNING - degraded' 'shard: 1/2' \
	'conf/prometheus/streampulse.rules.yml' 'Raspberry Pi' 'OpenWrt' '--passwd admin' 'make install'; do
	check "README mentions '$want'" grep -qF -- "$want" "$r"
done
check_match "README has a cron line" '(^|
)[*0-9/,-]+ [*0-9/,-]+ [*0-9/,-]+ [*0-9/,-]+ [*0-9/,-]+ [^
]*--once' "$(cat "$r")"
out=$("$MON" --check-config -c "$SP_ROOT/tests/configs/all-keys.yaml" 2>&1)
check_eq "every key the README documents is accepted by the loader" 0 "$?"
check "and none of them is unknown to it ($out)" bash -c "! grep -q 'unknown key' <<<'$out'"
finish
