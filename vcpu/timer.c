/*
 * Guest timers. Sstc path: the guest's deadline lives in vstimecmp and never exits.
 * SBI-timer path: Keel keeps the deadline, arms the hart's timer for the earliest of
 * its own and the vCPU's, and raises hvip.VSTIP when the guest's passes (pitfall 8).
 */
#include "vcpu/timer.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "vm/vm.h"

__attribute__((hot)) void hart_timer_program(struct hart *h)
{
	uint64_t deadline = h->keel_deadline;
	struct vcpu *v = h->vcpu;

	if (v && v->timer_mode == TIMER_SBI && v->timer_deadline < deadline)
		deadline = v->timer_deadline;
	if (h->console_deadline && h->console_deadline < deadline)
		deadline = h->console_deadline;
	host_timer_set(deadline);
}

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
	hart_timer_program(this_hart());
}

__attribute__((hot)) void timer_handle_irq(struct hart *h)
{
	struct vcpu *v = h->vcpu;
	uint64_t now = read_time();

	if (v && v->timer_mode == TIMER_SBI && v->timer_deadline <= now) {
		csr_set(hvip, HVIP_VSTIP);
		v->timer_deadline = -1UL;
	}
	if (h->keel_deadline <= now)
		h->keel_deadline = -1UL;
	if (h->console_deadline && h->console_deadline <= now) {
		h->console_deadline = 0;
		vm_console_quiet_check(h, now);
	}
	hart_timer_program(h);
}
