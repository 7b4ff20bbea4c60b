/* Host tests for mm/palloc.c: the first-fit bitmap page allocator. */
#include "unit.h"
#include <stdlib.h>
#include "mm/palloc.h"

#define PG PAGE_SIZE
#define SZ_16K (4 * PG)
#define SZ_2M 0x200000UL

struct fixture {
	struct page_pool pool;
	uint64_t *bitmap;
};

/* The bitmap is heap-allocated at its exact size so ASan catches any access past npages. */
static struct page_pool *new_pool(void **state, uint64_t base, size_t npages)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->bitmap = malloc((npages + 63) / 64 * sizeof(uint64_t));
	assert_non_null(f->bitmap);
	pool_init(&f->pool, base, npages, f->bitmap);
	*state = f;
	return &f->pool;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f) {
		free(f->bitmap);
		free(f);
	}
	return 0;
}

static int is_free(const struct page_pool *p, uint64_t addr)
{
	size_t i = (addr - p->base) / PG;

	return !((p->bitmap[i / 64] >> (i % 64)) & 1);
}

static size_t count_free(const struct page_pool *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->npages; i++)
		n += is_free(p, p->base + i * PG);
	return n;
}

static void test_init_everything_in_use(void **state)
{
	struct page_pool *p = new_pool(state, 0x80000000, 100);

	assert_int_equal(p->base, 0x80000000);
	assert_int_equal(p->npages, 100);
	assert_int_equal(p->nfree, 0);
	assert_int_equal(count_free(p), 0);
	assert_int_equal(pool_alloc(p, PG, PG), 0);
}

static void test_release_and_reserve_count_pages(void **state)
{
	struct page_pool *p = new_pool(state, 0x80000000, 130); /* spans three bitmap words */

	pool_release(p, 0x80000000, 130 * PG);
	assert_int_equal(p->nfree, 130);
	assert_int_equal(count_free(p), 130);
	pool_release(p, 0x80000000, 130 * PG); /* releasing free pages again counts nothing */
	assert_int_equal(p->nfree, 130);
	pool_reserve(p, 0x80000000 + 63 * PG, 3 * PG); /* across a word boundary */
	assert_int_equal(p->nfree, 127);
	assert_false(is_free(p, 0x80000000 + 63 * PG));
	assert_false(is_free(p, 0x80000000 + 65 * PG));
	assert_true(is_free(p, 0x80000000 + 62 * PG));
	assert_true(is_free(p, 0x80000000 + 66 * PG));
	pool_reserve(p, 0x80000000 + 64 * PG, PG); /* already reserved */
	assert_int_equal(p->nfree, 127);
	assert_int_equal(count_free(p), 127);
}

/* A reserve that covers part of a page takes the whole page; so does one ending mid-page. */
static void test_reserve_rounds_out_to_pages(void **state)
{
	struct page_pool *p = new_pool(state, 0x80000000, 16);

	pool_release(p, 0x80000000, 16 * PG);
	pool_reserve(p, 0x80000000 + PG + 0x800, PG); /* [1.5, 2.5) pages: pages 1 and 2 */
	assert_int_equal(p->nfree, 14);
	assert_true(is_free(p, 0x80000000));
	assert_false(is_free(p, 0x80000000 + PG));
	assert_false(is_free(p, 0x80000000 + 2 * PG));
	assert_true(is_free(p, 0x80000000 + 3 * PG));
	pool_reserve(p, 0x80000000 + 10 * PG + 0xfff, 1); /* one byte: page 10 */
	assert_int_equal(p->nfree, 13);
	assert_false(is_free(p, 0x80000000 + 10 * PG));
}

static void test_alloc_first_fit_4k(void **state)
{
	struct page_pool *p = new_pool(state, 0x80000000, 64);

	pool_release(p, 0x80000000, 64 * PG);
	assert_int_equal(pool_alloc(p, PG, PG), 0x80000000);
	assert_int_equal(pool_alloc(p, PG, PG), 0x80000000 + PG);
	assert_int_equal(pool_alloc(p, 100, 0), 0x80000000 + 2 * PG); /* size rounds up, align 0 -> 4K */
	assert_int_equal(pool_alloc(p, PG + 1, 1), 0x80000000 + 3 * PG); /* two pages */
	assert_int_equal(pool_alloc(p, PG, PG), 0x80000000 + 5 * PG);
	assert_int_equal(p->nfree, 64 - 6);
	assert_int_equal(count_free(p), 64 - 6);
	assert_int_equal(pool_alloc(p, 0, PG), 0); /* nothing to allocate */
	assert_int_equal(p->nfree, 64 - 6);
}

