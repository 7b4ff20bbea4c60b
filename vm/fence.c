/* Remote fences between a VM's vCPUs (SBI RFENCE): each target is asked with a ticket and waited for. */
#include "arch/riscv/csr.h"
#include "arch/riscv/sbi_defs.h"
#include "core/hart.h"
#include "vcpu/vcpu.h"
#include "vm/guest.h"
#include "vm/vm.h"

struct fence_ctx {
	struct vcpu *self;
	unsigned long tickets[MAX_VCPUS_PER_VM];
};

static void post_fence(struct vcpu *target, void *ctx)
{
	struct fence_ctx *f = ctx;
	int state = __atomic_load_n(&target->hsm_state, __ATOMIC_ACQUIRE);

	if (target == f->self) {
		hfence_vvma_all();
		__asm__ volatile("fence.i" ::: "memory");
		return;
	}
	/* A stopped vCPU flushes when it starts (vcpu_reset_for_start). */
	if (state == SBI_HSM_STATE_STOPPED)
		return;
	f->tickets[target->id] = __atomic_add_fetch(&target->fence_asked, 1, __ATOMIC_ACQ_REL);
	hart_kick(target->hart);
}

long vm_remote_request(struct vm *vm, struct vcpu *self, unsigned long mask, unsigned long base, unsigned long req)
{
	struct fence_ctx f = { .self = self };
	long err;

	(void)req; /* both fence kinds do hfence.vvma + fence.i on the target */
	err = vm_for_each_in_mask(vm, mask, base, post_fence, &f);
	if (err)
		return err;
	for (int i = 0; i < vm->nvcpus; i++) {
		struct vcpu *t = vm->vcpus[i];

		if (!f.tickets[i])
			continue;
		/* Keep serving fences asked of us meanwhile, so two harts fencing each other cannot deadlock. */
		while ((long)(__atomic_load_n(&t->fence_done, __ATOMIC_ACQUIRE) - f.tickets[i]) < 0 &&
		       __atomic_load_n(&t->hsm_state, __ATOMIC_ACQUIRE) != SBI_HSM_STATE_STOPPED) {
			vcpu_process_fences(self);
			hart_pause(); /* serves this hart's unbound vCPUs first: t may be one of them */
		}
	}
	return SBI_SUCCESS;
}
