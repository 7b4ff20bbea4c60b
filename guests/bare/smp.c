/*
 * Two-hart test guest: HSM start/stop/status/suspend of a second hart, IPIs both ways
 * (SBI IPI, broadcast and legacy), and remote fences. Runs under Keel with two vCPUs on two
 * harts and natively with -smp 2.
 */
#include "guests/common/guest.h"

/* OpenSBI may boot the payload on either hart: the other one is the one we did not boot on. */
static unsigned long OTHER = 1;
#define START_ARG 0x5eed1234UL
#define IPI_ROUNDS 20
#define SPIN_LIMIT 200000000UL
#define NO_SUCH_HART 4096

/* Commands from hart 0 to hart 1, and what hart 1 saw. */
enum cmd {
	CMD_NONE,
	CMD_IPI_LOOP,
	CMD_SEND_IPI_BACK,
	CMD_SUSPEND,
	CMD_SUSPEND_NON_RET,
	CMD_SUSPEND_NON_RET_TIMER,
	CMD_STOP
};
#define TICKS_PER_MS 10000UL /* QEMU virt timebase is 10 MHz */

static volatile unsigned long started_hartid, started_arg, starts;
static volatile unsigned long cmd, cmd_done;
static volatile unsigned long ipis_seen[2];
static volatile long suspend_ret;
static volatile unsigned long resumed_arg, resumes;
static volatile unsigned long timer_irqs_seen;

static int wait_for(volatile unsigned long *p, unsigned long value)
{
	for (unsigned long i = 0; i < SPIN_LIMIT; i++) {
		if (*p == value)
			return 1;
		mb();
	}
	return 0;
}

static void on_soft_irq(unsigned long irq)
{
	if (irq == IRQ_S_SOFT) {
		csr_clear(sip, SIP_SSIP);
		ipis_seen[hart_id() & 1]++;
	}
	if (irq == IRQ_S_TIMER) {
		SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, -1UL);
		timer_irqs_seen++;
	}
}

static void enable_soft_irq(void)
{
	irq_hook = on_soft_irq;
	csr_set(sie, SIE_SSIE);
	csr_set(sstatus, SSTATUS_SIE);
}

static void run_command(unsigned long hartid, unsigned long c)
{
	switch (c) {
	case CMD_SEND_IPI_BACK:
		SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 1, OTHER ^ 1);
		break;
	case CMD_SUSPEND:
		suspend_ret = SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_SUSPEND, SBI_HSM_SUSPEND_RET_DEFAULT, 0, 0).error;
		break;
	case CMD_SUSPEND_NON_RET:
		csr_clear(sstatus, SSTATUS_SIE);
		suspend_ret = SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_SUSPEND, SBI_HSM_SUSPEND_NON_RET_DEFAULT,
				   (unsigned long)secondary_start, START_ARG + 1)
				      .error;
		/* Only reached when the suspend failed. */
		csr_set(sstatus, SSTATUS_SIE);
		break;
	case CMD_SUSPEND_NON_RET_TIMER:
		/* The timer is what ends this suspend: it must still be pending after the resume. */
		csr_clear(sstatus, SSTATUS_SIE);
		csr_set(sie, SIE_STIE);
		SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, read_time() + 5 * TICKS_PER_MS);
		suspend_ret = SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_SUSPEND, SBI_HSM_SUSPEND_NON_RET_DEFAULT,
				   (unsigned long)secondary_start, START_ARG + 3)
				      .error;
		csr_set(sstatus, SSTATUS_SIE);
		break;
	default:
		break;
	}
	(void)hartid;
}

void guest_secondary(unsigned long hartid, unsigned long arg)
{
	started_hartid = hartid;
	started_arg = arg;
	if (arg == START_ARG + 1 || arg == START_ARG + 3) {
		cmd_done = cmd; /* the suspend command is done: resuming is its end */
		resumes++;
	}
	mb();
	starts++;
	enable_soft_irq();
	for (;;) {
		unsigned long c = cmd;

		if (c == CMD_STOP) {
			cmd_done = c;
			mb();
			csr_clear(sstatus, SSTATUS_SIE);
			SBI0(SBI_EXT_HSM, SBI_EXT_HSM_HART_STOP);
			cmd_done = 0xdead; /* never: hart_stop does not return */
		}
		if (c != CMD_NONE && cmd_done != c) {
			run_command(hartid, c);
			mb();
			cmd_done = c;
		}
		__asm__ volatile("wfi");
	}
}

