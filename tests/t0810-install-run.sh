#!/usr/bin/env bash
# The installed tree serves the dashboard, nothing from the checkout: `make install DESTDIR=root
# PREFIX=/usr`, then the installed monitor, and the installed web program under lighttpd mod_cgi
# with the installed conf/lighttpd file (OpenWrt), and under nginx with the installed site,
# getting its listening socket as fd 0 the way streampulse-fcgi.socket hands it over (systemd).
# Also the cron alternative: one `--once` pass of the installed monitor.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/web.sh"

R=$OUT/root
nice -n 19 make -s -C "$SP_ROOT" -j2 install DESTDIR="$R" PREFIX=/usr >"$OUT/make.log" 2>&1 ||
	bail "make install" "$(tail -5 "$OUT/make.log")"
MON_I=$R/usr/bin/streampulse-monitor
WEB_I=$R/usr/lib/streampulse/streampulse.fcgi
S=$R/usr/share/streampulse

start_mjpeg
cat >"$OUT/config.yaml" <<YAML
heartbeat_seconds: 2
data_dir: $OUT/data
streams:
  - name: Workshop
    url: http://127.0.0.1:$MJPEG_PORT/snapshot.jpg
  - name: Barn
    url: rtsp://127.0.0.1:$(free_port)/x
YAML
spawn monitor "$MON_I" -c "$OUT/config.yaml"
both_written() { [ "$(sqlite3 "$OUT/data/streams.db" 'SELECT count(*) FROM streams WHERE state IS NOT NULL')" = 2 ]; }
wait_for "installed monitor wrote both streams" 15 both_written ||
	bail "installed monitor" "$(tail -3 "$OUT/monitor.err")"

# dashboard_ok HOW: log in as admin/admin123, then the dashboard shows Workshop up, Barn down.
dashboard_ok() {
	local j="$OUT/$1.jar"
	web_login "$j" admin admin123
	check_eq "$1: login" 303 "$WEB_STATUS"
	web_get "$j" / >/dev/null
	check_eq "$1: dashboard" 200 "$WEB_STATUS"
	check_match "$1: Workshop is up" '<tr class="state-up" data-name="Workshop">' "$(cat "$WEB_BODY")"
	check_match "$1: Barn is down" '<tr class="state-down" data-name="Barn">' "$(cat "$WEB_BODY")"
	web_get "$j" /static/app.css >/dev/null
	check "$1: /static/ is the installed htdocs" cmp -s "$WEB_BODY" "$S/htdocs/app.css"
	web_get "$j" /thumb/Workshop.jpg >/dev/null
	check_eq "$1: thumbnail" 200 "$WEB_STATUS"
}

# ---- OpenWrt: lighttpd mod_cgi with the installed conf file, paths moved into the tree ----------
L=$OUT/lighttpd
mkdir -p "$L/logs" "$L/tmp"
# The installed file names /usr/... and /etc/streampulse/config.yaml: point those into the tree
# and at the test's config, as a router would have them at /.
sed -e "s|\"/usr/|\"$R/usr/|g" -e "s|\"/etc/streampulse/config.yaml\"|\"$OUT/config.yaml\"|g" \
	"$S/lighttpd/streampulse.conf" >"$L/streampulse.conf"
check "lighttpd conf runs the installed CGI" grep -qF "cgi.assign += ( \"$WEB_I\" => \"\" )" "$L/streampulse.conf"
check "lighttpd conf names nothing in the build tree" bash -c "! grep -F -e '$SP_ROOT/build' -e '$SP_ROOT/templates' -e '$SP_ROOT/htdocs' '$L/streampulse.conf'"
LPORT=$(free_port)
# What OpenWrt's /etc/lighttpd/lighttpd.conf provides, then the shipped file as in conf.d.
cat >"$L/lighttpd.conf" <<CONF
server.bind = "127.0.0.1"
server.port = $LPORT
server.document-root = "$L/tmp"
server.pid-file = "$L/lighttpd.pid"
server.errorlog = "$L/logs/error.log"
server.upload-dirs = ( "$L/tmp" )
mimetype.assign = ( ".css" => "text/css", ".js" => "text/javascript", ".svg" => "image/svg+xml" )
include "$L/streampulse.conf"
CONF
check "lighttpd accepts the config" lighttpd -tt -f "$L/lighttpd.conf"
spawn lighttpd lighttpd -D -f "$L/lighttpd.conf"
sp_web_ready "http://127.0.0.1:$LPORT/static/app.css" "$SPAWN_PID" ||
	bail "start lighttpd" "$(tail -3 "$L/logs/error.log" "$OUT/lighttpd.err")"
export WEB_URL=http://127.0.0.1:$LPORT
dashboard_ok lighttpd-cgi

