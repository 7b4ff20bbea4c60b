/* Host tests for mm/stage2.c: G-stage tables for Sv39x4 and Sv48x4 (priv spec 8.5). */
#include "unit.h"
#include <stdlib.h>
#include <string.h>
#include "arch/riscv/csr.h"
#include "core/errno.h"
#include "mm/stage2.h"

#define SZ_16K 0x4000UL
#define SV39X4_LIMIT (1UL << 41)
#define SV48X4_LIMIT (1UL << 50)

/* PTE bits as the priv spec defines them (4.4.1), independent of mm/stage2.c's names. */
#define V 0x01UL
#define R 0x02UL
#define W 0x04UL
#define X 0x08UL
#define U 0x10UL
#define A 0x40UL
#define D 0x80UL

/* Every table the code under test asks for, so teardown frees them and tests can count them. */
#define MAX_ALLOCS 4096
static void *allocs[MAX_ALLOCS];
static uint64_t alloc_sizes[MAX_ALLOCS];
static int nallocs; /* allocations made, freed ones included */
static int live; /* tables allocated and not freed */
static int fail_after = -1; /* allocations that succeed before the allocator says no; -1: never */

static uint64_t test_alloc(uint64_t size)
{
	void *p;

	if (fail_after >= 0 && nallocs >= fail_after)
		return 0;
	assert_true(nallocs < MAX_ALLOCS);
	p = aligned_alloc(size, size);
	assert_non_null(p);
	memset(p, 0, size);
	alloc_sizes[nallocs] = size;
	allocs[nallocs++] = p;
	live++;
	return (uint64_t)(uintptr_t)p;
}

static void table_free(uint64_t pa, uint64_t size)
{
	for (int i = 0; i < nallocs; i++)
		if (allocs[i] && (uint64_t)(uintptr_t)allocs[i] == pa) {
			assert_int_equal(alloc_sizes[i], size);
			free(allocs[i]);
			allocs[i] = NULL;
			live--;
			return;
		}
	fail_msg("free of %#lx, which is not an allocated table", (unsigned long)pa);
}

static int setup(void **state)
{
	(void)state;
	nallocs = 0;
	live = 0;
	fail_after = -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < nallocs; i++)
		free(allocs[i]);
	nallocs = 0;
	live = 0;
	return 0;
}

static struct stage2 new_stage2(unsigned long mode)
{
	struct stage2 s2;

	memset(&s2, 0xa5, sizeof(s2));
	assert_int_equal(stage2_init(&s2, mode, test_alloc, table_free), 0);
	return s2;
}

/* Walk the tables the way the priv spec does (8.5.1): 11 index bits at the root, 9 below. */
static uint64_t walk_pte(const struct stage2 *s2, uint64_t gpa, int *leaf_level)
{
	const uint64_t *table = S2_TABLE(s2->root);

	for (int level = s2->levels - 1; level >= 0; level--) {
		unsigned shift = 12 + 9 * (unsigned)level;
		unsigned bits = level == s2->levels - 1 ? 11 : 9;
		uint64_t pte = table[(gpa >> shift) & ((1UL << bits) - 1)];

		if (!(pte & V) || (pte & (R | W | X))) {
			*leaf_level = level;
			return pte;
		}
		table = (const uint64_t *)(uintptr_t)((pte >> 10) << 12);
	}
	fail_msg("gpa %#lx: no leaf above level 0", (unsigned long)gpa);
	return 0;
}

static void expect_translate(const struct stage2 *s2, uint64_t gpa, uint64_t want_hpa, unsigned want_prot)
{
	uint64_t hpa = 0;
	unsigned prot = 0;
	int r = stage2_translate(s2, gpa, &hpa, &prot);

	if (r != 0 || hpa != want_hpa || prot != want_prot)
		fail_msg("gpa %#lx: translate %d -> hpa %#lx prot %u, want 0 -> hpa %#lx prot %u", (unsigned long)gpa,
			 r, (unsigned long)hpa, prot, (unsigned long)want_hpa, want_prot);
}

static void expect_unmapped(const struct stage2 *s2, uint64_t gpa)
{
	uint64_t hpa = 0x5a5a;

	if (stage2_translate(s2, gpa, &hpa, NULL) != -1)
		fail_msg("gpa %#lx should be unmapped, translates to %#lx", (unsigned long)gpa, (unsigned long)hpa);
}

