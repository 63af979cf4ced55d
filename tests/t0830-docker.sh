#!/usr/bin/env bash
# Docker without a Docker engine (none runs here; the image is never built by this test):
# docker-compose.yml parsed as YAML (services monitor and web, the ./data volume, port 8000, the
# /api/health check, restart); the Dockerfile read against the Makefile, `make install`, ldd and
# dpkg (two stages, make install with DESTDIR, no -dev package at run time, every library the
# release programs load comes from a package the runtime stage installs); and the entrypoint
# script run here as the two compose services over one data folder, on 127.0.0.1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/web.sh"
cd "$SP_ROOT" || bail "cd" "$SP_ROOT"
REL=build/release
ENTRY=conf/docker-entrypoint.sh

# ---- docker-compose.yml ----------------------------------------------------------------------
check "docker-compose.yml passes yamllint" yamllint -d '{extends: default, rules: {line-length: {max: 110}}}' docker-compose.yml
facts=$("$PY" tests/docker_facts.py Dockerfile docker-compose.yml) || bail "read Dockerfile and docker-compose.yml" "$facts"
fact() { awk -F'\t' -v k="$1" '$1 == k { print $2 }' <<<"$facts"; }
data=$(fact runtime.volume)
check_eq "the image's volume is the installed data folder" /var/lib/streampulse "$data"
check_eq "compose: services monitor and web" "monitor web" "$(fact services)"
for s in monitor web; do
	check_eq "$s: ./data mounted on the image's data folder" "./data:$data" "$(fact "$s.volumes")"
	check_eq "$s: built from this Dockerfile" . "$(fact "$s.build")"
	check_eq "$s: one image for both" streampulse:latest "$(fact "$s.image")"
	check_match "$s: restarts" '^(unless-stopped|always|on-failure)' "$(fact "$s.restart")"
	check_eq "$s: init reaps the detached FastCGI workers" true "$(fact "$s.init")"
	check_eq "$s: runs the entrypoint's role $s" "$s" "$(fact "$s.command")"
done
check_eq "web: port 8000" 8000:8000 "$(fact web.ports)"
check_eq "monitor: no port" "" "$(fact monitor.ports)"
hc=$(fact web.healthcheck)
check_match "web: healthcheck asks /api/health on 127.0.0.1:8000" '^CMD(-SHELL)? .*http://127\.0\.0\.1:8000/api/health' "$hc"
tool=$(awk '{print $2}' <<<"$hc")
check_match "web: the health check's tool ($tool) is installed in the runtime stage" " $tool " " $(fact runtime.packages) "
check_eq "monitor: the image's HTTP check is off (no nginx in that container)" true "$(fact monitor.healthcheck.disable)"
check_eq "config in the volume (STREAMPULSE_CONFIG)" "$data/config.yaml" "$(fact runtime.env.STREAMPULSE_CONFIG)"

