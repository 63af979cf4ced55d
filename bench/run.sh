#!/usr/bin/env bash
# make bench: the monitor's probes against the tool people use instead (one ffmpeg process per
# camera), same streams, same run, loopback only. The scale bench (2,000 streams) is issue #4's.
SP_BUILD=${SP_BUILD:-build/release}
. "$(dirname "$0")/../tests/lib.sh"
REL="$SP_ROOT/$SP_BUILD/streampulse-monitor"
N=${BENCH_STREAMS:-20}
start_rtsp
start_mjpeg

urls=()
for ((i = 0; i < N; i++)); do
	case $((i % 5)) in
	0 | 2) urls+=("rtsp://127.0.0.1:$RTSP_PORT/cam") ;;
	1 | 3) urls+=("rtsp://127.0.0.1:$RTSP_PORT/small") ;;
	4) urls+=("http://127.0.0.1:$MJPEG_PORT/mjpeg") ;;
	esac
done
{
	echo "heartbeat_seconds: 15"
	echo "max_concurrent_probes: 4"
	echo "max_clients: 0" # simulated cameras share one host:port: no client slot limit
	echo "streams:"
	for i in "${!urls[@]}"; do printf '  - name: cam%02d\n    url: %s\n' "$i" "${urls[$i]}"; done
} >"$OUT/config.yaml"
"$REL" -c "$OUT/config.yaml" --once 2>/dev/null # warm the RTSP pipelines up
rm -rf "$OUT/data"

# measure NAME CMD...: wall, user+sys CPU seconds and peak RSS of CMD into $NAME_*.
measure() {
	local name=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$OUT/$name.time" "$@" >/dev/null 2>"$OUT/$name.err"
	read -r wall user sys rss < <(tail -1 "$OUT/$name.time")
	grep -q "exited with non-zero" "$OUT/$name.time" && not_ok "$name run" "$(tail -2 "$OUT/$name.err")"
	printf -v "${name}_wall" %s "$wall"
	printf -v "${name}_cpu" %s "$(echo "$user + $sys" | bc -l)"
	printf -v "${name}_rss" %s "$((rss / 1024))"
}
measure ours "$REL" -c "$OUT/config.yaml" --once
# The shell loop people write: one ffmpeg per camera, TCP for RTSP as we use.
measure base bash -c 'for u; do t=(); [[ $u == rtsp* ]] && t=(-rtsp_transport tcp)
	ffmpeg -v error "${t[@]}" -i "$u" -frames:v 1 -f null - </dev/null || exit 1; done' _ "${urls[@]}"
ok=$(sqlite3 "$OUT/data/streams.db" "SELECT count(*) FROM heartbeats WHERE up = 1")

hyperfine -N --warmup 2 --runs 15 --export-json "$OUT/latency.json" \
	"$REL --check rtsp://127.0.0.1:$RTSP_PORT/cam" \
	"ffmpeg -v error -rtsp_transport tcp -i rtsp://127.0.0.1:$RTSP_PORT/cam -frames:v 1 -f null -" \
	>"$OUT/hyperfine.txt" 2>&1
lat_ours=$(jq '.results[0].median * 1000 | floor' "$OUT/latency.json")
lat_base=$(jq '.results[1].median * 1000 | floor' "$OUT/latency.json")

ratio() { echo "scale=2; $1 / $2" | bc -l; }
printf '\n%-44s %12s %12s %8s\n' "figure ($N streams: 80% RTSP H.264, 20% MJPEG)" "streampulse" "ffmpeg CLI" "ratio"
printf '%-44s %12s %12s %8s\n' "CPU seconds per probe" "$(echo "scale=4; $ours_cpu / $N" | bc -l)" \
	"$(echo "scale=4; $base_cpu / $N" | bc -l)" "$(ratio "$ours_cpu" "$base_cpu")"
printf '%-44s %12s %12s %8s\n' "wall seconds, all streams (ours: 4 at once)" "$ours_wall" "$base_wall" "$(ratio "$ours_wall" "$base_wall")"
printf '%-44s %12s %12s %8s\n' "peak RSS MB (one process)" "$ours_rss" "$base_rss" "$(ratio "$ours_rss" "$base_rss")"
printf '%-44s %12s %12s %8s\n' "one RTSP probe, median ms (hyperfine)" "$lat_ours" "$lat_base" "$(ratio "$lat_ours" "$lat_base")"
printf '%-44s %12s\n\n' "streams up in our run" "$ok/$N"
check_eq "every stream up in the measured run" "$N" "$ok"
check_lt "less CPU per probe than the ffmpeg CLI" "$(echo "$ours_cpu * 1000 / 1" | bc)" "$(echo "$base_cpu * 1000 / 1" | bc)"
finish