/* First, last and a middle byte of pages spread over the range, and its last byte. */
static void expect_range(const struct stage2 *s2, uint64_t gpa, uint64_t hpa, uint64_t size, unsigned prot)
{
	uint64_t stride = size <= 64 * SZ_4K ? SZ_4K : 0x11000; /* 68 KiB: lands at every offset in 2M/1G */

	for (uint64_t off = 0; off < size; off += stride) {
		expect_translate(s2, gpa + off, hpa + off, prot);
		expect_translate(s2, gpa + off + 0x7ff, hpa + off + 0x7ff, prot);
		expect_translate(s2, gpa + off + 0xfff, hpa + off + 0xfff, prot);
	}
	expect_translate(s2, gpa + size - 1, hpa + size - 1, prot);
}

static void test_init_sv39x4(void **state)
{
	struct stage2 s2 = new_stage2(HGATP_MODE_SV39X4);
	const uint64_t *root = S2_TABLE(s2.root);

	(void)state;
	assert_int_equal(s2.mode, HGATP_MODE_SV39X4);
	assert_int_equal(s2.levels, 3);
	assert_ptr_equal(s2.alloc, test_alloc);
	assert_int_equal(s2.mapped_4k + s2.mapped_2m + s2.mapped_1g, 0);
	assert_int_equal(nallocs, 1);
	assert_int_equal(alloc_sizes[0], SZ_16K);
	assert_int_equal(s2.root, (uint64_t)(uintptr_t)allocs[0]);
	assert_int_equal(s2.root % SZ_16K, 0);
	for (int i = 0; i < 2048; i++)
		assert_int_equal(root[i], 0);
}

static void test_init_sv48x4(void **state)
{
	struct stage2 s2 = new_stage2(HGATP_MODE_SV48X4);

	(void)state;
	assert_int_equal(s2.mode, HGATP_MODE_SV48X4);
	assert_int_equal(s2.levels, 4);
	assert_int_equal(nallocs, 1);
	assert_int_equal(alloc_sizes[0], SZ_16K);
	assert_int_equal(s2.root % SZ_16K, 0);
}

static void test_init_rejects_bad_mode_and_no_memory(void **state)
{
	struct stage2 s2;

	(void)state;
	assert_int_equal(stage2_init(&s2, HGATP_MODE_BARE, test_alloc, table_free), -EINVAL);
	assert_int_equal(stage2_init(&s2, 10 /* Sv57x4 */, test_alloc, table_free), -EINVAL);
	assert_int_equal(nallocs, 0);
	fail_after = 0;
	assert_int_equal(stage2_init(&s2, HGATP_MODE_SV39X4, test_alloc, table_free), -ENOMEM);
}

static void test_gpa_limit(void **state)
{
	(void)state;
	assert_int_equal(stage2_gpa_limit(HGATP_MODE_SV39X4), SV39X4_LIMIT);
	assert_int_equal(stage2_gpa_limit(HGATP_MODE_SV48X4), SV48X4_LIMIT);
}

static void test_map_1g_sv39x4(void **state)
{
	struct stage2 s2 = new_stage2(HGATP_MODE_SV39X4);
	uint64_t gpa = SZ_1G, hpa = 5 * SZ_1G;
	int level;

	(void)state;
	assert_int_equal(stage2_map(&s2, gpa, hpa, 2 * SZ_1G, S2_RWX), 0);
	assert_int_equal(s2.mapped_1g, 2);
	assert_int_equal(s2.mapped_2m, 0);
	assert_int_equal(s2.mapped_4k, 0);
	assert_int_equal(nallocs, 1); /* Sv39x4 1 GiB leaves live in the root */
	expect_range(&s2, gpa, hpa, 2 * SZ_1G, S2_RWX);
	expect_unmapped(&s2, gpa - 1);
	expect_unmapped(&s2, gpa + 2 * SZ_1G);
	expect_unmapped(&s2, 0);
	/* Leaf in root slot 1 and 2: V R W X, U for G-stage (priv spec 8.5.1), A/D preset, PPN = hpa >> 12 */
	assert_int_equal(S2_TABLE(s2.root)[1], ((hpa >> 12) << 10) | V | R | W | X | U | A | D);
	assert_int_equal(S2_TABLE(s2.root)[2], (((hpa + SZ_1G) >> 12) << 10) | V | R | W | X | U | A | D);
	walk_pte(&s2, gpa + SZ_1G + 0x1234, &level);
	assert_int_equal(level, 2);
}