# ---- Dockerfile --------------------------------------------------------------------------------
check_eq "two stages (multi-stage)" 2 "$(fact stages)"
check_match "build stage: Debian 12 slim, named build" '^debian:(bookworm|12)-slim AS build$' "$(fact build.from)"
check_match "runtime stage: Debian 12 slim" '^debian:(bookworm|12)-slim$' "$(fact runtime.from)"
brun=$(fact build.run)
check_match "build stage: make build-install with PREFIX=/usr" '(^| )make( -j[^ ]*)? build-install PREFIX=/usr( |$)' "$brun"
check_match "build stage: make install PREFIX=/usr DESTDIR=/out" 'make install (PREFIX=/usr DESTDIR=/out|DESTDIR=/out PREFIX=/usr)' "$brun"
check_eq "runtime stage: copies the installed tree from the build stage" "--from=build /out/ /" "$(fact runtime.copy)"
rpk=" $(fact runtime.packages) " bpk=" $(fact build.packages) "
check_eq "runtime stage installs no -dev package" "" "$(tr ' ' '\n' <<<"$rpk" | grep -- '-dev$')"
deb_build=$(make -s -f - <<<'include Makefile
print-deb: ; @echo $(DEB_BUILD)' print-deb 2>/dev/null)
missing=""
for p in $deb_build; do [[ $p == *-dev || $p == build-essential || $p == pkg-config ]] && [[ $bpk != *" $p "* ]] && missing+=" $p"; done
check_eq "build stage installs every -dev package of the Makefile's DEB_BUILD" "" "${missing# }"
unknown=""
for p in $rpk $bpk; do apt-cache show "$p" >/dev/null 2>&1 || unknown+=" $p"; done
check_eq "every package named is a Debian 12 package (apt-cache show)" "" "${unknown# }"
check_eq "the entrypoint is the script the build stage installs" \
	'["/usr/share/streampulse/docker/docker-entrypoint.sh"]' "$(fact runtime.entrypoint)"
check_match "... installed from conf/docker-entrypoint.sh" "conf/docker-entrypoint.sh /out/usr/share/streampulse/docker/docker-entrypoint.sh" "$brun"
check_match "... with the nginx template it reads by default" "conf/nginx/test.conf.in /out/usr/share/streampulse/docker/nginx.conf.in" "$brun"
check_match "image healthcheck asks /api/health" 'CMD curl .*http://127\.0\.0\.1:8000/api/health' "$(fact runtime.healthcheck)"

# Shared libraries: each one ldd lists, mapped to its package on this Debian 12 machine. A
# library the programs name (NEEDED) must come from a package named in the runtime stage; one it
# pulls in from those, from their dependencies (apt-cache depends --recurse, local data).
[ -x $REL/streampulse-monitor ] && [ -x $REL/streampulse.fcgi ] ||
	nice -n 19 make -s $REL/streampulse-monitor $REL/streampulse.fcgi >"$OUT/make.log" 2>&1 ||
	bail "build the release programs" "$(tail -3 "$OUT/make.log")"
pkg_of() { # the package holding a library path (dpkg's database may name it with or without /usr)
	local p=$1 r
	r=$(readlink -f "$p")
	for q in "$p" "$r" "/usr$p" "${p#/usr}" "/usr$r" "${r#/usr}"; do
		r=$(dpkg -S "$q" 2>/dev/null | head -1) && [ -n "$r" ] && { echo "${r%%:*}"; return 0; }
	done
	return 1
}
closure=" $(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
	--no-replaces --no-enhances $rpk 2>/dev/null | grep -v '^ ' | tr -d '<>' | sed 's/:.*//' | sort -u | tr '\n' ' ') "
