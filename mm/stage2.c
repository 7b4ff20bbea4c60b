/* G-stage page-table builder. Pure logic: no CSR access, so it is unit-tested on the host. */
#include "mm/stage2.h"
#include <stddef.h>
#include "arch/riscv/csr.h"
#include "core/errno.h"

/* PTE bits (priv spec 4.4.1); G-stage leaves must have U set (priv spec 8.5.1). */
#define PTE_V BIT(0)
#define PTE_R BIT(1)
#define PTE_W BIT(2)
#define PTE_X BIT(3)
#define PTE_U BIT(4)
#define PTE_A BIT(6)
#define PTE_D BIT(7)
#define PTE_PPN_SHIFT 10
#define PTE_LEAF (PTE_R | PTE_W | PTE_X)

#define LEVEL_BITS 9
#define S2_HPA_LIMIT (1UL << 56) /* the PPN field holds 44 bits */
#define ROOT_EXTRA_BITS 2
#define S2_MAX_LEVELS 4 /* Sv48x4 */

static unsigned level_shift(int level)
{
	return PAGE_SHIFT + LEVEL_BITS * (unsigned)level;
}

static uint64_t pte_to_pa(uint64_t pte)
{
	return (pte >> PTE_PPN_SHIFT) << PAGE_SHIFT;
}

static unsigned index_at(const struct stage2 *s2, uint64_t gpa, int level)
{
	unsigned bits = LEVEL_BITS + (level == s2->levels - 1 ? ROOT_EXTRA_BITS : 0);

	return (unsigned)((gpa >> level_shift(level)) & ((1UL << bits) - 1));
}

uint64_t stage2_gpa_limit(unsigned long mode)
{
	int levels = mode == HGATP_MODE_SV48X4 ? 4 : 3;

	return 1UL << (level_shift(levels) + ROOT_EXTRA_BITS);
}

int stage2_init(struct stage2 *s2, unsigned long mode, s2_alloc_fn alloc, s2_free_fn release)
{
	if (mode != HGATP_MODE_SV39X4 && mode != HGATP_MODE_SV48X4)
		return -EINVAL;
	s2->mode = mode;
	s2->levels = mode == HGATP_MODE_SV48X4 ? 4 : 3;
	s2->alloc = alloc;
	s2->release = release;
	s2->mapped_4k = s2->mapped_2m = s2->mapped_1g = 0;
	s2->root = alloc(S2_ROOT_SIZE);
	return s2->root ? 0 : -ENOMEM;
}

static uint64_t leaf_bits(unsigned prot)
{
	uint64_t pte = PTE_V | PTE_U | PTE_A | PTE_D;

	if (prot & S2_READ)
		pte |= PTE_R;
	if (prot & S2_WRITE)
		pte |= PTE_W;
	if (prot & S2_EXEC)
		pte |= PTE_X;
	return pte;
}

static int map_one(struct stage2 *s2, uint64_t gpa, uint64_t hpa, int leaf_level, unsigned prot)
{
	uint64_t *table = S2_TABLE(s2->root);

	for (int level = s2->levels - 1; level > leaf_level; level--) {
		uint64_t *pte = &table[index_at(s2, gpa, level)];

		if (!(*pte & PTE_V)) {
			uint64_t next = s2->alloc(S2_TABLE_SIZE);

			if (!next)
				return -ENOMEM;
			*pte = ((next >> PAGE_SHIFT) << PTE_PPN_SHIFT) | PTE_V;
		} else if (*pte & PTE_LEAF) {
			return -EEXIST;
		}
		table = S2_TABLE(pte_to_pa(*pte));
	}
	uint64_t *pte = &table[index_at(s2, gpa, leaf_level)];

	if (*pte & PTE_V)
		return -EEXIST;
	*pte = ((hpa >> PAGE_SHIFT) << PTE_PPN_SHIFT) | leaf_bits(prot);
	return 0;
}

static unsigned table_entries(const struct stage2 *s2, int level)
{
	return 1U << (LEVEL_BITS + (level == s2->levels - 1 ? ROOT_EXTRA_BITS : 0));
}

static int table_empty(const uint64_t *table, unsigned entries)
{
	for (unsigned i = 0; i < entries; i++)
		if (table[i] & PTE_V)
			return 0;
	return 1;
}

/* Free the tables on gpa's path that hold nothing (deepest first); the root stays. */
static void prune_path(struct stage2 *s2, uint64_t gpa)
{
	uint64_t *ptes[S2_MAX_LEVELS];
	uint64_t *table = S2_TABLE(s2->root);
	int level = s2->levels - 1;

	/* ptes[l]: the entry at level l that points to a table of level l - 1. */
	for (; level > 0; level--) {
		uint64_t *pte = &table[index_at(s2, gpa, level)];

		if (!(*pte & PTE_V) || (*pte & PTE_LEAF))
			break;
		ptes[level] = pte;
		table = S2_TABLE(pte_to_pa(*pte));
	}
	for (int l = level + 1; l < s2->levels; l++) {
		uint64_t child = pte_to_pa(*ptes[l]);

		if (!table_empty(S2_TABLE(child), S2_TABLE_SIZE / sizeof(uint64_t)))
			return;
		*ptes[l] = 0;
		s2->release(child, S2_TABLE_SIZE);
	}
}

