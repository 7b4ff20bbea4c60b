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
	/* The host timer (core/timer.c): the earliest of Keel's own deadlines here, and the bound vCPU's SBI one. */
	uint64_t timer_keel, timer_guest;
	unsigned long vector_held; /* the vCPU vector image (its generation) this hart's V registers hold, 0: none */
};

extern struct hart harts[MAX_HARTS];

static inline struct hart *this_hart(void)
{
	struct hart *h;

	__asm__ volatile("mv %0, tp" : "=r"(h));
	return h;
}

#endif
