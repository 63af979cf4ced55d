/* unit.h - tiny assertion helpers for C unit tests: count passes and failures, print a summary. */
#ifndef SP_UNIT_H
#define SP_UNIT_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One test binary is one translation unit, so plain statics are the whole state. */
static int unit_passed, unit_failed;

/* Records one check; on failure prints where, what, and the optional printf-style detail. */
static inline int unit_check(int ok, const char *file, int line, const char *what,
			     const char *fmt, ...)
{
	va_list ap;
	if (ok) {
		unit_passed++;
		return 1;
	}
	unit_failed++;
	fprintf(stderr, "FAIL %s:%d: %s", file, line, what);
	if (fmt && fmt[0]) {
		fputs(": ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
	fputc('\n', stderr);
	return 0;
}

/* CHECK(cond) or CHECK(cond, "fmt", args...) to say more when it fails; the value is cond's
 * truth, so a test can skip checks that make no sense after a failure. */
#define CHECK(cond, ...) unit_check(!!(cond), __FILE__, __LINE__, #cond, "" __VA_ARGS__)

#define CHECK_INT(got, want) \
	CHECK_INT_((long long)(got), (long long)(want), #got " == " #want, __FILE__, __LINE__)
#define CHECK_STR(got, want) CHECK_STR_((got), (want), #got " == " #want, __FILE__, __LINE__)

static inline int CHECK_INT_(long long got, long long want, const char *what, const char *file,
			     int line)
{
	return unit_check(got == want, file, line, what, "got %lld, want %lld", got, want);
}

static inline int CHECK_STR_(const char *got, const char *want, const char *what,
			     const char *file, int line)
{
	int ok = got && want && strcmp(got, want) == 0;
	return unit_check(ok, file, line, what, "got \"%s\", want \"%s\"", got ? got : "(null)",
			  want ? want : "(null)");
}

/* Prints the summary line the test runner reads; returns the exit status. */
static inline int unit_done(void)
{
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif
