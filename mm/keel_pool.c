/* Keel's global page pool over free host RAM. */
#include "mm/palloc.h"
#include "core/spinlock.h"
#include <string.h>

struct page_pool keel_pool;
static spinlock_t pool_lock;

uint64_t page_alloc(uint64_t size, uint64_t align)
{
	spin_lock(&pool_lock);
	uint64_t pa = pool_alloc(&keel_pool, size, align);

	spin_unlock(&pool_lock);
	return pa;
}

void page_free(uint64_t addr, uint64_t size)
{
	spin_lock(&pool_lock);
	pool_free(&keel_pool, addr, size);
	spin_unlock(&pool_lock);
}

uint64_t stage2_alloc_table(uint64_t size)
{
	uint64_t pa = page_alloc(size, size);

	if (pa)
		memset((void *)(uintptr_t)pa, 0, size);
	return pa;
}

void stage2_free_table(uint64_t pa, uint64_t size)
{
	page_free(pa, size);
}