static void command(unsigned long c)
{
	cmd_done = CMD_NONE;
	mb();
	cmd = c;
	SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 1UL << OTHER, 0); /* wake it from wfi */
}

static long status_of(unsigned long hart)
{
	return SBI1(SBI_EXT_HSM, SBI_EXT_HSM_HART_GET_STATUS, hart).value;
}

static int wait_status(unsigned long hart, long want)
{
	for (unsigned long i = 0; i < SPIN_LIMIT / 100; i++)
		if (status_of(hart) == want)
			return 1;
	return 0;
}

static void test_hsm_start(void)
{
	struct sbiret r = SBI1(SBI_EXT_HSM, SBI_EXT_HSM_HART_GET_STATUS, OTHER);

	tap_ok(r.error == 0 && r.value == SBI_HSM_STATE_STOPPED, "HSM: second hart starts STOPPED (%ld)", r.value);
	r = SBI1(SBI_EXT_HSM, SBI_EXT_HSM_HART_GET_STATUS, OTHER ^ 1);
	tap_ok(r.error == 0 && r.value == SBI_HSM_STATE_STARTED, "HSM: boot hart is STARTED");
	r = SBI1(SBI_EXT_HSM, SBI_EXT_HSM_HART_GET_STATUS, NO_SUCH_HART);
	tap_ok(r.error == SBI_ERR_INVALID_PARAM, "HSM: status of a missing hart -> INVALID_PARAM (%ld)", r.error);
	r = SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, NO_SUCH_HART, (unsigned long)secondary_start, 0);
	tap_ok(r.error == SBI_ERR_INVALID_PARAM, "HSM: start of a missing hart -> INVALID_PARAM (%ld)", r.error);
	if (under_keel) {
		r = SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, OTHER, 0x1000, 0);
		tap_ok(r.error == SBI_ERR_INVALID_ADDRESS,
		       "HSM: start at an address outside RAM -> INVALID_ADDRESS (%ld)", r.error);
	}
	r = SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, OTHER, (unsigned long)secondary_start, START_ARG);
	tap_ok(r.error == 0, "HSM: hart_start succeeds (%ld)", r.error);
	tap_ok(wait_for(&starts, 1), "HSM: the second hart runs");
	tap_ok(started_hartid == OTHER && started_arg == START_ARG, "HSM: it starts with a0 = hart id, a1 = opaque");
	tap_ok(wait_status(OTHER, SBI_HSM_STATE_STARTED), "HSM: its status is STARTED");
	r = SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, OTHER, (unsigned long)secondary_start, START_ARG);
	tap_ok(r.error == SBI_ERR_ALREADY_AVAILABLE, "HSM: starting it again -> ALREADY_AVAILABLE (%ld)", r.error);
}

static void test_ipis(void)
{
	unsigned long mask = 1UL << OTHER, base_count = ipis_seen[OTHER];
	int ok = 1;

	for (int i = 1; i <= IPI_ROUNDS && ok; i++) {
		ok = SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 1UL << OTHER, 0).error == 0;
		ok = ok && wait_for(&ipis_seen[OTHER], base_count + (unsigned long)i);
	}
	tap_ok(ok, "IPI: %d IPIs to the other hart each arrive (saw %lu)", IPI_ROUNDS, ipis_seen[OTHER] - base_count);

	base_count = ipis_seen[OTHER];
	tap_ok(SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 1, OTHER).error == 0 &&
		       wait_for(&ipis_seen[OTHER], base_count + 1),
	       "IPI: hart_mask_base selects the other hart");
	base_count = ipis_seen[OTHER];
	tap_ok(sbi_legacy(SBI_EXT_0_1_SEND_IPI, (unsigned long)&mask, 0, 0) == 0 &&
		       wait_for(&ipis_seen[OTHER], base_count + 1),
	       "IPI: legacy send_ipi reaches the other hart");

	enable_soft_irq();
	base_count = ipis_seen[OTHER ^ 1];
	command(CMD_SEND_IPI_BACK);
	tap_ok(wait_for(&ipis_seen[OTHER ^ 1], base_count + 1), "IPI: the other hart's IPI reaches this one");
	csr_clear(sstatus, SSTATUS_SIE);
}

