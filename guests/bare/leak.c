/*
 * State isolation on a shared hart (Keel only), two roles from bootargs:
 *   leak=poison  writes a recognisable value into every CSR a VS-mode guest can write (sscratch,
 *                stvec, sepc, scause, stval, sie, sip, sstatus, stimecmp, senvcfg, fcsr) and every
 *                FP register, then spins with interrupts off, its GPRs poisoned too, until it stops.
 *   leak=probe   on the same hart: once the poisoner has run, reads every CSR number it can and
 *                its FP registers and finds none of the poison (a fresh vCPU's values instead);
 *                then sets values of its own, lets the poisoner run again, and finds them intact.
 */
#include "guests/common/guest.h"
#include <libfdt.h>
#include <string.h>

#define TICKS_PER_MS 10000UL
#define POISON 0x5a5a5a5a5a5a5a58UL /* low bits clear: stvec and sepc keep it whole */
#define POISON_TIME 0x5a5a5a5a5a5a5a5aUL /* a stimecmp far in the future */
#define MINE 0x1234567887654320UL
#define MINE_TIME 0x7000000000000000UL
#define SENVCFG_FIOM BIT(0)
#define FCSR_POISON 0x3f /* every fflags bit, rounding mode 1 */
#define FCSR_MINE 0x45
#define CSR_COUNT 4096
#define OP_SYSTEM 0x73
#define FUNCT3_CSRRS 2
#define REG_A0 10
#define INSN_RET 0x00008067U
#define CSR_COUNTERS_FIRST 0xc00 /* cycle, time, instret, hpmcounters: they count, they hold no state */
#define CSR_COUNTERS_LAST 0xc9f
#define PHASE_MS 5
#define POISON_MS 40

static int sstc;

#define FP_WRITE_ALL(v)                                                                                          \
	__asm__ volatile(                                                                                        \
		".option push\n.option arch, +d\n"                                                               \
		".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n" \
		"fmv.d.x f\\n, %0\n.endr\n.option pop" ::"r"(v))

static void fp_read_all(unsigned long *out)
{
	__asm__ volatile(
		".option push\n.option arch, +d\n"
		".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
		"fsd f\\n, \\n*8(%0)\n.endr\n.option pop" ::"r"(out)
		: "memory");
}

static unsigned long fcsr_read(void)
{
	unsigned long v;

	__asm__ volatile(".option push\n.option arch, +d\nfrcsr %0\n.option pop" : "=r"(v));
	return v;
}

static void fcsr_write(unsigned long v)
{
	__asm__ volatile(".option push\n.option arch, +d\nfscsr %0\n.option pop" ::"r"(v));
}

static uint32_t code[4] __attribute__((aligned(16)));

/* Read CSR `csr` (any number); returns 0 and the value, or -1 when it is an illegal instruction. */
static int csr_read_any(unsigned csr, unsigned long *val)
{
	unsigned long traps = MY_TRAP->count;

	code[0] = (csr << 20) | (FUNCT3_CSRRS << 12) | (REG_A0 << 7) | OP_SYSTEM;
	code[1] = INSN_RET;
	__asm__ volatile("fence.i" ::: "memory");
	*val = ((unsigned long (*)(void))code)();
	return MY_TRAP->count != traps ? -1 : 0;
}

/* senvcfg, if this hart has it (an illegal instruction skipped otherwise). */
static int senvcfg_read(unsigned long *val)
{
	return csr_read_any(CSR_SENVCFG, val);
}

static void spin_ms(unsigned long ms)
{
	unsigned long end = read_time() + ms * TICKS_PER_MS;

	while (read_time() < end)
		;
}

static void poison(void)
{
	unsigned long end = read_time() + POISON_MS * TICKS_PER_MS, traps = MY_TRAP->count;

	csr_set(sstatus, SSTATUS_FS_INITIAL | SSTATUS_SUM | SSTATUS_MXR);
	FP_WRITE_ALL(POISON);
	fcsr_write(FCSR_POISON);
	__asm__ volatile("csrs %0, %1" ::"i"(CSR_SENVCFG), "r"(SENVCFG_FIOM)); /* skipped if it traps */
	if (sstc)
		csr_write(CSR_STIMECMP, POISON_TIME);
	csr_write(sscratch, POISON);
	csr_write(sepc, POISON);
	csr_write(scause, POISON);
	csr_write(stval, POISON);
	csr_write(sie, SIE_SSIE | SIE_STIE | SIE_SEIE);
	csr_set(sip, SIP_SSIP);
	gprintf("# poison: CSRs and FP registers poisoned (%s senvcfg)\n",
		MY_TRAP->count == traps ? "with" : "without");
	/* stvec last (no trap may come after it), then spin with every free GPR poisoned. */
	csr_write(stvec, POISON);
	__asm__ volatile("mv t0, %1\n mv t1, %1\n mv t2, %1\n mv a1, %1\n mv a2, %1\n mv a3, %1\n mv a4, %1\n"
			 "mv a5, %1\n mv a6, %1\n mv a7, %1\n mv t3, %1\n mv t4, %1\n mv t5, %1\n mv t6, %1\n"
			 "1: csrr t0, time\n mv t0, %1\n csrr t1, time\n bltu t1, %0, 1b" ::"r"(end),
			 "r"(POISON)
			 : "t0", "t1", "t2", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "t3", "t4", "t5", "t6");
	guest_shutdown();
}

