/*
 * Host tests for vcpu/vswalk.c: telling a guest-page fault on the VS-stage walk's own PTE access
 * from one on the access itself, over Sv39 and Sv48 tables built here in a fake guest RAM.
 */
#include "unit.h"
#include <string.h>
#include "vcpu/vswalk.h"

#define RAM_GPA 0x80000000ULL
#define RAM_PAGES 8
#define PAGE 4096ULL
#define DEVICE_GPA 0xc000000ULL /* a table page the walk cannot read (a device window) */
#define PTE_TABLE VS_PTE_V
#define PTE_LEAF (VS_PTE_V | VS_PTE_R | VS_PTE_W | VS_PTE_X)

static uint64_t ram[RAM_PAGES][PAGE / sizeof(uint64_t)];
static unsigned reads;

static const uint64_t *read_pte(void *ctx, uint64_t gpa)
{
	(void)ctx;
	reads++;
	if (gpa < RAM_GPA || gpa >= RAM_GPA + sizeof(ram))
		return NULL;
	return &ram[0][0] + (gpa - RAM_GPA) / sizeof(uint64_t);
}

static uint64_t page_gpa(unsigned p)
{
	return RAM_GPA + p * PAGE;
}
static uint64_t pte_to(uint64_t gpa, uint64_t flags)
{
	return (gpa >> VS_PAGE_SHIFT) << VS_PTE_PPN_SHIFT | flags;
}
static uint64_t vpn(uint64_t va, unsigned level)
{
	return (va >> (VS_PAGE_SHIFT + VS_VPN_BITS * level)) & VS_VPN_MASK;
}
static uint64_t satp(uint64_t mode, unsigned root_page)
{
	return mode << VSATP_MODE_SHIFT | page_gpa(root_page) >> VS_PAGE_SHIFT;
}

static int setup(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	reads = 0;
	return 0;
}

/* Sv39: root (page 0) -> level 1 (page 1) -> level 0 (page 2) -> a device page; and a table in a device. */
static void test_sv39(void **state)
{
	const uint64_t va = 0x40201010ULL, dev_va = 0x7f003000ULL, vs = satp(VSATP_MODE_SV39, 0);
	const uint64_t leaf_gpa = 0x10001000ULL + (va & VS_PAGE_OFFSET_MASK);

	(void)state;
	ram[0][vpn(va, 2)] = pte_to(page_gpa(1), PTE_TABLE);
	ram[1][vpn(va, 1)] = pte_to(page_gpa(2), PTE_TABLE);
	ram[2][vpn(va, 0)] = pte_to(0x10001000ULL, PTE_LEAF);
	ram[1][vpn(dev_va, 1)] = pte_to(DEVICE_GPA, PTE_TABLE);
	/* The access itself: same page offset, no walk index equal to it, the tables are not read. */
	assert_false(vs_fault_is_implicit(vs, va, leaf_gpa, read_pte, NULL));
	assert_int_equal(reads, 0);
	/* The walk's read of the PTE in the device page: another offset, decided without reading. */
	const uint64_t dev_pte = DEVICE_GPA + vpn(dev_va, 0) * VS_PTE_SIZE;

	assert_true(vs_fault_is_implicit(vs, dev_va, dev_pte, read_pte, NULL));
	assert_int_equal(reads, 0);
	/* A VA whose page offset is its own level-0 index * 8: the tables decide, both ways. */
	const uint64_t same = dev_va + vpn(dev_va, 0) * VS_PTE_SIZE;

	assert_true(vs_fault_is_implicit(vs, same, dev_pte, read_pte, NULL));
	assert_true(reads > 0);
	assert_false(vs_walk_hits(vs, va, leaf_gpa, read_pte, NULL));
	/* Bare: no walk, every fault is the access's. */
	assert_false(vs_fault_is_implicit(0, dev_va, dev_pte, read_pte, NULL));
	/* A fault at the root PTE's own address. */
	assert_true(vs_walk_hits(vs, va, page_gpa(0) + vpn(va, 2) * VS_PTE_SIZE, read_pte, NULL));
}

/* Sv48: four levels; an invalid PTE or a superpage leaf ends the walk without a hit. */
static void test_sv48_and_ends(void **state)
{
	const uint64_t va = 0x123456789000ULL, vs = satp(VSATP_MODE_SV48, 0);

	(void)state;
	ram[0][vpn(va, 3)] = pte_to(page_gpa(1), PTE_TABLE);
	ram[1][vpn(va, 2)] = pte_to(page_gpa(2), PTE_TABLE);
	ram[2][vpn(va, 1)] = pte_to(page_gpa(3), PTE_TABLE);
	ram[3][vpn(va, 0)] = pte_to(DEVICE_GPA, PTE_TABLE); /* a level-0 PTE that is not a leaf */
	assert_true(vs_walk_hits(vs, va, page_gpa(3) + vpn(va, 0) * VS_PTE_SIZE, read_pte, NULL));
	assert_false(vs_walk_hits(vs, va, DEVICE_GPA, read_pte, NULL)); /* no level below 0 */
	ram[2][vpn(va, 1)] = pte_to(0x40000000ULL, PTE_LEAF); /* a 2 MiB leaf */
	assert_false(vs_walk_hits(vs, va, page_gpa(3) + vpn(va, 0) * VS_PTE_SIZE, read_pte, NULL));
	ram[1][vpn(va, 2)] = 0; /* invalid */
	assert_false(vs_walk_hits(vs, va, page_gpa(2) + vpn(va, 1) * VS_PTE_SIZE, read_pte, NULL));
	ram[1][vpn(va, 2)] = pte_to(page_gpa(2), VS_PTE_V | VS_PTE_W); /* reserved W without R */
	assert_false(vs_walk_hits(vs, va, page_gpa(2) + vpn(va, 1) * VS_PTE_SIZE, read_pte, NULL));
	/* A root outside RAM: the first PTE is the fault, else nothing can be read. */
	assert_true(vs_walk_hits(VSATP_MODE_SV48 << VSATP_MODE_SHIFT | DEVICE_GPA >> VS_PAGE_SHIFT, va,
				 DEVICE_GPA + vpn(va, 3) * VS_PTE_SIZE, read_pte, NULL));
	assert_false(
		vs_walk_hits(VSATP_MODE_SV48 << VSATP_MODE_SHIFT | DEVICE_GPA >> VS_PAGE_SHIFT, va, 0, read_pte, NULL));
	assert_int_equal(vs_levels(VSATP_MODE_SV57 << VSATP_MODE_SHIFT), 5);
	assert_int_equal(vs_levels(1UL << VSATP_MODE_SHIFT), 0); /* a reserved mode */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_sv39, setup),
		cmocka_unit_test_setup(test_sv48_and_ends, setup),
	};

	return run_unit_tests(tests);
}
