/*
 * Trap and timer test guest: illegal instructions, CSRs the guest may not touch, ecall from
 * VU-mode, accesses outside guest RAM, timer interrupts (no early fire, deadline met) and WFI
 * wake-up. The same binary runs under Keel with either timer path, and natively.
 */
#include "guests/common/guest.h"
#include <string.h>

/* Nothing is mapped here on QEMU virt (between the CLINT and PCI I/O) nor in a Keel VM. */
#define UNMAPPED_ADDR 0x2800000UL
#define TICKS_PER_MS 10000UL /* QEMU virt timebase is 10 MHz */
#define TIMER_SLACK_MS 50 /* how late an interrupt may be under TCG */
#define INSN_ILLEGAL_ZERO 0x00000000U

static volatile unsigned long timer_irqs, timer_irq_time;

static void on_irq(unsigned long irq)
{
	if (irq == IRQ_S_TIMER) {
		timer_irq_time = read_time();
		timer_irqs++;
		SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, -1UL);
	}
}

static unsigned long traps_before;

static void expect_begin(void)
{
	traps_before = MY_TRAP->count;
}
static int trapped_with(unsigned long cause)
{
	return MY_TRAP->count == traps_before + 1 && MY_TRAP->cause == cause;
}

static void test_illegal(void)
{
	expect_begin();
	__asm__ volatile(".2byte 0x0000" ::: "memory");
	tap_ok(trapped_with(EXC_ILLEGAL_INST), "all-zero instruction -> illegal instruction (cause %lu)",
	       MY_TRAP->cause);

	expect_begin();
	__asm__ volatile("csrr t0, mstatus" ::: "t0", "memory");
	tap_ok(trapped_with(EXC_ILLEGAL_INST), "reading mstatus -> illegal instruction (cause %lu)", MY_TRAP->cause);

	expect_begin();
	__asm__ volatile("ebreak" ::: "memory");
	tap_ok(trapped_with(EXC_BREAKPOINT), "ebreak -> breakpoint in the guest's handler (cause %lu)", MY_TRAP->cause);

	if (!under_keel)
		return;
	/* Hypervisor state is out of a guest's reach: virtual instruction, reported as illegal. */
	expect_begin();
	__asm__ volatile("csrr t0, hstatus" ::: "t0", "memory");
	tap_ok(trapped_with(EXC_ILLEGAL_INST) && MY_TRAP->tval != 0,
	       "reading hstatus -> illegal instruction with the instruction in stval (0x%lx)", MY_TRAP->tval);
	expect_begin();
	__asm__ volatile("csrw hgatp, zero" ::: "memory");
	tap_ok(trapped_with(EXC_ILLEGAL_INST), "writing hgatp -> illegal instruction");
	expect_begin();
	__asm__ volatile(".option push\n.option arch,+h\nhfence.gvma zero, zero\n.option pop" ::: "memory");
	tap_ok(trapped_with(EXC_ILLEGAL_INST), "hfence.gvma -> illegal instruction");
	expect_begin();
	__asm__ volatile(".option push\n.option arch,+h\nhlv.d t0, (sp)\n.option pop" ::: "t0", "memory");
	tap_ok(trapped_with(EXC_ILLEGAL_INST), "hlv.d -> illegal instruction");
	if (!dtb_isa_has("sstc")) {
		expect_begin();
		__asm__ volatile("csrr t0, 0x14d" ::: "t0", "memory");
		tap_ok(trapped_with(EXC_ILLEGAL_INST), "stimecmp without sstc in the ISA -> illegal instruction");
	}
}

/* Runs in VU-mode: ecall, then (back in VS-mode, see guest_trap) return to the caller. */
__attribute__((naked, aligned(4))) static void user_code(void)
{
	__asm__ volatile("ecall\n ret");
}

static void test_user_ecall(void)
{
	expect_begin();
	csr_clear(sstatus, SSTATUS_SPP);
	/* sret to user_code in U-mode; it comes back here through the trap handler. */
	__asm__ volatile("la t0, 1f\n mv ra, t0\n csrw sepc, %0\n sret\n 1:" ::"r"(user_code) : "t0", "ra", "memory");
	tap_ok(trapped_with(EXC_ECALL_U) && MY_TRAP->from_user,
	       "ecall from VU-mode reaches the guest's own handler (cause %lu)", MY_TRAP->cause);
}

