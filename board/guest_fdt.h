/* Each VM's device tree, built with libfdt from its configuration. */
#ifndef KEEL_BOARD_GUEST_FDT_H
#define KEEL_BOARD_GUEST_FDT_H
#include <stddef.h>
#include "vm/vm.h"

#define GUEST_FDT_MAX (64 * 1024)

/* Host ISA string minus what the vCPU does not offer: never "h", "sstc" only when given. */
int guest_isa_string(const char *host, int sstc, char *out, size_t len);
/* Build into buf; returns the DTB size or a negative libfdt error. */
int guest_fdt_build(void *buf, size_t size, const struct vm_config *cfg, const char *host_isa, unsigned long timebase,
		    const void *host_fdt);

#endif
