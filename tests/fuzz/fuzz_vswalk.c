/*
 * Fuzz target: Keel's walk of the guest's own VS-stage page tables (vcpu/vswalk.h), which reads
 * guest-controlled PTEs on every device access of a guest with translation on (QEMU 7.2 leaves
 * htinst 0, so the tables tell whether a guest-page fault was the walk's own PTE read).
 *
 * Input: vsatp's mode (any 4 bits) and the root page (in RAM, or anywhere), the access's virtual
 * address, which fault address to try (raw, the GPA of one of the walk's PTEs, or the VA's page
 * offset in some page), then bytes of guest RAM (64 KiB on the heap: ASan catches any read outside).
 *
 * Checked: the walk reads at most one PTE per level of the mode, each 8-byte aligned inside RAM or
 * refused by the reader; vs_walk_hits agrees with a reference walk written here from priv spec
 * 4.3.2 (steps 2-4: a PTE that is invalid, or W without R, or a leaf ends the walk); and
 * vs_fault_is_implicit, which skips the walk when the page offsets tell, agrees with
 * "the offsets differ, or the walk reads a PTE at the fault address".
 */
#include "fuzz.h"
#include "vcpu/vswalk.h"

#define RAM_GPA 0x80000000ULL
#define RAM_SIZE (64 * 1024)
#define MAX_LEVELS 5 /* Sv57 */

struct ram {
	uint8_t *bytes;
	unsigned reads;
};

static const uint64_t *read_pte(void *ctx, uint64_t gpa)
{
	struct ram *r = ctx;

	r->reads++;
	FUZZ_CHECK(!(gpa % VS_PTE_SIZE), "a PTE read at %#lx, not 8-byte aligned", (unsigned long)gpa);
	if (gpa < RAM_GPA || gpa - RAM_GPA > RAM_SIZE - VS_PTE_SIZE)
		return NULL;
	return (const uint64_t *)(const void *)(r->bytes + (gpa - RAM_GPA));
}

/* priv spec 4.1.11: MODE 8, 9, 10 are Sv39, Sv48, Sv57 (3, 4, 5 levels); others walk nothing here. */
static unsigned ref_levels(uint64_t satp)
{
	unsigned mode = (unsigned)(satp >> 60);

	return mode >= 8 && mode <= 10 ? mode - 5 : 0;
}

/* Priv spec 4.3.2, reading the PTEs the hardware would: 1 when one of them lies at fault_gpa. */
static int ref_walk_hits(uint64_t satp, uint64_t va, uint64_t fault_gpa, struct ram *r)
{
	uint64_t a = (satp & ((1ULL << 44) - 1)) * 4096;

	for (int i = (int)ref_levels(satp) - 1; i >= 0; i--) {
		uint64_t pte_addr = a + ((va >> (12 + 9 * i)) & 511) * 8, pte;

		if (pte_addr == (fault_gpa & ~7ULL))
			return 1;
		if (pte_addr < RAM_GPA || pte_addr - RAM_GPA > RAM_SIZE - 8)
			return 0;
		memcpy(&pte, r->bytes + (pte_addr - RAM_GPA), sizeof(pte));
		if (!(pte & 1) || ((pte & 4) && !(pte & 2)) || (pte & 0xa))
			return 0; /* invalid, reserved (W without R), or a leaf */
		a = ((pte >> 10) & ((1ULL << 44) - 1)) * 4096;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	struct ram r = { calloc(1, RAM_SIZE), 0 };
	uint8_t how = take_u8(&in);
	uint64_t root = how & 0x10 ? take_u64(&in) & VSATP_PPN_MASK : (RAM_GPA >> 12) + take_u8(&in) % (RAM_SIZE >> 12);
	uint64_t satp = (uint64_t)(how & 0xf) << VSATP_MODE_SHIFT | root, va = take_u64(&in), fault = take_u64(&in);
	unsigned pick = take_u8(&in);

	take_bytes(&in, r.bytes, in.left < RAM_SIZE ? in.left : RAM_SIZE);
	switch ((how >> 5) & 3) {
	case 0: /* the GPA of the PTE at level pick: a walk fault */
		fault = (root << 12) + ((va >> (12 + 9 * (pick % MAX_LEVELS))) & 511) * 8 + (fault & 7);
		break;
	case 1: /* an explicit access's GPA: the VA's page offset in some page */
		fault = (fault & ~VS_PAGE_OFFSET_MASK) | (va & VS_PAGE_OFFSET_MASK);
		break;
	case 2: /* the VA's page offset at a PTE index of one of its levels */
		va = (va & ~VS_PAGE_OFFSET_MASK) | (((va >> (12 + 9 * (pick % MAX_LEVELS))) & 511) * 8);
		fault = (fault & ~VS_PAGE_OFFSET_MASK) | (va & VS_PAGE_OFFSET_MASK);
		break;
	default:
		break;
	}

	FUZZ_CHECK(vs_levels(satp) == ref_levels(satp), "vsatp %#lx: %u levels", (unsigned long)satp, vs_levels(satp));
	int hits = vs_walk_hits(satp, va, fault, read_pte, &r);
	FUZZ_CHECK(r.reads <= ref_levels(satp), "%u PTE reads for %u levels", r.reads, ref_levels(satp));
	FUZZ_CHECK(hits == ref_walk_hits(satp, va, fault, &r), "walk of va %#lx to %#lx: %d", (unsigned long)va,
		   (unsigned long)fault, hits);
	r.reads = 0;
	int implicit = vs_fault_is_implicit(satp, va, fault, read_pte, &r);
	int want = ref_levels(satp) && (((va ^ fault) & VS_PAGE_OFFSET_MASK) || ref_walk_hits(satp, va, fault, &r));
	FUZZ_CHECK(implicit == want, "va %#lx fault %#lx satp %#lx: implicit %d", (unsigned long)va,
		   (unsigned long)fault, (unsigned long)satp, implicit);
	free(r.bytes);
	return 0;
}
