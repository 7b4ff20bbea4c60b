/* The vCPU's timer (vcpu/timer.h). */
#include "vcpu/timer.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "core/timer.h"

__attribute__((hot)) void vcpu_timer_set(struct vcpu *v, uint64_t deadline)
{
	if (v->timer_mode == TIMER_SSTC) {
		csr_write(CSR_VSTIMECMP, deadline);
		return;
	}
	v->timer_deadline = deadline;
	/* SBI spec 6.1: setting the timer clears the pending timer interrupt. */
	csr_clear(hvip, HVIP_VSTIP);
	if (deadline <= read_time()) {
		csr_set(hvip, HVIP_VSTIP);
		v->timer_deadline = -1UL;
	}
	hart_timer_set_guest(this_hart(), v->timer_deadline);
}

__attribute__((hot)) void vcpu_timer_expired(struct hart *h, uint64_t now)
{
	struct vcpu *v = h->vcpu;

	if (v && v->timer_mode == TIMER_SBI && v->timer_deadline <= now) {
		csr_set(hvip, HVIP_VSTIP);
		v->timer_deadline = -1UL;
	}
}

void vcpu_timer_load(struct vcpu *v)
{
	const struct guest_vs_csrs *vs = &v->regs.vs_csrs;

	csr_write(htimedelta, vs->htimedelta);
	if (cpu.has_sstc)
		csr_write(CSR_VSTIMECMP, vs->vstimecmp);
	this_hart()->timer_guest = v->timer_mode == TIMER_SBI ? v->timer_deadline : HART_TIMER_OFF;
}

void vcpu_timer_put(struct vcpu *v)
{
	struct guest_vs_csrs *vs = &v->regs.vs_csrs;

	vs->htimedelta = csr_read(htimedelta);
	if (cpu.has_sstc)
		vs->vstimecmp = csr_read(CSR_VSTIMECMP);
	this_hart()->timer_guest = HART_TIMER_OFF;
}
