#!/usr/bin/env bash
# `make install DESTDIR=... PREFIX=/usr` lays out a system a packager or a Raspberry Pi owner can
# use: programs with the installed paths baked in (not the checkout's), systemd units that
# `systemd-analyze verify` accepts and whose ExecStart programs exist, a man page, a procd script;
# `make uninstall` takes back exactly that, keeping an edited config and collected data.
# Builds in build/install/ only: build/asan and build/release are left alone.
. "$(dirname "$0")/lib.sh"

mk() { nice -n 19 make -s -C "$SP_ROOT" -j2 "$@" >>"$OUT/make.log" 2>&1; }
# tree DIR: every path under DIR with its type and mode, to compare a tree before and after.
tree() { (cd "$1" && find . -printf '%p %y %m\n' | sort); }

# The default PREFIX first: it also proves that a new PREFIX rebuilds (the paths are compiled in).
check "make install DESTDIR=local (PREFIX defaults to /usr/local)" mk install DESTDIR="$OUT/local"
L=$OUT/local
check "monitor in /usr/local/bin" test -x "$L/usr/local/bin/streampulse-monitor"
check_match "it looks for templates under /usr/local/share" '/usr/local/share/streampulse/templates' \
	"$(strings "$L/usr/local/lib/streampulse/streampulse.fcgi")"
check "config still under /etc, data under /var" test -f "$L/etc/streampulse/config.yaml" -a -d "$L/var/lib/streampulse"
check "nginx site points at /usr/local/share" grep -q 'alias /usr/local/share/streampulse/htdocs/;' \
	"$L/usr/local/share/streampulse/nginx/streampulse.conf"

