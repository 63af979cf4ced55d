#!/usr/bin/env bash
# Config reload while running: added stream probed and removed stream stopped within 2 s;
# an invalid file keeps the old config running, with an error naming the line.
. "$(dirname "$0")/lib.sh"
start_mjpeg
cfg="$OUT/config.yaml"
write_config() { # atomically, like an editor that writes a temp file and renames it
	cat >"$cfg.tmp" && mv "$cfg.tmp" "$cfg"
}
write_config <<YAML
heartbeat_seconds: 2
max_clients: 0 # the test cameras share one host:port; slots are t0720's subject
streams:
  - name: keep
    url: http://127.0.0.1:$MJPEG_PORT/snapshot.jpg
  - name: remove me
    url: http://127.0.0.1:$MJPEG_PORT/mjpeg
YAML
"$MON" -c "$cfg" 2>"$OUT/monitor.err" &
pid=$!
db="$OUT/data/streams.db"
q() { sqlite3 "$db" "$1"; }
# The export reads the database through a config: one that stays valid (same folder, same file).
cp "$cfg" "$OUT/export.yaml"
count() { hb_sql "$OUT/export.yaml" "SELECT count(*) FROM heartbeats h JOIN streams s ON s.id = h.stream_id WHERE s.name = '$1'" 2>/dev/null || echo 0; }
has_beats() { [ "$(count "$1")" -ge "$2" ]; }
wait_for "first heartbeats written" 10 has_beats keep 1
wait_for "first heartbeat of the stream to remove written" 10 has_beats "remove me" 1

write_config <<YAML
heartbeat_seconds: 2
max_clients: 0 # the test cameras share one host:port; slots are t0720's subject
streams:
  - name: keep
    url: http://127.0.0.1:$MJPEG_PORT/snapshot.jpg
  - name: added
    url: http://127.0.0.1:$MJPEG_PORT/mjpeg-nolen
YAML
t0=$(now_ms)
wait_for "added stream probed" 5 has_beats added 1
t1=$(now_ms)
check_lt "added stream has a heartbeat within 2 s of the edit ($((t1 - t0)) ms)" $((t1 - t0)) 2000
sleep 1
removed_before=$(count "remove me")
sleep 3
check_eq "removed stream gets no more heartbeats" "$removed_before" "$(count "remove me")"
check_eq "removed stream keeps its history, marked removed" "1" \
	"$(q "SELECT count(*) FROM streams WHERE name = 'remove me' AND removed_ms IS NOT NULL")"
check_lt "removed stream's heartbeats are kept" 0 "$removed_before"

# An in-place edit that breaks the file: error with the line, old config stays in force.
printf 'heartbeat_seconds: 2\nstreams:\n  - name: keep\n    url: ftp://127.0.0.1/x\n' >"$cfg"
wait_for "invalid config reported" 4 grep -q "config not reloaded" "$OUT/monitor.err"
check_match "error names file, line and problem" \
	"config not reloaded: .*config.yaml:4:[0-9]+: streams\[0\]\.url: scheme 'ftp' is not supported" \
	"$(cat "$OUT/monitor.err")"
before=$(count added)
sleep 4.5
check_lt "old config still probed after the bad edit" "$before" "$(count added)"
check "monitor still running" kill -0 "$pid"

kill -HUP "$pid"
sleep 0.5
check "SIGHUP with a bad file does not stop the monitor" kill -0 "$pid"
kill -TERM "$pid"
wait "$pid"
check_eq "exit status after SIGTERM" 0 "$?"
finish