static void clear_leaf(struct stage2 *s2, uint64_t gpa, int leaf_level)
{
	uint64_t *table = S2_TABLE(s2->root);

	for (int level = s2->levels - 1; level > leaf_level; level--)
		table = S2_TABLE(pte_to_pa(table[index_at(s2, gpa, level)]));
	table[index_at(s2, gpa, leaf_level)] = 0;
}

/* The page size stage2_map uses next: the largest that alignment and what is left allow. */
static int step_level(uint64_t gpa, uint64_t hpa, uint64_t size)
{
	if (!((gpa | hpa) & (SZ_1G - 1)) && size >= SZ_1G)
		return 2;
	if (!((gpa | hpa) & (SZ_2M - 1)) && size >= SZ_2M)
		return 1;
	return 0;
}

static void count_mapping(struct stage2 *s2, int level, long n)
{
	if (level == 2)
		s2->mapped_1g += (unsigned long)n;
	else if (level == 1)
		s2->mapped_2m += (unsigned long)n;
	else
		s2->mapped_4k += (unsigned long)n;
}

/* Take out what stage2_map(gpa, hpa, ...) mapped in its first `size` bytes (the same steps again). */
static void unmap_mapped(struct stage2 *s2, uint64_t gpa, uint64_t hpa, uint64_t size)
{
	while (size) {
		int level = step_level(gpa, hpa, size);

		clear_leaf(s2, gpa, level);
		prune_path(s2, gpa);
		count_mapping(s2, level, -1);
		gpa += 1UL << level_shift(level);
		hpa += 1UL << level_shift(level);
		size -= 1UL << level_shift(level);
	}
}

int stage2_map(struct stage2 *s2, uint64_t gpa, uint64_t hpa, uint64_t size, unsigned prot)
{
	uint64_t done = 0;

	if ((gpa | hpa | size) & (SZ_4K - 1) || !(prot & S2_RWX) || (prot & S2_WRITE && !(prot & S2_READ)))
		return -EINVAL;
	if (gpa + size < gpa || gpa + size > stage2_gpa_limit(s2->mode) || hpa + size < hpa ||
	    hpa + size > S2_HPA_LIMIT)
		return -ERANGE;
	while (done < size) {
		int level = step_level(gpa + done, hpa + done, size - done);
		int err = map_one(s2, gpa + done, hpa + done, level, prot);

		if (err) {
			/* Tables this step added but left empty, then everything mapped before it. */
			prune_path(s2, gpa + done);
			unmap_mapped(s2, gpa, hpa, done);
			return err;
		}
		count_mapping(s2, level, 1);
		done += 1UL << level_shift(level);
	}
	return 0;
}

static void free_table(struct stage2 *s2, uint64_t pa, int level)
{
	uint64_t *table = S2_TABLE(pa);

	for (unsigned i = 0; level > 0 && i < table_entries(s2, level); i++)
		if ((table[i] & PTE_V) && !(table[i] & PTE_LEAF))
			free_table(s2, pte_to_pa(table[i]), level - 1);
	s2->release(pa, level == s2->levels - 1 ? S2_ROOT_SIZE : S2_TABLE_SIZE);
}

void stage2_destroy(struct stage2 *s2)
{
	if (s2->root)
		free_table(s2, s2->root, s2->levels - 1);
	s2->root = 0;
	s2->mapped_4k = s2->mapped_2m = s2->mapped_1g = 0;
}

int stage2_translate(const struct stage2 *s2, uint64_t gpa, uint64_t *hpa, unsigned *prot)
{
	uint64_t *table = S2_TABLE(s2->root);

	if (gpa >= stage2_gpa_limit(s2->mode))
		return -1;
	for (int level = s2->levels - 1; level >= 0; level--) {
		uint64_t pte = table[index_at(s2, gpa, level)];

		if (!(pte & PTE_V))
			return -1;
		if (pte & PTE_LEAF) {
			uint64_t mask = (1UL << level_shift(level)) - 1;

			*hpa = pte_to_pa(pte) | (gpa & mask);
			if (prot)
				*prot = (pte & PTE_R ? S2_READ : 0) | (pte & PTE_W ? S2_WRITE : 0) |
					(pte & PTE_X ? S2_EXEC : 0);
			return 0;
		}
		table = S2_TABLE(pte_to_pa(pte));
	}
	return -1;
}

uint64_t *stage2_leaf(struct stage2 *s2, uint64_t gpa)
{
	uint64_t *table = S2_TABLE(s2->root);

	if (gpa >= stage2_gpa_limit(s2->mode))
		return NULL;
	for (int level = s2->levels - 1; level >= 0; level--) {
		uint64_t *pte = &table[index_at(s2, gpa, level)];

		if (!(*pte & PTE_V))
			return NULL;
		if (*pte & PTE_LEAF)
			return pte;
		table = S2_TABLE(pte_to_pa(*pte));
	}
	return NULL;
}

void stage2_leaf_set(uint64_t *pte, int on)
{
	uint64_t v = __atomic_load_n(pte, __ATOMIC_RELAXED);

	__atomic_store_n(pte, on ? v | PTE_V : v & ~PTE_V, __ATOMIC_RELEASE);
}

uint64_t stage2_hgatp(const struct stage2 *s2, unsigned long vmid)
{
	return (s2->mode << HGATP_MODE_SHIFT) | ((vmid & HGATP_VMID_MASK) << HGATP_VMID_SHIFT) |
	       ((s2->root >> PAGE_SHIFT) & HGATP_PPN_MASK);
}
