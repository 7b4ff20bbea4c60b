/* HSM extension (SBI spec 9): start, stop, status and suspend of the VM's vCPUs. */
#include "sbi/sbi.h"
#include "vm/guest.h"

static long hart_start(struct vcpu *v, unsigned long id, uint64_t addr, uint64_t arg)
{
	struct vcpu *target = vm_vcpu_by_id(v->vm, id);
	int expected = SBI_HSM_STATE_STOPPED;

	long err = SBI_SUCCESS;

	if (!target)
		return SBI_ERR_INVALID_PARAM;
	if (!vm_gpa_to_host(v->vm, addr, 4))
		return SBI_ERR_INVALID_ADDRESS;
	/* Under the VM's lock: a reset or shutdown either sees this start or refuses it (vm/vm.c). */
	if (!vm_lock_running(v->vm))
		return SBI_ERR_FAILED;
	if (!__atomic_compare_exchange_n(&target->hsm_state, &expected, SBI_HSM_STATE_START_PENDING, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		err = SBI_ERR_ALREADY_AVAILABLE;
	if (!err) {
		target->start_addr = addr;
		target->start_arg = arg;
		vcpu_request(target, VCPU_REQ_START);
	}
	vm_unlock(v->vm);
	return err;
}

static enum exit_reason hart_suspend(struct vcpu *v, const struct sbi_call *call, struct sbi_ret *ret)
{
	uint32_t type = (uint32_t)call->args[0];

	if (type == SBI_HSM_SUSPEND_RET_DEFAULT) {
		ret->error = SBI_SUCCESS;
		__atomic_store_n(&v->hsm_state, SBI_HSM_STATE_SUSPENDED, __ATOMIC_RELEASE);
		return EXIT_HALT;
	}
	if (type == SBI_HSM_SUSPEND_NON_RET_DEFAULT) {
		if (!vm_gpa_to_host(v->vm, call->args[1], 4)) {
			ret->error = SBI_ERR_INVALID_ADDRESS;
			return EXIT_NOTHING;
		}
		v->suspend_non_retentive = 1;
		v->resume_addr = call->args[1];
		v->resume_arg = call->args[2];
		ret->no_return = 1;
		__atomic_store_n(&v->hsm_state, SBI_HSM_STATE_SUSPENDED, __ATOMIC_RELEASE);
		return EXIT_HALT;
	}
	/* SBI v2.0 9.4: reserved types and unimplemented platform-specific types alike. */
	ret->error = SBI_ERR_INVALID_PARAM;
	return EXIT_NOTHING;
}

static enum exit_reason hsm_handle(struct vcpu *v, const struct sbi_call *call, struct sbi_ret *ret,
				   struct vcpu_exit *exit)
{
	struct vcpu *target;

	(void)exit;
	switch (call->fid) {
	case SBI_EXT_HSM_HART_START:
		/* Started here: the target's hart takes the request (the guest's own hart goes on). */
		ret->error = hart_start(v, call->args[0], call->args[1], call->args[2]);
		return EXIT_NOTHING;
	case SBI_EXT_HSM_HART_STOP:
		__atomic_store_n(&v->hsm_state, SBI_HSM_STATE_STOPPED, __ATOMIC_RELEASE);
		ret->no_return = 1;
		return EXIT_CPU_DOWN;
	case SBI_EXT_HSM_HART_GET_STATUS:
		target = vm_vcpu_by_id(v->vm, call->args[0]);
		if (!target) {
			ret->error = SBI_ERR_INVALID_PARAM;
			return EXIT_NOTHING;
		}
		ret->error = SBI_SUCCESS;
		ret->value = (unsigned long)__atomic_load_n(&target->hsm_state, __ATOMIC_ACQUIRE);
		return EXIT_NOTHING;
	case SBI_EXT_HSM_HART_SUSPEND:
		return hart_suspend(v, call, ret);
	default:
		return EXIT_NOTHING;
	}
}

const struct sbi_ext sbi_ext_hsm = {
	.name = "hsm",
	.handle = hsm_handle,
};
