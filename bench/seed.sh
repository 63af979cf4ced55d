# shellcheck shell=bash
# Sourced by bench scripts: seed N builds $OUT/sN/{config.yaml,data/streams.db}.
BEATS=${BENCH_BEATS:-5760} # a day at 15 s

# seed N: a config of N streams and a database with BEATS heartbeats each (whole days: rounded
# up to a multiple of 5,760), 15 s apart, 1 % down.
seed() {
	local n=$1 dir="$OUT/s$1"
	mkdir -p "$dir/data"
	{
		echo "heartbeat_seconds: 15"
		echo "max_clients: 0" # simulated cameras share one host:port: no client slot limit
		echo "streams:"
		for ((i = 0; i < n; i++)); do printf '  - name: cam-%04d\n    url: rtsp://127.0.0.1:9/%d\n' "$i" "$i"; done
	} >"$dir/config.yaml"
	"$SP_ROOT/$SP_BUILD/streampulse-monitor" --check-config -c "$dir/config.yaml" >/dev/null || return 1
	# Through the store's own write path (bench/store_day.c): a day of 15 s cycles is 5,760
	# heartbeats a stream; the last cycle ends now.
	local days=$(((BEATS + 5759) / 5760))
	rm -f "$dir/data/streams.db" "$dir/data/streams.db-wal" "$dir/data/streams.db-shm"
	"$SP_ROOT/$SP_BUILD/bench/store_day" seed --streams "$n" --days "$days" --db "$dir/data/streams.db" \
		--names cam-%04d
}

