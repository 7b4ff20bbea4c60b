/* Keel hypercalls (the seed's "HVC" extension): function in a6, six arguments in a0-a5. */
#include "sbi/sbi.h"
#include "vm/guest.h"

static enum exit_reason hvc_handle(struct vcpu *v, const struct sbi_call *call, struct sbi_ret *ret,
				   struct vcpu_exit *exit)
{
	(void)v;
	exit->hypercall.nr = call->fid;
	for (int i = 0; i < 6; i++)
		exit->hypercall.args[i] = call->args[i];
	ret->error = SBI_ERR_NOT_SUPPORTED; /* until hvc_complete answers */
	return EXIT_HYPERCALL;
}

/* Apart from hvc_complete, whose other answers then make no call and save no registers for one. */
static __attribute__((noinline)) void answer_boot_count(struct vcpu *v)
{
	unsigned long count = vm_boot_count(v->vm);

	vcpu_set_gpr(v, GPR_A0, SBI_SUCCESS);
	vcpu_set_gpr(v, GPR_A1, count);
}

void hvc_complete(struct vcpu *v, const struct vcpu_exit *exit)
{
	long err = SBI_SUCCESS;
	unsigned long value = 0;

	switch (exit->hypercall.nr) {
	case KEEL_HVC_VERSION:
		value = KEEL_IMPL_VERSION;
		break;
	case KEEL_HVC_CHECKSUM:
		for (int i = 0; i < 6; i++)
			value += (unsigned long)(i + 1) * exit->hypercall.args[i];
		break;
	case KEEL_HVC_BOOT_COUNT:
		answer_boot_count(v);
		return;
	case KEEL_HVC_VCPU_EXITS:
		value = v->exits;
		break;
	default:
		err = SBI_ERR_NOT_SUPPORTED;
	}
	vcpu_set_gpr(v, GPR_A0, (unsigned long)err);
	vcpu_set_gpr(v, GPR_A1, value);
}

const struct sbi_ext sbi_ext_hvc = {
	.name = "hvc",
	.handle = hvc_handle,
};
