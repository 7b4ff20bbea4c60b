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
