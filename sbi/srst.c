/* SRST extension (SBI spec 10): shut down or reboot this VM only. */
#include "sbi/sbi.h"

static enum exit_reason srst_handle(struct vcpu *v, const struct sbi_call *call, struct sbi_ret *ret,
				    struct vcpu_exit *exit)
{
	uint32_t type = (uint32_t)call->args[0], reason = (uint32_t)call->args[1];

	(void)v;
	(void)exit;
	if (call->fid != SBI_EXT_SRST_RESET)
		return EXIT_NOTHING;
	/* SBI v2.0 10.1: reserved types and unimplemented vendor types are INVALID_PARAM. */
	if (type > SBI_SRST_RESET_TYPE_WARM_REBOOT ||
	    (reason > SBI_SRST_RESET_REASON_SYSFAIL && reason < SBI_SRST_RESET_REASON_SBI_FIRST)) {
		ret->error = SBI_ERR_INVALID_PARAM;
		return EXIT_NOTHING;
	}
	ret->no_return = 1;
	return type == SBI_SRST_RESET_TYPE_SHUTDOWN ? EXIT_SYSTEM_DOWN : EXIT_SYSTEM_REBOOT;
}

const struct sbi_ext sbi_ext_srst = {
	.name = "srst",
	.handle = srst_handle,
};