static void test_map_1g_sv48x4(void **state)
{
	struct stage2 s2 = new_stage2(HGATP_MODE_SV48X4);
	uint64_t gpa = 3 * SZ_1G, hpa = 0x1000UL * SZ_1G;
	int level;

	(void)state;
	assert_int_equal(stage2_map(&s2, gpa, hpa, SZ_1G, S2_RWX), 0);
	assert_int_equal(s2.mapped_1g, 1);
	assert_int_equal(s2.mapped_2m + s2.mapped_4k, 0);
	assert_int_equal(nallocs, 2); /* root + one level-2 table */
	assert_int_equal(alloc_sizes[1], SZ_4K);
	assert_int_equal((uintptr_t)allocs[1] % SZ_4K, 0);
	expect_range(&s2, gpa, hpa, SZ_1G, S2_RWX);
	expect_unmapped(&s2, gpa - 1);
	expect_unmapped(&s2, gpa + SZ_1G);
	walk_pte(&s2, gpa, &level);
	assert_int_equal(level, 2);
}

static void test_map_2m(void **state)
{
	struct stage2 s2 = new_stage2(HGATP_MODE_SV39X4);
	uint64_t gpa = 0x80200000, hpa = 0xc0400000;
	int level;

	(void)state;
	assert_int_equal(stage2_map(&s2, gpa, hpa, 3 * SZ_2M, S2_READ | S2_EXEC), 0);
	assert_int_equal(s2.mapped_2m, 3);
	assert_int_equal(s2.mapped_1g + s2.mapped_4k, 0);
	assert_int_equal(nallocs, 2); /* root + one level-1 table */
	expect_range(&s2, gpa, hpa, 3 * SZ_2M, S2_READ | S2_EXEC);
	expect_unmapped(&s2, gpa - 1);
	expect_unmapped(&s2, gpa + 3 * SZ_2M);
	walk_pte(&s2, gpa + SZ_2M, &level);
	assert_int_equal(level, 1);
}

static void test_map_4k(void **state)
{
	struct stage2 s2 = new_stage2(HGATP_MODE_SV39X4);
	uint64_t gpa = 0x80001000, hpa = 0x90003000;
	int level;

	(void)state;
	assert_int_equal(stage2_map(&s2, gpa, hpa, 3 * SZ_4K, S2_RWX), 0);
	assert_int_equal(s2.mapped_4k, 3);
	assert_int_equal(s2.mapped_1g + s2.mapped_2m, 0);
	assert_int_equal(nallocs, 3); /* root + level 1 + level 0 */
	expect_range(&s2, gpa, hpa, 3 * SZ_4K, S2_RWX);
	expect_translate(&s2, 0x80003fff, 0x90005fff, S2_RWX);
	expect_unmapped(&s2, 0x80000fff);
	expect_unmapped(&s2, 0x80004000);
	walk_pte(&s2, gpa, &level);
	assert_int_equal(level, 0);
}

/* 4K pages up to the first 2M boundary, 2M pages while they fit, 4K for the tail. */
static void test_map_mixed_alignment(void **state)
{
	struct stage2 s2 = new_stage2(HGATP_MODE_SV39X4);
	uint64_t gpa = 0x80000000 + SZ_4K, hpa = 0x90000000 + SZ_4K, size = 3 * 0x100000 + 2 * SZ_4K;

	(void)state;
	/* [0x80001000, 0x80302000): 511 head pages to 0x80200000, then 1M+12K (259 pages) of tail */
	assert_int_equal(stage2_map(&s2, gpa, hpa, size, S2_RWX), 0);
	assert_int_equal(s2.mapped_4k, 511 + 259);
	assert_int_equal(s2.mapped_2m, 0);
	assert_int_equal(s2.mapped_1g, 0);
	expect_range(&s2, gpa, hpa, size, S2_RWX);
	expect_unmapped(&s2, 0x80000fff);
	expect_unmapped(&s2, gpa + size);

	/* Same shape 5M+8K long: one 2M page fits after the head */
	gpa = 0xa0000000 + SZ_4K;
	hpa = 0xb0000000 + SZ_4K;
	size = 5 * 0x100000 + 2 * SZ_4K;
	assert_int_equal(stage2_map(&s2, gpa, hpa, size, S2_RWX), 0);
	assert_int_equal(s2.mapped_4k, 2 * 770);
	assert_int_equal(s2.mapped_2m, 1);
	expect_range(&s2, gpa, hpa, size, S2_RWX);
	expect_translate(&s2, 0xa01fffff, 0xb01fffff, S2_RWX);
	expect_translate(&s2, 0xa0200000, 0xb0200000, S2_RWX);
	expect_translate(&s2, 0xa03fffff, 0xb03fffff, S2_RWX);
	expect_translate(&s2, 0xa0400000, 0xb0400000, S2_RWX);
	expect_unmapped(&s2, gpa + size);
}

