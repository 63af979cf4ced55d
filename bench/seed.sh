# shellcheck shell=bash
# Sourced by bench scripts: seed N builds $OUT/sN/{config.yaml,data/streams.db}.
BEATS=${BENCH_BEATS:-5760} # a day at 15 s

# seed N: a config of N streams and a database with BEATS heartbeats each, 15 s apart, 1 % down.
seed() {
	local n=$1 dir="$OUT/s$1"
	mkdir -p "$dir/data"
	{
		echo "heartbeat_seconds: 15"
		echo "streams:"
		for ((i = 0; i < n; i++)); do printf '  - name: cam-%04d\n    url: rtsp://127.0.0.1:9/%d\n' "$i" "$i"; done
	} >"$dir/config.yaml"
	"$SP_ROOT/$SP_BUILD/streampulse-monitor" --check-config -c "$dir/config.yaml" >/dev/null || return 1
	local now=$(($(date +%s) * 1000))
	# The schema comes from the program itself (its migrations), the rows from SQL.
	REQUEST_METHOD=GET PATH_INFO=/api/health STREAMPULSE_CONFIG="$dir/config.yaml" \
		"$SP_ROOT/$SP_BUILD/streampulse.fcgi" >/dev/null
	sqlite3 "$dir/data/streams.db" <<SQL

WITH RECURSIVE i(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM i WHERE x < $n - 1)
INSERT INTO streams(id, name, created_ms) SELECT x + 1, printf('cam-%04d', x), $now FROM i;
WITH RECURSIVE b(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM b WHERE k < $BEATS - 1)
INSERT INTO heartbeats(stream_id, ts_ms, up, latency_ms, connect_ms, error, message, codec, width, height)
SELECT s.id, $now - b.k * 15000, (s.id + b.k) % 100 != 0, 250, 12,
       CASE WHEN (s.id + b.k) % 100 = 0 THEN 'refused' END, CASE WHEN (s.id + b.k) % 100 = 0 THEN 'connection refused' END,
       'h264', 640, 360 FROM streams s, b;
INSERT INTO rollup_hour SELECT stream_id, ts_ms / 3600000, count(*), total(up), coalesce(sum(latency_ms), 0),
       count(latency_ms) FROM heartbeats GROUP BY 1, 2;
UPDATE streams SET state = 1, since_ms = $now - 3600000, last_ms = $now, last_latency_ms = 250, codec = 'h264', width = 640, height = 360;
INSERT OR REPLACE INTO meta(key, value) VALUES ('monitor_write_ms', $now);
SQL
}

