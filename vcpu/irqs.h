/* Putting what others raised into the bound vCPU's hvip: inline, on every guest entry (vcpu.c, exit/exit.c). */
#ifndef KEEL_VCPU_IRQS_H
#define KEEL_VCPU_IRQS_H
#include "arch/riscv/csr.h"
#include "vcpu/vcpu.h"

/* Bring hvip.VSEIP in line with the interrupt controller's line (on v's own hart). */
static inline __attribute__((always_inline)) void vcpu_sync_ext_irq(struct vcpu *v)
{
	int level = __atomic_load_n(&v->ext_level, __ATOMIC_RELAXED);

	if (level == v->ext_applied)
		return;
	/* Acquire: the controller switched its read-only page off before it raised the line. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	v->ext_applied = level;
	if (level && v->ext_raise_fences)
		hfence_gvma_vmid(vcpu_vmid(v)); /* the guest's claim now traps: no translation of the page is left */
	if (level)
		csr_set(hvip, HVIP_VSEIP);
	else
		csr_clear(hvip, HVIP_VSEIP);
}

/* Put the interrupts other harts raised, and the controller's line, into hvip (on v's own hart). */
static inline __attribute__((always_inline)) void vcpu_apply_irqs(struct vcpu *v)
{
	if (__atomic_load_n(&v->pending_irqs, __ATOMIC_RELAXED))
		csr_set(hvip, __atomic_exchange_n(&v->pending_irqs, 0, __ATOMIC_ACQ_REL));
	vcpu_sync_ext_irq(v);
}

#endif
