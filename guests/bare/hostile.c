/*
 * A hostile guest (Keel only), seeded and reproducible: bootargs "keel hostile=MODE seed=N".
 *   sbi   thousands of random SBI calls with random arguments (bad buffers, wrapping addresses)
 *   mmio  random loads/stores of every width to every device window and to holes
 *   storm timers set in the past in a loop, IPI floods
 *   priv  every CSR number read, every H/M-level CSR written, hypervisor instructions, satp modes
 *   satp  a page-table root outside RAM: the VM can no longer run and Keel must stop it
 *   spin  never yields: interrupts off, no ecall, an endless loop
 * Every attempt must end as a guest exception or an SBI error; the guest then reports the
 * totals and powers off. Keel must still be running (and other VMs unaffected).
 */
#include "guests/common/guest.h"
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#define SBI_CALLS 4000
#define MMIO_ACCESSES 4000
#define STORM_ROUNDS 2000
#define CSR_COUNT 4096
#define CSR_PRIV_SHIFT 8
#define CSR_PRIV_MASK 3
#define CSR_PRIV_HS 2 /* bits 9:8 = 10: hypervisor level, 11: machine level */

#define OP_SYSTEM 0x73
#define FUNCT3_CSRRS 2
#define FUNCT3_CSRRW 1
#define REG_A0 10
#define INSN_RET 0x00008067U
#define SATP_MODE_SHIFT 60
#define SATP_MODE_SV39 8UL

static uint64_t rng;

static uint64_t rand64(void)
{
	/* xorshift64*: small, deterministic for a given seed */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dUL;
}

static int sbi_error_ok(long e)
{
	return e <= SBI_SUCCESS && e >= SBI_ERR_ALREADY_STOPPED;
}

/* ---- random SBI calls ---- */

static const unsigned long eids[] = {
	SBI_EXT_BASE,
	SBI_EXT_TIME,
	SBI_EXT_IPI,
	SBI_EXT_RFENCE,
	SBI_EXT_HSM,
	SBI_EXT_SRST,
	SBI_EXT_DBCN,
	SBI_EXT_KEEL_HVC,
	SBI_EXT_0_1_SET_TIMER,
	SBI_EXT_0_1_CONSOLE_GETCHAR,
	SBI_EXT_0_1_CLEAR_IPI,
	SBI_EXT_0_1_SEND_IPI,
	SBI_EXT_0_1_REMOTE_FENCE_I,
	SBI_EXT_0_1_REMOTE_SFENCE_VMA,
	SBI_EXT_0_1_REMOTE_SFENCE_VMA_ASID,
	0x9,
	0xf,
	0x4b45454c,
	0x08000000,
	0xffffffff,
};

/* Arguments a hostile guest would pick: edges, addresses outside RAM, wrapping ranges. */
static unsigned long nasty(void)
{
	static const unsigned long edges[] = {
		0,
		1,
		-1UL,
		0x7fffffffffffffffUL,
		0x8000000000000000UL,
		0x1000,
		0x80000000UL,
		0x80200000UL,
		0x7ffffff0UL,
		-4096UL,
		0x100000000UL,
		0x10000000UL,
		0xc000000UL,
	};
	uint64_t r = rand64();

	return r % 3 ? edges[r % (sizeof(edges) / sizeof(edges[0]))] + (r >> 60) : rand64();
}

/* Calls that legitimately end or park this VM are not "hostile", they are its own choice. */
static int would_stop_us(unsigned long eid, unsigned long fid, const unsigned long *a)
{
	if (eid == SBI_EXT_SRST && fid == SBI_EXT_SRST_RESET && (uint32_t)a[0] <= SBI_SRST_RESET_TYPE_WARM_REBOOT &&
	    ((uint32_t)a[1] <= SBI_SRST_RESET_REASON_SYSFAIL || (uint32_t)a[1] >= SBI_SRST_RESET_REASON_SBI_FIRST))
		return 1;
	if (eid == SBI_EXT_HSM && (fid == SBI_EXT_HSM_HART_STOP || fid == SBI_EXT_HSM_HART_SUSPEND))
		return 1;
	/* DBCN writes of real memory would fill the console with noise; reads eat typed input. */
	if (eid == SBI_EXT_DBCN && fid <= SBI_EXT_DBCN_CONSOLE_READ && a[1] >= 0x80000000UL && a[1] < 0x90000000UL)
		return 1;
	if (eid == SBI_EXT_DBCN && fid == SBI_EXT_DBCN_CONSOLE_WRITE_BYTE)
		return 1;
	return 0;
}

