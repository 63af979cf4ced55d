#!/usr/bin/env bash
# Disk full under the database folder while the monitor runs (issue #5): the database lives on a
# small tmpfs; a filler file takes the rest of it. The monitor logs one clear error, keeps
# running and probing, and when the filler is deleted (space returns while it runs) it writes
# again: every finished probe (the -v log) has its heartbeat, integrity_check is ok.
# Needs root (mount); without a tmpfs the test says so and stops (no ulimit fallback: a file-size
# limit cannot be lifted from outside while the monitor runs, so "space returns" could not be shown).
. "$(dirname "$0")/lib.sh"
mnt="$OUT/mnt"
mkdir -p "$mnt"
mount -t tmpfs -o size=4m,mode=0755 sp-fault-tmpfs "$mnt" 2>"$OUT/mount.err" ||
	bail "mount a 4 MB tmpfs for the database" "$(cat "$OUT/mount.err") (needs root)"
trap 'sp_web_collect; sp_cleanup; umount -l "$mnt" 2>/dev/null' EXIT
dead=$(free_port)
cfg="$OUT/config.yaml"
{
	echo "heartbeat_seconds: 2"
	echo "database: $mnt/streams.db"
	echo "max_clients: 0" # simulated cameras share one host:port: no client slot limit
	echo "streams:"
	for i in 1 2 3 4 5 6; do printf '  - name: cam%d\n    url: http://127.0.0.1:%d/c%d.jpg\n' "$i" "$dead" "$i"; done
} >"$cfg"
log="$OUT/monitor.err"
"$MON" -v -c "$cfg" 2>"$log" &
mon=$!
db="$mnt/streams.db"
probes() { grep -cE "probe: '" "$log"; }
count() { hb_sql "$cfg" "SELECT count(*) FROM heartbeats" 2>/dev/null || echo 0; }
has() { [ "$(count)" -ge "$1" ]; }
wait_for "first heartbeats" 10 has 6 || bail "monitor writes heartbeats" "$(tail -3 "$log")"

# Fill the file system.
dd if=/dev/zero of="$mnt/filler" bs=4k 2>/dev/null
check "the tmpfs is full" bash -c "! dd if=/dev/zero of='$mnt/filler2' bs=4k count=1 2>/dev/null"
rm -f "$mnt/filler2"
full() { grep -q 'cannot write heartbeats' "$log"; }
if wait_for "write error" 30 full; then ok "disk full logged: $(grep -m1 'cannot write heartbeats' "$log" | cut -c26-)"
else not_ok "disk full logged" "no 'cannot write heartbeats' in 30 s; $(tail -2 "$log")"; fi
check_match "the error says full" "full|space" "$(grep -m1 'cannot write heartbeats' "$log")"
p1=$(probes)
sleep 4.5
p2=$(probes)
check_lt "the monitor keeps probing while the disk is full ($p1 -> $p2 probes)" "$p1" "$p2"
check "the monitor is alive while the disk is full" sp_alive "$mon"
check_eq "the error is logged once" 1 "$(grep -c 'cannot write heartbeats' "$log")"

# Space returns while it runs.
rm -f "$mnt/filler"
again() { grep -q 'writing heartbeats again' "$log"; }
if wait_for "writes resume" 15 again; then ok "writes resume: $(grep -m1 'writing heartbeats again' "$log" | cut -c26-)"
else not_ok "writes resume" "$(tail -2 "$log")"; fi
sleep 2.5
kill -TERM "$mon"; wait "$mon"
check_eq "monitor exits 0" 0 "$?"
np=$(probes)
nh=$(count)
check_eq "no heartbeat lost: finished probes = heartbeats" "$np" "$nh"
check_eq "integrity_check" ok "$(sqlite3 "$db" 'PRAGMA integrity_check')"
check "no dropped heartbeat" bash -c "! grep -q 'dropped' '$log'"
check "no sanitizer report" bash -c "! grep -q 'Sanitizer' '$log'"
finish
