/*
 * Benchmark guest for `make bench` (bench/bench.py). Run under QEMU -icount shift=0,sleep=off,
 * where instret and cycle are QEMU's virtual clock: one count per instruction retired on any
 * hart, in any mode (M, HS, VS), and time ticks once per 100 of them (10 MHz). Every figure is
 * an instret difference; the guest checks that model first and says "not ok" when it fails.
 *
 * Output: TAP lines, plus one "bench: <key> <integer>" line per figure. bench.py refuses to
 * report a row whose line is missing or whose TAP checks failed.
 *
 * bootargs pick the part: "bench=ipi" the two-hart IPI ping-pong; "bench=trace-sbi",
 * "trace-hvc", "trace-mmio", "trace-csw" one exit for bench/trace_sbi.py; anything else the single-hart rows
 * (null SBI call, Keel hypercall, emulated MMIO, timer interrupt latency).
 */
#include "guests/common/guest.h"
#include <libfdt.h>
#include <string.h>

#define CALLS 10000 /* ecalls and MMIO accesses per figure */
#define IPI_ROUNDS 1000 /* IPI round trips */
#define TICK_INSNS 100 /* instructions per time tick: 1 ns each, time at 10 MHz */
#define TIMER_AHEAD 50 /* ticks between arming the timer and its deadline */
#define TIMER_TRIALS 100 /* arming 0..99 instructions after a tick edge */
#define SPIN_LIMIT 50000000UL

#define UART_SCR_ADDR 0x10000007UL /* 16550 scratch register, 8-bit */
#define PLIC_ENABLE_CTX0 0x0c002000UL /* context 0 enable bits; +4: sources 32-63 */

/* tap_ok, and the condition back for the caller. */
#define CHECK(cond, ...)                   \
	({                                 \
		int __ok = !!(cond);       \
		tap_ok(__ok, __VA_ARGS__); \
		__ok;                      \
	})

static inline unsigned long rdinstret(void)
{
	unsigned long v;

	__asm__ volatile("rdinstret %0" : "=r"(v)::"memory");
	return v;
}

static void report(const char *key, long value)
{
	gprintf("bench: %s %ld\n", key, value);
}

static void pad(unsigned long n);

/* ---- the counter model: checked before any figure is printed ---- */

static int check_counters(void)
{
	unsigned long traps = MY_TRAP->count, a, b, t0, t1, i, n = 1000;
	long offset, lo = 0, hi = 0;
	int ok;

	a = rdinstret();
	b = rdinstret();
	ok = CHECK(MY_TRAP->count == traps && b > a && a != 0,
		   "instret is readable from the guest (0x%lx, 0x%lx; traps %lu)", a, b, MY_TRAP->count - traps);
	if (!ok)
		return 0;
	/* 2n instructions after the first read, and the second read itself: exactly 2n + 1, or no icount. */
	__asm__ volatile("rdinstret %0\n"
			 "1: addi %2, %2, -1\n"
			 "bnez %2, 1b\n"
			 "rdinstret %1"
			 : "=&r"(a), "=&r"(b), "+r"(n)::"memory");
	ok = CHECK(b - a == 2 * 1000 + 1,
		   "instret counts one per instruction (%lu for a 2001-instruction loop; QEMU needs -icount shift=0)",
		   b - a);
	if (!ok)
		return 0;
	/*
	 * One clock: the rdtime that first sees tick t is instruction 100t or 100t + 1 (the loop is
	 * two instructions), so the rdinstret two instructions later reads 100t + 2 or 100t + 3,
	 * and both show up as the loop starts at different points of a tick.
	 */
	for (int p = 0; p < 40; p++) {
		pad((unsigned long)p * 7);
		__asm__ volatile("rdtime %0\n"
				 "1: rdtime %1\n"
				 "beq %0, %1, 1b\n"
				 "rdinstret %2"
				 : "=&r"(t0), "=&r"(t1), "=&r"(i)::"memory");
		offset = (long)(i - TICK_INSNS * t1);
		lo = p == 0 || offset < lo ? offset : lo;
		hi = p == 0 || offset > hi ? offset : hi;
	}
	return CHECK(lo == 2 && hi == 3,
		     "instret is QEMU's virtual clock in ns and time its 10 MHz tick (instret - 100 x time at a tick "
		     "edge: %ld..%ld, want 2..3)",
		     lo, hi);
}

