/*
 * The loop each hart runs: its one vCPU's run / exit / act cycle, parking when the vCPU waits.
 * A hart with several vCPUs runs the scheduler's loop instead (sched/sched.c), with the same steps.
 */
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "board/board.h"
#include "core/console.h"
#include "core/hart.h"
#include "core/irq.h"
#include "core/timer.h"
#include "exit/exit.h"
#include "lib/printf.h"
#include "sbi/sbi.h"
#include "vcpu/insn.h"
#include "sched/run.h"
#include "sched/sched.h"
#include "vm/lifecycle.h"

/*
 * Take START/STOP requests; returns nonzero when the vCPU should (still) run. Always inlined,
 * like handle_exit: the pinned loop's exit path must not pay a call for the scheduler's copy.
 */
static inline __attribute__((always_inline)) int handle_requests(struct vcpu *v)
{
	unsigned long req = vcpu_process_requests(v);

	if (req & VCPU_REQ_START) {
		vcpu_reset_for_start(v, v->start_addr, v->start_arg);
		__atomic_store_n(&v->hsm_state, SBI_HSM_STATE_STARTED, __ATOMIC_RELEASE);
	}
	if (req & VCPU_REQ_STOP)
		__atomic_store_n(&v->hsm_state, SBI_HSM_STATE_STOPPED, __ATOMIC_RELEASE);
	if (req & VCPU_REQ_DEVICES) {
		/*
		 * What the host's devices raised since the last turn, then one turn of the devices' left
		 * work: never all at once. The timer and IPIs stay pending for the exit they cause (the
		 * scheduler's tick on a shared hart).
		 */
		if (csr_read(sip) & SIP_SEIP)
			irq_handle();
		vm_devices_resume(v->vm);
	}
	return __atomic_load_n(&v->hsm_state, __ATOMIC_ACQUIRE) == SBI_HSM_STATE_STARTED;
}

int vcpu_handle_requests(struct vcpu *v)
{
	return handle_requests(v);
}

/* The end of a WFI or HSM suspend: SUSPENDED becomes STARTED, a non-retentive suspend resumes. */
static inline void halt_done(struct vcpu *v, int suspended)
{
	if (suspended) {
		int expected = SBI_HSM_STATE_SUSPENDED;

		__atomic_compare_exchange_n(&v->hsm_state, &expected, SBI_HSM_STATE_STARTED, 0, __ATOMIC_ACQ_REL,
					    __ATOMIC_ACQUIRE);
	}
	if (v->suspend_non_retentive)
		vcpu_resume_at(v, v->resume_addr, v->resume_arg);
}

void vcpu_wake_from_halt(struct vcpu *v)
{
	v->halted = 0;
	halt_done(v, __atomic_load_n(&v->hsm_state, __ATOMIC_ACQUIRE) == SBI_HSM_STATE_SUSPENDED);
}

/* WFI and HSM suspend (hsm.c marks the vCPU SUSPENDED): park until an interrupt the guest enabled is pending. */
static inline __attribute__((always_inline)) void wait_for_interrupt(struct hart *h, struct vcpu *v)
{
	int suspended = __atomic_load_n(&v->hsm_state, __ATOMIC_ACQUIRE) == SBI_HSM_STATE_SUSPENDED;

	while (!vcpu_irq_pending(v) && !__atomic_load_n(&v->requests, __ATOMIC_ACQUIRE)) {
		/* With Sstc the guest's deadline is in vstimecmp: wake for it too. */
		if (v->timer_mode == TIMER_SSTC)
			hart_timer_set(h, HART_TIMER_HALT, csr_read(CSR_VSTIMECMP));
		/* Its guest file wakes the hart through SGEI (sched/sched.c's file_wakers says why). */
		if (v->aia_file)
			csr_set(CSR_HGEIE, BIT(v->aia_file));
		hart_wait(h);
		vcpu_process_fences(v);
	}
	if (v->aia_file)
		csr_write(CSR_HGEIE, 0);
	hart_timer_set(h, HART_TIMER_HALT, HART_TIMER_OFF);
	halt_done(v, suspended);
}

static unsigned long access_fault_for(unsigned long guest_page_fault)
{
	switch (guest_page_fault) {
	case EXC_INST_GUEST_PAGE_FAULT:
		return EXC_INST_ACCESS;
	case EXC_LOAD_GUEST_PAGE_FAULT:
		return EXC_LOAD_ACCESS;
	default:
		return EXC_STORE_ACCESS;
	}
}

