/*
 * RFENCE extension (SBI spec 8). The guest's own TLB maintenance becomes hfence.vvma
 * under the VM's VMID on every target hart (the guest's sfence.vma in VS-mode is one too, priv spec 8.3.2). The range and ASID
 * arguments only narrow what must be flushed; flushing the whole VMID is always correct.
 * The HFENCE functions are for guests that run hypervisors: Keel offers no H extension.
 */
#include "sbi/sbi.h"
#include "vm/guest.h"

long sbi_remote_fence(struct vcpu *v, unsigned long mask, unsigned long base, unsigned long req)
{
	return vm_remote_request(v->vm, v, mask, base, req);
}

static enum exit_reason rfence_handle(struct vcpu *v, const struct sbi_call *call, struct sbi_ret *ret,
				      struct vcpu_exit *exit)
{
	(void)exit;
	switch (call->fid) {
	case SBI_EXT_RFENCE_REMOTE_FENCE_I:
		ret->error = sbi_remote_fence(v, call->args[0], call->args[1], VCPU_REQ_FENCE_I);
		break;
	case SBI_EXT_RFENCE_REMOTE_SFENCE_VMA:
	case SBI_EXT_RFENCE_REMOTE_SFENCE_VMA_ASID:
		ret->error = sbi_remote_fence(v, call->args[0], call->args[1], VCPU_REQ_HFENCE_VVMA);
		break;
	default:
		break; /* HFENCE_* and unknown: NOT_SUPPORTED */
	}
	return EXIT_NOTHING;
}

const struct sbi_ext sbi_ext_rfence = {
	.name = "rfence",
	.handle = rfence_handle,
};