# ---- systemd: the socket unit's listening socket as fd 0, behind the installed nginx site -------
SOCK=$OUT/fcgi.sock
SP_WEB_SOCKETS+=("$SOCK")
# Like streampulse-fcgi.socket + StandardInput=socket, with the unit's Environment= line.
# STREAMPULSE_TEMPLATES: the program looks in /usr/share/streampulse/templates, where the tree
# is on a real system; here it sits under DESTDIR.
workers=$(sed -n 's/^Environment=STREAMPULSE_WORKERS=//p' "$R/usr/lib/systemd/system/streampulse-fcgi.service")
check_match "the unit asks for several workers" '^[2-9]$' "$workers"
spawn fcgi env STREAMPULSE_CONFIG="$OUT/config.yaml" STREAMPULSE_TEMPLATES="$S/templates" \
	STREAMPULSE_WORKERS="$workers" "$PY" -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(64)
os.dup2(s.fileno(), 0); s.close()
os.execv(sys.argv[2], [sys.argv[2]])' "$SOCK" "$WEB_I"
wait_for "the socket listens" 5 test -S "$SOCK" || bail "fd-0 FastCGI" "$(tail -3 "$OUT/fcgi.err")"
check "fd-0 FastCGI environment as in the unit" grep -q "^Environment=STREAMPULSE_CONFIG=/etc/streampulse/config.yaml$" \
	"$R/usr/lib/systemd/system/streampulse-fcgi.service"
N=$OUT/nginx
mkdir -p "$N/logs" "$N/tmp"
NPORT=$(free_port)
# The site as installed; only the port, the socket and the static folder moved for the test.
sed -e "s|listen 80;|listen 127.0.0.1:$NPORT;|" -e '/listen \[::\]:80;/d' \
	-e "s|unix:/run/streampulse/fcgi.sock|unix:$SOCK|" -e "s|alias /usr/|alias $R/usr/|" \
	"$S/nginx/streampulse.conf" >"$N/site.conf"
check "nginx site names nothing in the build tree" bash -c "! grep -F -e '$SP_ROOT/build' -e '$SP_ROOT/htdocs' '$N/site.conf'"
cat >"$N/nginx.conf" <<CONF
$(sp_nginx_user)
daemon off;
pid $N/nginx.pid;
error_log $N/logs/error.log warn;
events { worker_connections 64; }
http {
	include /etc/nginx/mime.types;
	access_log $N/logs/access.log;
	client_body_temp_path $N/tmp/client_body;
	proxy_temp_path $N/tmp/proxy;
	fastcgi_temp_path $N/tmp/fastcgi;
	uwsgi_temp_path $N/tmp/uwsgi;
	scgi_temp_path $N/tmp/scgi;
	include $N/site.conf;
}
CONF
spawn nginx nginx -p "$N" -c "$N/nginx.conf" -e "$N/logs/error.log"
sp_web_ready "http://127.0.0.1:$NPORT/static/app.css" "$SPAWN_PID" ||
	bail "start nginx" "$(tail -3 "$N/logs/error.log" "$OUT/nginx.err")"
export WEB_URL=http://127.0.0.1:$NPORT
dashboard_ok nginx-fd0
# The socket's fd 0 is shared: the supervisor and its workers all hold it.
check_eq "a supervisor and $workers workers on the socket's fd 0" $((workers + 1)) "$(sp_socket_pids "$SOCK" | wc -l)"
kids() { pgrep -P "$1" | sort; }
# The supervisor: the holder of the socket whose children hold it too.
sup=$(sp_socket_pids "$SOCK" | while read -r p; do [ -n "$(kids "$p")" ] && echo "$p"; done | head -1)
check_eq "the supervisor has $workers workers" "$workers" "$(kids "$sup" | wc -l)"
victim=$(kids "$sup" | head -1)
kill -KILL "$victim"
wait_for "a killed worker is replaced" 5 bash -c "[ \"\$(pgrep -P $sup | grep -vx $victim | wc -l)\" = $workers ]"
check_eq "its replacement serves too" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$WEB_URL/api/health")"
kill -TERM "$sup"
wait_for "SIGTERM to the supervisor stops every worker" 5 bash -c "[ -z \"\$(sp_socket_pids '$SOCK')\" ]"

# ---- cron: one --once pass of the installed monitor --------------------------------------------
sed "s|data_dir: .*|data_dir: $OUT/cron|" "$OUT/config.yaml" >"$OUT/cron.yaml"
"$MON_I" --once -c "$OUT/cron.yaml" 2>"$OUT/cron.err"
check_eq "--once exits 0" 0 "$?"
check_eq "--once wrote one heartbeat per stream" 2 "$("$MON_I" -c "$OUT/cron.yaml" --export | tail -n +2 | wc -l)"
finish
