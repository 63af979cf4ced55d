#!/usr/bin/env bash
# docker-entrypoint.sh ROLE - the container's main process. ROLE: monitor (the probe daemon), web
# (spawn-fcgi, 4 workers, behind nginx on :8000) or all (both in one container, the default for a
# plain `docker run`). docker-compose.yml runs two containers of one image, monitor and web, over
# the one volume $DATA (./data): config.yaml and streams.db. On the first start config.yaml is
# copied there from the installed default. The programs run as the user streampulse (nginx's
# master stays root to bind the port). docker stop ends them all; if one dies, the others are
# stopped and the container exits 1 (the restart policy brings it back).
# The SP_* variables let the script run outside the image (tests/t0830-docker.sh does).
set -u
ROLE=${1:-all}
PREFIX=${SP_PREFIX:-/usr}
DATA=${SP_DATA:-/var/lib/streampulse}
RUN=${SP_RUN:-/run/streampulse}
LISTEN=${SP_LISTEN:-8000}
USER_NAME=${SP_USER:-streampulse}
DEFAULT_CONFIG=${SP_DEFAULT_CONFIG:-/etc/streampulse/config.yaml}
NGINX_TEMPLATE=${SP_NGINX_TEMPLATE:-$PREFIX/share/streampulse/docker/nginx.conf.in}
HTDOCS=${SP_HTDOCS:-$PREFIX/share/streampulse/htdocs}
CONFIG=$DATA/config.yaml

say() { echo "streampulse: $*" >&2; }

# installed NAME DIR...: the first DIR/NAME that is executable (SP_MONITOR / SP_FCGI override).
installed() {
	local name=$1 dir
	shift
	for dir; do [ -x "$dir/$name" ] && { echo "$dir/$name"; return 0; }; done
	say "cannot find $name in $*"
	return 1
}

case $ROLE in
monitor | web | all) ;;
*) say "unknown role '$ROLE': monitor, web or all"; exit 2 ;;
esac
GROUP=$(id -gn "$USER_NAME") || exit 1
# setpriv needs privileges even to "switch" to oneself: run as is when already that user.
AS_USER=()
[ "$(id -u)" = "$(id -u "$USER_NAME")" ] ||
	AS_USER=(setpriv --reuid="$USER_NAME" --regid="$GROUP" --init-groups --)
MONITOR=${SP_MONITOR:-$(installed streampulse-monitor "$PREFIX/bin" "$PREFIX/sbin")} || exit 1
FCGI=${SP_FCGI:-$(installed streampulse.fcgi "$PREFIX/lib/streampulse" "$PREFIX/libexec/streampulse" \
	"$PREFIX/lib/cgi-bin" "$PREFIX/bin" "$PREFIX/sbin")} || exit 1

# A config written by the first image (data_dir: /data, when the volume was mounted there) still
# names /data: the image links /data to $DATA, so the database stays where it was.
seed_config() {
	local tmp="$CONFIG.tmp.$$"
	mkdir -p "$DATA" || return 1
	[ -e "$CONFIG" ] && return 0
	[ -r "$DEFAULT_CONFIG" ] || { say "no default config at $DEFAULT_CONFIG"; return 1; }
	# data_dir pointing into the volume: the database and thumbnails outlive the container.
	{
		echo "# Copied from $DEFAULT_CONFIG on the container's first start. data_dir was added"
		echo "# by the container: streams.db and thumbs/ live in the volume."
		echo "data_dir: $DATA"
		grep -v '^data_dir:' "$DEFAULT_CONFIG"
	} >"$tmp" && mv -n "$tmp" "$CONFIG" || return 1
	rm -f "$tmp" # mv -n: the other container may have written it first
	say "wrote $CONFIG from $DEFAULT_CONFIG: replace its streams with your cameras"
}

# The programs run as $USER_NAME and write the database, thumbnails and (from /config) the
# config itself. Re-owned only when needed: a large thumbs/ is not walked on every start.
own_data() {
	if [ "$(stat -c %U "$DATA")" != "$USER_NAME" ] || [ "$(stat -c %U "$CONFIG")" != "$USER_NAME" ]; then
		chown -R "$USER_NAME:$GROUP" "$DATA" || return 1
	fi
}

