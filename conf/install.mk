# install.mk - `make install`, `make install-strip`, `make uninstall` (included by the Makefile).
#
# The installed programs come from their own build, build/install/, compiled with the installed
# paths baked in (templates under $(DATADIR), config $(CONFDIR)/config.yaml): build/release and
# build/asan keep pointing into the checkout, so tests and `make run` work as before. The paths
# are recorded in build/install/.paths; changing PREFIX (or any dir below) rebuilds.
#   make build-install && sudo make install       /usr/local, config in /etc/streampulse
#                                                 (build-install compiles as you, not as root)
#   make install DESTDIR=/tmp/stage PREFIX=/usr    a staging tree (OpenWrt, packages, tests)
# install keeps debug info (-g, with the checkout's path mapped away); install-strip strips.

PREFIX         ?= /usr/local
BINDIR         ?= $(PREFIX)/bin
# Not on PATH: only a web server runs it (as Debian does with /usr/lib/cgit/cgit.cgi).
LIBEXECDIR     ?= $(PREFIX)/lib/streampulse
DATADIR        ?= $(PREFIX)/share/streampulse
MANDIR         ?= $(PREFIX)/share/man
# Both /usr/lib/systemd/system and /usr/local/lib/systemd/system are on systemd's unit path.
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
# /etc and /var whatever the PREFIX (the FHS places host config and state there).
SYSCONFDIR     ?= /etc
LOCALSTATEDIR  ?= /var
CONFDIR        := $(SYSCONFDIR)/streampulse
STATEDIR       := $(LOCALSTATEDIR)/lib/streampulse
INSTALL        ?= install
STRIP          ?= strip
# install-strip passes -s; --strip-program lets a cross build (OpenWrt) use its own strip.
INSTALL_STRIP  :=

# -ffile-prefix-map: neither the debug info nor __FILE__ names the checkout.
OPT_install  := -O2 -g -ffile-prefix-map=$(CURDIR)=.
DEFS_install := -DSP_TEMPLATE_DIR='"$(DATADIR)/templates"' \
	-DSP_CONFIG_FILE='"$(CONFDIR)/config.yaml"' -DSP_MONITOR_CONFIG='"$(CONFDIR)/config.yaml"'
STAMP_install := build/install/.paths
$(eval $(call variant,install))

INSTALL_PATHS := $(BINDIR) $(LIBEXECDIR) $(DATADIR) $(MANDIR) $(SYSTEMDUNITDIR) $(CONFDIR) $(STATEDIR) \
	$(OPT_install)
# Rewritten only when the paths (or flags) differ, so an unchanged install does not recompile.
build/install/.paths: FORCE | build/install/.dirs
	@echo '$(INSTALL_PATHS)' | cmp -s - $@ || echo '$(INSTALL_PATHS)' >$@
.PHONY: FORCE build-install install install-strip uninstall
FORCE:

# Placeholders in the .in files (systemd units, man page, default config, procd script).
FILL_IN := sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' \
	-e 's|@DATADIR@|$(DATADIR)|g' -e 's|@CONFDIR@|$(CONFDIR)|g' -e 's|@STATEDIR@|$(STATEDIR)|g'
# The nginx and lighttpd files stay copyable as they are in conf/ (nginx with /usr/local, the
# OpenWrt ones with /usr): their paths are rewritten, in one pass so a new path is never
# rewritten again.
FILL_CONF := sed -E -e 's|/usr(/local)?/share/streampulse|$(DATADIR)|g' \
	-e 's|/usr(/local)?/lib/streampulse|$(LIBEXECDIR)|g' \
	-e 's|/usr(/local)?/bin/streampulse|$(BINDIR)/streampulse|g' -e 's|/etc/streampulse|$(CONFDIR)|g'

UNITS       := streampulse-monitor.service streampulse-fcgi.service streampulse-fcgi.socket
CONF_FILLED := build/install/nginx/streampulse.conf build/install/lighttpd/streampulse.conf \
	build/install/lighttpd/streampulse-fastcgi.conf
FILLED      := $(UNITS:%=build/install/systemd/%) build/install/streampulse.8 \
	build/install/config.yaml build/install/openwrt/streampulse.init $(CONF_FILLED)
