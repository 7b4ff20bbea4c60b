/*
 * The vCPU's timer. Sstc: the guest's deadline lives in vstimecmp and never exits. SBI timer: Keel
 * keeps the deadline, the hart's timer is armed for it (core/timer.h, its guest deadline), and
 * hvip.VSTIP rises when it passes.
 */
#ifndef KEEL_VCPU_TIMER_H
#define KEEL_VCPU_TIMER_H
#include <stdint.h>
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "core/timer.h"
#include "vcpu/vcpu.h"

/* SBI set_timer (and the legacy call). */
void vcpu_timer_set(struct vcpu *v, uint64_t deadline);

/*
 * The hooks are inline: they are the timer's part of the exit path (expiry) and of a vCPU switch
 * (load, put), which make bench measures.
 */

/* The bound vCPU's SBI deadline passed on hart h (core/timer.h's guest expiry). */
static inline __attribute__((always_inline)) void vcpu_timer_expired(struct hart *h, uint64_t now)
{
	struct vcpu *v = h->vcpu;

	if (v && v->timer_mode == TIMER_SBI && v->timer_deadline <= now) {
		csr_set(hvip, HVIP_VSTIP);
		v->timer_deadline = -1UL;
	}
}

/* Bind: htimedelta, vstimecmp, and the SBI deadline on the hart's timer. */
static inline __attribute__((always_inline)) void vcpu_timer_load(struct vcpu *v)
{
	const struct guest_vs_csrs *vs = &v->regs.vs_csrs;

	csr_write(htimedelta, vs->htimedelta);
	if (cpu.has_sstc)
		csr_write(CSR_VSTIMECMP, vs->vstimecmp);
	this_hart()->timer_guest = v->timer_mode == TIMER_SBI ? v->timer_deadline : HART_TIMER_OFF;
}

/* Unbind: the same saved, and the hart's guest deadline off. */
static inline __attribute__((always_inline)) void vcpu_timer_put(struct vcpu *v)
{
	struct guest_vs_csrs *vs = &v->regs.vs_csrs;

	vs->htimedelta = csr_read(htimedelta);
	if (cpu.has_sstc)
		vs->vstimecmp = csr_read(CSR_VSTIMECMP);
	this_hart()->timer_guest = HART_TIMER_OFF;
}

#endif
