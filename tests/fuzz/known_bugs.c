/*
 * Stand-ins that step around Keel bugs the fuzzers already found, so that fuzzing goes on past them.
 * Each names its reproducer in tests/unit/test_regress_fuzz.c; delete it once Keel is fixed.
 * Linked with -Wl,--wrap=<function> (tests/fuzz/fuzz.mk, FUZZ_WRAP).
 */
#include <stddef.h>

int __real_fdt_property(void *fdt, const char *name, const void *val, int len);
int __wrap_fdt_property(void *fdt, const char *name, const void *val, int len);

/*
 * vm/guest_fdt.c writes empty properties as fdt_property(fdt, name, NULL, 0), and libfdt 6.1's
 * fdt_property then calls memcpy(ptr, NULL, 0): undefined behaviour (UBSan: nonnull-attribute).
 * Reproducer: test_regress_fuzz.c, test_guest_fdt_no_null_property_value.
 */
int __wrap_fdt_property(void *fdt, const char *name, const void *val, int len)
{
	return __real_fdt_property(fdt, name, val || len ? val : "", len);
}