static void test_alloc_alignment(void **state)
{
	/* A base that is only 4K-aligned: every larger alignment must skip ahead */
	struct page_pool *p = new_pool(state, 0x80001000, 2048);
	uint64_t a;

	pool_release(p, 0x80001000, 2048 * PG);
	a = pool_alloc(p, SZ_16K, SZ_16K);
	assert_int_equal(a, 0x80004000);
	a = pool_alloc(p, PG, SZ_16K);
	assert_int_equal(a, 0x80008000);
	a = pool_alloc(p, SZ_2M, SZ_2M);
	assert_int_equal(a, 0x80200000);
	a = pool_alloc(p, PG, SZ_2M);
	assert_int_equal(a, 0x80400000);
	/* First fit still uses the holes the aligned allocations left */
	assert_int_equal(pool_alloc(p, PG, PG), 0x80001000);
	/* 0x80002000 has only two free pages before the 16K block: three go after 0x80008000 */
	assert_int_equal(pool_alloc(p, 3 * PG, PG), 0x80009000);
	assert_int_equal(pool_alloc(p, 2 * PG, PG), 0x80002000);
}

static void test_alloc_exhaustion(void **state)
{
	struct page_pool *p = new_pool(state, 0x80000000, 8);

	pool_release(p, 0x80000000, 8 * PG);
	assert_int_equal(pool_alloc(p, 9 * PG, PG), 0); /* more than the pool */
	assert_int_equal(pool_alloc(p, 8 * PG, PG), 0x80000000);
	assert_int_equal(p->nfree, 0);
	assert_int_equal(pool_alloc(p, PG, PG), 0);
	pool_free(p, 0x80000000 + 2 * PG, PG);
	pool_free(p, 0x80000000 + 5 * PG, PG);
	assert_int_equal(p->nfree, 2);
	/* Two free pages, but not adjacent: two pages cannot be had */
	assert_int_equal(pool_alloc(p, 2 * PG, PG), 0);
	assert_int_equal(p->nfree, 2);
	/* An alignment no free page has */
	assert_int_equal(pool_alloc(p, PG, SZ_16K), 0);
	assert_int_equal(pool_alloc(p, PG, PG), 0x80000000 + 2 * PG);
	assert_int_equal(pool_alloc(p, PG, PG), 0x80000000 + 5 * PG);
	assert_int_equal(pool_alloc(p, PG, PG), 0);
}

/* The last aligned candidate must fit wholly inside the pool. */
static void test_alloc_does_not_run_past_end(void **state)
{
	struct page_pool *p = new_pool(state, 0x80000000, 5);

	pool_release(p, 0x80000000, 5 * PG);
	pool_reserve(p, 0x80000000, PG);
	assert_int_equal(pool_alloc(p, 2 * PG, SZ_16K), 0); /* 0x80004000 has one page left */
	assert_int_equal(pool_alloc(p, PG, SZ_16K), 0x80004000);
	assert_int_equal(pool_alloc(p, 4 * PG, PG), 0);
	assert_int_equal(pool_alloc(p, 3 * PG, PG), 0x80001000);
}

static void test_alloc_skips_reserved_holes(void **state)
{
	struct page_pool *p = new_pool(state, 0x80000000, 32);

	pool_release(p, 0x80000000, 32 * PG);
	pool_reserve(p, 0x80000000 + 2 * PG, PG); /* hole at page 2 */
	pool_reserve(p, 0x80000000 + 7 * PG, 2 * PG); /* hole at pages 7-8 */
	assert_int_equal(p->nfree, 29);
	/* Four pages: not at 0 (page 2), at page 3 (3-6 free) */
	assert_int_equal(pool_alloc(p, 4 * PG, PG), 0x80000000 + 3 * PG);
	/* Next four: 0-1 too short, 9-12 */
	assert_int_equal(pool_alloc(p, 4 * PG, PG), 0x80000000 + 9 * PG);
	assert_int_equal(pool_alloc(p, 2 * PG, PG), 0x80000000);
	assert_int_equal(pool_alloc(p, PG, PG), 0x80000000 + 13 * PG);
	assert_false(is_free(p, 0x80000000 + 2 * PG));
	assert_false(is_free(p, 0x80000000 + 7 * PG));
	assert_int_equal(p->nfree, 29 - 11);
	assert_int_equal(count_free(p), 29 - 11);
}

