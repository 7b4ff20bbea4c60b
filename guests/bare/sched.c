/*
 * Scheduler test guest (Keel only), one role per VM from bootargs "keel sched=ROLE key=value...":
 *   busy     spins for warm ms, then counts its own instructions over window ms, then spins tail ms
 *            more (so the VMs beside it stay contended until every window is over); its share of
 *            all the instructions the machine ran is share% +- tol%. Meaningful only under
 *            QEMU -icount shift=0 (instret = the machine's virtual clock, one count per instruction
 *            of any hart in any mode) on a one-hart machine. With vector=1 its loop also writes a
 *            vector register (the hart must have V): every switch away finds its vector state dirty.
 *   idle     sleeps in WFI for run ms, woken by its timer every period ms; checks each wake-up.
 *   latency  trials timer deadlines, each slept through in WFI; the interrupt comes no earlier
 *            than the deadline and at most max us after it (one slice of the hart it shares).
 * The timer is stimecmp when the DTB offers Sstc, else SBI set_timer.
 */
#include "guests/common/guest.h"
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#define TICKS_PER_MS 10000UL /* QEMU virt timebase: 10 MHz */
#define TICKS_PER_US 10UL
#define INSNS_PER_TICK 100UL /* -icount shift=0: 1 ns per instruction, 100 ns per tick */
#define CHUNK 1000UL /* iterations of the two-instruction loop below */
#define CHUNK_INSNS (2 * CHUNK)
#define WAKE_LIMIT_MS 2000

static volatile unsigned long timer_irqs, timer_irq_time;
static int sstc; /* the DTB offers Sstc: the timer is stimecmp (looked up once: a DTB walk is not cheap) */

static inline unsigned long rdinstret(void)
{
	unsigned long v;

	__asm__ volatile("rdinstret %0" : "=r"(v)::"memory");
	return v;
}

/* Exactly CHUNK_INSNS instructions of the guest's own (plus the li). */
static inline void spin_chunk(void)
{
	unsigned long n = CHUNK;

	__asm__ volatile("1: addi %0, %0, -1\n bnez %0, 1b" : "+r"(n));
}

/* The same with a vector add in the loop: exactly CHUNK_V_INSNS, v1 dirtied on each iteration. */
#define CHUNK_V_INSNS (3 * CHUNK)
static inline void spin_chunk_v(void)
{
	unsigned long n = CHUNK;

	__asm__ volatile(".option push\n.option arch, +v\n 1: vadd.vi v1, v1, 1\n addi %0, %0, -1\n bnez %0, 1b\n"
			 ".option pop"
			 : "+r"(n));
}

static int vector_loop; /* vector=1: the loops dirty V */

/* One chunk of the loop busy() runs, returning its instructions. */
static unsigned long spin_one(void)
{
	if (vector_loop) {
		spin_chunk_v();
		return CHUNK_V_INSNS;
	}
	spin_chunk();
	return CHUNK_INSNS;
}

static void spin_until(unsigned long t)
{
	while (read_time() < t)
		spin_one();
}

static void busy(void)
{
	long want = bootarg_num("share", 50), tol = bootarg_num("tol", 5);
	unsigned long warm = (unsigned long)bootarg_num("warm", 10) * TICKS_PER_MS;
	unsigned long window = (unsigned long)bootarg_num("window", 60) * TICKS_PER_MS;
	unsigned long tail = (unsigned long)bootarg_num("tail", 20) * TICKS_PER_MS;
	unsigned long t0 = read_time(), end, insns = 0, i0, i1, permille;

	if (bootarg_num("vector", 0)) {
		if (!dtb_isa_has("v")) {
			tap_ok(0, "sched: vector=1 on a hart without V (ISA %s)", dtb_isa());
			return;
		}
		csr_set(sstatus, SSTATUS_VS_INITIAL);
		__asm__ volatile(".option push\n.option arch, +v\n vsetvli t0, zero, e64, m1, ta, ma\n.option pop" ::
					 : "t0");
		vector_loop = 1;
	}
	spin_until(t0 + warm);
	end = read_time() + window;
	i0 = rdinstret();
	while (read_time() < end)
		insns += spin_one();
	i1 = rdinstret();
	spin_until(end + tail);
	permille = insns * 1000 / (i1 - i0);
	tap_diag("busy: %lu.%lu%% of the %lu instructions in %lu ms", permille / 10, permille % 10, i1 - i0,
		 window / TICKS_PER_MS);
	tap_ok((long)permille >= (want - tol) * 10 && (long)permille <= (want + tol) * 10,
	       "sched: busy VM got %lu.%lu%% of the hart (want %ld%% +- %ld%%)", permille / 10, permille % 10, want,
	       tol);
	/* The instruction count matches the clock: the figure above is a share, not an artefact. */
	tap_ok((i1 - i0) / INSNS_PER_TICK >= window * 9 / 10, "sched: instret follows the clock (-icount)");
}

