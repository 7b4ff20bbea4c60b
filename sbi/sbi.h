/* Guest-facing SBI: an extension registry and one dispatcher. */
#ifndef KEEL_SBI_SBI_H
#define KEEL_SBI_SBI_H
#include "sbi/sbi_defs.h"
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

struct sbi_ext {
	unsigned long eid_first, eid_last;
	const char *name;
	/* Returns the exit reason (EXIT_NOTHING when handled inside). */
	enum exit_reason (*handle)(struct vcpu *v, const struct sbi_call *call, struct sbi_ret *ret,
				   struct vcpu_exit *exit);
	/* Optional: 0 when this VM should see the extension as absent. */
	int (*available)(struct vcpu *v);
};

/* The ID values BASE reports for the machine (filled from the host SBI at boot). */
struct sbi_machine_ids {
	unsigned long mvendorid, marchid, mimpid;
};
extern struct sbi_machine_ids sbi_machine_ids;

extern const struct sbi_ext sbi_ext_legacy, sbi_ext_base, sbi_ext_time, sbi_ext_ipi, sbi_ext_rfence, sbi_ext_hsm,
	sbi_ext_srst, sbi_ext_dbcn, sbi_ext_hvc;

const struct sbi_ext *sbi_find_ext(struct vcpu *v, unsigned long eid);
/* Handle the VS ecall in v's registers: sets a0/a1, advances sepc, returns the exit reason. */
enum exit_reason sbi_dispatch(struct vcpu *v, struct vcpu_exit *exit);
/* Finish a Hypercall exit: the VM loop's half of the HVC extension. */
void hvc_complete(struct vcpu *v, const struct vcpu_exit *exit);

/* Shared by the legacy extension and its v0.2+ successors. */
long sbi_send_ipi(struct vcpu *v, unsigned long mask, unsigned long base);
long sbi_remote_fence(struct vcpu *v, unsigned long mask, unsigned long base, unsigned long req);

/* Services the SBI layer uses (vcpu/timer.c, vcpu/exit.c; stubbed in host tests). */
void vcpu_timer_set(struct vcpu *v, uint64_t deadline);
unsigned long guest_read_ulong_va(struct vcpu *v, unsigned long gva, unsigned long *out);

#endif
