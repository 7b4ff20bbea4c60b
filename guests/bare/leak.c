/*
 * State isolation on a shared hart (Keel only), two roles from bootargs:
 *   leak=poison  writes a recognisable value into every CSR a VS-mode guest can write (sscratch,
 *                stvec, sepc, scause, stval, sie, sip, sstatus, stimecmp, senvcfg, fcsr) and every
 *                FP register, and where it has V every vector register and vector CSR, then spins
 *                with interrupts off, its GPRs poisoned too and its vector registers written again
 *                and again, until it stops.
 *   leak=probe   on the same hart: once the poisoner has run, reads every CSR number it can, its
 *                FP and vector registers and finds none of the poison (a fresh vCPU's values
 *                instead); then sets values of its own, lets the poisoner run again, and finds
 *                them intact.
 *   leak=poison-reboot  boot 1 fills the vector unit with poison and asks for an SRST reboot;
 *                boot 2 finds a fresh vector unit, not its poison, and stops.
 *   leak=probe-fresh wait=MS  on the same hart: after MS ms (the poisoner's reboot done) finds a
 *                fresh vector unit, not what the poisoner left before its reset.
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
#define POISON_MS 400 /* outlives the probe's both phases: its second finds the poisoner still at work */
#define VCSR_POISON 7 /* vxrm 3, vxsat set */
#define VCSR_MINE 2 /* vxrm 1 */
#define VSTART_POISON 5
#define VSTART_MINE 1
#define VL_MINE 3 /* an AVL below VLMAX of e32, m1 at any VLEN >= 128 */
#define VTYPE_E32_M1 0x10 /* vsew = 2 (e32), vlmul = 0 (m1), tu, mu (V 1.0, 3.4) */
#define VLENB_MAX 128

static int sstc, vec;
static uint8_t vregs[32 * VLENB_MAX] __attribute__((aligned(16)));

#define V_ASM(s) ".option push\n.option arch, +v\n" s "\n.option pop"

/* Every vector register (as 64-bit elements) set to val; vl and vtype are then VLMAX and e64, m8. */
static void v_write_all(unsigned long val)
{
	__asm__ volatile(V_ASM("vsetvli t0, zero, e64, m8, ta, ma\n vmv.v.x v0, %0\n vmv.v.x v8, %0\n"
			       "vmv.v.x v16, %0\n vmv.v.x v24, %0")::"r"(val)
			 : "t0");
}

/* v0-v31 into vregs, whatever vtype and vl are (whole-register stores), from vstart 0. */
static void v_read_all(void)
{
	unsigned long group;

	__asm__ volatile(V_ASM("csrw vstart, zero\n csrr %0, vlenb\n slli %0, %0, 3\n mv t0, %1\n vs8r.v v0, (t0)\n"
			       "add t0, t0, %0\n vs8r.v v8, (t0)\n add t0, t0, %0\n vs8r.v v16, (t0)\n"
			       "add t0, t0, %0\n vs8r.v v24, (t0)")
			 : "=&r"(group)
			 : "r"(vregs)
			 : "t0", "memory");
}

static unsigned long vlenb(void)
{
	unsigned long v;

	__asm__ volatile(V_ASM("csrr %0, vlenb") : "=r"(v));
	return v;
}

/* How many 64-bit words of v0-v31 are not `want`. */
static int v_count_not(unsigned long want)
{
	int bad = 0;

	v_read_all();
	for (unsigned long i = 0; i < 32 * vlenb() / 8; i++)
		bad += ((unsigned long *)vregs)[i] != want;
	return bad;
}

struct vcsrs {
	unsigned long vstart, vcsr, vl, vtype;
};

static struct vcsrs v_csrs(void)
{
	struct vcsrs c;

	__asm__ volatile(V_ASM("csrr %0, vstart\n csrr %1, vcsr\n csrr %2, vl\n csrr %3, vtype")
			 : "=r"(c.vstart), "=r"(c.vcsr), "=r"(c.vl), "=r"(c.vtype));
	return c;
}

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
	if (vec) {
		csr_set(sstatus, SSTATUS_VS_INITIAL);
		v_write_all(POISON);
		__asm__ volatile(V_ASM("csrw vcsr, %0\n vsetvli zero, zero, e16, m4, ta, ma\n csrw vstart, %1")::"r"(
					 VCSR_POISON),
				 "r"(VSTART_POISON));
	}
	gprintf("# poison: CSRs and FP registers poisoned (%s senvcfg; %s)\n",
		MY_TRAP->count == traps ? "with" : "without",
		vec ? "vector registers and CSRs too, rewritten while it spins" : "no vector unit");
	/* stvec last (no trap may come after it), then spin with every free GPR poisoned. */
	csr_write(stvec, POISON);
	if (vec) /* each switch away finds its vector state dirty: v8-v15 and vstart rewritten */
		__asm__ volatile(
			V_ASM("mv t0, %1\n mv t1, %1\n mv t2, %1\n mv a1, %1\n mv a2, %1\n mv a3, %1\n"
			      "mv a4, %1\n mv a5, %1\n mv a6, %1\n mv a7, %1\n mv t3, %1\n mv t4, %1\n"
			      "mv t5, %1\n mv t6, %1\n li t3, %2\n"
			      "1: vmv.v.x v8, %1\n csrw vstart, t3\n csrr t1, time\n bltu t1, %0, 1b")::"r"(end),
			"r"(POISON), "i"(VSTART_POISON)
			: "t0", "t1", "t2", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "t3", "t4", "t5", "t6");
	else
		__asm__ volatile("mv t0, %1\n mv t1, %1\n mv t2, %1\n mv a1, %1\n mv a2, %1\n mv a3, %1\n mv a4, %1\n"
				 "mv a5, %1\n mv a6, %1\n mv a7, %1\n mv t3, %1\n mv t4, %1\n mv t5, %1\n mv t6, %1\n"
				 "1: csrr t0, time\n mv t0, %1\n csrr t1, time\n bltu t1, %0, 1b" ::"r"(end),
				 "r"(POISON)
				 : "t0", "t1", "t2", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "t3", "t4", "t5", "t6");
	guest_shutdown();
}