static void test_rfence(void)
{
	struct sbiret r = sbi_call(SBI_EXT_RFENCE, SBI_EXT_RFENCE_REMOTE_SFENCE_VMA, 1UL << OTHER, 0, 0, -1UL, 0, 0);

	tap_ok(r.error == 0, "RFENCE: remote sfence.vma on the other hart completes");
	r = SBI2(SBI_EXT_RFENCE, SBI_EXT_RFENCE_REMOTE_FENCE_I, 3, 0);
	tap_ok(r.error == 0, "RFENCE: remote fence.i on both harts completes");
	r = sbi_call(SBI_EXT_RFENCE, SBI_EXT_RFENCE_REMOTE_SFENCE_VMA_ASID, 0, -1UL, 0, -1UL, 0, 0);
	tap_ok(r.error == 0, "RFENCE: sfence.vma.asid on all harts completes");
}

static void test_suspend_stop(void)
{
	unsigned long base_count;

	command(CMD_SUSPEND);
	tap_ok(wait_status(OTHER, SBI_HSM_STATE_SUSPENDED), "HSM: retentive suspend shows SUSPENDED");
	base_count = ipis_seen[OTHER];
	SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 1UL << OTHER, 0);
	tap_ok(wait_for(&cmd_done, CMD_SUSPEND) && suspend_ret == 0, "HSM: an IPI resumes it and suspend returns 0");
	tap_ok(wait_for(&ipis_seen[OTHER], base_count + 1), "HSM: the waking IPI is delivered after resume");
	tap_ok(status_of(OTHER) == SBI_HSM_STATE_STARTED, "HSM: status is STARTED again");

	command(CMD_SUSPEND_NON_RET);
	if (wait_status(OTHER, SBI_HSM_STATE_SUSPENDED)) {
		base_count = ipis_seen[OTHER];
		SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 1UL << OTHER, 0);
		tap_ok(wait_for(&resumes, 1) && started_arg == START_ARG + 1,
		       "HSM: non-retentive suspend resumes at the given address with a1 = opaque");
		/* SBI v2.0 9: only a0, a1, satp and sstatus.SIE are set on resume; the waking IPI stays pending. */
		tap_ok(wait_for(&ipis_seen[OTHER], base_count + 1),
		       "HSM: the IPI that ended a non-retentive suspend is delivered after the resume");
		base_count = timer_irqs_seen;
		command(CMD_SUSPEND_NON_RET_TIMER);
		tap_ok(wait_for(&resumes, 2) && started_arg == START_ARG + 3,
		       "HSM: a timer interrupt ends a non-retentive suspend");
		/* SBI v2.0 6.1: only a new set_timer clears the event (OpenSBI 1.1 drops it on resume: Keel only). */
		if (under_keel)
			tap_ok(wait_for(&timer_irqs_seen, base_count + 1),
			       "HSM: that timer interrupt is delivered after the resume (%lu)",
			       timer_irqs_seen - base_count);
	} else {
		tap_ok(wait_for(&cmd_done, CMD_SUSPEND_NON_RET) && suspend_ret == SBI_ERR_NOT_SUPPORTED,
		       "HSM: non-retentive suspend is refused with NOT_SUPPORTED (%ld)", suspend_ret);
	}

	command(CMD_STOP);
	tap_ok(wait_status(OTHER, SBI_HSM_STATE_STOPPED), "HSM: hart_stop leaves it STOPPED");
	tap_ok(cmd_done == CMD_STOP, "HSM: hart_stop did not return");
	unsigned long before = starts;

	cmd = CMD_NONE;
	mb();
	tap_ok(SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, OTHER, (unsigned long)secondary_start, START_ARG + 2).error ==
			       0 &&
		       wait_for(&starts, before + 1) && started_arg == START_ARG + 2,
	       "HSM: a stopped hart starts again with the new opaque value");
	command(CMD_STOP);
	tap_ok(wait_status(OTHER, SBI_HSM_STATE_STOPPED), "HSM: and stops again");
}

void guest_main(unsigned long hartid)
{
	OTHER = hartid ^ 1;
	tap_diag("booted on hart %lu, testing hart %lu", hartid, OTHER);
	test_hsm_start();
	test_ipis();
	test_rfence();
	test_suspend_stop();
}