# A system already has its standard folders: uninstall must leave those and remove only ours.
R=$OUT/root
mkdir -p "$R/usr/bin" "$R/usr/lib/systemd/system" "$R/usr/share/man/man8" "$R/etc" "$R/var/lib"
tree "$R" >"$OUT/tree.before"
check "make install DESTDIR=root PREFIX=/usr" mk install DESTDIR="$R" PREFIX=/usr
(cd "$R" && find . -type f | sort) >"$OUT/files"
check_eq "installed files" "./etc/streampulse/config.yaml
./usr/bin/streampulse-monitor
./usr/lib/streampulse/streampulse.fcgi
./usr/lib/systemd/system/streampulse-fcgi.service
./usr/lib/systemd/system/streampulse-fcgi.socket
./usr/lib/systemd/system/streampulse-monitor.service
./usr/share/man/man8/streampulse.8
./usr/share/streampulse/config.yaml.default
$(cd "$SP_ROOT" && printf './usr/share/streampulse/%s\n' htdocs/*)
./usr/share/streampulse/lighttpd/streampulse-fastcgi.conf
./usr/share/streampulse/lighttpd/streampulse.conf
./usr/share/streampulse/nginx/streampulse.conf
./usr/share/streampulse/openwrt/streampulse.init
$(cd "$SP_ROOT" && printf './usr/share/streampulse/%s\n' templates/*.cs)" "$(cat "$OUT/files")"
check_eq "modes: programs 0755, config 0640 (camera passwords), data folder 0750" "755 755 640 750" \
	"$(stat -c %a "$R/usr/bin/streampulse-monitor" "$R/usr/lib/streampulse/streampulse.fcgi" \
		"$R/etc/streampulse/config.yaml" "$R/var/lib/streampulse" | tr '\n' ' ' | sed 's/ $//')"
check "no placeholder left in any installed text file" bash -c "! grep -rlI '@[A-Z]*DIR@' '$R'"

# The programs carry the installed paths, and nothing of the checkout (not even in debug info).
no_build_path() { ! strings "$1" | grep -F -e "$SP_ROOT" -e /work/; }
for b in usr/bin/streampulse-monitor usr/lib/streampulse/streampulse.fcgi; do
	check "$b: no path into the build tree" no_build_path "$R/$b"
	check "$b: has debug info (make install does not strip)" bash -c "readelf -S '$R/$b' | grep -q debug_info"
done
check_match "web program: templates from /usr/share/streampulse" '/usr/share/streampulse/templates' \
	"$(strings "$R/usr/lib/streampulse/streampulse.fcgi")"
check_match "monitor: -c defaults to /etc/streampulse/config.yaml" '-c defaults to /etc/streampulse/config.yaml' \
	"$("$R/usr/bin/streampulse-monitor" --help)"
check_match "the shipped config loads, data in /var/lib/streampulse" \
	'OK, 1 streams, .*database /var/lib/streampulse/streams.db' \
	"$("$R/usr/bin/streampulse-monitor" --check-config -c "$R/etc/streampulse/config.yaml" 2>&1)"

# systemd: every ExecStart program exists in the installed tree...
U=$R/usr/lib/systemd/system
execs=$(sed -n 's/^ExecStart=[-@+!:]*\([^ ]*\).*/\1/p' "$U"/streampulse-*.service)
check_eq "ExecStart programs" "/usr/lib/streampulse/streampulse.fcgi /usr/bin/streampulse-monitor" "$(echo "$execs" | tr '\n' ' ' | sed 's/ $//')"
for e in $execs; do check "ExecStart $e exists in the tree" test -x "$R$e"; done
check_eq "both services run as the user streampulse" 2 "$(cat "$U"/streampulse-*.service | grep -c '^User=streampulse$')"
check "monitor: hardened" grep -q '^ProtectSystem=strict$' "$U/streampulse-monitor.service"
check "web program gets the socket as fd 0" grep -q '^StandardInput=socket$' "$U/streampulse-fcgi.service"
check "web program may write the config folder" grep -q '^ReadWritePaths=/etc/streampulse /var/lib/streampulse$' \
	"$U/streampulse-fcgi.service"
# ...and systemd-analyze verify accepts the units. --root makes it look for the ExecStart programs
# in the tree (not on this machine, where they are not installed); it also wants the system's
# targets there, so it runs on a copy of the tree with this machine's units beside ours.
V=$OUT/verify-root
cp -a "$R" "$V" && cp -an /usr/lib/systemd/system/. "$V/usr/lib/systemd/system/"
units=(streampulse-monitor.service streampulse-fcgi.socket streampulse-fcgi.service)
verify() { (cd "$V" && systemd-analyze verify --man=no --root="$V" "${units[@]}"); }
check "systemd-analyze verify passes" verify
rm "$V/usr/bin/streampulse-monitor"
check_match "and it fails once a program is missing (the check bites)" \
	'streampulse-monitor.service: Command /usr/bin/streampulse-monitor is not executable' "$(verify 2>&1)"

check "man page renders without warnings" bash -c \
	"[ -z \"\$(LC_ALL=C.UTF-8 groff -man -ww -z '$R/usr/share/man/man8/streampulse.8' 2>&1)\" ]"
I=$R/usr/share/streampulse/openwrt/streampulse.init
check "procd init script parses (sh -n)" sh -n "$I"
check "procd script: USE_PROCD=1" grep -q '^USE_PROCD=1$' "$I"
# shellcheck disable=SC2016 # the script's own variables, literally
check "procd script: the command line" grep -q \
	'procd_set_param command "$PROG" -c "$CONFIG"' "$I"
check_match "procd script runs /usr/bin/streampulse-monitor" '^PROG=/usr/bin/streampulse-monitor$' "$(grep '^PROG=' "$I")"

# A second install keeps the user's config.
echo "# edited by the test" >>"$R/etc/streampulse/config.yaml"
check "install again" mk install DESTDIR="$R" PREFIX=/usr
check "a second install keeps the edited config" grep -q 'edited by the test' "$R/etc/streampulse/config.yaml"

# uninstall: the edited config and the data stay (and it says so), everything else goes.
echo data >"$R/var/lib/streampulse/streams.db"
check "make uninstall" mk uninstall DESTDIR="$R" PREFIX=/usr
check_match "uninstall says what it kept" 'kept .*/etc/streampulse/config.yaml \(edited' "$(cat "$OUT/make.log")"
check_eq "left after uninstall: the user's config and data" \
	"./etc/streampulse/config.yaml ./var/lib/streampulse/streams.db" \
	"$(cd "$R" && find . -type f | sort | tr '\n' ' ' | sed 's/ $//')"
rm -r "$R/etc/streampulse" "$R/var/lib/streampulse"
check_eq "with those gone, the tree is as before install" "$(cat "$OUT/tree.before")" "$(tree "$R")"

# Untouched, nothing survives: install then uninstall leaves the tree exactly as it was.
mk install DESTDIR="$R" PREFIX=/usr && mk uninstall DESTDIR="$R" PREFIX=/usr
check_eq "install + uninstall = no change (files, folders, modes)" "$(cat "$OUT/tree.before")" "$(tree "$R")"

# install-strip: same tree, programs without symbols.
check "make install-strip" mk install-strip DESTDIR="$OUT/strip" PREFIX=/usr
check "install-strip: no debug info" bash -c "! readelf -S '$OUT/strip/usr/bin/streampulse-monitor' | grep -q debug_info"
check_lt "install-strip: smaller" "$(stat -c %s "$OUT/strip/usr/bin/streampulse-monitor")" \
	"$(stat -c %s "$L/usr/local/bin/streampulse-monitor")"
finish
