/*
 * What every host unit test's main file includes (only that file: it defines a function).
 * cmocka wants stdarg, stddef and setjmp before it.
 */
#ifndef KEEL_TESTS_UNIT_UNIT_H
#define KEEL_TESTS_UNIT_UNIT_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Undefined behaviour fails the binary instead of scrolling past (UBSAN_OPTIONS still overrides). */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

/*
 * cmocka prints progress on stdout and the summary on stderr: line-buffer stdout so the two stay
 * in order when scripts/run-unit-tests.sh reads them through a pipe.
 */
#define run_unit_tests(tests) (setvbuf(stdout, NULL, _IOLBF, 0), cmocka_run_group_tests(tests, NULL, NULL))

#endif
