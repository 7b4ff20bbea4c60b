/* Legacy extensions 0x00-0x08 (SBI spec 5): Linux still uses them when probes fail. */
#include "sbi/sbi.h"
#include "arch/riscv/csr.h"
#include "vm/guest.h"

/* Legacy calls pass a pointer (guest virtual) to the hart mask; NULL means every hart. */
static long read_mask(struct vcpu *v, unsigned long ptr, unsigned long *mask, unsigned long *base)
{
	*base = 0;
	if (!ptr) {
		*base = -1UL;
		*mask = 0;
		return SBI_SUCCESS;
	}
	return guest_read_ulong_va(v, ptr, mask) ? SBI_ERR_INVALID_ADDRESS : SBI_SUCCESS;
}

__attribute__((hot)) static enum exit_reason legacy_handle(struct vcpu *v, const struct sbi_call *call,
							   struct sbi_ret *ret, struct vcpu_exit *exit)
{
	unsigned long mask, base;
	int c;

	(void)exit;
	ret->legacy = 1;
	ret->error = SBI_SUCCESS;
	switch (call->eid) {
	case SBI_EXT_0_1_SET_TIMER:
		vcpu_timer_set(v, call->args[0]);
		break;
	case SBI_EXT_0_1_CONSOLE_PUTCHAR:
		vm_console_putc(v->vm, (char)call->args[0]);
		break;
	case SBI_EXT_0_1_CONSOLE_GETCHAR:
		c = vm_console_getc(v->vm);
		ret->error = c < 0 ? SBI_ERR_FAILED : c;
		break;
	case SBI_EXT_0_1_CLEAR_IPI:
		vcpu_clear_irq(v, HVIP_VSSIP);
		break;
	case SBI_EXT_0_1_SEND_IPI:
		ret->error = read_mask(v, call->args[0], &mask, &base);
		if (!ret->error)
			ret->error = sbi_send_ipi(v, mask, base);
		break;
	case SBI_EXT_0_1_REMOTE_FENCE_I:
	case SBI_EXT_0_1_REMOTE_SFENCE_VMA:
	case SBI_EXT_0_1_REMOTE_SFENCE_VMA_ASID:
		ret->error = read_mask(v, call->args[0], &mask, &base);
		if (!ret->error)
			ret->error = sbi_remote_fence(v, mask, base,
						      call->eid == SBI_EXT_0_1_REMOTE_FENCE_I ? VCPU_REQ_FENCE_I
											      : VCPU_REQ_HFENCE_VVMA);
		break;
	case SBI_EXT_0_1_SHUTDOWN:
		ret->no_return = 1;
		return EXIT_SYSTEM_DOWN;
	default:
		ret->error = SBI_ERR_NOT_SUPPORTED;
	}
	return EXIT_NOTHING;
}

const struct sbi_ext sbi_ext_legacy = {
	.name = "legacy",
	.handle = legacy_handle,
};
