# StreamPulse - plain GNU make. `make` builds, `make test` runs the suite under ASan+UBSan,
# `make fuzz` the libFuzzer targets (tests/fuzz/), `make install` / `make uninstall` (PREFIX,
# DESTDIR: conf/install.mk).

CC      ?= cc
PKGS    := libavformat libavcodec libavutil libswscale libcurl yaml-0.1 sqlite3 jansson zlib libmosquitto
WARN    := -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LIBS     = $(PKG_LIBS) -lcrypt -lpthread -lm
# ClearSilver ships no .pc file; its headers include "util/neo_misc.h" relative to this.
CS_CFLAGS := -isystem /usr/include/ClearSilver
CGI_LIBS  = -lfcgi -lneo_cgi -lneo_cs -lneo_utl -lz

OPT_release := -O2 -g
OPT_asan    := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
# Build-tree variants find their templates in the checkout (tests, `make run`); the install
# variant (conf/install.mk) bakes the installed paths instead.
DEFS_release := -DSP_TEMPLATE_DIR='"$(CURDIR)/templates"'
DEFS_asan    := $(DEFS_release)

# Debian packages: build, then the test servers and tools. `make deps` installs what is missing.
DEB_BUILD := build-essential pkg-config libavformat-dev libavcodec-dev libavutil-dev libswscale-dev \
	libcurl4-openssl-dev libfcgi-dev libyaml-dev libsqlite3-dev clearsilver-dev libcrypt-dev libjansson-dev libmosquitto-dev ffmpeg
DEB_TEST  := gstreamer1.0-rtsp gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-ugly \
	gstreamer1.0-plugins-good gstreamer1.0-plugins-base gstreamer1.0-tools sqlite3 curl \
	nginx lighttpd spawn-fcgi time bc hyperfine wrk jq chromium clang libclang-rt-14-dev \
	mosquitto mosquitto-clients prometheus systemd
DEB_ALL   := $(DEB_BUILD) $(DEB_TEST)

LIB_SRC := $(wildcard lib/*.c)
MON_SRC := $(wildcard monitor/*.c)
CGI_SRC := $(wildcard cgi-bin/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
ALERT_UNIT_SRC := monitor/alert_group.c monitor/alert_text.c monitor/alert_command.c monitor/alert_states.c monitor/log.c

.PHONY: all deps test unit run bench clean
.SECONDARY:
all: build/release/streampulse-monitor build/release/streampulse.fcgi

# $(1) = variant (release|asan|install); STAMP_$(1): an extra prerequisite of its objects
define variant
build/$(1)/%.o: %.c $(wildcard lib/*.h monitor/*.h cgi-bin/*.h tests/unit/*.h) $$(STAMP_$(1)) | build/$(1)/.dirs
	$$(CC) $$(WARN) $$(OPT_$(1)) $$(PKG_CFLAGS) $$(CS_CFLAGS) $$(DEFS_$(1)) -Ilib -c $$< -o $$@
build/$(1)/.dirs:
	mkdir -p build/$(1)/lib build/$(1)/monitor build/$(1)/cgi-bin build/$(1)/tests/unit && touch $$@
build/$(1)/streampulse.fcgi: $(CGI_SRC:%.c=build/$(1)/%.o) build/$(1)/libstreampulse.a
	$$(CC) $$(OPT_$(1)) -o $$@ $$^ $$(CGI_LIBS) $$(LIBS)
build/$(1)/libstreampulse.a: $(LIB_SRC:%.c=build/$(1)/%.o)
	rm -f $$@ && ar rcs $$@ $$^
build/$(1)/streampulse-monitor: $(MON_SRC:%.c=build/$(1)/%.o) build/$(1)/libstreampulse.a
	$$(CC) $$(OPT_$(1)) -o $$@ $$^ $$(LIBS)
build/$(1)/tests/unit/%: build/$(1)/tests/unit/%.o build/$(1)/libstreampulse.a
	$$(CC) $$(OPT_$(1)) -o $$@ $$^ $$(LIBS)
# Unit tests of the monitor's alert logic link the monitor files they test.
build/$(1)/tests/unit/test_alerts_%: build/$(1)/tests/unit/test_alerts_%.o $(ALERT_UNIT_SRC:%.c=build/$(1)/%.o) build/$(1)/libstreampulse.a
	$$(CC) $$(OPT_$(1)) -o $$@ $$^ $$(LIBS)
endef
$(eval $(call variant,release))
$(eval $(call variant,asan))

include conf/install.mk
include tests/fixtures/fixtures.mk
include bench/bench.mk
include tests/fuzz/fuzz.mk

UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/asan/tests/unit/%)

# Installs only what is missing; as non-root it prints the command to run.
deps:
	@missing=$$(for p in $(DEB_ALL); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "deps: all Debian packages present"; exit 0; fi; \
	echo "deps: missing:" $$missing; \
	if [ "$$(id -u)" != 0 ]; then echo "run: sudo sh -c 'apt-get update && apt-get install -y" $$missing"'"; exit 1; fi; \
	export DEBIAN_FRONTEND=noninteractive; apt-get update -q && apt-get install -y -q $$missing

test: deps
	$(MAKE) build/asan/streampulse-monitor build/asan/streampulse.fcgi $(UNIT_BIN)
	SP_BUILD=build/asan bash tests/run.sh

run: deps all
	bash tests/fixtures/demo.sh

bench: deps all fixtures $(BENCH_BIN)
	SP_BUILD=build/release bash bench/all.sh

clean:
	rm -rf build tests/out