static void test_map_all_three_sizes(void **state)
{
	struct stage2 s2 = new_stage2(HGATP_MODE_SV39X4);
	/* 4K, 2M, 1G, 2M, 4K: starts one 4K page and one 2M page below a 1G boundary */
	uint64_t gpa = SZ_1G - SZ_2M - SZ_4K, hpa = gpa + 4 * SZ_1G;
	uint64_t size = SZ_4K + SZ_2M + SZ_1G + SZ_2M + SZ_4K;
	int level;

	(void)state;
	assert_int_equal(stage2_map(&s2, gpa, hpa, size, S2_RWX), 0);
	assert_int_equal(s2.mapped_4k, 2);
	assert_int_equal(s2.mapped_2m, 2);
	assert_int_equal(s2.mapped_1g, 1);
	expect_range(&s2, gpa, hpa, size, S2_RWX);
	walk_pte(&s2, gpa, &level);
	assert_int_equal(level, 0);
	walk_pte(&s2, gpa + SZ_4K, &level);
	assert_int_equal(level, 1);
	walk_pte(&s2, SZ_1G, &level);
	assert_int_equal(level, 2);
	walk_pte(&s2, 2 * SZ_1G, &level);
	assert_int_equal(level, 1);
	walk_pte(&s2, 2 * SZ_1G + SZ_2M, &level);
	assert_int_equal(level, 0);
	expect_unmapped(&s2, gpa - 1);
	expect_unmapped(&s2, gpa + size);
}

/* The largest page needs gpa and hpa aligned alike: a 4K-aligned hpa forces 4K pages. */
static void test_map_hpa_alignment_limits_page_size(void **state)
{
	struct stage2 s2 = new_stage2(HGATP_MODE_SV39X4);

	(void)state;
	assert_int_equal(stage2_map(&s2, 0x80200000, 0x90201000, 2 * SZ_2M, S2_RWX), 0);
	assert_int_equal(s2.mapped_4k, 1024);
	assert_int_equal(s2.mapped_2m + s2.mapped_1g, 0);
	expect_range(&s2, 0x80200000, 0x90201000, 2 * SZ_2M, S2_RWX);

	assert_int_equal(stage2_map(&s2, SZ_1G * 4, SZ_1G * 8 + SZ_2M, SZ_1G, S2_RWX), 0);
	assert_int_equal(s2.mapped_2m, 512);
	assert_int_equal(s2.mapped_1g, 0);
	expect_range(&s2, SZ_1G * 4, SZ_1G * 8 + SZ_2M, SZ_1G, S2_RWX);
}

static void test_map_overlap_is_eexist(void **state)
{
	struct stage2 s2 = new_stage2(HGATP_MODE_SV39X4);

	(void)state;
	assert_int_equal(stage2_map(&s2, 0x80200000, 0x10200000, SZ_2M, S2_RWX), 0);
	assert_int_equal(stage2_map(&s2, 0x80201000, 0x20000000, SZ_4K, S2_RWX), -EEXIST); /* 4K inside 2M */
	assert_int_equal(stage2_map(&s2, 0x80400000, 0x10400000, SZ_4K, S2_RWX), 0);
	assert_int_equal(stage2_map(&s2, 0x80400000, 0x20400000, SZ_2M, S2_RWX), -EEXIST); /* 2M over a 4K table */
	assert_int_equal(stage2_map(&s2, 0x80400000, 0x20400000, SZ_4K, S2_RWX), -EEXIST); /* the same page */
	assert_int_equal(stage2_map(&s2, 0x80000000, 0x40000000, SZ_1G, S2_RWX), -EEXIST); /* 1G over tables */
	assert_int_equal(s2.mapped_2m, 1);
	assert_int_equal(s2.mapped_4k, 1);
	assert_int_equal(s2.mapped_1g, 0);
	expect_range(&s2, 0x80200000, 0x10200000, SZ_2M, S2_RWX);
	expect_range(&s2, 0x80400000, 0x10400000, SZ_4K, S2_RWX);
	expect_unmapped(&s2, 0x80401000);

	assert_int_equal(stage2_map(&s2, 0x100000000, 0x200000000, SZ_1G, S2_READ), 0);
	assert_int_equal(stage2_map(&s2, 0x100200000, 0x300000000, SZ_2M, S2_RWX), -EEXIST); /* 2M inside 1G */
	assert_int_equal(stage2_map(&s2, 0x13ffff000, 0x300000000, SZ_4K, S2_RWX), -EEXIST); /* 4K inside 1G */
	expect_range(&s2, 0x100000000, 0x200000000, SZ_1G, S2_READ);
}

