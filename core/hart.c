/* Kick, wait and pause (core/hart.h). */
#include "core/hart.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "core/irq.h"
#include "core/timer.h"

static void (*pause_service)(struct hart *h);

__attribute__((hot)) void hart_kick(unsigned long hart)
{
	if (hart == this_hart()->id)
		csr_set(sip, SIP_SSIP);
	else
		irq_send_ipi(hart);
}

void hart_wait(struct hart *h)
{
	wfi();
	unsigned long sip = csr_read(sip);

	if (sip & SIP_SSIP)
		csr_clear(sip, SIP_SSIP);
	if (sip & SIP_STIP)
		hart_timer_irq(h);
	if (sip & SIP_SEIP)
		irq_handle();
	/* A waiting vCPU's guest interrupt file has an interrupt: the scheduler wakes it. */
	if (cpu.geilen && (csr_read(hip) & HIP_SGEIP))
		csr_clear(CSR_HGEIE, csr_read(CSR_HGEIP));
}

void hart_on_pause(void (*fn)(struct hart *h))
{
	pause_service = fn;
}

void hart_pause(void)
{
	struct hart *h = this_hart();

	if (pause_service)
		pause_service(h);
	hart_timer_set(h, HART_TIMER_PAUSE, read_time() + HART_PAUSE_TICKS);
	hart_wait(h);
	hart_timer_set(h, HART_TIMER_PAUSE, HART_TIMER_OFF);
}