TEMPLATES := $(wildcard templates/*.cs)
HTDOCS    := $(wildcard htdocs/*)

build/install/systemd/%: conf/systemd/%.in build/install/.paths
	@mkdir -p $(@D) && $(FILL_IN) $< >$@
build/install/streampulse.8: doc/streampulse.8.in build/install/.paths
	$(FILL_IN) $< >$@
build/install/config.yaml: conf/config.yaml.in build/install/.paths
	$(FILL_IN) $< >$@
build/install/openwrt/streampulse.init: conf/openwrt/streampulse.init.in build/install/.paths
	@mkdir -p $(@D) && $(FILL_IN) $< >$@
$(CONF_FILLED): build/install/%: conf/% build/install/.paths
	@mkdir -p $(@D) && $(FILL_CONF) $< >$@

build-install: build/install/streampulse-monitor build/install/streampulse.fcgi $(FILLED)

# The config is installed only when none is there: it is the user's from then on. Its pristine
# copy in $(DATADIR) lets uninstall tell an untouched config (removed) from an edited one (kept).
install: build-install
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DATADIR)/templates \
		$(DESTDIR)$(DATADIR)/htdocs $(DESTDIR)$(DATADIR)/nginx $(DESTDIR)$(DATADIR)/lighttpd \
		$(DESTDIR)$(DATADIR)/openwrt $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSTEMDUNITDIR) \
		$(DESTDIR)$(CONFDIR)
	$(INSTALL) -d -m 0750 $(DESTDIR)$(STATEDIR)
	$(INSTALL) -m 0755 $(INSTALL_STRIP) build/install/streampulse-monitor $(DESTDIR)$(BINDIR)/
	$(INSTALL) -m 0755 $(INSTALL_STRIP) build/install/streampulse.fcgi $(DESTDIR)$(LIBEXECDIR)/
	$(INSTALL) -m 0644 $(TEMPLATES) $(DESTDIR)$(DATADIR)/templates/
	$(INSTALL) -m 0644 $(HTDOCS) $(DESTDIR)$(DATADIR)/htdocs/
	$(INSTALL) -m 0644 build/install/config.yaml $(DESTDIR)$(DATADIR)/config.yaml.default
	$(INSTALL) -m 0644 build/install/nginx/streampulse.conf $(DESTDIR)$(DATADIR)/nginx/
	$(INSTALL) -m 0644 build/install/lighttpd/streampulse.conf \
		build/install/lighttpd/streampulse-fastcgi.conf $(DESTDIR)$(DATADIR)/lighttpd/
	$(INSTALL) -m 0755 build/install/openwrt/streampulse.init $(DESTDIR)$(DATADIR)/openwrt/
	$(INSTALL) -m 0644 build/install/streampulse.8 $(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -m 0644 $(UNITS:%=build/install/systemd/%) $(DESTDIR)$(SYSTEMDUNITDIR)/
	@if [ -e $(DESTDIR)$(CONFDIR)/config.yaml ]; then \
		echo "install: kept the existing $(DESTDIR)$(CONFDIR)/config.yaml"; \
	else \
		$(INSTALL) -m 0640 build/install/config.yaml $(DESTDIR)$(CONFDIR)/config.yaml; \
	fi

install-strip:
	$(MAKE) INSTALL_STRIP='-s --strip-program=$(STRIP)' install

# Removes what install added. Kept: a config that differs from the shipped one (the user's
# cameras), and the data folder once it holds anything (streams.db,
# thumbnails): both are user data, and uninstall says so.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/streampulse-monitor $(DESTDIR)$(LIBEXECDIR)/streampulse.fcgi \
		$(TEMPLATES:templates/%=$(DESTDIR)$(DATADIR)/templates/%) \
		$(HTDOCS:htdocs/%=$(DESTDIR)$(DATADIR)/htdocs/%) \
		$(DESTDIR)$(DATADIR)/nginx/streampulse.conf $(DESTDIR)$(DATADIR)/lighttpd/streampulse.conf \
		$(DESTDIR)$(DATADIR)/lighttpd/streampulse-fastcgi.conf \
		$(DESTDIR)$(DATADIR)/openwrt/streampulse.init $(DESTDIR)$(MANDIR)/man8/streampulse.8 \
		$(UNITS:%=$(DESTDIR)$(SYSTEMDUNITDIR)/%)
	@if cmp -s $(DESTDIR)$(CONFDIR)/config.yaml $(DESTDIR)$(DATADIR)/config.yaml.default; then \
		rm -f $(DESTDIR)$(CONFDIR)/config.yaml; \
	elif [ -e $(DESTDIR)$(CONFDIR)/config.yaml ]; then \
		echo "uninstall: kept $(DESTDIR)$(CONFDIR)/config.yaml (edited since install)"; \
	fi
	rm -f $(DESTDIR)$(DATADIR)/config.yaml.default
	-rmdir $(DESTDIR)$(DATADIR)/templates $(DESTDIR)$(DATADIR)/htdocs $(DESTDIR)$(DATADIR)/nginx \
		$(DESTDIR)$(DATADIR)/lighttpd $(DESTDIR)$(DATADIR)/openwrt $(DESTDIR)$(DATADIR) \
		$(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(CONFDIR) $(DESTDIR)$(STATEDIR) 2>/dev/null; \
	for d in $(DESTDIR)$(CONFDIR) $(DESTDIR)$(STATEDIR); do \
		[ ! -d $$d ] || echo "uninstall: kept $$d (not empty: your data)"; done