static void on_irq(unsigned long irq)
{
	if (irq != IRQ_S_TIMER)
		return;
	timer_irq_time = read_time();
	timer_irqs++;
	if (sstc)
		csr_write(CSR_STIMECMP, -1UL);
	else
		SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, -1UL);
}

static void arm_timer(unsigned long deadline)
{
	if (sstc)
		csr_write(CSR_STIMECMP, deadline);
	else
		SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, deadline);
}

/* Sleep in WFI until the timer interrupt for `deadline`; returns when it fired (0: never came). */
static unsigned long sleep_until(unsigned long deadline)
{
	unsigned long before = timer_irqs, start = read_time();

	csr_clear(sstatus, SSTATUS_SIE);
	arm_timer(deadline);
	while (timer_irqs == before && read_time() - start < WAKE_LIMIT_MS * TICKS_PER_MS) {
		__asm__ volatile("wfi");
		/* The interrupt is taken here, between the enable and the disable. */
		csr_set(sstatus, SSTATUS_SIE);
		csr_clear(sstatus, SSTATUS_SIE);
	}
	return timer_irqs == before ? 0 : timer_irq_time;
}

static void idle(void)
{
	unsigned long period = (unsigned long)bootarg_num("period", 5) * TICKS_PER_MS;
	unsigned long run = (unsigned long)bootarg_num("run", 150) * TICKS_PER_MS;
	unsigned long start = read_time(), wakeups = 0, early = 0, missed = 0;

	irq_hook = on_irq;
	csr_set(sie, SIE_STIE);
	while (read_time() - start < run) {
		unsigned long deadline = read_time() + period, at = sleep_until(deadline);

		if (!at)
			missed++;
		else if (at < deadline)
			early++;
		wakeups++;
	}
	tap_ok(!missed && !early && wakeups >= run / period / 2,
	       "sched: idle VM woke %lu times from WFI on its timer (%lu early, %lu missed)", wakeups, early, missed);
}

static void latency(void)
{
	long trials = bootarg_num("trials", 40);
	unsigned long max_ticks = (unsigned long)bootarg_num("max", 4000) * TICKS_PER_US, worst = 0, sum = 0;
	long early = 0, missed = 0;

	irq_hook = on_irq;
	csr_set(sie, SIE_STIE);
	for (long i = 0; i < trials; i++) {
		/* Deadlines spread over the slice, so they fall anywhere in the other VM's runs. */
		unsigned long deadline = read_time() + 2 * TICKS_PER_MS + (unsigned long)(i * 1370) % max_ticks;
		unsigned long at = sleep_until(deadline);

		if (!at) {
			missed++;
			continue;
		}
		if (at < deadline) {
			early++;
			continue;
		}
		sum += at - deadline;
		if (at - deadline > worst)
			worst = at - deadline;
	}
	tap_diag("latency: worst %lu us, mean %lu us over %ld timer wake-ups (%s)", worst / TICKS_PER_US,
		 trials > missed ? sum / (unsigned long)(trials - missed) / TICKS_PER_US : 0, trials,
		 sstc ? "stimecmp" : "SBI set_timer");
	tap_ok(!missed && !early, "sched: every timer wake-up came, none early (%ld missed, %ld early)", missed, early);
	tap_ok(worst <= max_ticks, "sched: worst timer wake-up latency %lu us <= %lu us", worst / TICKS_PER_US,
	       max_ticks / TICKS_PER_US);
}

void guest_main(unsigned long hartid)
{
	(void)hartid;
	sstc = dtb_isa_has("sstc");
	if (bootarg_is("sched", "busy"))
		busy();
	else if (bootarg_is("sched", "idle"))
		idle();
	else if (bootarg_is("sched", "latency"))
		latency();
	else
		tap_ok(0, "sched: bootargs name no role (sched=busy|idle|latency)");
	tap_done();
}