static void test_map_rejects_bad_args(void **state)
{
	struct stage2 s2 = new_stage2(HGATP_MODE_SV39X4);

	(void)state;
	assert_int_equal(stage2_map(&s2, 0x80000800, 0x90000000, SZ_4K, S2_RWX), -EINVAL);
	assert_int_equal(stage2_map(&s2, 0x80000000, 0x90000010, SZ_4K, S2_RWX), -EINVAL);
	assert_int_equal(stage2_map(&s2, 0x80000000, 0x90000000, SZ_4K + 1, S2_RWX), -EINVAL);
	assert_int_equal(stage2_map(&s2, 0x80000000, 0x90000000, 0x800, S2_RWX), -EINVAL);
	assert_int_equal(stage2_map(&s2, 0x80000000, 0x90000000, SZ_4K, 0), -EINVAL);
	/* W without R is reserved (priv spec 4.4.1) */
	assert_int_equal(stage2_map(&s2, 0x80000000, 0x90000000, SZ_4K, S2_WRITE), -EINVAL);
	assert_int_equal(stage2_map(&s2, 0x80000000, 0x90000000, SZ_4K, S2_WRITE | S2_EXEC), -EINVAL);
	assert_int_equal(s2.mapped_4k + s2.mapped_2m + s2.mapped_1g, 0);
	assert_int_equal(nallocs, 1);
	expect_unmapped(&s2, 0x80000000);
	/* Execute-only is a valid leaf */
	assert_int_equal(stage2_map(&s2, 0x80000000, 0x90000000, SZ_4K, S2_EXEC), 0);
	expect_translate(&s2, 0x80000abc, 0x90000abc, S2_EXEC);
}

static void test_map_beyond_limit_is_erange(void **state)
{
	struct stage2 s2 = new_stage2(HGATP_MODE_SV39X4), s48;

	(void)state;
	assert_int_equal(stage2_map(&s2, SV39X4_LIMIT, 0x80000000, SZ_4K, S2_RWX), -ERANGE);
	assert_int_equal(stage2_map(&s2, SV39X4_LIMIT - SZ_4K, 0x80000000, 2 * SZ_4K, S2_RWX), -ERANGE);
	assert_int_equal(stage2_map(&s2, SV39X4_LIMIT - SZ_1G, 0x80000000, 2 * SZ_1G, S2_RWX), -ERANGE);
	assert_int_equal(stage2_map(&s2, ~0xfffUL, 0x80000000, 2 * SZ_4K, S2_RWX), -ERANGE); /* wraps */
	assert_int_equal(s2.mapped_4k + s2.mapped_2m + s2.mapped_1g, 0);
	/* The last page below the limit is fine */
	assert_int_equal(stage2_map(&s2, SV39X4_LIMIT - SZ_4K, 0x80000000, SZ_4K, S2_RWX), 0);
	expect_translate(&s2, SV39X4_LIMIT - 1, 0x80000fff, S2_RWX);
	expect_unmapped(&s2, SV39X4_LIMIT);

	s48 = new_stage2(HGATP_MODE_SV48X4);
	assert_int_equal(stage2_map(&s48, SV39X4_LIMIT, 0x80000000, SZ_1G, S2_RWX), 0);
	expect_range(&s48, SV39X4_LIMIT, 0x80000000, SZ_1G, S2_RWX);
	assert_int_equal(stage2_map(&s48, SV48X4_LIMIT, 0x80000000, SZ_4K, S2_RWX), -ERANGE);
	assert_int_equal(stage2_map(&s48, SV48X4_LIMIT - SZ_2M, 0xc0000000, SZ_2M, S2_RWX), 0);
	expect_translate(&s48, SV48X4_LIMIT - 1, 0xc01fffff, S2_RWX);
	expect_unmapped(&s48, SV48X4_LIMIT);
}

