/* Bitmap page allocator: first fit, any power-of-two alignment. */
#include "mm/palloc.h"

static int page_used(const struct page_pool *p, size_t i)
{
	return (p->bitmap[i / 64] >> (i % 64)) & 1;
}

/* Keel links no libgcc with its own ABI (lp64, no FP): count bits by hand (SWAR popcount). */
static size_t bits_set(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555UL);
	x = (x & 0x3333333333333333UL) + ((x >> 2) & 0x3333333333333333UL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fUL;
	return (size_t)((x * 0x0101010101010101UL) >> 56);
}

static void set_range(struct page_pool *p, uint64_t addr, uint64_t size, int used)
{
	uint64_t end = addr + size;

	if (end < addr || end > p->base + p->npages * PAGE_SIZE)
		end = p->base + p->npages * PAGE_SIZE;
	if (addr < p->base)
		addr = p->base;
	if (addr >= end)
		return;
	size_t i = (size_t)(((addr & ~(PAGE_SIZE - 1)) - p->base) / PAGE_SIZE);
	size_t last = (size_t)((end - p->base + PAGE_SIZE - 1) / PAGE_SIZE); /* one past */

	/* A bitmap word at a time: releasing all of RAM at boot is 64 pages per step. */
	while (i < last) {
		size_t bit = i % 64, n = last - i < 64 - bit ? last - i : 64 - bit;
		uint64_t mask = (n == 64 ? ~0UL : ((1UL << n) - 1)) << bit;
		uint64_t *w = &p->bitmap[i / 64];
		uint64_t change = used ? mask & ~*w : mask & *w;

		*w = used ? *w | mask : *w & ~mask;
		p->nfree += bits_set(change) * (used ? (size_t)-1 : 1);
		i += n;
	}
}

void pool_init(struct page_pool *p, uint64_t base, size_t npages, uint64_t *bitmap)
{
	p->base = base;
	p->npages = npages;
	p->nfree = 0;
	p->bitmap = bitmap;
	for (size_t i = 0; i < (npages + 63) / 64; i++)
		bitmap[i] = ~0UL;
}

void pool_release(struct page_pool *p, uint64_t addr, uint64_t size)
{
	set_range(p, addr, size, 0);
}
void pool_reserve(struct page_pool *p, uint64_t addr, uint64_t size)
{
	set_range(p, addr, size, 1);
}
void pool_free(struct page_pool *p, uint64_t addr, uint64_t size)
{
	set_range(p, addr, size, 0);
}

static uint64_t align_up(uint64_t v, uint64_t align)
{
	return (v + align - 1) & ~(align - 1);
}

uint64_t pool_alloc(struct page_pool *p, uint64_t size, uint64_t align)
{
	size_t count = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t end = p->base + p->npages * PAGE_SIZE;

	if (!count || count > p->nfree)
		return 0;
	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	if (align & (align - 1))
		return 0;
	for (uint64_t a = align_up(p->base, align); a + count * PAGE_SIZE <= end && a >= p->base;) {
		size_t i = (a - p->base) / PAGE_SIZE, run = 0;

		while (run < count) {
			/* Whole free bitmap words at once: large guest RAM is the common request. */
			if (!((i + run) % 64) && count - run >= 64 && !p->bitmap[(i + run) / 64]) {
				run += 64;
				continue;
			}
			if (page_used(p, i + run))
				break;
			run++;
		}
		if (run == count) {
			set_range(p, a, count * PAGE_SIZE, 1);
			return a;
		}
		/* Restart at the first aligned address past the page in use. */
		a = align_up(a + (run + 1) * PAGE_SIZE, align);
	}
	return 0;
}