static void test_free_then_reuse(void **state)
{
	struct page_pool *p = new_pool(state, 0x80000000, 16);
	uint64_t a, b, c;

	pool_release(p, 0x80000000, 16 * PG);
	a = pool_alloc(p, 2 * PG, PG);
	b = pool_alloc(p, 4 * PG, PG);
	c = pool_alloc(p, PG, PG);
	assert_int_equal(a, 0x80000000);
	assert_int_equal(b, 0x80002000);
	assert_int_equal(c, 0x80006000);
	assert_int_equal(p->nfree, 9);
	pool_free(p, b, 4 * PG);
	assert_int_equal(p->nfree, 13);
	assert_int_equal(pool_alloc(p, 3 * PG, PG), b); /* the hole b left */
	assert_int_equal(pool_alloc(p, 2 * PG, PG), 0x80007000); /* one page of it is left: too short */
	assert_int_equal(pool_alloc(p, PG, PG), b + 3 * PG);
	pool_free(p, a, 2 * PG);
	pool_free(p, a, 2 * PG); /* double free does not count twice */
	assert_int_equal(p->nfree, 16 - 7); /* in use: c, 3 + 2 + 1 pages */
	assert_int_equal(count_free(p), p->nfree);
}

static void test_non_power_of_two_align_rejected(void **state)
{
	struct page_pool *p = new_pool(state, 0x80000000, 64);

	pool_release(p, 0x80000000, 64 * PG);
	assert_int_equal(pool_alloc(p, PG, 3 * PG), 0);
	assert_int_equal(pool_alloc(p, PG, 12 * PG), 0);
	assert_int_equal(pool_alloc(p, PG, PG + PG / 2), 0);
	assert_int_equal(p->nfree, 64);
	assert_int_equal(pool_alloc(p, PG, 8 * PG), 0x80000000);
}

static void test_ranges_clipped_to_pool(void **state)
{
	uint64_t base = 0x80000000, end = base + 16 * PG;
	struct page_pool *p = new_pool(state, base, 16);

	pool_release(p, base - 8 * PG, 10 * PG); /* starts below the pool: pages 0-1 */
	assert_int_equal(p->nfree, 2);
	assert_true(is_free(p, base));
	assert_true(is_free(p, base + PG));
	assert_false(is_free(p, base + 2 * PG));
	pool_release(p, end - PG, 1UL << 30); /* runs past the end: page 15 only */
	assert_int_equal(p->nfree, 3);
	assert_true(is_free(p, end - PG));
	pool_release(p, 0, base); /* wholly below */
	pool_release(p, end, 64 * PG); /* wholly above */
	pool_release(p, end + 64 * PG, 64 * PG);
	assert_int_equal(p->nfree, 3);
	pool_release(p, base + 4 * PG, ~0UL); /* addr + size wraps: to the end of the pool, pages 4-15 */
	assert_int_equal(p->nfree, 2 + 12);
	assert_int_equal(count_free(p), 14);
	pool_reserve(p, 0, ~0UL - 1); /* everything, and wraps */
	assert_int_equal(p->nfree, 0);
	assert_int_equal(count_free(p), 0);
	pool_free(p, base - PG, 3 * PG); /* pool_free clips the same way */
	assert_int_equal(p->nfree, 2);
	assert_int_equal(pool_alloc(p, 2 * PG, PG), base);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_everything_in_use),
		T(test_release_and_reserve_count_pages),
		T(test_reserve_rounds_out_to_pages),
		T(test_alloc_first_fit_4k),
		T(test_alloc_alignment),
		T(test_alloc_exhaustion),
		T(test_alloc_does_not_run_past_end),
		T(test_alloc_skips_reserved_holes),
		T(test_free_then_reuse),
		T(test_non_power_of_two_align_rejected),
		T(test_ranges_clipped_to_pool),
	};

	return run_unit_tests(tests);
}
