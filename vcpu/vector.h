/*
 * The vCPU's vector unit, loaded and put lazily by sstatus.VS as FP is: a vCPU without V (VS Off)
 * costs nothing, one whose registers are still in the hart's (nothing else used them since) is
 * not loaded again, and only a guest that dirtied them pays for the save. The copies are in
 * vcpu/vector.S.
 */
#ifndef KEEL_VCPU_VECTOR_H
#define KEEL_VCPU_VECTOR_H
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "vcpu/vcpu.h"

void vcpu_vector_save(struct vcpu_vector *vec);
void vcpu_vector_restore(const struct vcpu_vector *vec);
/*
 * Every image in the reset state has this generation: vCPUs that never used V share it, so a hart
 * switching between them loads nothing. A saved image gets a generation no image has had yet.
 */
#define VECTOR_GEN_INITIAL 1UL
unsigned long vcpu_vector_next_gen(void);
/* The state a hart's vector unit has after reset: zeros, vtype.vill, vl 0 (vcpu_create, HSM start). */
void vcpu_vector_reset(struct vcpu *v);

static inline __attribute__((always_inline)) void vcpu_vector_load(struct vcpu *v)
{
	struct hart *h = this_hart();

	if ((v->regs.guest_regs.sstatus & SSTATUS_VS) != SSTATUS_VS_OFF && h->vector_held != v->vector.gen) {
		vcpu_vector_restore(&v->vector);
		h->vector_held = v->vector.gen;
	}
}

static inline __attribute__((always_inline)) void vcpu_vector_put(struct vcpu *v)
{
	if ((v->regs.guest_regs.sstatus & SSTATUS_VS) == SSTATUS_VS_DIRTY) {
		vcpu_vector_save(&v->vector);
		v->vector.gen = vcpu_vector_next_gen();
		this_hart()->vector_held = v->vector.gen;
		v->regs.guest_regs.sstatus = (v->regs.guest_regs.sstatus & ~SSTATUS_VS) | SSTATUS_VS_CLEAN;
	}
}

#endif
