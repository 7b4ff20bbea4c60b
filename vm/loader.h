/* Loading a VM's images into its RAM, at creation and at every reboot. */
#ifndef KEEL_VM_LOADER_H
#define KEEL_VM_LOADER_H
#include <stdint.h>
#include "vm/vm.h"

/* The host DT the pass-through devices' nodes are copied from (before the first VM is loaded). */
void vm_loader_init(const void *host_fdt);
/* Bytes a kernel image of `size` bytes at `addr` needs: its Linux header's image_size when larger (bss). */
uint64_t linux_image_size(uint64_t addr, uint64_t size);
/* Copy the kernel and initrd into the VM's RAM and build its DTB: 0, or a negative errno. */
int vm_load_image(struct vm *vm);

#endif
