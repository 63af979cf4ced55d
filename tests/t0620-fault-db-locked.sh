#!/usr/bin/env bash
# Another process holds the database's write lock for 8 s (BEGIN EXCLUSIVE in Python's sqlite3,
# sleeping inside the transaction; longer than the store's 5 s busy timeout, so the monitor's
# write fails and its retry path runs). The monitor keeps probing, retries, and after the lock is
# released every finished probe (the -v log) has its heartbeat; integrity_check is ok.
. "$(dirname "$0")/lib.sh"
dead=$(free_port)
cfg="$OUT/config.yaml"
{
	echo "heartbeat_seconds: 2"
	echo "max_clients: 0" # simulated cameras share one host:port: no client slot limit
	echo "streams:"
	for i in 1 2 3 4; do printf '  - name: cam%d\n    url: http://127.0.0.1:%d/c%d.jpg\n' "$i" "$dead" "$i"; done
} >"$cfg"
log="$OUT/monitor.err"
db="$OUT/data/streams.db"
"$MON" -v -c "$cfg" 2>"$log" &
mon=$!
probes() { grep -cE "probe: '" "$log"; }
count() { hb_sql "$cfg" "SELECT count(*) FROM heartbeats" 2>/dev/null || echo 0; }
has() { [ "$(count)" -ge "$1" ]; }
wait_for "first heartbeats" 10 has 4 || bail "monitor writes heartbeats" "$(tail -3 "$log")"

"$PY" - "$db" "$OUT/locked" 8 >"$OUT/locker.out" 2>&1 <<'PYEOF' &
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)
con.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").write("locked\n")
time.sleep(float(sys.argv[3]))
con.execute("COMMIT")
con.close()
print("released")
PYEOF
locker=$!
wait_for "lock taken" 10 test -e "$OUT/locked" || bail "take the lock" "$(cat "$OUT/locker.out")"
t_lock=$(now_ms)
p1=$(probes)
wait "$locker"
check_eq "the locker held the lock and released it" released "$(cat "$OUT/locker.out")"
t_free=$(now_ms)
p2=$(probes)
check_lt "the monitor kept probing under the lock ($p1 -> $p2 in $((t_free - t_lock)) ms)" $((p1 + 4)) "$p2"
check "the monitor logged the failed write and retried" grep -q 'cannot write heartbeats (.* retrying)' "$log"
check "the monitor is alive" sp_alive "$mon"
again() { grep -q 'writing heartbeats again' "$log"; }
check "writes resume after the lock is released" wait_for "writes resume" 10 again
sleep 2.5
kill -TERM "$mon"; wait "$mon"
check_eq "monitor exits 0" 0 "$?"
np=$(probes)
nh=$(count)
check_eq "no heartbeat lost: finished probes = heartbeats" "$np" "$nh"
check "no probe skipped: the loop did not stall on the lock" bash -c "! grep -q 'skipped probe' '$log'"
lag=$(sed -n "s/.*start lag: .* max \([0-9]*\) ms.*/\1/p" "$log")
check_lt "start lag stayed under 1 s under the lock (max ${lag:-?} ms)" "${lag:-99999}" 1000
check_eq "integrity_check" ok "$(sqlite3 "$db" 'PRAGMA integrity_check')"
check "no dropped heartbeat" bash -c "! grep -q 'dropped' '$log'"
check "no sanitizer report" bash -c "! grep -q 'Sanitizer' '$log'"
finish