for bin in streampulse-monitor streampulse.fcgi; do
	needed=$(readelf -d "$REL/$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
	direct="" transitive="" nopkg=""
	while read -r so path; do
		pkg=$(pkg_of "$path") || { nopkg+=" $so"; continue; }
		if grep -qx "$so" <<<"$needed"; then
			[[ $rpk == *" $pkg "* || $pkg == libc6 ]] || direct+=" $so($pkg)"
		else
			[[ $closure == *" $pkg "* ]] || transitive+=" $so($pkg)"
		fi
	done < <(ldd "$REL/$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }')
	echo "# $bin: $(wc -w <<<"$needed") NEEDED libraries, $(ldd "$REL/$bin" | grep -c '=> /') in all" >&2
	check_eq "$bin: every library ldd lists belongs to a Debian package" "" "${nopkg# }"
	check_eq "$bin: each library it names is in a package the runtime stage installs" "" "${direct# }"
	check_eq "$bin: each library those pull in comes with their dependencies" "" "${transitive# }"
done

# ---- the installed tree the image copies ---------------------------------------------------------
# `make install` belongs to another branch until merged: without it, this part says it skipped.
if make -n install PREFIX=/usr DESTDIR="$OUT/dest" >/dev/null 2>&1; then
	nice -n 19 make -s install PREFIX=/usr DESTDIR="$OUT/dest" >"$OUT/install.log" 2>&1
	check_eq "make install PREFIX=/usr DESTDIR=... succeeds" 0 "$?"
	D="$OUT/dest"
	check "installed default config at /etc/streampulse/config.yaml (what the entrypoint copies)" test -f "$D/etc/streampulse/config.yaml"
	check "installed data folder is the compose mount ($data)" test -d "$D$data"
	check "streampulse-monitor where the entrypoint looks" bash -c "ls '$D/usr/bin/streampulse-monitor' '$D/usr/sbin/streampulse-monitor' 2>/dev/null | grep -q ."
	check "streampulse.fcgi where the entrypoint looks" bash -c "ls '$D'/usr/{lib/streampulse,libexec/streampulse,lib/cgi-bin,bin,sbin}/streampulse.fcgi 2>/dev/null | grep -q ."
	check "htdocs where the entrypoint looks" test -f "$D/usr/share/streampulse/htdocs/app.css"
else
	echo "# SKIP installed-tree checks: this Makefile has no install target yet (branch install)"
fi

# ---- the entrypoint, run here as the compose file runs it ---------------------------------------
check "entrypoint: bash -n" bash -n $ENTRY
if command -v shellcheck >/dev/null; then check "entrypoint: shellcheck" shellcheck $ENTRY; fi
cat >"$OUT/default.yaml" <<YAML
# the installed default
data_dir: /nonexistent/should-be-replaced
heartbeat_seconds: 2
streams:
  - name: cam
    url: rtsp://127.0.0.1:9/x
YAML
PORT=$(free_port) || bail "free port" ""
# entry ROLE RUN: the entrypoint over $OUT/data with the build tree's programs (SP_* overrides).
entry() {
	spawn "entry-$1" env SP_DATA="$OUT/data" SP_RUN="$OUT/$2" SP_LISTEN="127.0.0.1:$PORT" \
		SP_USER="$(id -un)" SP_DEFAULT_CONFIG="$OUT/default.yaml" SP_MONITOR="$MON" SP_FCGI="$SP_WEB_BIN" \
		SP_HTDOCS="$SP_ROOT/htdocs" SP_NGINX_TEMPLATE="$SP_ROOT/conf/nginx/test.conf.in" bash "$ENTRY" "$1"
}
SP_WEB_SOCKETS+=("$OUT/rw/fcgi.sock")
out=$(SP_USER="$(id -un)" SP_DATA="$OUT/data" bash $ENTRY frontend 2>&1) && rc=0 || rc=$?
check_eq "entrypoint: unknown role: exit 2" 2 "$rc"
check_match "... says which roles exist" "monitor, web or all" "$out"
# web first, asked for its health before the monitor ever wrote (as Docker's health check does):
# a worker that answered "never written" must see the monitor's writes later.
entry web rw
WPID=$SPAWN_PID
WEB_URL="http://127.0.0.1:$PORT"
wait_for "config seeded" 10 test -s "$OUT/data/config.yaml"
wait_for "web answers" 15 curl -sf -o /dev/null "$WEB_URL/static/app.css"
for _ in 1 2 3 4 5 6 7 8; do curl -s -o "$OUT/health0.json" "$WEB_URL/api/health"; done
check_match "web alone: /api/health says the monitor never wrote" '"the monitor has never written"' "$(cat "$OUT/health0.json")"
entry monitor rm
MPID=$SPAWN_PID
check_match "first start: config.yaml copied into the data folder with data_dir pointing there" \
	"data_dir: $OUT/data" "$(grep '^data_dir:' "$OUT/data/config.yaml")"
check_eq "... the default's own data_dir dropped" 1 "$(grep -c '^data_dir:' "$OUT/data/config.yaml")"
wait_for "/api/health 200" 40 bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $WEB_URL/api/health)\" = 200 ]"
check_eq "web + monitor: /api/health 200 (the monitor writes, the web reads one database)" 200 \
	"$(curl -s -o "$OUT/health.json" -w '%{http_code}' "$WEB_URL/api/health")"
web_login "$OUT/a.jar" admin admin123
check_eq "first login admin/admin123 through the entrypoint's nginx" 303 "$WEB_STATUS"
check_match "the admin tool finds the user in that database" $'\nadmin +admin +default ' \
	"$("$MON" -c "$OUT/data/config.yaml" --users 2>&1)"
check "streams.db in the data folder" test -s "$OUT/data/streams.db"
# A role's program dying stops its container (exit 1) so the restart policy brings it back.
mon=$(pgrep -P "$MPID" -f streampulse-monitor | head -1)
[ -n "$mon" ] && kill -KILL "$mon"
wait_for "monitor container exits" 10 bash -c "! kill -0 $MPID 2>/dev/null || grep -q 'exited: stopping' '$OUT/entry-monitor.err'"
wait "$MPID" 2>/dev/null
rc=$?
check_eq "the monitor killed: its entrypoint exits 1" 1 "$rc"
check_match "... and says why" "the monitor \\(pid [0-9]+\\) exited: stopping the container" "$(cat "$OUT/entry-monitor.err")"
workers=$(sp_socket_pids "$OUT/rw/fcgi.sock" | tr '\n' ' ')
kill -TERM "$WPID"
wait_for "web container stops" 15 bash -c "! kill -0 $WPID 2>/dev/null"
wait "$WPID" 2>/dev/null
check_eq "docker stop (SIGTERM) on web: exit 0" 0 "$?"
left=""
for p in $workers; do sp_alive "$p" && left+=" $p"; done # the script waited for them
check_eq "... its FastCGI workers are gone" "" "${left# }"
check_eq "... nginx is gone" "" "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$WEB_URL/api/health" | grep -v '^000$')"
check "no sanitizer report from the programs the entrypoint ran" \
	bash -c "! grep -E 'Sanitizer|runtime error' '$OUT'/entry-*.err"
finish
