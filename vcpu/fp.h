/*
 * The vCPU's FP registers, loaded and put lazily by sstatus.FS: a guest whose FP is off costs
 * nothing, one that only read it (FS clean) is not saved again, and only a guest that dirtied it
 * pays for the save. The hooks are inline (a vCPU switch, which make bench measures); the copies
 * themselves are in vcpu/fp.S.
 */
#ifndef KEEL_VCPU_FP_H
#define KEEL_VCPU_FP_H
#include "arch/riscv/csr.h"
#include "vcpu/vcpu.h"

void vcpu_fp_save(uint64_t *fp, uint64_t *fcsr);
void vcpu_fp_restore(const uint64_t *fp, const uint64_t *fcsr);

static inline __attribute__((always_inline)) void vcpu_fp_load(struct vcpu *v)
{
	if ((v->regs.guest_regs.sstatus & SSTATUS_FS) != SSTATUS_FS_OFF)
		vcpu_fp_restore(v->fp, &v->fcsr);
}

static inline __attribute__((always_inline)) void vcpu_fp_put(struct vcpu *v)
{
	if ((v->regs.guest_regs.sstatus & SSTATUS_FS) == SSTATUS_FS_DIRTY) {
		vcpu_fp_save(v->fp, &v->fcsr);
		v->regs.guest_regs.sstatus = (v->regs.guest_regs.sstatus & ~SSTATUS_FS) | SSTATUS_FS_CLEAN;
	}
}

#endif