/* ---- ecall round trips: a loop with the ecall minus the same loop without it ---- */

static long ecall_cost(unsigned long eid, unsigned long fid, long *err, unsigned long *value)
{
	register unsigned long a0 __asm__("a0") = 0, a1 __asm__("a1") = 0;
	register unsigned long a6 __asm__("a6") = fid, a7 __asm__("a7") = eid;
	unsigned long s, e, n = CALLS, with, without;

	__asm__ volatile("rdinstret %[s]\n"
			 "1: ecall\n"
			 "addi %[n], %[n], -1\n"
			 "bnez %[n], 1b\n"
			 "rdinstret %[e]"
			 : [s] "=&r"(s), [e] "=&r"(e), [n] "+r"(n), "+r"(a0), "+r"(a1)
			 : "r"(a6), "r"(a7)
			 : "memory");
	with = e - s;
	*err = (long)a0;
	*value = a1;
	n = CALLS;
	__asm__ volatile("rdinstret %[s]\n"
			 "1: addi %[n], %[n], -1\n"
			 "bnez %[n], 1b\n"
			 "rdinstret %[e]"
			 : [s] "=&r"(s), [e] "=&r"(e), [n] "+r"(n)::"memory");
	without = e - s;
	return (long)(with - without) / CALLS;
}

static void bench_ecalls(void)
{
	long err, per_call;
	unsigned long value;

	per_call = ecall_cost(SBI_EXT_BASE, SBI_EXT_BASE_GET_SPEC_VERSION, &err, &value);
	if (CHECK(err == 0 && value >= 0x1000000UL, "null SBI call: BASE get_spec_version returns 0x%lx (error %ld)",
		  value, err) &&
	    CHECK(per_call > 20, "instret counts what the SBI implementation runs for the call (%ld per call)",
		  per_call))
		report("sbi_null", per_call);
	if (!under_keel)
		return;
	per_call = ecall_cost(SBI_EXT_KEEL_HVC, KEEL_HVC_VERSION, &err, &value);
	if (CHECK(err == 0 && value == KEEL_IMPL_VERSION, "Keel hypercall VERSION returns 0x%lx (error %ld)", value,
		  err))
		report("hvc_version", per_call);
}

/* ---- emulated MMIO: the access in a loop minus the same loop without it ---- */

/* The same counted loop around each access; c.lw / c.sw take x8-x15 only, hence a2/a3. */
#define MMIO_LOOP(body)                                                                 \
	static unsigned long body##_loop(unsigned long addr, unsigned long value)       \
	{                                                                               \
		register unsigned long b __asm__("a2") = addr, v __asm__("a3") = value; \
		unsigned long s, e, n = CALLS;                                          \
                                                                                        \
		__asm__ volatile("rdinstret %[s]\n"                                     \
				 "1: " MMIO_##body "\n"                                 \
						   "addi %[n], %[n], -1\n"              \
						   "bnez %[n], 1b\n"                    \
						   "rdinstret %[e]"                     \
				 : [s] "=&r"(s), [e] "=&r"(e), [n] "+r"(n), [v] "+r"(v) \
				 : [b] "r"(b)                                           \
				 : "memory");                                           \
		return e - s;                                                           \
	}
#define MMIO_none ""
#define MMIO_lbu "lbu %[v], 0(%[b])"
#define MMIO_sb "sb %[v], 0(%[b])"
#define MMIO_clw ".option push\n.option rvc\nc.lw %[v], 4(%[b])\n.option pop"
#define MMIO_csw ".option push\n.option rvc\nc.sw %[v], 4(%[b])\n.option pop"
MMIO_LOOP(none)
MMIO_LOOP(lbu)
MMIO_LOOP(sb)
MMIO_LOOP(clw)
MMIO_LOOP(csw)