PIDS=() NAMES=()
watch_pid() { PIDS+=("$1"); NAMES+=("$2"); }

start_monitor() {
	"${AS_USER[@]}" "$MONITOR" -c "$CONFIG" &
	watch_pid $! "the monitor"
}

# spawn-fcgi runs as root only to hand the socket (0600) to $USER_NAME; each worker drops to
# $USER_NAME through setpriv. spawn-fcgi points the workers' stderr at /dev/null: the sh in
# between reopens it on this script's stderr (the container log) first.
start_web() {
	local pid user_line="" owner=()
	mkdir -p "$RUN/nginx/logs" "$RUN/nginx/tmp" || return 1
	# nginx's logs into the container log, as in the official nginx image.
	ln -sf /dev/stderr "$RUN/nginx/logs/error.log"
	ln -sf /dev/stdout "$RUN/nginx/logs/access.log"
	rm -f "$RUN/fcgi.sock" "$RUN/fcgi.pid"
	# -U/-G hand the socket over; spawn-fcgi refuses them for root ("will not set uid to 0").
	((${#AS_USER[@]})) && owner=(-U "$USER_NAME" -G "$GROUP")
	# shellcheck disable=SC2016 # $1 and $@ belong to that sh
	STREAMPULSE_CONFIG=$CONFIG spawn-fcgi -F 4 "${owner[@]}" -M 0600 \
		-s "$RUN/fcgi.sock" -P "$RUN/fcgi.pid" \
		-- /bin/sh -c 'log=$1; shift; exec "$@" 2>>"$log"' sh "/proc/$$/fd/2" \
		"${AS_USER[@]}" "$FCGI" >/dev/null || { say "spawn-fcgi failed"; return 1; }
	while read -r pid || [ -n "$pid" ]; do watch_pid "$pid" "a web worker"; done <"$RUN/fcgi.pid"
	# The same nginx configuration as the tests and `make run`; as root its workers run as
	# $USER_NAME so they can open the 0600 socket.
	[ "$(id -u)" = 0 ] && user_line="user $USER_NAME $GROUP;"
	sed -e "s|@PREFIX@|$RUN/nginx|g" -e "s|@LISTEN@|$LISTEN|g" -e "s|@HTDOCS@|$HTDOCS|g" \
		-e "s|@SOCKET@|$RUN/fcgi.sock|g" -e "s|@USER@|$user_line|g" \
		"$NGINX_TEMPLATE" >"$RUN/nginx/nginx.conf" || return 1
	nginx -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" -e "$RUN/nginx/logs/error.log" &
	watch_pid $! "nginx"
}

stopping=0
# The web workers are not this script's children (spawn-fcgi detaches them): polled, not waited.
stop_all() {
	local i
	stopping=1
	kill -TERM "${PIDS[@]}" 2>/dev/null
	wait "${PIDS[@]}" 2>/dev/null # the children: the monitor, nginx
	for ((i = 0; i < 100; i++)); do
		kill -0 "${PIDS[@]}" 2>/dev/null || break
		sleep 0.1
	done
}

seed_config && own_data || exit 1
trap 'say "stopping"; stop_all; exit 0' TERM INT
if [ "$ROLE" != web ]; then start_monitor || exit 1; fi
if [ "$ROLE" != monitor ]; then start_web || { stop_all; exit 1; }; fi
say "$ROLE: started ${NAMES[*]} (pids ${PIDS[*]}), config $CONFIG$([ "$ROLE" = monitor ] || echo ", web on $LISTEN")"

# Watch them all; the sleep runs in the background so a TERM is handled at once.
while :; do
	for i in "${!PIDS[@]}"; do
		kill -0 "${PIDS[$i]}" 2>/dev/null && continue
		((stopping)) && exit 0
		say "${NAMES[$i]} (pid ${PIDS[$i]}) exited: stopping the container"
		stop_all
		exit 1
	done
	sleep 5 &
	wait $!
done
