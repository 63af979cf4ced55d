#!/usr/bin/env bash
# docker-entrypoint.sh - the container's main process: puts config.yaml into /data on the first
# start, then runs the monitor, the web program (spawn-fcgi, 4 workers) and nginx on :8000, all
# as the user streampulse except nginx's master. docker stop ends them all; if one of them dies,
# the others are stopped and the container exits 1 (restart: unless-stopped brings it back).
# The SP_* variables exist to try this script outside the image (as root).
set -u
APP=${SP_APP:-/opt/streampulse}
DATA=${SP_DATA:-/data}
RUN=${SP_RUN:-/run/streampulse}
PORT=${SP_PORT:-8000}
USER_NAME=${SP_USER:-streampulse}
CONFIG=$DATA/config.yaml
GROUP=$(id -gn "$USER_NAME") || exit 1
AS_USER=(setpriv --reuid="$USER_NAME" --regid="$GROUP" --init-groups --)

say() { echo "streampulse: $*" >&2; }

mkdir -p "$DATA" "$RUN/nginx/logs" "$RUN/nginx/tmp"
# nginx's logs into the container log, as in the official nginx image.
ln -sf /dev/stderr "$RUN/nginx/logs/error.log"
ln -sf /dev/stdout "$RUN/nginx/logs/access.log"
if [ ! -e "$CONFIG" ]; then
	# The shipped example, with data_dir pointing into the volume: the database and the
	# thumbnails must outlive the container, and data_dir otherwise defaults to /data/data.
	{
		echo "# Copied from the built-in example on the container's first start. data_dir was added"
		echo "# by the container: streams.db and thumbs/ live in the /data volume."
		echo "data_dir: $DATA"
		grep -v '^data_dir:' "$APP/config.yaml"
	} >"$CONFIG.tmp" && mv "$CONFIG.tmp" "$CONFIG" || exit 1
	say "wrote $CONFIG from the built-in example: replace its streams with your cameras"
elif ! grep -q '^data_dir:' "$CONFIG"; then
	say "note: $CONFIG sets no data_dir: the data goes to $DATA/data"
fi
# The programs run as $USER_NAME and write the database, thumbnails and (from /config) the
# config itself. Only re-owned when needed: a large thumbs/ is not walked on every start.
if [ "$(stat -c %U "$DATA")" != "$USER_NAME" ] || [ "$(stat -c %U "$CONFIG")" != "$USER_NAME" ]; then
	chown -R "$USER_NAME:$GROUP" "$DATA" || exit 1
fi

"${AS_USER[@]}" "$APP/build/release/streampulse-monitor" -c "$CONFIG" &
monitor=$!

# The web program. spawn-fcgi runs as root only to hand the socket (0600) to $USER_NAME; each
# worker drops to $USER_NAME through setpriv. spawn-fcgi points the workers' stderr at
# /dev/null: the sh in between reopens it on this script's stderr (the container log) first.
rm -f "$RUN/fcgi.sock" "$RUN/fcgi.pid"
# shellcheck disable=SC2016 # $1 and $@ belong to that sh
STREAMPULSE_CONFIG=$CONFIG spawn-fcgi -F 4 -U "$USER_NAME" -G "$GROUP" -M 0600 \
	-s "$RUN/fcgi.sock" -P "$RUN/fcgi.pid" \
	-- /bin/sh -c 'log=$1; shift; exec "$@" 2>>"$log"' sh "/proc/$$/fd/2" \
	"${AS_USER[@]}" "$APP/build/release/streampulse.fcgi" >/dev/null || {
	say "spawn-fcgi failed"
	exit 1
}
workers=()
while read -r pid || [ -n "$pid" ]; do workers+=("$pid"); done <"$RUN/fcgi.pid"

# nginx: the same configuration as the tests and `make run`; its workers run as $USER_NAME so
# they can open the 0600 socket.
sed -e "s|@PREFIX@|$RUN/nginx|g" -e "s|@LISTEN@|$PORT|g" -e "s|@HTDOCS@|$APP/htdocs|g" \
	-e "s|@SOCKET@|$RUN/fcgi.sock|g" -e "s|@USER@|user $USER_NAME $GROUP;|g" \
	"$APP/conf/nginx/test.conf.in" >"$RUN/nginx/nginx.conf"
nginx -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" -e "$RUN/nginx/logs/error.log" &
web=$!
say "monitor $monitor, web workers ${workers[*]}, nginx $web on port $PORT"

stopping=0
stop_all() {
	stopping=1
	kill -TERM "$monitor" "$web" "${workers[@]}" 2>/dev/null
	wait "$monitor" "$web" 2>/dev/null
}
trap 'say "stopping"; stop_all; exit 0' TERM INT

# Watch all three; the sleep runs in the background so a TERM is handled at once.
while :; do
	for pid in "$monitor" "$web" "${workers[@]}"; do
		if ! kill -0 "$pid" 2>/dev/null; then
			((stopping)) && exit 0
			case $pid in
			"$monitor") what="the monitor" ;;
			"$web") what="nginx" ;;
			*) what="a web worker" ;;
			esac
			say "$what (pid $pid) exited: stopping the container"
			stop_all
			exit 1
		fi
	done
	sleep 5 &
	wait $!
done