static void bench_mmio(void)
{
	volatile uint8_t *scr = (volatile uint8_t *)UART_SCR_ADDR;
	volatile uint32_t *en = (volatile uint32_t *)(PLIC_ENABLE_CTX0 + 4);
	unsigned long empty = none_loop(0, 0), old_en = *en, val;

	*scr = 0x5a;
	if (CHECK(*scr == 0x5a, "UART scratch register keeps a byte")) {
		report("mmio_read_lbu", (long)(lbu_loop(UART_SCR_ADDR, 0) - empty) / CALLS);
		report("mmio_write_sb", (long)(sb_loop(UART_SCR_ADDR, 0xa5) - empty) / CALLS);
		CHECK(*scr == 0xa5, "the sb loop's byte reads back (0x%x)", *scr);
	}
	*en = 0x80000001U;
	val = *en;
	*en = (uint32_t)old_en;
	if (CHECK(val == 0x80000001U, "PLIC context 0 enable word for sources 32-63 keeps 0x80000001 (0x%lx)", val)) {
		report("mmio_read_clw", (long)(clw_loop(PLIC_ENABLE_CTX0, 0) - empty) / CALLS);
		report("mmio_write_csw", (long)(csw_loop(PLIC_ENABLE_CTX0, old_en) - empty) / CALLS);
		CHECK(*en == (uint32_t)old_en, "the c.sw loop's word reads back");
	}
}

/* ---- timer interrupt latency ---- */

/*
 * The handler's first instruction reads instret (into t5); it masks STIE so the interrupt is
 * taken once, and sets t4 for the spin loop. t2-t5 belong to the asm in timer_trial.
 */
__asm__(".pushsection .text\n"
	".align 2\n"
	"bench_timer_vector:\n"
	"rdinstret t5\n"
	"csrr t3, scause\n"
	"li t2, 0x20\n"
	"csrc sie, t2\n"
	"li t4, 1\n"
	"sret\n"
	".popsection");
void bench_timer_vector(void);

struct timer_trial {
	unsigned long armed; /* instret of the instruction before the arming csrw / ecall */
	long raw; /* handler's instret - 100 x deadline */
};

/* `pad` instructions (+ a constant), so that successive trials arm at different points of a tick. */
static void pad(unsigned long n)
{
	unsigned long half = n / 2, odd = n & 1;

	__asm__ volatile("beqz %[h], 2f\n"
			 "1: addi %[h], %[h], -1\n"
			 "bnez %[h], 1b\n"
			 "2: beqz %[o], 3f\n"
			 "nop\n"
			 "3:"
			 : [h] "+r"(half)
			 : [o] "r"(odd)
			 : "memory");
}

/*
 * Wait for time to tick, to the instruction: the rdtime that sees the new tick is instruction
 * 100t or 100t + 1 (check_counters), so the rdinstret two later is odd or even; one more
 * instruction on the even path ends both at the same point of the tick.
 */
static void tick_edge(void)
{
	unsigned long t0, t1;

	__asm__ volatile("rdtime %0\n"
			 "1: rdtime %1\n"
			 "beq %0, %1, 1b\n"
			 "rdinstret %0\n"
			 "andi %0, %0, 1\n"
			 "bnez %0, 2f\n"
			 "nop\n"
			 "2:"
			 : "=&r"(t0), "=&r"(t1)::"memory");
}

/* Each returns the instret of the instruction just before the one that arms the timer. */
static inline unsigned long arm_sbi(unsigned long deadline)
{
	register unsigned long a0 __asm__("a0") = deadline, a1 __asm__("a1");
	register unsigned long a6 __asm__("a6") = SBI_EXT_TIME_SET_TIMER, a7 __asm__("a7") = SBI_EXT_TIME;
	unsigned long x;

	__asm__ volatile("rdinstret %[x]\n"
			 "ecall"
			 : [x] "=&r"(x), "+r"(a0), "=r"(a1)
			 : "r"(a6), "r"(a7)
			 : "memory");
	return x;
}

static inline unsigned long arm_stimecmp(unsigned long deadline)
{
	unsigned long x;

	__asm__ volatile("rdinstret %[x]\n"
			 "csrw 0x14d, %[d]"
			 : [x] "=&r"(x)
			 : [d] "r"(deadline)
			 : "memory");
	return x;
}

/*
 * Arm the timer TIMER_AHEAD ticks ahead, `phase` instructions after a tick edge, and spin until
 * the handler has run. 0, or -1 if it never did.
 */
