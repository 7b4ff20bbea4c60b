/* Host tests for drivers/platform.c's harts: the ISA string is never cut, and the facts beside it. */
#include "unit.h"
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include "drivers/platform.h"

#define FDT_SIZE (16 * 1024)

/* A host tree with one hart whose riscv,isa is `isa`, and the hart facts when `facts`. */
static void *host_tree(const char *isa, int facts)
{
	void *f = malloc(FDT_SIZE);

	assert_non_null(f);
	assert_int_equal(fdt_create(f, FDT_SIZE), 0);
	assert_int_equal(fdt_finish_reservemap(f), 0);
	assert_int_equal(fdt_begin_node(f, ""), 0);
	assert_int_equal(fdt_property_u32(f, "#address-cells", 2), 0);
	assert_int_equal(fdt_property_u32(f, "#size-cells", 2), 0);
	assert_int_equal(fdt_begin_node(f, "cpus"), 0);
	assert_int_equal(fdt_property_u32(f, "#address-cells", 1), 0);
	assert_int_equal(fdt_property_u32(f, "#size-cells", 0), 0);
	assert_int_equal(fdt_property_u32(f, "timebase-frequency", 10000000), 0);
	assert_int_equal(fdt_begin_node(f, "cpu@0"), 0);
	assert_int_equal(fdt_property_string(f, "device_type", "cpu"), 0);
	assert_int_equal(fdt_property_u32(f, "reg", 0), 0);
	assert_int_equal(fdt_property_string(f, "riscv,isa", isa), 0);
	if (facts) {
		assert_int_equal(fdt_property_string(f, "mmu-type", "riscv,sv57"), 0);
		assert_int_equal(fdt_property_u32(f, "riscv,cbom-block-size", 64), 0);
		assert_int_equal(fdt_property_u32(f, "riscv,cboz-block-size", 128), 0);
	}
	assert_int_equal(fdt_end_node(f), 0);
	assert_int_equal(fdt_end_node(f), 0);
	assert_int_equal(fdt_end_node(f), 0);
	assert_int_equal(fdt_finish(f), 0);
	return f;
}

static char *isa_of_length(size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memcpy(s, "rv64imafdch", 11);
	for (size_t i = 11; i < n; i++)
		s[i] = i % 8 == 3 ? '_' : 'z';
	s[n] = '\0';
	return s;
}

static void test_longest_isa_fits(void **state)
{
	struct platform p;
	char *isa = isa_of_length(ISA_STRING_MAX - 1);
	void *f = host_tree(isa, 0);

	(void)state;
	assert_int_equal(platform_parse(f, &p), 0);
	assert_string_equal(p.isa, isa);
	assert_int_equal(p.isa_too_long, 0);
	assert_string_equal(p.mmu_type, "");
	assert_int_equal(p.cbom_block, 0);
	free(f);
	free(isa);
}

static void test_too_long_isa_is_named_not_cut(void **state)
{
	struct platform p;
	char *isa = isa_of_length(ISA_STRING_MAX);
	void *f = host_tree(isa, 1);

	(void)state;
	assert_int_equal(platform_parse(f, &p), 0);
	assert_string_equal(p.isa, "");
	assert_int_equal(p.isa_too_long, ISA_STRING_MAX);
	free(f);
	free(isa);
}

static void test_hart_facts(void **state)
{
	struct platform p;
	void *f = host_tree("rv64imafdcvh_zicbom_zicboz", 1);

	(void)state;
	assert_int_equal(platform_parse(f, &p), 0);
	assert_string_equal(p.isa, "rv64imafdcvh_zicbom_zicboz");
	assert_string_equal(p.mmu_type, "riscv,sv57");
	assert_int_equal(p.cbom_block, 64);
	assert_int_equal(p.cboz_block, 128);
	assert_int_equal(p.cbop_block, 0);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_longest_isa_fits),
		cmocka_unit_test(test_too_long_isa_is_named_not_cut),
		cmocka_unit_test(test_hart_facts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