static void stop_vm_fatal(struct vcpu *v, const struct vcpu_exit *exit)
{
	char why[96];

	snprintf(why, sizeof(why), "vcpu %lu: unhandled trap cause %lu tval 0x%lx at pc 0x%lx", v->id,
		 exit->fatal.cause, exit->fatal.tval, (unsigned long)v->regs.guest_regs.sepc);
	vm_shutdown(v->vm, why);
}

/* An access with neither RAM nor a device behind it: the guest gets an access fault. */
static void nested_page_fault(struct vcpu *v, struct vcpu_exit *exit)
{
	struct vm *vm = v->vm;
	uint64_t addr = exit->nested_fault.addr, pc = v->regs.guest_regs.sepc;
	unsigned long cause = exit->nested_fault.cause;

	if (vcpu_inject_exception(v, access_fault_for(cause), v->regs.trap_csrs.stval)) {
		exit->fatal.cause = cause;
		exit->fatal.tval = addr;
		stop_vm_fatal(v, exit);
		return;
	}
	/* Logged once per VM, so a hostile guest cannot flood the console; the rest are counted. */
	if (vm->faults_reported++ == 0)
		kprintf("keel: vm '%s' vcpu %lu: %s 0x%lx (%s) at pc 0x%lx: access fault injected (further ones are "
			"counted, not logged)\n",
			vm->cfg.name, v->id, exit->nested_fault.walk ? "page-table walk read a PTE at" : "access to",
			(unsigned long)addr, exit->nested_fault.walk ? "not RAM" : "no RAM or device",
			(unsigned long)pc);
}

static inline __attribute__((always_inline)) void handle_exit(struct hart *h, struct vcpu *v, enum exit_reason reason,
							      struct vcpu_exit *exit)
{
	switch (reason) {
	case EXIT_MMIO_READ:
	case EXIT_MMIO_WRITE:
		/* An access naming s0-s11 (the loop handles the others): now they are saved. */
		reason = vcpu_mmio_complete(v, reason, exit);
		if (reason == EXIT_VM_STOP)
			vm_shutdown(v->vm, exit->stop.why);
		else if (reason == EXIT_SYSTEM_REBOOT)
			vm_reboot(v->vm);
		break;
	case EXIT_VM_STOP:
		vm_shutdown(v->vm, exit->stop.why);
		break;
	case EXIT_HYPERCALL:
		hvc_complete(v, exit);
		break;
	case EXIT_NESTED_PAGE_FAULT:
		nested_page_fault(v, exit);
		break;
	case EXIT_HALT:
		wait_for_interrupt(h, v);
		break;
	case EXIT_SYSTEM_DOWN:
		vm_shutdown(v->vm, "guest shut down");
		break;
	case EXIT_SYSTEM_REBOOT:
		vm_reboot(v->vm);
		break;
	case EXIT_GUEST_FATAL:
		stop_vm_fatal(v, exit);
		break;
	case EXIT_CPU_DOWN:
		vm_vcpu_stopped(v->vm);
		break;
	default:
		/* Nothing, CpuUp (started by hsm.c), requests, kicks (shared harts only). */
		break;
	}
}

void vcpu_handle_exit(struct hart *h, struct vcpu *v, enum exit_reason reason, struct vcpu_exit *exit)
{
	handle_exit(h, v, reason, exit);
}

/* A hart with one vCPU (or none): the pinned path, compiled on its own so nothing of the scheduler's touches it. */
static void __attribute__((noreturn, noinline)) pinned_run_loop(void)
{
	struct hart *h = this_hart();
	struct vcpu *v = h->vcpu;
	struct vcpu_exit exit;

	if (!v) {
		for (;;)
			hart_wait(h);
	}
	vcpu_bind(v);
	for (;;) {
		/* The common case, a running vCPU with nothing asked of it, costs two loads. */
		if ((__atomic_load_n(&v->requests, __ATOMIC_ACQUIRE) ||
		     __atomic_load_n(&v->hsm_state, __ATOMIC_ACQUIRE) != SBI_HSM_STATE_STARTED) &&
		    !handle_requests(v)) {
			hart_wait(h);
			continue;
		}
		handle_exit(h, v, vcpu_run(v, &exit), &exit);
	}
}

void hart_run_loop(void)
{
	struct hart *h = this_hart();

	if (sched_shared(h))
		sched_run_loop(h);
	pinned_run_loop();
}
