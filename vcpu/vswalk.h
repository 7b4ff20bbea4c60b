/*
 * The guest's own VS-stage page tables, read by Keel: whether a guest-page fault was taken on
 * the hardware's implicit access to a PTE (priv spec 8.5.1: the walk's reads and A/D updates)
 * rather than on the access itself. Pure logic: also built for the host unit tests.
 */
#ifndef KEEL_VCPU_VSWALK_H
#define KEEL_VCPU_VSWALK_H
#include <stdint.h>

/* vsatp (priv spec 4.1.11): MODE in bits 63:60, the root's PPN in bits 43:0. */
#define VSATP_MODE_SHIFT 60
#define VSATP_MODE_BARE 0UL
#define VSATP_MODE_SV39 8UL
#define VSATP_MODE_SV48 9UL
#define VSATP_MODE_SV57 10UL
#define VSATP_PPN_MASK ((1UL << 44) - 1)
/* Sv39, Sv48 and Sv57 (8, 9, 10) all set MODE's top bit; Bare (0) and the reserved modes 1-7 do not. */
#define VSATP_MODE_PAGED (1UL << 63)

/* Sv39/48/57 (priv spec 4.4-4.6): 9 bits of VPN per level, 8-byte PTEs, 4 KiB tables. */
#define VS_PAGE_SHIFT 12
#define VS_PAGE_OFFSET_MASK ((1UL << VS_PAGE_SHIFT) - 1)
#define VS_VPN_BITS 9
#define VS_VPN_MASK ((1UL << VS_VPN_BITS) - 1)
#define VS_PTE_SIZE 8
#define VS_PTE_V (1UL << 0)
#define VS_PTE_R (1UL << 1)
#define VS_PTE_W (1UL << 2)
#define VS_PTE_X (1UL << 3)
#define VS_PTE_PPN_SHIFT 10
#define VS_PTE_PPN_MASK ((1UL << 44) - 1)
/* The low 2 bits of a guest-page fault's GPA come from stval (htval holds bits 63:2). */
#define VS_GPA_HTVAL_SHIFT 2

/* Levels of a vsatp mode; 0 for Bare (no VS-stage walk) or a mode Keel does not know. */
static inline unsigned vs_levels(uint64_t vsatp)
{
	_Static_assert((VSATP_MODE_SV39 << VSATP_MODE_SHIFT & VSATP_MODE_SV48 << VSATP_MODE_SHIFT &
			VSATP_MODE_SV57 << VSATP_MODE_SHIFT & VSATP_MODE_PAGED) == VSATP_MODE_PAGED,
		       "every paged mode sets MODE's top bit");
	switch (vsatp >> VSATP_MODE_SHIFT) {
	case VSATP_MODE_SV39:
		return 3;
	case VSATP_MODE_SV48:
		return 4;
	case VSATP_MODE_SV57:
		return 5;
	default:
		return 0;
	}
}

/* A guest-physical PTE, read for the walk: NULL when it is not in guest RAM. */
typedef const uint64_t *(*vs_pte_reader)(void *ctx, uint64_t gpa);

/*
 * Walk gva through the tables vsatp names: 1 when one of the PTEs the walk reads lies at
 * fault_gpa (the fault was the walk's), 0 when the walk reaches a leaf or cannot go on.
 */
int vs_walk_hits(uint64_t vsatp, uint64_t gva, uint64_t fault_gpa, vs_pte_reader read, void *ctx);

/*
 * Whether a guest-page fault at fault_gpa with stval gva (htinst 0) came from the walk: an
 * explicit access keeps its page offset, so a different one means the walk; the same one is the
 * walk's only when it also is the offset of one of gva's PTEs, and only then are the tables read.
 */
static inline int vs_fault_is_implicit(uint64_t vsatp, uint64_t gva, uint64_t fault_gpa, vs_pte_reader read, void *ctx)
{
	unsigned levels = vs_levels(vsatp);
	uint64_t index = (gva & VS_PAGE_OFFSET_MASK) / VS_PTE_SIZE, vpns = gva >> VS_PAGE_SHIFT;
	int maybe = 0;

	if (!levels)
		return 0;
	if ((gva ^ fault_gpa) & VS_PAGE_OFFSET_MASK)
		return 1;
	/* The PTE a level reads sits at its VPN field * 8: can that be the page offset? */
	for (unsigned i = 0; i < levels; i++, vpns >>= VS_VPN_BITS)
		maybe |= (vpns & VS_VPN_MASK) == index;
	return maybe && vs_walk_hits(vsatp, gva, fault_gpa, read, ctx);
}

#endif
