#!/usr/bin/env bash
# config.yaml deleted while the monitor runs, then made unreadable (issue #5). We run as root, so
# chmod 000 would not stop reads: "unreadable" is a directory put in its place (config_load fails
# to read it), then a dangling symlink. Each error is logged once, the last good config keeps
# being probed, and restoring the file is picked up.
. "$(dirname "$0")/lib.sh"
dead=$(free_port)
cfg="$OUT/config.yaml"
cat >"$cfg" <<YAML
heartbeat_seconds: 2
streams:
  - name: cam1
    url: http://127.0.0.1:$dead/a.jpg
YAML
cp "$cfg" "$OUT/good.yaml"
log="$OUT/monitor.err"
"$MON" -v -c "$cfg" 2>"$log" &
mon=$!
count() { hb_sql "$OUT/good.yaml" "SELECT count(*) FROM heartbeats" 2>/dev/null || echo 0; }
has() { [ "$(count)" -ge "$1" ]; }
wait_for "first heartbeats" 10 has 2 || bail "monitor writes heartbeats" "$(tail -3 "$log")"

# 1. Deleted.
rm "$cfg"
sleep 3 # six reload checks (every 500 ms)
check_eq "deletion logged once" 1 "$(grep -c 'cannot read .*config.yaml' "$log")"
n1=$(count)
sleep 2.5
n2=$(count)
check_lt "heartbeats keep coming with the file deleted ($n1 -> $n2)" "$n1" "$n2"
check "monitor alive with the file deleted" sp_alive "$mon"

# 2. A directory in its place (unreadable as a file, also for root).
mkdir "$cfg"
sleep 3
check_eq "the directory is reported once" 1 "$(grep -c 'config not reloaded' "$log")"
n1=$(count)
sleep 2.5
n2=$(count)
check_lt "heartbeats keep coming with a directory in its place ($n1 -> $n2)" "$n1" "$n2"
rmdir "$cfg"

# 3. A dangling symlink.
ln -s "$OUT/nowhere.yaml" "$cfg"
sleep 3
check "the dangling symlink adds no repeated error (cannot-read lines <= 2)" bash -c "[ \$(grep -c 'cannot read .*config.yaml' '$log') -le 2 ]"
n1=$(count)
sleep 2.5
n2=$(count)
check_lt "heartbeats keep coming with a dangling symlink ($n1 -> $n2)" "$n1" "$n2"
check "monitor alive" sp_alive "$mon"
check_eq "still probing only the last good config" "cam1" "$(hb_sql "$OUT/good.yaml" "SELECT group_concat(name) FROM streams")"

# 4. Restored, with a second stream: picked up.
rm "$cfg"
sed 's/^streams:$/streams:\n  - name: cam2\n    url: http:\/\/127.0.0.1:'"$dead"'\/b.jpg/' "$OUT/good.yaml" >"$OUT/new.yaml"
mv "$OUT/new.yaml" "$cfg"
check "restored file picked up" wait_for "reload" 3 grep -q 'config reloaded: 2 streams' "$log"
cam2() { [ "$(hb_sql "$OUT/good.yaml" "SELECT count(*) FROM heartbeats h JOIN streams s ON s.id = h.stream_id WHERE s.name = 'cam2'" 2>/dev/null)" -ge 1 ]; }
check "the restored config's new stream is probed" wait_for "cam2 probed" 5 cam2
kill -TERM "$mon"; wait "$mon"
check_eq "monitor exits 0" 0 "$?"
check "no sanitizer report" bash -c "! grep -q 'Sanitizer' '$log'"
finish