/* x4 modes: the root takes 2 extra GPA bits, so GPAs up to 2^41 (Sv39x4) index slots 512..2047. */
static void test_root_index_has_11_bits_sv39x4(void **state)
{
	struct stage2 s2 = new_stage2(HGATP_MODE_SV39X4);
	const uint64_t *root;

	(void)state;
	root = S2_TABLE(s2.root);
	assert_int_equal(stage2_map(&s2, 1UL << 40, 0x200000000, SZ_1G, S2_RWX), 0);
	assert_int_equal(stage2_map(&s2, (1UL << 39) + SZ_2M, 0x300200000, SZ_2M, S2_RWX), 0);
	assert_int_equal(stage2_map(&s2, SV39X4_LIMIT - SZ_4K, 0x400000000, SZ_4K, S2_RWX), 0);
	assert_int_equal(stage2_map(&s2, 0, 0x500000000, SZ_4K, S2_RWX), 0);

	assert_true(root[1024] & V);
	assert_true(root[512] & V);
	assert_true(root[2047] & V);
	assert_true(root[0] & V);
	assert_int_equal(root[1024], ((0x200000000UL >> 12) << 10) | V | R | W | X | U | A | D);

	expect_range(&s2, 1UL << 40, 0x200000000, SZ_1G, S2_RWX);
	expect_range(&s2, (1UL << 39) + SZ_2M, 0x300200000, SZ_2M, S2_RWX);
	expect_range(&s2, SV39X4_LIMIT - SZ_4K, 0x400000000, SZ_4K, S2_RWX);
	/* No aliasing of the high GPAs onto the low ones */
	expect_translate(&s2, 0, 0x500000000, S2_RWX);
	expect_unmapped(&s2, SZ_1G);
	expect_unmapped(&s2, (1UL << 40) - 1);
	expect_unmapped(&s2, (1UL << 40) + SZ_1G);
	expect_unmapped(&s2, 1UL << 39);
}

static void test_root_index_has_11_bits_sv48x4(void **state)
{
	struct stage2 s2 = new_stage2(HGATP_MODE_SV48X4);
	const uint64_t *root;

	(void)state;
	root = S2_TABLE(s2.root);
	assert_int_equal(stage2_map(&s2, 1UL << 49, 0x80000000, SZ_4K, S2_RWX), 0);
	assert_int_equal(stage2_map(&s2, SV48X4_LIMIT - SZ_4K, 0x90000000, SZ_4K, S2_RWX), 0);
	assert_true(root[1024] & V);
	assert_true(root[2047] & V);
	expect_translate(&s2, (1UL << 49) + 0x123, 0x80000123, S2_RWX);
	expect_translate(&s2, SV48X4_LIMIT - 1, 0x90000fff, S2_RWX);
	expect_unmapped(&s2, 0);
	expect_unmapped(&s2, 1UL << 48);
}

static void test_translate_unmapped(void **state)
{
	struct stage2 s2 = new_stage2(HGATP_MODE_SV39X4);
	uint64_t hpa;

	(void)state;
	expect_unmapped(&s2, 0);
	expect_unmapped(&s2, 0x80000000);
	expect_unmapped(&s2, SV39X4_LIMIT - 1);
	expect_unmapped(&s2, SV39X4_LIMIT);
	expect_unmapped(&s2, ~0UL);
	/* A mapped page next to unmapped ones in the same level-0 table */
	assert_int_equal(stage2_map(&s2, 0x80005000, 0x12345000, SZ_4K, S2_READ), 0);
	expect_unmapped(&s2, 0x80004fff);
	expect_unmapped(&s2, 0x80006000);
	assert_int_equal(stage2_translate(&s2, 0x80005678, &hpa, NULL), 0); /* prot is optional */
	assert_int_equal(hpa, 0x12345678);
}

