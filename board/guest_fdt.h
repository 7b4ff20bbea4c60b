/* Each VM's device tree, built with libfdt from its configuration. */
#ifndef KEEL_BOARD_GUEST_FDT_H
#define KEEL_BOARD_GUEST_FDT_H
#include <stddef.h>
#include "vm/vm.h"
#include "board/guest_isa.h"

#define GUEST_FDT_MAX (64 * 1024)

/* What the guest's harts are built from: the host's facts and what Keel can offer on them. */
struct guest_harts {
	const char *host_isa; /* the host's riscv,isa */
	unsigned offer; /* GUEST_ISA_* (board/guest_isa.h); GUEST_ISA_SSTC is added from the VM's timer */
	unsigned long timebase;
	const char *mmu_type; /* the host's, or NULL: riscv,sv39 */
	uint32_t cbom_block, cboz_block, cbop_block; /* the host's cache-block sizes, 0 when not given */
	unsigned imsic_ids; /* the host IMSIC's identities, which its guest files have too (AIA VMs) */
};

/* The ISA string the VM's harts get (GUEST_ISA_SSTC from its timer): 0, or -1 (guest_isa_string). */
int guest_isa_for(const struct vm_config *cfg, const struct guest_harts *harts, char *out, size_t len);
/* Build into buf; returns the DTB size or a negative libfdt error (-FDT_ERR_BADVALUE: an ISA string it cannot use). */
int guest_fdt_build(void *buf, size_t size, const struct vm_config *cfg, const struct guest_harts *harts,
		    const void *host_fdt);

#endif
