/* Guest-facing SBI: an extension registry and one dispatcher. */
#ifndef KEEL_SBI_SBI_H
#define KEEL_SBI_SBI_H
#include "arch/riscv/sbi_defs.h"
#include "vcpu/timer.h" /* vcpu_timer_set: TIME and the legacy call (stubbed in host tests) */
#include "vcpu/vcpu.h"

/* What a handler hands back to the dispatcher. */
struct sbi_ret {
	long error;
	unsigned long value;
	int legacy; /* legacy calls return only a0 (= error field) */
	int no_return; /* hart_stop, non-retentive suspend: do not touch a0/a1/pc */
};

struct sbi_call {
	unsigned long eid, fid;
	const unsigned long *args; /* a0-a5, read in place from the vCPU's registers */
};

/* One extension (sbi/extensions.h says which EIDs reach it). */
struct sbi_ext {
	const char *name;
	/* Returns the exit reason (EXIT_NOTHING when handled inside). */
	enum exit_reason (*handle)(struct vcpu *v, const struct sbi_call *call, struct sbi_ret *ret,
				   struct vcpu_exit *exit);
};

/* The ID values BASE reports for the machine (filled from the host SBI at boot). */
struct sbi_machine_ids {
	unsigned long mvendorid, marchid, mimpid;
};
extern struct sbi_machine_ids sbi_machine_ids;

#define SBI_EXTENSION(name, eid) extern const struct sbi_ext sbi_ext_##name;
#define SBI_EXTENSION_RANGE(name, first, last) extern const struct sbi_ext sbi_ext_##name;
#include "sbi/extensions.h"
#undef SBI_EXTENSION
#undef SBI_EXTENSION_RANGE

#define ECALL_INSN_LEN 4

/* a0-a5 are consecutive x-registers, so the arguments are read where they are. */
_Static_assert(GPR_A5 - GPR_A0 == 5, "a0-a5 are x10-x15");

/*
 * The extension behind an EID: one switch over the single EIDs, so the hot ones take a compare or
 * two, then the ranges in the switch's default (a range inside the switch would make GCC test it
 * first on every call).
 */
static inline const struct sbi_ext *sbi_ext_of(unsigned long eid)
{
	switch (eid) {
#define SBI_EXTENSION(name, eid) \
	case (eid):              \
		return &sbi_ext_##name;
#define SBI_EXTENSION_RANGE(name, first, last)
#include "sbi/extensions.h"
#undef SBI_EXTENSION
#undef SBI_EXTENSION_RANGE
	default:
#define SBI_EXTENSION(name, eid)
#define SBI_EXTENSION_RANGE(name, first, last)                \
	if (eid - (unsigned long)(first) <= (last) - (first)) \
		return &sbi_ext_##name;
#include "sbi/extensions.h"
#undef SBI_EXTENSION
#undef SBI_EXTENSION_RANGE
		return NULL;
	}
}

/*
 * Handle the VS ecall in v's registers: sets a0/a1, advances sepc, returns the exit reason.
 * Inline: it is the body of the hottest exit (vcpu_exit_fast).
 */
static inline enum exit_reason sbi_dispatch(struct vcpu *v, struct vcpu_exit *exit)
{
	const unsigned long *g = v->regs.guest_regs.gprs;
	struct sbi_call call = { .eid = g[GPR_A7], .fid = g[GPR_A6], .args = &g[GPR_A0] };
	struct sbi_ret ret = { .error = SBI_ERR_NOT_SUPPORTED };
	const struct sbi_ext *ext = sbi_ext_of(call.eid);
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
/* Finish a Hypercall exit: the VM loop's half of the HVC extension. */
void hvc_complete(struct vcpu *v, const struct vcpu_exit *exit);

/* Shared by the legacy extension and its v0.2+ successors. */
long sbi_send_ipi(struct vcpu *v, unsigned long mask, unsigned long base);
long sbi_remote_fence(struct vcpu *v, unsigned long mask, unsigned long base, unsigned long req);

#endif