static int timer_trial(int via_sbi, unsigned long phase, struct timer_trial *t)
{
	unsigned long deadline, at, cause, fired, lim = SPIN_LIMIT;

	tick_edge();
	pad(phase);
	deadline = read_time() + TIMER_AHEAD;
	t->armed = via_sbi ? arm_sbi(deadline) : arm_stimecmp(deadline);
	__asm__ volatile("li t4, 0\n"
			 "csrs sie, %[stie]\n"
			 "csrsi sstatus, 2\n"
			 "1: bnez t4, 2f\n"
			 "addi %[lim], %[lim], -1\n"
			 "bnez %[lim], 1b\n"
			 "2: csrci sstatus, 2\n"
			 "mv %[at], t5\n"
			 "mv %[cause], t3\n"
			 "mv %[fired], t4"
			 : [at] "=&r"(at), [cause] "=&r"(cause), [fired] "=&r"(fired), [lim] "+r"(lim)
			 : [stie] "r"(SIE_STIE)
			 : "t2", "t3", "t4", "t5", "memory");
	csr_clear(sie, SIE_STIE);
	if (via_sbi)
		SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, -1UL);
	else
		csr_write(CSR_STIMECMP, -1UL);
	t->raw = (long)(at - TICK_INSNS * deadline);
	return fired && cause == (CAUSE_IRQ_FLAG | IRQ_S_TIMER) ? 0 : -1;
}

/*
 * QEMU turns a deadline into "now + (deadline - time now) x 100 ns" at the instruction that
 * writes the compare register, so the interrupt is raised at
 *	F = 100 x deadline + (w mod 100),	w = instret of that write = armed + 1 + k,
 * k being how far into the SBI call the write is (0 for a direct csrw). The handler's first
 * instruction is F + 1 + latency. k is unknown for SBI but the same in every trial: the one
 * k for which raw - (w mod 100) is the same over all trials (arming at different points of a
 * tick) gives the latency: instructions retired after the deadline before the handler's first.
 */
static struct timer_trial trials[TIMER_TRIALS];

static void bench_timer(const char *key, int via_sbi)
{
	unsigned long stvec = csr_read(stvec);
	long lat = 0, found = -1, nfound = 0;
	int all = 1, n = 0, covered = 0;
	char seen[TICK_INSNS] = { 0 };

	csr_write(stvec, (unsigned long)bench_timer_vector);
	for (; n < TIMER_TRIALS && all; n++) {
		all = timer_trial(via_sbi, (unsigned long)n, &trials[n]) == 0;
		if (!seen[trials[n].armed % TICK_INSNS]++)
			covered++;
	}
	csr_write(stvec, stvec);
	if (bootarg_is("bench.verbose", "1"))
		for (int i = 0; i < n; i++)
			tap_diag("%s trial %d: armed %% 100 = %lu, raw %ld", key, i, trials[i].armed % TICK_INSNS,
				 trials[i].raw);
	if (!CHECK(all, "%s: %d timer interrupts taken, each with cause S-timer", key, n) ||
	    !CHECK(covered == TICK_INSNS, "%s: armed at every point of a tick (%d of %d, %d trials)", key, covered,
		   TICK_INSNS, n))
		return;
	for (unsigned long k = 0; k < TICK_INSNS; k++) {
		long first = 0;
		int same = 1;

		for (int i = 0; i < n && same; i++) {
			long l = trials[i].raw - (long)((trials[i].armed + 1 + k) % TICK_INSNS) - 1;

			if (i == 0)
				first = l;
			same = l == first;
		}
		if (same) {
			found = (long)k;
			lat = first;
			nfound++;
		}
	}
	if (CHECK(nfound == 1 && (via_sbi || found == 0),
		  "%s: one arming offset k explains all %d trials (k = %ld, %ld candidates; 0 for a direct write)", key,
		  n, found, nfound))
		report(key, lat);
}

/* ---- IPI ping-pong between two harts ---- */

static unsigned long other_hart;
static volatile unsigned long secondary_up, secondary_stop;

