/* A software walk of the guest's VS-stage tables (vcpu/vswalk.h), for telling implicit accesses apart. */
#include "vcpu/vswalk.h"

int vs_walk_hits(uint64_t vsatp, uint64_t gva, uint64_t fault_gpa, vs_pte_reader read, void *ctx)
{
	unsigned levels = vs_levels(vsatp);
	uint64_t table = (vsatp & VSATP_PPN_MASK) << VS_PAGE_SHIFT;
	uint64_t fault_pte = fault_gpa & ~(VS_PTE_SIZE - 1UL);

	for (unsigned i = levels; i-- > 0;) {
		uint64_t pte_gpa = table + ((gva >> (VS_PAGE_SHIFT + VS_VPN_BITS * i)) & VS_VPN_MASK) * VS_PTE_SIZE;
		const uint64_t *p;
		uint64_t pte;

		if (pte_gpa == fault_pte)
			return 1;
		p = read(ctx, pte_gpa);
		if (!p)
			return 0;
		pte = __atomic_load_n(p, __ATOMIC_RELAXED); /* the guest may change it meanwhile */
		/* Invalid, or a leaf: the walk ends here (priv spec 4.3.2 steps 3 and 4). */
		if (!(pte & VS_PTE_V) || (pte & (VS_PTE_R | VS_PTE_X)) || (pte & VS_PTE_W))
			return 0;
		table = ((pte >> VS_PTE_PPN_SHIFT) & VS_PTE_PPN_MASK) << VS_PAGE_SHIFT;
	}
	return 0;
}