/* Runs in VU-mode: WFI (illegal in U-mode, priv spec 3.3.3), then ecall back to VS-mode. */
__attribute__((naked, aligned(4))) static void user_wfi_code(void)
{
	__asm__ volatile("wfi\n ecall\n ret");
}

static void test_user_wfi(void)
{
	/* A timer armed and enabled, so that a WFI wrongly parked still wakes and the test ends. */
	irq_hook = on_irq;
	csr_clear(sstatus, SSTATUS_SIE);
	csr_set(sie, SIE_STIE);
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, read_time() + 5 * TICKS_PER_MS);
	traps_before = MY_TRAP->count;
	csr_clear(sstatus, SSTATUS_SPP);
	__asm__ volatile("la t0, 1f\n mv ra, t0\n csrw sepc, %0\n sret\n 1:" ::"r"(user_wfi_code)
			 : "t0", "ra", "memory");
	tap_ok(MY_TRAP->count == traps_before + 2 && MY_TRAP->prev_cause == EXC_ILLEGAL_INST && MY_TRAP->prev_from_user,
	       "WFI in VU-mode -> illegal instruction in the guest's handler (cause %lu, %lu trap(s))",
	       MY_TRAP->prev_cause, MY_TRAP->count - traps_before);
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, -1UL);
	csr_clear(sie, SIE_STIE);
}

static void test_outside_ram(void)
{
	volatile unsigned long *p = (volatile unsigned long *)UNMAPPED_ADDR;
	unsigned long v;

	expect_begin();
	v = *p;
	(void)v;
	tap_ok(trapped_with(EXC_LOAD_ACCESS) && MY_TRAP->tval == UNMAPPED_ADDR,
	       "load outside guest RAM -> load access fault at 0x%lx (cause %lu)", MY_TRAP->tval, MY_TRAP->cause);
	expect_begin();
	*p = 1;
	tap_ok(trapped_with(EXC_STORE_ACCESS) && MY_TRAP->tval == UNMAPPED_ADDR,
	       "store outside guest RAM -> store access fault (cause %lu)", MY_TRAP->cause);
	expect_begin();
	((void (*)(void))UNMAPPED_ADDR)();
	tap_ok(trapped_with(EXC_INST_ACCESS), "jump outside guest RAM -> instruction access fault (cause %lu)",
	       MY_TRAP->cause);
	tap_ok(1, "the guest runs on after its faults");
}

static void arm_timer(unsigned long deadline)
{
	if (dtb_isa_has("sstc"))
		csr_write(CSR_STIMECMP, deadline);
	else
		SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, deadline);
}

static void test_timer(const char *how)
{
	unsigned long deadline, start;

	irq_hook = on_irq;
	timer_irqs = 0;
	csr_set(sie, SIE_STIE);
	csr_set(sstatus, SSTATUS_SIE);
	deadline = read_time() + 10 * TICKS_PER_MS;
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, deadline);
	start = read_time();
	while (!timer_irqs && read_time() - start < 1000 * TICKS_PER_MS)
		__asm__ volatile("wfi");
	tap_ok(timer_irqs == 1, "%s: SBI set_timer fires exactly one interrupt (%lu)", how, timer_irqs);
	tap_ok(timer_irq_time >= deadline, "%s: no early fire (%ld ticks after the deadline)", how,
	       (long)(timer_irq_time - deadline));
	tap_ok(timer_irq_time - deadline < TIMER_SLACK_MS * TICKS_PER_MS, "%s: deadline met within %d ms", how,
	       TIMER_SLACK_MS);

	timer_irqs = 0;
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, read_time() - 1);
	for (int i = 0; i < 1000 && !timer_irqs; i++)
		__asm__ volatile("nop");
	tap_ok(timer_irqs == 1, "%s: a deadline in the past fires at once", how);

	timer_irqs = 0;
	/* 20 ms leaves room for a loaded host to stall QEMU between the two calls; 60 ms is past it. */
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, read_time() + 20 * TICKS_PER_MS);
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, -1UL);
	start = read_time();
	while (read_time() - start < 60 * TICKS_PER_MS)
		;
	tap_ok(timer_irqs == 0, "%s: a cancelled deadline does not fire", how);

	if (dtb_isa_has("sstc")) {
		timer_irqs = 0;
		start = read_time();
		deadline = start + 5 * TICKS_PER_MS;
		arm_timer(deadline);
		while (!timer_irqs && read_time() - start < 1000 * TICKS_PER_MS)
			__asm__ volatile("wfi");
		tap_ok(timer_irqs == 1 && timer_irq_time >= deadline, "%s: stimecmp written directly fires on time",
		       how);
	}
	csr_clear(sstatus, SSTATUS_SIE);
}