/* The far hart's handler: acknowledge, send an IPI back. It runs from WFI in guest_secondary. */
__asm__(".pushsection .text\n"
	".align 2\n"
	"bench_ipi_reply_vector:\n"
	"addi sp, sp, -48\n"
	"sd a0, 0(sp)\n"
	"sd a1, 8(sp)\n"
	"sd a6, 16(sp)\n"
	"sd a7, 24(sp)\n"
	"sd t0, 32(sp)\n"
	"li t0, 2\n"
	"csrc sip, t0\n"
	"li a0, 1\n"
	"la t0, bench_ipi_back_to\n"
	"ld a1, 0(t0)\n"
	"li a6, 0\n"
	"li a7, 0x735049\n"
	"ecall\n"
	"ld a0, 0(sp)\n"
	"ld a1, 8(sp)\n"
	"ld a6, 16(sp)\n"
	"ld a7, 24(sp)\n"
	"ld t0, 32(sp)\n"
	"addi sp, sp, 48\n"
	"sret\n"
	/* The measuring hart's handler: acknowledge and count in t5 (owned by bench_ipi's asm). */
	".align 2\n"
	"bench_ipi_count_vector:\n"
	"li t6, 2\n"
	"csrc sip, t6\n"
	"addi t5, t5, 1\n"
	"sret\n"
	".popsection");
void bench_ipi_reply_vector(void);
void bench_ipi_count_vector(void);
unsigned long bench_ipi_back_to;

_Static_assert(SBI_EXT_IPI == 0x735049, "bench_ipi_reply_vector hard-codes the IPI extension ID");

/*
 * Both harts wait in WFI, never spinning: under -icount QEMU runs the harts round-robin in
 * one thread and moves to the other hart only when this one halts.
 */
void guest_secondary(unsigned long hartid, unsigned long arg)
{
	(void)hartid;
	(void)arg;
	csr_write(stvec, (unsigned long)bench_ipi_reply_vector);
	csr_write(sie, SIE_SSIE);
	csr_set(sstatus, SSTATUS_SIE);
	secondary_up = 1;
	mb();
	SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 1, bench_ipi_back_to);
	while (!secondary_stop)
		wfi();
	csr_clear(sstatus, SSTATUS_SIE);
}

/*
 * `rounds` times: IPI to hart `to`, then WFI (interrupts on) until its IPI back has been taken.
 * Returns the instructions this took; *answered counts the IPIs back (t5, see the handler).
 */
static unsigned long ipi_rounds(unsigned long to, unsigned long rounds, unsigned long *answered)
{
	register unsigned long a0 __asm__("a0"), a1 __asm__("a1");
	register unsigned long a6 __asm__("a6") = SBI_EXT_IPI_SEND_IPI, a7 __asm__("a7") = SBI_EXT_IPI;
	unsigned long s, e, got;

	__asm__ volatile("li t5, 0\n"
			 "csrsi sstatus, 2\n"
			 "rdinstret %[s]\n"
			 "1: mv t4, t5\n"
			 "li a0, 1\n"
			 "mv a1, %[to]\n"
			 "ecall\n"
			 "2: bne t5, t4, 3f\n"
			 "wfi\n"
			 "j 2b\n"
			 "3: addi %[n], %[n], -1\n"
			 "bnez %[n], 1b\n"
			 "rdinstret %[e]\n"
			 "csrci sstatus, 2\n"
			 "mv %[got], t5"
			 : [s] "=&r"(s), [e] "=&r"(e), [n] "+r"(rounds), [got] "=&r"(got), "=&r"(a0), "=&r"(a1)
			 : [to] "r"(to), "r"(a6), "r"(a7)
			 : "t4", "t5", "t6", "memory");
	*answered = got;
	return e - s;
}

/*
 * Let the other hart stop itself (HSM) before this one shuts the VM down: stopping a running
 * vCPU means a wait on the other hart, and under -icount nothing runs there while one spins.
 * Woken by its answer or by a 1 ms timer, SIE off.
 */
static void stop_secondary(void)
{
	secondary_stop = 1;
	mb();
	csr_write(sie, SIE_SSIE | SIE_STIE);
	SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 1, other_hart);
	while (SBI1(SBI_EXT_HSM, SBI_EXT_HSM_HART_GET_STATUS, other_hart).value != SBI_HSM_STATE_STOPPED) {
		SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, read_time() + 10000);
		wfi();
		csr_clear(sip, SIP_SSIP);
	}
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, -1UL);
	csr_write(sie, 0);
}