static void probe(void)
{
	unsigned long fp[32], v, leaks = 0, reads = 0, first = 0;
	int bad_fp = 0;

	spin_ms(PHASE_MS); /* the poisoner runs meanwhile: it shares this hart */
	for (unsigned csr = 0; csr < CSR_COUNT; csr++) {
		if ((csr >= CSR_COUNTERS_FIRST && csr <= CSR_COUNTERS_LAST) || csr_read_any(csr, &v))
			continue;
		reads++;
		if (v == POISON || v == POISON_TIME) {
			if (!leaks++)
				first = csr;
		}
	}
	tap_ok(reads > 10 && !leaks, "leak: %lu CSRs read after the poisoner ran, %lu hold its values (first 0x%lx)",
	       reads, leaks, first);
	tap_ok(!(csr_read(sie) & (SIE_SSIE | SIE_STIE | SIE_SEIE)) && !(csr_read(sip) & SIP_SSIP),
	       "leak: sie 0x%lx and sip 0x%lx are this VM's own", csr_read(sie), csr_read(sip));
	tap_ok(!(csr_read(sstatus) & (SSTATUS_SUM | SSTATUS_MXR | SSTATUS_FS)), "leak: sstatus 0x%lx is fresh",
	       csr_read(sstatus));
	tap_ok(senvcfg_read(&v) || !(v & SENVCFG_FIOM), "leak: senvcfg 0x%lx is fresh", v);
	tap_ok(!sstc || csr_read(CSR_STIMECMP) == -1UL, "leak: stimecmp is this VM's own (%s)",
	       sstc ? "Sstc" : "no Sstc");
	csr_set(sstatus, SSTATUS_FS_INITIAL);
	fp_read_all(fp);
	for (int i = 0; i < 32; i++)
		bad_fp += fp[i] != 0;
	tap_ok(!bad_fp && fcsr_read() == 0, "leak: FP registers and fcsr are fresh (%d poisoned, fcsr 0x%lx)", bad_fp,
	       fcsr_read());

	/* Our own values survive the poisoner running in between. */
	FP_WRITE_ALL(MINE);
	fcsr_write(FCSR_MINE);
	csr_write(sscratch, MINE);
	csr_write(sepc, MINE);
	csr_write(scause, MINE);
	csr_write(stval, MINE);
	if (sstc)
		csr_write(CSR_STIMECMP, MINE_TIME);
	csr_set(sstatus, SSTATUS_SUM);
	spin_ms(PHASE_MS);
	fp_read_all(fp);
	bad_fp = 0;
	for (int i = 0; i < 32; i++)
		bad_fp += fp[i] != MINE;
	tap_ok(!bad_fp && fcsr_read() == FCSR_MINE, "leak: FP registers and fcsr kept across switches (%d changed)",
	       bad_fp);
	tap_ok(csr_read(sscratch) == MINE && csr_read(sepc) == MINE && csr_read(scause) == MINE &&
		       csr_read(stval) == MINE,
	       "leak: sscratch, sepc, scause, stval kept across switches");
	tap_ok(!sstc || csr_read(CSR_STIMECMP) == MINE_TIME, "leak: stimecmp kept across switches");
	tap_ok((csr_read(sstatus) & (SSTATUS_SUM | SSTATUS_MXR)) == SSTATUS_SUM, "leak: sstatus 0x%lx kept",
	       csr_read(sstatus));
	csr_clear(sstatus, SSTATUS_SUM);
}

void guest_main(unsigned long hartid)
{
	int chosen = fdt_path_offset(guest_dtb, "/chosen");
	const char *args = chosen < 0 ? NULL : fdt_getprop(guest_dtb, chosen, "bootargs", NULL);

	(void)hartid;
	sstc = dtb_isa_has("sstc");
	for (const char *p = args; p && *p; p++)
		if (!strncmp(p, "leak=poison", 11))
			poison();
	probe();
	tap_done();
}
