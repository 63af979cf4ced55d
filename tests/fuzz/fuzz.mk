# libFuzzer targets, one per parser (included by the main Makefile). `make fuzz` builds them into
# build/fuzz/ with clang and runs each for FUZZ_SECONDS over its seed corpus, tests/fuzz/corpus/NAME/.
# Each target links only the sources it exercises, each compiled with the fuzzer's instrumentation.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_NAMES   := config multipart params api
FUZZ_BIN     := $(FUZZ_NAMES:%=build/fuzz/fuzz_%)

fuzz_src_config    := $(filter-out lib/config_save.c,$(wildcard lib/config*.c)) lib/url.c lib/fileio.c lib/utf8.c
fuzz_src_multipart := lib/multipart.c
fuzz_src_params    := cgi-bin/params.c
fuzz_src_api       := cgi-bin/api_format.c cgi-bin/buf.c lib/utf8.c lib/state_name.c
fuzz_libs_config    := yaml-0.1 libcurl
fuzz_libs_multipart :=
fuzz_libs_params    := libcurl
fuzz_libs_api       := jansson

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BIN)
fuzz: $(FUZZ_BIN)
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run.sh $(FUZZ_NAMES)

build/fuzz/obj/%.o: %.c $(wildcard lib/*.h cgi-bin/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(WARN) $(FUZZ_FLAGS) $(PKG_CFLAGS) $(CS_CFLAGS) -Ilib -Icgi-bin -c $< -o $@

# $(1) = target name
define fuzz_target
build/fuzz/fuzz_$(1): build/fuzz/obj/tests/fuzz/fuzz_$(1).o $(fuzz_src_$(1):%.c=build/fuzz/obj/%.o)
	$$(FUZZ_CC) $$(FUZZ_FLAGS) -o $$@ $$^ $$(if $$(fuzz_libs_$(1)),$$(shell pkg-config --libs $$(fuzz_libs_$(1))))
endef
$(foreach n,$(FUZZ_NAMES),$(eval $(call fuzz_target,$(n))))