static void bench_ipi(unsigned long hartid)
{
	unsigned long stvec = csr_read(stvec), insns, got;
	struct sbiret r;

	other_hart = hartid ^ 1;
	bench_ipi_back_to = hartid;
	mb();
	/* WFI wakes on an enabled interrupt with SIE off: the other hart's "up" IPI. */
	csr_write(sie, SIE_SSIE);
	r = SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, other_hart, (unsigned long)secondary_start, 0);
	if (!CHECK(r.error == 0, "HSM: hart %lu starts (%ld)", other_hart, r.error))
		return;
	/* Both its flag and its IPI: a late IPI would end the first round early. */
	while (!secondary_up || !(csr_read(sip) & SIP_SSIP))
		wfi();
	csr_clear(sip, SIP_SSIP);
	tap_ok(1, "hart %lu is up and waits for IPIs in WFI", other_hart);
	csr_write(stvec, (unsigned long)bench_ipi_count_vector);
	insns = ipi_rounds(other_hart, IPI_ROUNDS, &got);
	csr_write(stvec, stvec);
	stop_secondary();
	if (CHECK(got == IPI_ROUNDS, "%d IPI round trips, each answered (%lu)", IPI_ROUNDS, got))
		report("ipi_round_trip", (long)insns / IPI_ROUNDS);
}

/*
 * One exit of a kind at a global label, for bench/trace_sbi.py: gdb stops there and steps
 * through what Keel runs for it ("bench=trace-sbi", "trace-hvc", "trace-mmio", "trace-csw").
 * Each instruction runs twice (TRACE_LOOP) and gdb traces the second: warm, like the rows' loops.
 */
#define TRACE_LOOP(label, insn)                   \
	"li t0, 2\n"                              \
	"1:\n"                                    \
	".globl " label "\n" label ": " insn "\n" \
	"addi t0, t0, -1\n"                       \
	"bnez t0, 1b"

static unsigned long trace_ecall(unsigned long eid, unsigned long fid)
{
	register unsigned long a0 __asm__("a0") = 0, a1 __asm__("a1") = 0;
	register unsigned long a6 __asm__("a6") = fid, a7 __asm__("a7") = eid;

	if (eid == SBI_EXT_BASE)
		__asm__ volatile(TRACE_LOOP("bench_trace_sbi", "ecall")
				 : "+r"(a0), "+r"(a1)
				 : "r"(a6), "r"(a7)
				 : "t0", "memory");
	else
		__asm__ volatile(TRACE_LOOP("bench_trace_hvc", "ecall")
				 : "+r"(a0), "+r"(a1)
				 : "r"(a6), "r"(a7)
				 : "t0", "memory");
	return a1;
}

static unsigned long trace_mmio(void)
{
	register unsigned long a0 __asm__("a0"), a2 __asm__("a2") = UART_SCR_ADDR;

	__asm__ volatile(TRACE_LOOP("bench_trace_mmio", "lbu a0, 0(a2)") : "=r"(a0) : "r"(a2) : "t0", "memory");
	return a0;
}

static void trace_csw(void)
{
	register unsigned long a2 __asm__("a2") = PLIC_ENABLE_CTX0, a3 __asm__("a3") = 0;

	__asm__ volatile(TRACE_LOOP("bench_trace_csw", "c.sw a3, 4(a2)") : : "r"(a2), "r"(a3) : "t0", "memory");
}

static void trace_one(void)
{
	unsigned long v = 0;

	if (bootarg_is("bench", "trace-sbi"))
		v = trace_ecall(SBI_EXT_BASE, SBI_EXT_BASE_GET_SPEC_VERSION);
	else if (bootarg_is("bench", "trace-hvc"))
		v = trace_ecall(SBI_EXT_KEEL_HVC, KEEL_HVC_VERSION);
	else if (bootarg_is("bench", "trace-csw"))
		trace_csw();
	else
		v = trace_mmio();
	tap_ok(1, "traced one exit (value 0x%lx)", v);
}

void guest_main(unsigned long hartid)
{
	report("main_instret", (long)rdinstret());
	if (bootarg_is("bench", "trace-sbi") || bootarg_is("bench", "trace-hvc") || bootarg_is("bench", "trace-mmio") ||
	    bootarg_is("bench", "trace-csw")) {
		trace_one();
		return;
	}
	if (!check_counters())
		return;
	if (bootarg_is("bench", "ipi")) {
		bench_ipi(hartid);
		return;
	}
	bench_ecalls();
	bench_mmio();
	if (dtb_isa_has("sstc"))
		bench_timer("timer_stimecmp", 0);
	bench_timer("timer_sbi", 1);
}
