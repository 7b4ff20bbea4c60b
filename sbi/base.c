/* BASE extension (SBI spec 4): versions, IDs and a probe that tells the truth. */
#include "sbi/sbi.h"

__attribute__((hot)) static enum exit_reason base_handle(struct vcpu *v, const struct sbi_call *call,
							 struct sbi_ret *ret, struct vcpu_exit *exit)
{
	(void)v;
	(void)exit;
	ret->error = SBI_SUCCESS;
	switch (call->fid) {
	case SBI_EXT_BASE_GET_SPEC_VERSION:
		ret->value = (SBI_SPEC_VERSION_MAJOR << SBI_SPEC_VERSION_MAJOR_SHIFT) | SBI_SPEC_VERSION_MINOR;
		break;
	case SBI_EXT_BASE_GET_IMP_ID:
		ret->value = SBI_IMPL_ID_KEEL;
		break;
	case SBI_EXT_BASE_GET_IMP_VERSION:
		ret->value = KEEL_IMPL_VERSION;
		break;
	case SBI_EXT_BASE_PROBE_EXT:
		/* Legacy EIDs are probed by their own number too (SBI spec 4.8). */
		ret->value = sbi_ext_of(call->args[0]) ? 1 : 0;
		break;
	case SBI_EXT_BASE_GET_MVENDORID:
		ret->value = sbi_machine_ids.mvendorid;
		break;
	case SBI_EXT_BASE_GET_MARCHID:
		ret->value = sbi_machine_ids.marchid;
		break;
	case SBI_EXT_BASE_GET_MIMPID:
		ret->value = sbi_machine_ids.mimpid;
		break;
	default:
		ret->error = SBI_ERR_NOT_SUPPORTED;
	}
	return EXIT_NOTHING;
}

const struct sbi_ext sbi_ext_base = {
	.name = "base",
	.handle = base_handle,
};
