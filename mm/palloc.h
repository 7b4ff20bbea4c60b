/* Page allocator: a bitmap over one range of physical pages (1 = in use). */
#ifndef KEEL_MM_PALLOC_H
#define KEEL_MM_PALLOC_H
#include <stddef.h>
#include <stdint.h>

#ifndef PAGE_SIZE
#define PAGE_SIZE 4096UL
#endif

struct page_pool {
	uint64_t base;
	size_t npages;
	size_t nfree;
	uint64_t *bitmap; /* npages bits */
};

/* Every page starts in use; pool_release() makes ranges available. */
void pool_init(struct page_pool *p, uint64_t base, size_t npages, uint64_t *bitmap);
void pool_release(struct page_pool *p, uint64_t addr, uint64_t size);
void pool_reserve(struct page_pool *p, uint64_t addr, uint64_t size);
/* Zeroed-or-not is the caller's business. Returns 0 when no aligned run of pages is free. */
uint64_t pool_alloc(struct page_pool *p, uint64_t size, uint64_t align);
void pool_free(struct page_pool *p, uint64_t addr, uint64_t size);

/* Keel's global pool (locked). */
extern struct page_pool keel_pool;
uint64_t page_alloc(uint64_t size, uint64_t align);
void page_free(uint64_t addr, uint64_t size);
/* Zeroed, naturally aligned page-table memory for stage-2 (an s2_alloc_fn). */
uint64_t stage2_alloc_table(uint64_t size);
void stage2_free_table(uint64_t pa, uint64_t size);

#endif
