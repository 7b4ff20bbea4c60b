/* Per-hart state: Keel keeps a pointer to its hart in tp while it runs in HS-mode. */
#ifndef KEEL_ARCH_HART_H
#define KEEL_ARCH_HART_H
#include <stdint.h>

#define MAX_HARTS 8
#define HART_STACK_SIZE (16 * 1024)

struct vcpu;

struct hart {
	/* Read by the host trap vector (arch/riscv/entry.S): keep first. */
	uint64_t fixup_pc;
	uint64_t fixup_cause;
	uint64_t fixup_tval;
	uint64_t scratch; /* the host trap vector's t0 while it works (sscratch belongs to trap.S) */
	unsigned long id;
	struct vcpu *vcpu; /* the vCPU bound here (its state in the CSRs), or NULL */
	int shared; /* several vCPUs live here: the scheduler (sched/sched.c) runs this hart */
	/* Keel's own timer on this hart, ~0 when unused (on a shared hart: slice end, sleepers' deadlines) */
	uint64_t keel_deadline;
	uint64_t console_deadline; /* when to look at the VM's unfinished console line, 0 = not armed */
};

extern struct hart harts[MAX_HARTS];

static inline struct hart *this_hart(void)
{
	struct hart *h;

	__asm__ volatile("mv %0, tp" : "=r"(h));
	return h;
}

#endif
