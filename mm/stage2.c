/* G-stage page-table builder. Pure logic: no CSR access, so it is unit-tested on the host. */
#include "mm/stage2.h"
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

int stage2_init(struct stage2 *s2, unsigned long mode, s2_alloc_fn alloc)
{
	if (mode != HGATP_MODE_SV39X4 && mode != HGATP_MODE_SV48X4)
		return -EINVAL;
	s2->mode = mode;
	s2->levels = mode == HGATP_MODE_SV48X4 ? 4 : 3;
	s2->alloc = alloc;
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

int stage2_map(struct stage2 *s2, uint64_t gpa, uint64_t hpa, uint64_t size, unsigned prot)
{
	if ((gpa | hpa | size) & (SZ_4K - 1) || !(prot & S2_RWX) || (prot & S2_WRITE && !(prot & S2_READ)))
		return -EINVAL;
	if (gpa + size < gpa || gpa + size > stage2_gpa_limit(s2->mode) || hpa + size < hpa ||
	    hpa + size > S2_HPA_LIMIT)
		return -ERANGE;
	while (size) {
		int level = 0;
		int err;

		if (!((gpa | hpa) & (SZ_1G - 1)) && size >= SZ_1G)
			level = 2;
		else if (!((gpa | hpa) & (SZ_2M - 1)) && size >= SZ_2M)
			level = 1;
		err = map_one(s2, gpa, hpa, level, prot);
		if (err)
			return err;
		if (level == 2)
			s2->mapped_1g++;
		else if (level == 1)
			s2->mapped_2m++;
		else
			s2->mapped_4k++;
		gpa += 1UL << level_shift(level);
		hpa += 1UL << level_shift(level);
		size -= 1UL << level_shift(level);
	}
	return 0;
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

uint64_t stage2_hgatp(const struct stage2 *s2, unsigned long vmid)
{
	return (s2->mode << HGATP_MODE_SHIFT) | ((vmid & HGATP_VMID_MASK) << HGATP_VMID_SHIFT) |
	       ((s2->root >> PAGE_SHIFT) & HGATP_PPN_MASK);
}