/* A 4 KiB leaf switched off and on in place: translations fail while off, the mapping is unchanged after. */
static void test_leaf_off_and_on(void **state)
{
	struct stage2 s2 = new_stage2(HGATP_MODE_SV39X4);
	uint64_t *pte;

	(void)state;
	assert_null(stage2_leaf(&s2, 0x0c200000));
	assert_int_equal(stage2_map(&s2, 0x0c200000, 0x12345000, SZ_4K, S2_READ), 0);
	pte = stage2_leaf(&s2, 0x0c200abc);
	assert_non_null(pte);
	assert_ptr_equal(stage2_leaf(&s2, 0x0c200000), pte);
	assert_null(stage2_leaf(&s2, 0x0c201000));
	stage2_leaf_set(pte, 0);
	expect_unmapped(&s2, 0x0c200004);
	assert_null(stage2_leaf(&s2, 0x0c200000));
	stage2_leaf_set(pte, 1);
	expect_translate(&s2, 0x0c200004, 0x12345004, S2_READ);
	/* Off and on again on a 2 MiB leaf too. */
	assert_int_equal(stage2_map(&s2, 0x80000000, 0x90000000, SZ_2M, S2_RWX), 0);
	pte = stage2_leaf(&s2, 0x801fffff);
	assert_non_null(pte);
	stage2_leaf_set(pte, 0);
	expect_unmapped(&s2, 0x80000000);
	stage2_leaf_set(pte, 1);
	expect_translate(&s2, 0x801fffff, 0x901fffff, S2_RWX);
}

static void test_permissions(void **state)
{
	struct stage2 s2 = new_stage2(HGATP_MODE_SV39X4);
	static const struct {
		unsigned prot;
		uint64_t bits;
	} cases[] = {
		{ S2_READ, R }, { S2_READ | S2_WRITE, R | W }, { S2_READ | S2_EXEC, R | X },
		{ S2_EXEC, X }, { S2_RWX, R | W | X },
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(cases); i++) {
		uint64_t gpa = 0x80000000 + i * SZ_4K, hpa = 0x40000000 + i * SZ_4K, pte;
		int level;

		assert_int_equal(stage2_map(&s2, gpa, hpa, SZ_4K, cases[i].prot), 0);
		expect_translate(&s2, gpa + 8, hpa + 8, cases[i].prot);
		pte = walk_pte(&s2, gpa, &level);
		assert_int_equal(level, 0);
		assert_int_equal(pte, ((hpa >> 12) << 10) | cases[i].bits | V | U | A | D);
	}
}

static void test_hgatp(void **state)
{
	struct stage2 s2 = new_stage2(HGATP_MODE_SV39X4), fake;

	(void)state;
	assert_int_equal(stage2_hgatp(&s2, 5), (8UL << 60) | (5UL << 44) | (s2.root >> 12));
	assert_int_equal(stage2_hgatp(&s2, 0x3fff), (8UL << 60) | (0x3fffUL << 44) | (s2.root >> 12));
	assert_int_equal(stage2_hgatp(&s2, 0x4001), (8UL << 60) | (1UL << 44) | (s2.root >> 12)); /* 14-bit VMID */

	memset(&fake, 0, sizeof(fake));
	fake.mode = HGATP_MODE_SV48X4;
	fake.levels = 4;
	fake.root = 0x80004000;
	assert_int_equal(stage2_hgatp(&fake, 0), 0x9000000000080004UL);
	assert_int_equal(stage2_hgatp(&fake, 0x1234), 0x9123400000080004UL);
	fake.root = 0xfffffffffff000UL; /* top page of a 56-bit physical space: PPN fills all 44 bits */
	assert_int_equal(stage2_hgatp(&fake, 1), 0x90001fffffffffffUL);
}

static void test_map_out_of_memory(void **state)
{
	struct stage2 s2 = new_stage2(HGATP_MODE_SV39X4);

	(void)state;
	fail_after = 1; /* the root only */
	assert_int_equal(stage2_map(&s2, 0x80000000, 0x90000000, SZ_4K, S2_RWX), -ENOMEM);
	fail_after = 2; /* root + level 1, no level 0 */
	assert_int_equal(stage2_map(&s2, 0x80000000, 0x90000000, SZ_4K, S2_RWX), -ENOMEM);
	expect_unmapped(&s2, 0x80000000);
	assert_int_equal(s2.mapped_4k, 0);
	fail_after = -1;
	assert_int_equal(stage2_map(&s2, 0x80000000, 0x90000000, SZ_4K, S2_RWX), 0);
	expect_translate(&s2, 0x80000000, 0x90000000, S2_RWX);
}

/*
 * 4 KiB pages straddling a 1 GiB boundary in Sv48x4: a level-1 and a level-0 table on each side (the
 * level-2 table is there already, for `other`). The allocator fails at each of the 4 in turn.
 */
