#!/usr/bin/env bash
# The store on an SD card's terms (issue #4): bytes written per simulated day (ours and the old
# layout), database size over 30 days, and the web's reads at 2,000 streams, all driven through
# the real write path by bench/store_day.c (release build) with simulated time.
SP_BUILD=${SP_BUILD:-build/release}
. "$(dirname "$0")/../tests/lib.sh"
. "$SP_ROOT/bench/lib.sh"
BIN="$SP_ROOT/$SP_BUILD/bench/store_day"
[ -x "$BIN" ] || bail "store_day" "not built: make $SP_BUILD/bench/store_day"
# A disk-backed folder: /proc/PID/io counts nothing for tmpfs.
mkdir -p "$OUT/db"
"$BIN" all --dir "$OUT/db" >"$OUT/store_day.jsonl" 2>"$OUT/store_day.err" || not_ok "store_day" "$(tail -3 "$OUT/store_day.err")"
cat "$OUT/store_day.jsonl"
j() { jq -r "select(.run == \"$1\") | .$2" "$OUT/store_day.jsonl"; }

mb=$(j writes mb) old=$(j writes baseline_mb) flap=$(j writes flapping_mb)
bench_result store_write_mb "bytes written per simulated day, 100 streams at 15 s" "$mb" MB "< 50" \
	"$(lt "$mb" 50)" "$old" "/proc/self/io write_bytes over a simulated day from a fresh DB, WAL and checkpoints included, fsync per commit (synchronous=FULL), 1 % of probes down in 5-min outages; flapping (each down probe its own outage): $flap MB; baseline: the v3 layout, a commit per second"
size=$(j size mb)
bench_result store_size_mb "database size, 100 streams x 30 days at 15 s" "$size" MB "< 200" "$(lt "$size" 200)" "" \
	"file size after the last checkpoint, written through store_insert_heartbeats"
hist=$(j history history_ms)
bench_result store_history_ms "24 h history query, one stream, 2,000 stored" "$hist" ms "< 20" "$(lt "$hist" 20)" "" \
	"median of 21 store_web_beats calls returning 5,760 beats, journal half an hour into its hour"
stat=$(j history status_ms)
bench_result store_status_ms "dashboard status (store_web_status), 2,000 streams" "$stat" ms "< 20" "$(lt "$stat" 20)" "" \
	"median of 21 calls for all 2,000 names: state, since, last check, latency, error, codec, 24 h uptime"
finish
