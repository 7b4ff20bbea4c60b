/* Guest-facing SBI: an extension registry and one dispatcher. */
#ifndef KEEL_SBI_SBI_H
#define KEEL_SBI_SBI_H
#include "arch/riscv/sbi_defs.h"
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

/* One extension (sbi.c's find_ext says which EIDs reach it). */
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

extern const struct sbi_ext sbi_ext_legacy, sbi_ext_base, sbi_ext_time, sbi_ext_ipi, sbi_ext_rfence, sbi_ext_hsm,
	sbi_ext_srst, sbi_ext_dbcn, sbi_ext_hvc;

#define ECALL_INSN_LEN 4

/* a0-a5 are consecutive x-registers, so the arguments are read where they are. */
_Static_assert(GPR_A5 - GPR_A0 == 5, "a0-a5 are x10-x15");

/* The extension behind an EID: one switch, so the hot ones (TIME, IPI, RFENCE) take a compare or two. */
static inline const struct sbi_ext *sbi_ext_of(unsigned long eid)
{
	switch (eid) {
	case SBI_EXT_TIME:
		return &sbi_ext_time;
	case SBI_EXT_IPI:
		return &sbi_ext_ipi;
	case SBI_EXT_RFENCE:
		return &sbi_ext_rfence;
	case SBI_EXT_BASE:
		return &sbi_ext_base;
	case SBI_EXT_HSM:
		return &sbi_ext_hsm;
	case SBI_EXT_SRST:
		return &sbi_ext_srst;
	case SBI_EXT_DBCN:
		return &sbi_ext_dbcn;
	case SBI_EXT_KEEL_HVC:
		return &sbi_ext_hvc;
	default:
		/* The legacy extensions are EIDs 0 up to SHUTDOWN (SBI spec 5). */
		return eid <= SBI_EXT_0_1_SHUTDOWN ? &sbi_ext_legacy : NULL;
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

/* Services the SBI layer uses (vcpu/timer.c, exit/exit.c; stubbed in host tests). */
void vcpu_timer_set(struct vcpu *v, uint64_t deadline);
unsigned long guest_read_ulong_va(struct vcpu *v, unsigned long gva, unsigned long *out);

#endif
