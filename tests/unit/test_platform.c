/*
 * Host tests for drivers/platform.c: the harts (the ISA string is never cut, and the facts beside
 * it) and the interrupt controller (PLIC, or the AIA's APLIC domains and IMSICs as QEMU's virt has them).
 */
#include "unit.h"
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "drivers/platform.h"

#define FDT_SIZE (16 * 1024)

/* A tree being written, opened down to its /cpus node (64-bit addresses, harts by id). */
static void *open_cpus(void)
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
	return f;
}

/* A host tree with one hart whose riscv,isa is `isa`, and the hart facts when `facts`. */
static void *host_tree(const char *isa, int facts)
{
	void *f = open_cpus();

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

/* The AIA's controllers in a tree (QEMU virt's layout): which levels, which delivery, which extras. */
enum { AIA_MSI = 1, AIA_PLIC_TOO = 2, AIA_SPLIT_FILES = 4, AIA_M_DISABLED = 8 };
#define INTC_PHANDLE(h) (10 + (h))
#define S_IMSIC_PHANDLE 20
#define M_IMSIC_PHANDLE 21
#define S_APLIC_PHANDLE 22
#define S_IMSIC_BASE 0x28000000UL
#define S_APLIC_BASE 0xd000000UL
#define NHARTS 3
#define GUEST_BITS 3

static void prop_cells(void *f, const char *name, const uint32_t *cells, int n)
{
	fdt32_t v[16];

	for (int i = 0; i < n; i++)
		v[i] = cpu_to_fdt32(cells[i]);
	assert_int_equal(fdt_property(f, name, v, n * 4), 0);
}

/* interrupts-extended naming each hart's interrupt `cause`, in hart order (hart 2 first when `shuffled`). */
static void per_hart_ext(void *f, uint32_t cause, int shuffled)
{
	uint32_t c[2 * NHARTS];

	for (int i = 0; i < NHARTS; i++) {
		int h = shuffled ? (i + NHARTS - 1) % NHARTS : i;

		c[2 * i] = INTC_PHANDLE(h);
		c[2 * i + 1] = cause;
	}
	prop_cells(f, "interrupts-extended", c, 2 * NHARTS);
}

static void reg_prop(void *f, uint64_t base, uint64_t size)
{
	uint32_t r[4] = { (uint32_t)(base >> 32), (uint32_t)base, (uint32_t)(size >> 32), (uint32_t)size };

	prop_cells(f, "reg", r, 4);
}

/* An AIA node's opening: compatible, phandle (0: none), size of its one region (0: the caller's), status. */
static void aia_node(void *f, const char *compat, uint32_t phandle, uint64_t base, uint64_t size, int disabled)
{
	int aplic = !strcmp(compat, "riscv,aplic");
	char name[48];

	snprintf(name, sizeof(name), "interrupt-controller@%llx", (unsigned long long)base);
	assert_int_equal(fdt_begin_node(f, name), 0);
	assert_int_equal(fdt_property_string(f, "compatible", compat), 0);
	if (phandle)
		assert_int_equal(fdt_property_u32(f, "phandle", phandle), 0);
	assert_int_equal(fdt_property_u32(f, aplic ? "riscv,num-sources" : "riscv,num-ids", aplic ? 96 : 255), 0);
	if (disabled)
		assert_int_equal(fdt_property_string(f, "status", "disabled"), 0);
	if (size)
		reg_prop(f, base, size);
}

static void *aia_tree(int flags)
{
	int m_off = !!(flags & AIA_M_DISABLED);
	void *f = open_cpus();
	char name[32];

	for (int h = 0; h < NHARTS; h++) {
		snprintf(name, sizeof(name), "cpu@%d", h);
		assert_int_equal(fdt_begin_node(f, name), 0);
		assert_int_equal(fdt_property_string(f, "device_type", "cpu"), 0);
		assert_int_equal(fdt_property_u32(f, "reg", (uint32_t)h), 0);
		assert_int_equal(fdt_begin_node(f, "interrupt-controller"), 0);
		assert_int_equal(fdt_property_u32(f, "phandle", INTC_PHANDLE(h)), 0);
		assert_int_equal(fdt_end_node(f), 0);
		assert_int_equal(fdt_end_node(f), 0);
	}
	assert_int_equal(fdt_end_node(f), 0);
	assert_int_equal(fdt_begin_node(f, "soc"), 0);
	assert_int_equal(fdt_property_u32(f, "#address-cells", 2), 0);
	assert_int_equal(fdt_property_u32(f, "#size-cells", 2), 0);
	if (flags & AIA_MSI) {
		/* The S-level files, hart 2's first; with AIA_SPLIT_FILES in two regions (2 files, then 1). */
		uint64_t stride = 0x1000UL << GUEST_BITS;

		aia_node(f, "riscv,imsics", S_IMSIC_PHANDLE, S_IMSIC_BASE, 0, 0);
		assert_int_equal(fdt_property_u32(f, "riscv,guest-index-bits", GUEST_BITS), 0);
		if (flags & AIA_SPLIT_FILES) {
			uint32_t r[8] = { 0, (uint32_t)S_IMSIC_BASE,
					  0, (uint32_t)(2 * stride),
					  0, (uint32_t)(S_IMSIC_BASE + 0x100000),
					  0, (uint32_t)stride };

			prop_cells(f, "reg", r, 8);
		} else {
			reg_prop(f, S_IMSIC_BASE, NHARTS * stride);
		}
		per_hart_ext(f, 9, 1);
		assert_int_equal(fdt_end_node(f), 0);
		aia_node(f, "riscv,imsics", M_IMSIC_PHANDLE, 0x24000000, NHARTS * 0x1000UL, m_off);
		per_hart_ext(f, 11, 0);
		assert_int_equal(fdt_end_node(f), 0);
	}
	/* The M-level domain first, as a firmware's tree may order them. */
	aia_node(f, "riscv,aplic", 0, 0xc000000, 0x8000, m_off);
	assert_int_equal(fdt_property_u32(f, "riscv,children", S_APLIC_PHANDLE), 0);
	if (flags & AIA_MSI)
		assert_int_equal(fdt_property_u32(f, "msi-parent", M_IMSIC_PHANDLE), 0);
	else
		per_hart_ext(f, 11, 0);
	assert_int_equal(fdt_end_node(f), 0);
	aia_node(f, "riscv,aplic", S_APLIC_PHANDLE, S_APLIC_BASE, 0x8000, 0);
	if (flags & AIA_MSI)
		assert_int_equal(fdt_property_u32(f, "msi-parent", S_IMSIC_PHANDLE), 0);
	else
		per_hart_ext(f, 9, 1);
	assert_int_equal(fdt_end_node(f), 0);
	if (flags & AIA_PLIC_TOO) {
		assert_int_equal(fdt_begin_node(f, "plic@c000000"), 0);
		assert_int_equal(fdt_property_string(f, "compatible", "riscv,plic0"), 0);
		assert_int_equal(fdt_property_u32(f, "riscv,ndev", 95), 0);
		reg_prop(f, 0x60000000, 0x600000);
		per_hart_ext(f, 9, 0);
		assert_int_equal(fdt_end_node(f), 0);
	}
	assert_int_equal(fdt_end_node(f), 0);
	assert_int_equal(fdt_end_node(f), 0);
	assert_int_equal(fdt_finish(f), 0);
	return f;
}

static int has_region(const struct platform *p, uint64_t base)
{
	for (int i = 0; i < p->nirqc_regions; i++)
		if (p->irqc_regions[i].base == base)
			return 1;
	return 0;
}

static void test_aplic_msi_mode(void **state)
{
	struct platform p;
	/* The firmware's own (M-level) nodes disabled, as OpenSBI marks them: still no VM's. */
	void *f = aia_tree(AIA_MSI | AIA_M_DISABLED);

	(void)state;
	assert_int_equal(platform_parse(f, &p), 0);
	assert_int_equal(p.irqc, HOST_IRQC_APLIC_MSI);
	assert_int_equal(p.aplic_base, S_APLIC_BASE);
	assert_int_equal(p.irq_sources, 96);
	assert_int_equal(p.imsic_ids, 255);
	assert_int_equal(p.imsic_guest_bits, GUEST_BITS);
	/* interrupts-extended lists hart 2 first: its file is the first, the APLIC's hart index 0. */
	assert_int_equal(p.imsic_index[2], 0);
	assert_int_equal(p.imsic_file[2], S_IMSIC_BASE);
	assert_int_equal(p.imsic_index[0], 1);
	assert_int_equal(p.imsic_file[0], S_IMSIC_BASE + (0x1000UL << GUEST_BITS));
	assert_int_equal(p.imsic_index[1], 2);
	assert_int_equal(p.aplic_idc[0], -1);
	assert_int_equal(p.plic_s_context[0], -1);
	/* No VM gets any level's registers: both domains, both IMSICs. */
	assert_int_equal(p.nirqc_regions, 4);
	assert_true(has_region(&p, 0x24000000) && has_region(&p, S_IMSIC_BASE) && has_region(&p, 0xc000000) &&
		    has_region(&p, S_APLIC_BASE));
	free(f);
}

static void test_imsic_files_across_regions(void **state)
{
	struct platform p;
	void *f = aia_tree(AIA_MSI | AIA_SPLIT_FILES);

	(void)state;
	assert_int_equal(platform_parse(f, &p), 0);
	assert_int_equal(p.imsic_file[2], S_IMSIC_BASE);
	assert_int_equal(p.imsic_file[0], S_IMSIC_BASE + (0x1000UL << GUEST_BITS));
	assert_int_equal(p.imsic_file[1], S_IMSIC_BASE + 0x100000);
	assert_int_equal(p.imsic_index[1], 2);
	free(f);
}

static void test_aplic_direct_mode(void **state)
{
	struct platform p;
	void *f = aia_tree(0);

	(void)state;
	assert_int_equal(platform_parse(f, &p), 0);
	assert_int_equal(p.irqc, HOST_IRQC_APLIC);
	assert_int_equal(p.aplic_base, S_APLIC_BASE);
	assert_int_equal(p.irq_sources, 96);
	/* IDC i is the i-th hart of the S domain's interrupts-extended (hart 2 first). */
	assert_int_equal(p.aplic_idc[2], 0);
	assert_int_equal(p.aplic_idc[0], 1);
	assert_int_equal(p.aplic_idc[1], 2);
	assert_int_equal(p.imsic_file[0], 0);
	assert_int_equal(p.nirqc_regions, 2);
	assert_true(has_region(&p, 0xc000000) && has_region(&p, S_APLIC_BASE));
	free(f);
}

static void test_plic_wins(void **state)
{
	struct platform p;
	void *f = aia_tree(AIA_MSI | AIA_PLIC_TOO);

	(void)state;
	assert_int_equal(platform_parse(f, &p), 0);
	assert_int_equal(p.irqc, HOST_IRQC_PLIC);
	assert_int_equal(p.irq_sources, 95);
	assert_int_equal(p.plic_s_context[1], 1);
	assert_int_equal(p.aplic_base, 0);
	assert_true(has_region(&p, 0x60000000) && has_region(&p, S_APLIC_BASE));
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_longest_isa_fits),
		cmocka_unit_test(test_too_long_isa_is_named_not_cut),
		cmocka_unit_test(test_hart_facts),
		cmocka_unit_test(test_aplic_msi_mode),
		cmocka_unit_test(test_imsic_files_across_regions),
		cmocka_unit_test(test_aplic_direct_mode),
		cmocka_unit_test(test_plic_wins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
