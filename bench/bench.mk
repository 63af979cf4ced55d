# Bench programs (C, linked with the release library): bench/NAME.c -> build/release/bench/NAME.
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=build/release/bench/%)

build/release/bench/%: bench/%.c build/release/libstreampulse.a
	@mkdir -p $(@D)
	$(CC) $(WARN) $(OPT_release) $(PKG_CFLAGS) -Ilib -o $@ $^ $(LIBS)