static void check_fresh_vector(void);

static void poison_reboot(void)
{
	struct sbiret r = SBI0(SBI_EXT_KEEL_HVC, KEEL_HVC_BOOT_COUNT);

	if (r.value == 1 && vec) {
		csr_set(sstatus, SSTATUS_VS_INITIAL);
		v_write_all(POISON);
		__asm__ volatile(V_ASM("csrw vcsr, %0")::"r"(VCSR_POISON));
		gprintf("# poison-reboot: vector registers poisoned, rebooting\n");
		SBI2(SBI_EXT_SRST, SBI_EXT_SRST_RESET, SBI_SRST_RESET_TYPE_COLD_REBOOT, SBI_SRST_RESET_REASON_NONE);
	}
	gprintf("# poison-reboot: boot %ld, stopping\n", r.value);
	if (vec) /* reset gave it a fresh vector unit, not its own poison back */
		check_fresh_vector();
	tap_done();
}

/* The vector unit as a fresh hart has it: the CSRs after reset and every register zero. */
static void check_fresh_vector(void)
{
	struct vcsrs c;
	int bad;

	csr_set(sstatus, SSTATUS_VS_INITIAL);
	c = v_csrs();
	tap_ok(c.vstart == 0 && c.vcsr == 0 && c.vl == 0 && c.vtype == VTYPE_VILL,
	       "leak: vector CSRs are a fresh hart's (vstart %lu, vcsr 0x%lx, vl %lu, vtype 0x%lx)", c.vstart, c.vcsr,
	       c.vl, c.vtype);
	bad = v_count_not(0);
	tap_ok(!bad, "leak: vector registers are fresh (%d of %lu words not zero, VLEN %lu)", bad, 32 * vlenb() / 8,
	       vlenb() * 8);
}

static void probe_fresh(void)
{
	spin_ms((unsigned long)bootarg_num("wait", 100));
	tap_ok(vec, "leak: the hart has V (ISA %s)", dtb_isa());
	if (vec)
		check_fresh_vector();
}

static void probe(void)
{
	unsigned long fp[32], v, leaks = 0, reads = 0, first = 0;
	int bad_fp = 0, bad;
	struct vcsrs mine = { VSTART_MINE, VCSR_MINE, VL_MINE, VTYPE_E32_M1 };

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
	tap_ok(!(csr_read(sstatus) & (SSTATUS_SUM | SSTATUS_MXR | SSTATUS_FS | SSTATUS_VS)),
	       "leak: sstatus 0x%lx is fresh", csr_read(sstatus));
	tap_ok(senvcfg_read(&v) || !(v & SENVCFG_FIOM), "leak: senvcfg 0x%lx is fresh", v);
	tap_ok(!sstc || csr_read(CSR_STIMECMP) == -1UL, "leak: stimecmp is this VM's own (%s)",
	       sstc ? "Sstc" : "no Sstc");
	csr_set(sstatus, SSTATUS_FS_INITIAL);
	fp_read_all(fp);
	for (int i = 0; i < 32; i++)
		bad_fp += fp[i] != 0;
	tap_ok(!bad_fp && fcsr_read() == 0, "leak: FP registers and fcsr are fresh (%d poisoned, fcsr 0x%lx)", bad_fp,
	       fcsr_read());
	if (vec)
		check_fresh_vector();

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
	if (vec) {
		unsigned long vl;

		v_write_all(MINE);
		__asm__ volatile(V_ASM("csrw vcsr, %1\n vsetvl %0, %2, %3\n csrw vstart, %4")
				 : "=&r"(vl)
				 : "r"(mine.vcsr), "r"(mine.vl), "r"(mine.vtype), "r"(mine.vstart));
		(void)vl;
	}
	spin_ms(PHASE_MS);
	if (vec) {
		struct vcsrs c = v_csrs();

		tap_ok(c.vstart == mine.vstart && c.vcsr == mine.vcsr && c.vl == mine.vl && c.vtype == mine.vtype,
		       "leak: vector CSRs kept across switches (vstart %lu, vcsr 0x%lx, vl %lu, vtype 0x%lx)", c.vstart,
		       c.vcsr, c.vl, c.vtype);
		bad = v_count_not(MINE);
		tap_ok(!bad, "leak: vector registers kept across switches (%d of %lu words changed)", bad,
		       32 * vlenb() / 8);
	}
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
	vec = dtb_isa_has("v");
	if (vec) { /* vregs holds VLEN 1024 at most */
		csr_set(sstatus, SSTATUS_VS_INITIAL);
		vec = vlenb() <= VLENB_MAX;
		csr_clear(sstatus, SSTATUS_VS);
	}
	if (bootarg_is("leak", "poison-reboot"))
		poison_reboot();
	if (bootarg_is("leak", "probe-fresh")) {
		probe_fresh();
		tap_done();
	}
	for (const char *p = args; p && *p; p++)
		if (!strncmp(p, "leak=poison", 11))
			poison();
	probe();
	tap_done();
}