static void test_map_rolls_back_on_alloc_failure(void **state)
{
	const uint64_t gpa = 4 * SZ_1G - 2 * SZ_4K, hpa = 0x90000000, size = 4 * SZ_4K;
	const uint64_t other = 8 * SZ_1G; /* mapped before: must stay */

	(void)state;
	for (int tables = 0; tables < 4; tables++) {
		struct stage2 s2 = new_stage2(HGATP_MODE_SV48X4);
		int before;

		assert_int_equal(stage2_map(&s2, other, hpa, SZ_4K, S2_RWX), 0);
		before = live;
		fail_after = nallocs + tables;
		assert_int_equal(stage2_map(&s2, gpa, hpa, size, S2_RWX), -ENOMEM);
		if (live != before)
			fail_msg("failing at table %d left %d table(s) behind", tables + 1, live - before);
		for (uint64_t off = 0; off < size; off += SZ_4K)
			expect_unmapped(&s2, gpa + off);
		assert_int_equal(s2.mapped_4k, 1);
		expect_translate(&s2, other, hpa, S2_RWX);
		fail_after = -1;
		assert_int_equal(stage2_map(&s2, gpa, hpa, size, S2_RWX), 0);
		expect_range(&s2, gpa, hpa, size, S2_RWX);
		assert_int_equal(s2.mapped_4k, 5);
		stage2_destroy(&s2);
		assert_int_equal(live, 0);
	}
}

/* A mapping that runs into an existing one is undone as far as it got; the existing one stays. */
static void test_map_rolls_back_on_overlap(void **state)
{
	struct stage2 s2 = new_stage2(HGATP_MODE_SV39X4);
	const uint64_t gpa = 0x80000000 + SZ_2M, hpa = 0x90000000;
	int before;

	(void)state;
	assert_int_equal(stage2_map(&s2, gpa + 4 * SZ_4K, hpa, SZ_4K, S2_READ), 0);
	before = live;
	/* 2 MiB below it in one leaf (a new level-1 entry), then 4 KiB pages up to the existing one. */
	assert_int_equal(stage2_map(&s2, gpa - SZ_2M, hpa, SZ_2M + 8 * SZ_4K, S2_RWX), -EEXIST);
	assert_int_equal(live, before);
	expect_unmapped(&s2, gpa - SZ_2M);
	expect_unmapped(&s2, gpa);
	expect_translate(&s2, gpa + 4 * SZ_4K, hpa, S2_READ);
	assert_int_equal(s2.mapped_2m, 0);
	assert_int_equal(s2.mapped_4k, 1);
}

/* A VM that is never started gives back every table, the root too. */
static void test_destroy_frees_everything(void **state)
{
	struct stage2 s2 = new_stage2(HGATP_MODE_SV39X4);

	(void)state;
	assert_int_equal(stage2_map(&s2, 0x80000000, 0x90000000, SZ_1G + SZ_2M + 3 * SZ_4K, S2_RWX), 0);
	assert_int_equal(stage2_map(&s2, 0x10001000, 0x10001000, SZ_4K, S2_READ | S2_WRITE), 0);
	assert_true(live > 2);
	stage2_destroy(&s2);
	assert_int_equal(live, 0);
	assert_int_equal(s2.root, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_sv39x4),
		T(test_init_sv48x4),
		T(test_init_rejects_bad_mode_and_no_memory),
		T(test_gpa_limit),
		T(test_map_1g_sv39x4),
		T(test_map_1g_sv48x4),
		T(test_map_2m),
		T(test_map_4k),
		T(test_map_mixed_alignment),
		T(test_map_all_three_sizes),
		T(test_map_hpa_alignment_limits_page_size),
		T(test_map_overlap_is_eexist),
		T(test_map_rejects_bad_args),
		T(test_map_beyond_limit_is_erange),
		T(test_root_index_has_11_bits_sv39x4),
		T(test_root_index_has_11_bits_sv48x4),
		T(test_translate_unmapped),
		T(test_leaf_off_and_on),
		T(test_permissions),
		T(test_hgatp),
		T(test_map_out_of_memory),
		T(test_map_rolls_back_on_alloc_failure),
		T(test_map_rolls_back_on_overlap),
		T(test_destroy_frees_everything),
	};

	return run_unit_tests(tests);
}
