/* The SBI registry and the one dispatcher every VS ecall goes through. */
#include "sbi/sbi.h"
#include "vcpu/regs.h"

#define ECALL_INSN_LEN 4

/* a0-a5 are consecutive x-registers, so the arguments are read where they are. */
_Static_assert(GPR_A5 - GPR_A0 == 5, "a0-a5 are x10-x15");

struct sbi_machine_ids sbi_machine_ids;

static const struct sbi_ext *const registry[] = {
	&sbi_ext_base, &sbi_ext_time, &sbi_ext_ipi, &sbi_ext_rfence, &sbi_ext_hsm,
	&sbi_ext_srst, &sbi_ext_dbcn, &sbi_ext_hvc, &sbi_ext_legacy,
};

/* Inlined into the dispatcher: this is on every SBI call's path. */
static inline const struct sbi_ext *find_ext(struct vcpu *v, unsigned long eid)
{
	for (unsigned i = 0; i < sizeof(registry) / sizeof(registry[0]); i++) {
		const struct sbi_ext *ext = registry[i];

		if (eid >= ext->eid_first && eid <= ext->eid_last)
			return !ext->available || ext->available(v) ? ext : NULL;
	}
	return NULL;
}

const struct sbi_ext *sbi_find_ext(struct vcpu *v, unsigned long eid)
{
	return find_ext(v, eid);
}

enum exit_reason sbi_dispatch(struct vcpu *v, struct vcpu_exit *exit)
{
	const unsigned long *g = v->regs.guest_regs.gprs;
	struct sbi_call call = { .eid = g[GPR_A7], .fid = g[GPR_A6], .args = &g[GPR_A0] };
	struct sbi_ret ret = { .error = SBI_ERR_NOT_SUPPORTED };
	const struct sbi_ext *ext = find_ext(v, call.eid);
	enum exit_reason reason = EXIT_NOTHING;

	if (ext)
		reason = ext->handle(v, &call, &ret, exit);
	if (ret.no_return)
		return reason;
	vcpu_set_gpr(v, GPR_A0, (unsigned long)ret.error);
	if (!ret.legacy)
		vcpu_set_gpr(v, GPR_A1, ret.value);
	vcpu_advance_pc(v, ECALL_INSN_LEN);
	return reason;
}
