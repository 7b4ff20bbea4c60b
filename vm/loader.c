/* Loading a VM's images: the kernel and initrd copied into guest RAM, the guest DTB written beside them. */
#include "vm/loader.h"
#include "board/guest_fdt.h"
#include "core/errno.h"
#include "drivers/platform.h"
#include <string.h>

/* RISC-V Linux Image header (Documentation/riscv/boot-image-header.rst). */
#define LINUX_IMAGE_MAGIC2 0x05435352U /* "RSC\x05" */
#define LINUX_HDR_IMAGE_SIZE 16
#define LINUX_HDR_MAGIC2 56

uint64_t linux_image_size(uint64_t addr, uint64_t size)
{
	const uint8_t *img = (const uint8_t *)(uintptr_t)addr;
	uint32_t magic2;
	uint64_t image_size;

	if (size < LINUX_HDR_MAGIC2 + sizeof(magic2))
		return size;
	memcpy(&magic2, img + LINUX_HDR_MAGIC2, sizeof(magic2));
	memcpy(&image_size, img + LINUX_HDR_IMAGE_SIZE, sizeof(image_size));
	return magic2 == LINUX_IMAGE_MAGIC2 && image_size > size ? image_size : size;
}

static const void *host_fdt_blob; /* for copying pass-through device nodes */

void vm_loader_init(const void *host_fdt)
{
	host_fdt_blob = host_fdt;
}

int vm_load_image(struct vm *vm)
{
	const struct vm_config *cfg = &vm->cfg;
	void *dst = vm_gpa_to_host(vm, cfg->ram_base + cfg->kernel_offset, cfg->kernel_size);
	void *dtb = vm_gpa_to_host(vm, vm->dtb_gpa, GUEST_FDT_MAX);
	int size;

	if (!dst || !dtb)
		return -EINVAL;
	memcpy(dst, (void *)(uintptr_t)cfg->kernel_addr, cfg->kernel_size);
	if (cfg->initrd_size) {
		void *rd = vm_gpa_to_host(vm, cfg->ram_base + cfg->initrd_offset, cfg->initrd_size);

		if (!rd)
			return -EINVAL;
		memcpy(rd, (void *)(uintptr_t)cfg->initrd_addr, cfg->initrd_size);
	}
	size = guest_fdt_build(dtb, GUEST_FDT_MAX, cfg, platform.isa, platform.timebase, host_fdt_blob);
	return size < 0 ? size : 0;
}