static void hostile_sbi(void)
{
	unsigned long calls = 0, refused = 0, bad = 0;

	for (int i = 0; i < SBI_CALLS; i++) {
		unsigned long a[6], eid = rand64() % 2 ? eids[rand64() % (sizeof(eids) / sizeof(eids[0]))] : rand64();
		unsigned long fid = rand64() % 4 ? rand64() % 8 : rand64();

		for (int k = 0; k < 6; k++)
			a[k] = nasty();
		if (would_stop_us(eid, fid, a))
			continue;
		struct sbiret r = sbi_call(eid, fid, a[0], a[1], a[2], a[3], a[4], a[5]);

		calls++;
		refused += r.error != 0;
		/* Legacy calls return a value, not an error, in a0 (getchar: a byte or -1). */
		if (eid > SBI_EXT_0_1_SHUTDOWN && !sbi_error_ok(r.error))
			bad++;
	}
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, -1UL);
	csr_clear(sip, SIP_SSIP);
	tap_ok(calls > SBI_CALLS / 2, "hostile sbi: %lu random calls made (%lu refused with an SBI error)", calls,
	       refused);
	tap_ok(bad == 0, "hostile sbi: every error is one the SBI spec defines (%lu were not)", bad);
	tap_ok(SBI0(SBI_EXT_KEEL_HVC, KEEL_HVC_VERSION).error == 0, "hostile sbi: Keel still answers");
}

/* ---- random MMIO ---- */

static unsigned long traps_before;

static int access(uintptr_t addr, unsigned width, int store)
{
	unsigned long v = rand64();

	traps_before = MY_TRAP->count;
	switch (width * 2 + store) {
	case 2:
		__asm__ volatile("lbu %0, 0(%1)" : "=r"(v) : "r"(addr) : "memory");
		break;
	case 3:
		__asm__ volatile("sb %0, 0(%1)" ::"r"(v), "r"(addr) : "memory");
		break;
	case 4:
		__asm__ volatile("lh %0, 0(%1)" : "=r"(v) : "r"(addr) : "memory");
		break;
	case 5:
		__asm__ volatile("sh %0, 0(%1)" ::"r"(v), "r"(addr) : "memory");
		break;
	case 8:
		__asm__ volatile("lw %0, 0(%1)" : "=r"(v) : "r"(addr) : "memory");
		break;
	case 9:
		__asm__ volatile("sw %0, 0(%1)" ::"r"(v), "r"(addr) : "memory");
		break;
	case 16:
		__asm__ volatile("ld %0, 0(%1)" : "=r"(v) : "r"(addr) : "memory");
		break;
	default:
		__asm__ volatile("sd %0, 0(%1)" ::"r"(v), "r"(addr) : "memory");
		break;
	}
	return MY_TRAP->count != traps_before;
}

