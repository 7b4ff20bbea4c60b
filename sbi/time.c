/* TIME extension (SBI spec 6). */
#include "sbi/sbi.h"

static enum exit_reason time_handle(struct vcpu *v, const struct sbi_call *call, struct sbi_ret *ret,
				    struct vcpu_exit *exit)
{
	(void)exit;
	if (call->fid != SBI_EXT_TIME_SET_TIMER)
		return EXIT_NOTHING;
	vcpu_timer_set(v, call->args[0]);
	ret->error = SBI_SUCCESS;
	return EXIT_NOTHING;
}

const struct sbi_ext sbi_ext_time = {
	.name = "time",
	.handle = time_handle,
};
