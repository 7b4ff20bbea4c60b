/* Loading a VM's images: the kernel and initrd copied into guest RAM, the guest DTB written beside them. */
#include "vm/loader.h"
#include "board/guest_fdt.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
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

/* The host's harts as a guest's are built from (board/guest_fdt.h), with what this hart lets Keel offer. */
static void host_harts(struct guest_harts *h)
{
	const uint64_t cbom = HENVCFG_CBCFE | HENVCFG_CBIE;

	h->host_isa = platform.isa;
	h->timebase = platform.timebase;
	h->mmu_type = platform.mmu_type[0] ? platform.mmu_type : NULL;
	h->cbom_block = platform.cbom_block;
	h->cboz_block = platform.cboz_block;
	h->cbop_block = platform.cbop_block;
	h->imsic_ids = platform.imsic_ids;
	h->offer = (cpu.vlenb ? GUEST_ISA_V : 0) |
		   ((cpu.henvcfg & cbom) == (HENVCFG_CBCFE | HENVCFG_CBIE_FLUSH) ? GUEST_ISA_ZICBOM : 0) |
		   (cpu.henvcfg & HENVCFG_CBZE ? GUEST_ISA_ZICBOZ : 0) |
		   (cpu.henvcfg & HENVCFG_PBMTE ? GUEST_ISA_SVPBMT : 0);
}

int vm_load_image(struct vm *vm)
{
	const struct vm_config *cfg = &vm->cfg;
	struct guest_harts harts;
	char isa[ISA_STRING_MAX];
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
	host_harts(&harts);
	if (guest_isa_for(cfg, &harts, isa, sizeof(isa)))
		return -EINVAL;
	vm->henvcfg = guest_isa_henvcfg(isa); /* what the guest is told it has, and nothing more */
	size = guest_fdt_build(dtb, GUEST_FDT_MAX, cfg, &harts, host_fdt_blob);
	return size < 0 ? size : 0;
}