static void hostile_mmio(void)
{
	static const struct {
		uintptr_t base, size;
		int writable;
	} windows[] = {
		{ 0x10000000, 0x100, 0 }, /* UART: reads only, writes would print noise */
		{ 0x10000001, 0x7, 1 }, /* UART registers 1-7 (not THR) */
		{ 0xc000000, 0x600000, 1 }, /* PLIC */
		{ 0x100004, 0xffc, 1 }, /* syscon beyond the finisher register */
		{ 0x100000, 0x4, 0 }, /* the finisher itself: reads */
		{ 0x0, 0x100000, 1 }, /* holes */
		{ 0x2000000, 0x10000, 1 }, /* the host CLINT */
		{ 0x10001000, 0x8000, 1 }, /* virtio-mmio: nothing emulated */
		{ 0x40000000, 0x1000000, 1 },
	};
	unsigned long n = 0, faults = 0, bad = 0;

	for (int i = 0; i < MMIO_ACCESSES; i++) {
		unsigned w = rand64() % (sizeof(windows) / sizeof(windows[0]));
		unsigned width = 1U << (rand64() % 4);
		uintptr_t addr = windows[w].base + rand64() % windows[w].size;
		int store = windows[w].writable && rand64() % 2;

		if (access(addr, width, store)) {
			unsigned long c = MY_TRAP->cause;

			faults++;
			bad += c != EXC_LOAD_ACCESS && c != EXC_STORE_ACCESS && c != EXC_LOAD_MISALIGNED &&
			       c != EXC_STORE_MISALIGNED;
		}
		n++;
	}
	tap_ok(n == MMIO_ACCESSES, "hostile mmio: %lu random device and hole accesses (%lu faulted)", n, faults);
	tap_ok(bad == 0, "hostile mmio: every refusal was an access or misaligned fault (%lu were not)", bad);
	tap_ok(SBI0(SBI_EXT_KEEL_HVC, KEEL_HVC_VERSION).error == 0, "hostile mmio: Keel still answers");
}

/* ---- interrupt storms ---- */

static volatile unsigned long storm_irqs;

static void on_storm_irq(unsigned long irq)
{
	storm_irqs++;
	if (irq == IRQ_S_TIMER)
		SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, -1UL);
	else
		csr_clear(sip, SIP_SSIP);
}

static void hostile_storm(unsigned long hartid)
{
	irq_hook = on_storm_irq;
	csr_set(sie, SIE_STIE | SIE_SSIE);
	csr_set(sstatus, SSTATUS_SIE);
	for (int i = 0; i < STORM_ROUNDS; i++) {
		SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, 0); /* in the past: fires at once */
		SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 1UL << hartid, 0);
		SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 0, -1UL);
	}
	for (int i = 0; i < 1000; i++)
		__asm__ volatile("nop");
	csr_clear(sstatus, SSTATUS_SIE);
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, -1UL);
	tap_ok(storm_irqs >= STORM_ROUNDS,
	       "hostile storm: %d rounds of past timers and IPI floods, %lu interrupts taken", STORM_ROUNDS,
	       storm_irqs);
	tap_ok(SBI0(SBI_EXT_KEEL_HVC, KEEL_HVC_VERSION).error == 0, "hostile storm: Keel still answers");
}

/* ---- privileged instructions and CSRs ---- */

static uint32_t code[4] __attribute__((aligned(16)));

/* Run one instruction from a buffer (followed by ret); returns nonzero if it trapped. */
static int run_insn(uint32_t insn, unsigned long *cause)
{
	code[0] = insn;
	code[1] = INSN_RET;
	__asm__ volatile("fence.i" ::: "memory");
	traps_before = MY_TRAP->count;
	((void (*)(void))code)();
	*cause = MY_TRAP->cause;
	return MY_TRAP->count != traps_before;
}

static uint32_t csr_insn(unsigned csr, unsigned funct3, unsigned rs1)
{
	return (csr << 20) | (rs1 << 15) | (funct3 << 12) | (REG_A0 << 7) | OP_SYSTEM;
}

