/* IPI extension (SBI spec 7): a supervisor software interrupt (VSSIP) on each named vCPU. */
#include "sbi/sbi.h"
#include "arch/riscv/csr.h"
#include "vm/guest.h"

__attribute__((hot)) static void raise_ssip(struct vcpu *target, void *ctx)
{
	(void)ctx;
	vcpu_raise_irq(target, HVIP_VSSIP);
}

__attribute__((hot)) long sbi_send_ipi(struct vcpu *v, unsigned long mask, unsigned long base)
{
	return vm_for_each_in_mask(v->vm, mask, base, raise_ssip, NULL);
}

__attribute__((hot)) static enum exit_reason ipi_handle(struct vcpu *v, const struct sbi_call *call,
							struct sbi_ret *ret, struct vcpu_exit *exit)
{
	(void)exit;
	if (call->fid == SBI_EXT_IPI_SEND_IPI)
		ret->error = sbi_send_ipi(v, call->args[0], call->args[1]);
	return EXIT_NOTHING;
}

const struct sbi_ext sbi_ext_ipi = {
	.name = "ipi",
	.handle = ipi_handle,
};