static void test_wfi(const char *how)
{
	unsigned long deadline, woke, before = timer_irqs;

	/*
	 * Interrupts off globally but enabled in sie: WFI must still wake (priv spec 3.3.3), and
	 * with nothing else pending it returns only once the timer is. (sip.STIP is not read:
	 * QEMU 7.2 hides it from VS-mode reads of sip, although it delivers the interrupt.)
	 */
	csr_clear(sstatus, SSTATUS_SIE);
	csr_set(sie, SIE_STIE);
	deadline = read_time() + 5 * TICKS_PER_MS;
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, deadline);
	__asm__ volatile("wfi");
	woke = read_time();
	tap_ok(woke >= deadline, "%s: WFI with SIE off parks until the deadline (woke %ld ticks after)", how,
	       (long)(woke - deadline));
	tap_ok(timer_irqs == before, "%s: with SIE off no handler ran", how);
	csr_set(sstatus, SSTATUS_SIE);
	for (int i = 0; i < 100 && timer_irqs == before; i++)
		__asm__ volatile("nop");
	tap_ok(timer_irqs == before + 1, "%s: the pending interrupt is taken once SIE is set", how);
	csr_clear(sstatus, SSTATUS_SIE);

	/* A retentive HSM suspend is a WFI through SBI: it returns once the interrupt is pending. */
	deadline = read_time() + 5 * TICKS_PER_MS;
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, deadline);
	struct sbiret r = SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_SUSPEND, SBI_HSM_SUSPEND_RET_DEFAULT, 0, 0);
	woke = read_time();
	tap_ok(r.error == 0 && woke >= deadline, "%s: HSM retentive suspend returns 0 after the timer fired", how);
	csr_set(sstatus, SSTATUS_SIE);
	for (int i = 0; i < 100 && timer_irqs == before + 1; i++)
		__asm__ volatile("nop");
	csr_clear(sstatus, SSTATUS_SIE);
	tap_ok(timer_irqs == before + 2, "%s: the interrupt that ended the suspend is delivered", how);
	csr_clear(sie, SIE_STIE);
}

/* Zawrs: both waits end (the reservation is ours, nobody breaks it: the time-out or a spurious end). */
static void test_zawrs(void)
{
	static unsigned int word;
	unsigned int seen;

	if (!dtb_isa_has("zawrs")) {
		tap_diag("zawrs: not in this hart's ISA");
		return;
	}
	expect_begin();
	__asm__ volatile(".option push\n.option arch, +zawrs\n lr.w %0, (%1)\n wrs.nto\n lr.w %0, (%1)\n wrs.sto\n"
			 ".option pop"
			 : "=&r"(seen)
			 : "r"(&word)
			 : "memory");
	tap_ok(MY_TRAP->count == traps_before, "zawrs: wrs.nto and wrs.sto return to the next instruction (%lu traps)",
	       MY_TRAP->count - traps_before);
}

void guest_main(unsigned long hartid)
{
	const char *how = dtb_isa_has("sstc") ? "sstc" : "sbi-timer";

	(void)hartid;
	tap_diag("timer path: %s (ISA %s)", how, dtb_isa());
	test_illegal();
	test_user_ecall();
	test_user_wfi();
	test_outside_ram();
	test_timer(how);
	test_wfi(how);
	test_zawrs();
}