static void hostile_priv(void)
{
	unsigned long cause, reads = 0, read_traps = 0, writes = 0, bad = 0;
	/* The hypervisor instructions: hfence.vvma/gvma, hlv.*, hlvx.*, hsv.* with a0 as address. */
	static const uint32_t hinsns[] = {
		0x22000073,
		0x62000073,
		0x60054573,
		0x60154573,
		0x64054573,
		0x64154573,
		0x68054573,
		0x68154573,
		0x6c054573,
		0x64354573,
		0x68354573,
		0x62a54073,
		0x66a54073,
		0x6aa54073,
		0x6ea54073,
		0x30200073 /* mret */,
		0x7b200073 /* dret */,
	};

	/* Every CSR number, read. */
	for (unsigned csr = 0; csr < CSR_COUNT; csr++) {
		reads++;
		if (run_insn(csr_insn(csr, FUNCT3_CSRRS, 0), &cause)) {
			read_traps++;
			bad += cause != EXC_ILLEGAL_INST;
		}
	}
	tap_ok(bad == 0, "hostile priv: %lu CSR reads, %lu refused, all as illegal instructions", reads, read_traps);

	/* Every hypervisor- and machine-level CSR, written with garbage. */
	bad = 0;
	for (unsigned csr = 0; csr < CSR_COUNT; csr++) {
		if (((csr >> CSR_PRIV_SHIFT) & CSR_PRIV_MASK) < CSR_PRIV_HS)
			continue;
		writes++;
		__asm__ volatile("li a0, -1" ::: "a0");
		if (!run_insn(csr_insn(csr, FUNCT3_CSRRW, REG_A0), &cause) || cause != EXC_ILLEGAL_INST)
			bad++;
	}
	tap_ok(bad == 0, "hostile priv: %lu writes to H- and M-level CSRs, every one an illegal instruction", writes);

	bad = 0;
	for (unsigned i = 0; i < sizeof(hinsns) / sizeof(hinsns[0]); i++) {
		__asm__ volatile("li a0, 0x80000000" ::: "a0");
		if (!run_insn(hinsns[i], &cause) || cause != EXC_ILLEGAL_INST)
			bad++;
	}
	tap_ok(bad == 0, "hostile priv: hfence, hlv, hlvx, hsv, mret and dret are illegal instructions (%lu not)", bad);

	/* satp with reserved modes: WARL, the write is dropped and translation stays off. */
	bad = 0;
	for (unsigned long mode = 1; mode < 8; mode++) {
		csr_write(satp, (mode << SATP_MODE_SHIFT) | 0x12345);
		bad += csr_read(satp) != 0;
	}
	csr_write(satp, 0);
	tap_ok(bad == 0, "hostile priv: satp writes with reserved modes are ignored");

	/* wfi loops with a timer that keeps firing. */
	unsigned long start = read_time();

	csr_set(sie, SIE_STIE);
	for (int i = 0; i < 200; i++) {
		SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, 0);
		__asm__ volatile("wfi");
	}
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, -1UL);
	csr_clear(sie, SIE_STIE);
	tap_ok(read_time() - start < 100000000UL, "hostile priv: 200 wfi with a pending timer all returned");
	tap_ok(SBI0(SBI_EXT_KEEL_HVC, KEEL_HVC_VERSION).error == 0, "hostile priv: Keel still answers");
}

/* satp pointing at a root outside RAM: the guest cannot even fetch its trap handler any more. */
static void hostile_satp(void)
{
	tap_diag("satp: root outside RAM; this VM should be stopped by Keel now");
	tap_plan();
	csr_write(satp, (SATP_MODE_SV39 << SATP_MODE_SHIFT) | (0x1000000000UL >> PAGE_SHIFT));
	__asm__ volatile("sfence.vma" ::: "memory");
	for (;;)
		__asm__ volatile("nop");
}

static void hostile_spin(void)
{
	tap_diag("spin: interrupts off, looping forever without a trap");
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, 0);
	for (;;)
		__asm__ volatile("nop");
}

void guest_main(unsigned long hartid)
{
	char mode_buf[32], seed_buf[32];
	const char *mode = bootarg("hostile", mode_buf, sizeof(mode_buf)),
		   *seed = bootarg("seed", seed_buf, sizeof(seed_buf));

	rng = 0x9e3779b97f4a7c15UL ^ (seed ? strtoul(seed, NULL, 0) : 1);
	tap_diag("hostile mode %s, seed %s", mode ? mode : "(none)", seed ? seed : "1");
	if (!mode || !strcmp(mode, "sbi"))
		hostile_sbi();
	if (!mode || !strcmp(mode, "mmio"))
		hostile_mmio();
	if (!mode || !strcmp(mode, "storm"))
		hostile_storm(hartid);
	if (!mode || !strcmp(mode, "priv"))
		hostile_priv();
	if (mode && !strcmp(mode, "satp"))
		hostile_satp();
	if (mode && !strcmp(mode, "spin"))
		hostile_spin();
}
