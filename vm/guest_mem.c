/* The guest services of vm/guest.h that are pure logic over struct vm (shared with the host tests). */
#include "arch/riscv/sbi_defs.h"
#include "vm/vm.h"

__attribute__((hot)) struct vcpu *vm_vcpu_by_id(struct vm *vm, unsigned long id)
{
	return id < (unsigned long)vm->nvcpus ? vm->vcpus[id] : NULL;
}

void *vm_gpa_to_host(struct vm *vm, uint64_t gpa, uint64_t len)
{
	uint64_t off = gpa - vm->cfg.ram_base;

	if (gpa < vm->cfg.ram_base || off >= vm->cfg.ram_size || len > vm->cfg.ram_size - off)
		return NULL;
	return (void *)(uintptr_t)(vm->ram_hpa + off);
}

__attribute__((hot)) long vm_for_each_in_mask(struct vm *vm, unsigned long mask, unsigned long base,
					      void (*fn)(struct vcpu *target, void *ctx), void *ctx)
{
	if (base == -1UL) {
		for (int i = 0; i < vm->nvcpus; i++)
			fn(vm->vcpus[i], ctx);
		return SBI_SUCCESS;
	}
	/*
	 * Validate every named hart before acting on any (SBI spec 3.1). Each walk stops at the mask's
	 * highest bit: an IPI to one hart looks at a few bits, not 64 (this is on every send_ipi).
	 */
	for (unsigned long m = mask, id = base; m; m >>= 1, id++)
		if ((m & 1) && (id < base || !vm_vcpu_by_id(vm, id)))
			return SBI_ERR_INVALID_PARAM;
	for (unsigned long m = mask, id = base; m; m >>= 1, id++)
		if (m & 1)
			fn(vm_vcpu_by_id(vm, id), ctx);
	return SBI_SUCCESS;
}

int vm_lock_running(struct vm *vm)
{
	spin_lock(&vm->lock);
	if (vm->state == VM_RUNNING)
		return 1;
	spin_unlock(&vm->lock);
	return 0;
}

void vm_unlock(struct vm *vm)
{
	spin_unlock(&vm->lock);
}

unsigned vm_boot_count(const struct vm *vm)
{
	return vm->boot_count;
}
