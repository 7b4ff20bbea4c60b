/*
 * Device test guest: the 16550 UART (interrupt-driven transmit and receive), the PLIC
 * (priority, threshold, enables, claim order, completion), every load/store width against
 * emulated registers, accesses Keel refuses, and the sifive,test power-off. The UART and
 * PLIC checks also run natively on QEMU's real devices, with the goldfish RTC (passed through
 * under Keel) as a second interrupt source.
 */
#include "guests/common/goldfish_rtc.h"
#include "guests/common/guest.h"
#include <libfdt.h>
#include <string.h>

#define UART_BASE 0x10000000UL
#define UART_IRQ 10
#define RTC_BASE 0x101000UL
#define RTC_IRQ 11
#define SYSCON_BASE 0x100000UL
#define HOLE_ADDR 0x10008000UL /* virtio-mmio window: nothing emulated there under Keel */

/* 16550 registers */
#define UART_THR 0
#define UART_RBR 0
#define UART_IER 1
#define UART_IIR 2
#define UART_LSR 5
#define UART_SCR 7
#define UART_IER_ERBFI 0x01
#define UART_IER_ETBEI 0x02
#define UART_LSR_DR 0x01
#define UART_IIR_NO_INT 0x01

/* PLIC registers */
#define PLIC_PRIORITY(id) (4UL * (id))
#define PLIC_PENDING 0x1000UL
#define PLIC_ENABLE(ctx) (0x2000UL + 0x80UL * (ctx))
#define PLIC_THRESHOLD(ctx) (0x200000UL + 0x1000UL * (ctx))
#define PLIC_CLAIM(ctx) (PLIC_THRESHOLD(ctx) + 4)
#define PLIC_PRIORITY_MAX 7 /* QEMU virt's PLIC: 3 priority bits */

#define RX_EXPECTED "keel-rx-test"
#define SYSCON_POWEROFF 0x5555
#define SPIN 50000000UL

static uintptr_t plic;
static unsigned ctx;

static volatile uint8_t *uart(unsigned reg)
{
	return (volatile uint8_t *)(UART_BASE + reg);
}
static volatile uint32_t *rtc(unsigned reg)
{
	return (volatile uint32_t *)(RTC_BASE + reg);
}
static volatile uint32_t *plic_reg(uintptr_t off)
{
	return (volatile uint32_t *)(plic + off);
}

/* The PLIC base and the context of this hart's S-mode from the device tree. */
static int find_plic(unsigned long hartid)
{
	int node = fdt_node_offset_by_compatible(guest_dtb, -1, "riscv,plic0"), len;
	const fdt32_t *ext, *reg;

	if (node < 0)
		node = fdt_node_offset_by_compatible(guest_dtb, -1, "sifive,plic-1.0.0");
	reg = node < 0 ? NULL : fdt_getprop(guest_dtb, node, "reg", &len);
	ext = node < 0 ? NULL : fdt_getprop(guest_dtb, node, "interrupts-extended", &len);
	if (!reg || !ext)
		return -1;
	plic = (uintptr_t)(((uint64_t)fdt32_to_cpu(reg[0]) << 32) | fdt32_to_cpu(reg[1]));
	for (int i = 0; (i + 1) * 8 <= len; i++) {
		int intc = fdt_node_offset_by_phandle(guest_dtb, fdt32_to_cpu(ext[2 * i]));
		const fdt32_t *hart =
			intc < 0 ? NULL : fdt_getprop(guest_dtb, fdt_parent_offset(guest_dtb, intc), "reg", NULL);

		if (hart && fdt32_to_cpu(*hart) == hartid && fdt32_to_cpu(ext[2 * i + 1]) == IRQ_S_EXT) {
			ctx = (unsigned)i;
			return 0;
		}
	}
	return -1;
}

static void enable_source(unsigned id, int on)
{
	volatile uint32_t *w = plic_reg(PLIC_ENABLE(ctx) + 4 * (id / 32));

	*w = on ? (*w | (1U << (id % 32))) : (*w & ~(1U << (id % 32)));
}

/* ---- interrupt-driven UART ---- */

static const char tx_msg[] = "uart: interrupt-driven transmit ok\n";
static volatile unsigned tx_pos, tx_irqs, rx_irqs, rx_len, other_irqs;
static char rx_buf[64];

static void on_external(void)
{
	unsigned id;

	while ((id = *plic_reg(PLIC_CLAIM(ctx))) != 0) {
		if (id == UART_IRQ) {
			uint8_t iir = *uart(UART_IIR);

			(void)iir;
			while (*uart(UART_LSR) & UART_LSR_DR) {
				char c = (char)*uart(UART_RBR);

				if (rx_len < sizeof(rx_buf) - 1)
					rx_buf[rx_len++] = c;
				rx_irqs++;
			}
			if ((*uart(UART_IER) & UART_IER_ETBEI) && tx_pos < sizeof(tx_msg) - 1) {
				*uart(UART_THR) = (uint8_t)tx_msg[tx_pos++];
				tx_irqs++;
				if (tx_pos == sizeof(tx_msg) - 1)
					*uart(UART_IER) &= (uint8_t)~UART_IER_ETBEI;
			}
		} else {
			other_irqs++;
		}
		*plic_reg(PLIC_CLAIM(ctx)) = id;
	}
}

static void on_irq(unsigned long irq)
{
	if (irq == IRQ_S_EXT)
		on_external();
}

static void test_uart_irqs(void)
{
	unsigned long i;

	*plic_reg(PLIC_PRIORITY(UART_IRQ)) = 1;
	*plic_reg(PLIC_THRESHOLD(ctx)) = 0;
	enable_source(UART_IRQ, 1);
	irq_hook = on_irq;
	csr_set(sie, SIE_SEIE);
	csr_set(sstatus, SSTATUS_SIE);
	*uart(UART_IER) = UART_IER_ETBEI;
	for (i = 0; i < SPIN && tx_pos < sizeof(tx_msg) - 1; i++)
		__asm__ volatile("wfi");
	tap_ok(tx_pos == sizeof(tx_msg) - 1 && tx_irqs == tx_pos,
	       "uart: %u transmit-empty interrupts sent the whole line", tx_irqs);

	*uart(UART_IER) = UART_IER_ERBFI;
	gprintf("uart: type a line\n");
	for (i = 0; i < SPIN && !memchr(rx_buf, '\n', rx_len); i++)
		__asm__ volatile("wfi");
	rx_buf[rx_len] = '\0';
	if (rx_len && rx_buf[rx_len - 1] == '\n')
		rx_buf[--rx_len] = '\0';
	tap_ok(!strcmp(rx_buf, RX_EXPECTED), "uart: receive interrupts delivered the typed line \"%s\"", rx_buf);
	tap_ok(rx_irqs > 0 && other_irqs == 0, "uart: only the UART interrupted (%u rx, %u other)", rx_irqs,
	       other_irqs);
	*uart(UART_IER) = 0;
	csr_clear(sstatus, SSTATUS_SIE);
	tap_ok((*uart(UART_IIR) & UART_IIR_NO_INT) != 0, "uart: IIR reports nothing once interrupts are off");
}

/* ---- PLIC semantics, with SIE off and two sources held pending ---- */

static void rtc_raise(void)
{
	uint32_t lo = *rtc(RTC_TIME_LOW), hi = *rtc(RTC_TIME_HIGH);

	*rtc(RTC_IRQ_ENABLED) = 1;
	*rtc(RTC_ALARM_HIGH) = hi;
	*rtc(RTC_ALARM_LOW) = lo; /* in the past: fires at once */
}

static void rtc_lower(void)
{
	*rtc(RTC_CLEAR_ALARM) = 1;
	*rtc(RTC_CLEAR_INTERRUPT) = 1;
	*rtc(RTC_IRQ_ENABLED) = 0;
}

/*
 * After a completion, QEMU's PLIC forwards a new request only when the device signals
 * again (the PLIC spec's level gateway would re-pend a line that stayed up): both devices
 * are poked so the two agree.
 */
static void resignal_rtc(void)
{
	rtc_lower();
	rtc_raise();
}

static void resignal_uart(void)
{
	*uart(UART_IER) = UART_IER_ETBEI;
}

static unsigned claim(void)
{
	return *plic_reg(PLIC_CLAIM(ctx));
}
static void complete(unsigned id)
{
	*plic_reg(PLIC_CLAIM(ctx)) = id;
}

static int both_pending(void)
{
	for (unsigned long i = 0; i < SPIN / 100; i++) {
		uint32_t p = *plic_reg(PLIC_PENDING);

		if ((p & (1U << UART_IRQ)) && (p & (1U << RTC_IRQ)))
			return 1;
	}
	return 0;
}

static void test_plic(void)
{
	unsigned a, b, c;

	csr_clear(sstatus, SSTATUS_SIE);
	*plic_reg(PLIC_PRIORITY(UART_IRQ)) = 1;
	*plic_reg(PLIC_PRIORITY(RTC_IRQ)) = 2;
	*plic_reg(PLIC_THRESHOLD(ctx)) = 0;
	enable_source(UART_IRQ, 1);
	enable_source(RTC_IRQ, 1);
	*uart(UART_IER) = UART_IER_ETBEI; /* THR empty: the UART line stays up */
	rtc_raise();
	tap_ok(both_pending(), "plic: UART and RTC both show in the pending bits");
	tap_ok(*plic_reg(PLIC_PRIORITY(RTC_IRQ)) == 2, "plic: priority reads back");
	*plic_reg(PLIC_PRIORITY(RTC_IRQ)) = 0xffffffff;
	tap_ok(*plic_reg(PLIC_PRIORITY(RTC_IRQ)) == 7, "plic: priority keeps its 3 implemented bits (%u)",
	       *plic_reg(PLIC_PRIORITY(RTC_IRQ)));
	*plic_reg(PLIC_PRIORITY(RTC_IRQ)) = 2;

	a = claim();
	b = claim();
	c = claim();
	tap_ok(a == RTC_IRQ && b == UART_IRQ && c == 0, "plic: claims in priority order (%u, %u, then %u)", a, b, c);
	tap_ok(!(*plic_reg(PLIC_PENDING) & (1U << RTC_IRQ)), "plic: a claimed source is no longer pending");
	complete(a);
	complete(b);
	resignal_rtc();
	resignal_uart();
	tap_ok(both_pending(), "plic: completed sources that signal again are pending again");

	*plic_reg(PLIC_PRIORITY(RTC_IRQ)) = 1;
	a = claim();
	tap_ok(a == UART_IRQ, "plic: equal priorities claim the lower id first (%u)", a);
	complete(a);
	resignal_uart();

	*plic_reg(PLIC_PRIORITY(RTC_IRQ)) = 2;
	*plic_reg(PLIC_THRESHOLD(ctx)) = 1;
	a = claim();
	b = claim();
	tap_ok(a == RTC_IRQ && b == 0, "plic: threshold 1 masks priority 1, not 2 (%u, %u)", a, b);
	complete(a);
	resignal_rtc();
	*plic_reg(PLIC_THRESHOLD(ctx)) = 2;
	a = claim();
	tap_ok(a == 0, "plic: priority must exceed the threshold (%u)", a);
	*plic_reg(PLIC_THRESHOLD(ctx)) = 0;

	enable_source(RTC_IRQ, 0);
	a = claim();
	b = claim();
	tap_ok(a == UART_IRQ && b == 0, "plic: a disabled source is not claimed (%u, %u)", a, b);
	complete(a);
	complete(RTC_IRQ); /* not enabled here: ignored */
	enable_source(RTC_IRQ, 1);
	a = claim();
	tap_ok(a == RTC_IRQ, "plic: an RTC claim still works after a stray completion");
	rtc_lower();
	complete(a);
	*plic_reg(PLIC_PRIORITY(UART_IRQ)) = 0;
	a = claim();
	tap_ok(a == 0, "plic: priority 0 never interrupts, and a lowered line stays quiet (%u)", a);
	*uart(UART_IER) = 0;
	*plic_reg(PLIC_PRIORITY(UART_IRQ)) = 1;
	enable_source(RTC_IRQ, 0);
}

/* ---- every width, through normal and compressed instructions (Keel's emulation) ---- */

static unsigned long traps_before;
static void expect_begin(void)
{
	traps_before = MY_TRAP->count;
}
static int trapped_with(unsigned long cause)
{
	return MY_TRAP->count == traps_before + 1 && MY_TRAP->cause == cause;
}

#define SHADOW_READS 1000
/* Exits a loop of reads may see that are not the reads': a tick or IPI on a shared hart lands in it */
#define SHADOW_OTHER_EXITS 3

/* The exits this vCPU has taken so far (Keel's hypercall). */
static long vcpu_exits(void)
{
	return SBI0(SBI_EXT_KEEL_HVC, KEEL_HVC_VCPU_EXITS).value;
}

/* The exits SHADOW_READS 4-byte reads of a register take; *last: what the last one read. */
static long exits_for_reads(uintptr_t addr, uint32_t *last)
{
	long exits = vcpu_exits();

	for (int i = 0; i < SHADOW_READS; i++)
		*last = *(volatile uint32_t *)addr;
	return vcpu_exits() - exits - 1; /* the second hypercall is an exit */
}

/*
 * Reads of the enable words, and of context 0's claim register while nothing is claimable there,
 * take no exit by default (read-only pages: this VM has one vCPU); a source that becomes claimable
 * takes the claim page away at once. With keel,read-exits every one of those reads exits.
 */
static void test_read_exits(int shadow)
{
	uintptr_t en = plic + PLIC_ENABLE(ctx) + 4;
	uint32_t last;
	long exits = exits_for_reads(en, &last);

	if (shadow)
		tap_ok(exits <= SHADOW_OTHER_EXITS,
		       "mmio: %d enable-word reads from the read-only shadow take no exit (%ld)", SHADOW_READS, exits);
	else
		tap_ok(exits >= SHADOW_READS,
		       "mmio: with keel,read-exits %d enable-word reads take as many exits (%ld)", SHADOW_READS, exits);
	*plic_reg(PLIC_THRESHOLD(ctx)) = PLIC_PRIORITY_MAX; /* nothing can be claimable */
	exits = exits_for_reads(plic + PLIC_CLAIM(ctx), &last);
	tap_ok(last == 0 && (shadow ? exits <= SHADOW_OTHER_EXITS : exits >= SHADOW_READS),
	       "mmio: %d claims with nothing claimable read 0 with %s (%ld exits)", SHADOW_READS,
	       shadow ? "no exit" : "an exit each", exits);
	tap_ok(*plic_reg(PLIC_THRESHOLD(ctx)) == PLIC_PRIORITY_MAX, "mmio: the threshold reads back beside the claim");
	*plic_reg(PLIC_THRESHOLD(ctx)) = 0;
	*plic_reg(PLIC_PRIORITY(UART_IRQ)) = 1;
	enable_source(UART_IRQ, 1);
	*uart(UART_IER) = UART_IER_ETBEI; /* THR empty: the UART's line goes up, SIE is off */
	unsigned id = claim();

	tap_ok(id == UART_IRQ, "mmio: the claim right after a source is raised returns it (%u)", id);
	*uart(UART_IER) = 0;
	complete(id);
	enable_source(UART_IRQ, 0);
	tap_ok(claim() == 0, "mmio: and the next one 0");
}

/*
 * Widths and instruction forms on the enable words. By default Keel maps the page of enable words
 * read-only (a shadow of them): reads do not exit and see memory, writes trap. With keel,read-exits
 * (bootargs read-exits=1) every read traps too, and goes through Keel's instruction decoder.
 */
static void test_widths(void)
{
	char arg[4];
	int shadow = !bootarg("read-exits", arg, sizeof(arg));
	volatile uint8_t *scr = uart(UART_SCR);
	uintptr_t en = plic + PLIC_ENABLE(ctx) + 4; /* sources 32-63: every bit writable */
	uintptr_t en8 = plic + PLIC_ENABLE(ctx); /* 8-aligned: sources 0-63 (bit 0 reads 0) */
	uint64_t saved = *(volatile uint64_t *)en8;
	long sv;
	unsigned long uv;

	*scr = 0x5a;
	tap_ok(*scr == 0x5a, "mmio: sb/lbu round trip on the UART scratch register");
	*scr = 0x80;
	__asm__ volatile("lb %0, 0(%1)" : "=r"(sv) : "r"(scr));
	tap_ok(sv == -128, "mmio: lb sign-extends 0x80 (%ld)", sv);
	__asm__ volatile("lbu %0, 0(%1)" : "=r"(uv) : "r"(scr));
	tap_ok(uv == 0x80, "mmio: lbu zero-extends 0x80");

	__asm__ volatile("sw %0, 0(%1)" ::"r"(0x80008001UL), "r"(en) : "memory");
	__asm__ volatile("lw %0, 0(%1)" : "=r"(sv) : "r"(en));
	tap_ok(sv == (long)(int)0x80008001, "mmio: sw/lw round trip, lw sign-extends (0x%lx)", (unsigned long)sv);
	__asm__ volatile("lwu %0, 0(%1)" : "=r"(uv) : "r"(en));
	tap_ok(uv == 0x80008001UL, "mmio: lwu zero-extends");
	__asm__ volatile("lh %0, 0(%1)" : "=r"(sv) : "r"(en));
	tap_ok(sv == (long)(short)0x8001, "mmio: lh sign-extends the low half (%ld)", sv);
	__asm__ volatile("lhu %0, 2(%1)" : "=r"(uv) : "r"(en));
	tap_ok(uv == 0x8000, "mmio: lhu reads the high half (0x%lx)", uv);
	__asm__ volatile("sh %0, 2(%1)" ::"r"(0x1234UL), "r"(en) : "memory");
	tap_ok(*(volatile uint32_t *)en == 0x12348001, "mmio: sh merges into the register");
	__asm__ volatile("sb %0, 1(%1)" ::"r"(0xabUL), "r"(en) : "memory");
	tap_ok(*(volatile uint32_t *)en == 0x1234ab01, "mmio: sb merges into the register");

	__asm__ volatile("sd %0, 0(%1)" ::"r"(0x8765432112345678UL), "r"(en8) : "memory");
	__asm__ volatile("ld %0, 0(%1)" : "=r"(uv) : "r"(en8));
	tap_ok(uv == 0x8765432112345678UL, "mmio: sd/ld cover two registers (0x%lx)", uv);

	/* Compressed forms: c.sw/c.lw/c.sd/c.ld need x8-x15; c.*sp use sp as the base. */
	register unsigned long base __asm__("s0") = en;
	register unsigned long val __asm__("s1") = 0xfedcba98UL;
	register long out __asm__("a5");
	__asm__ volatile("c.sw s1, 0(s0)\n c.lw a5, 0(s0)" : "=r"(out) : "r"(base), "r"(val) : "memory");
	tap_ok(out == (long)(int)0xfedcba98, "mmio: c.sw/c.lw round trip with sign extension (0x%lx)",
	       (unsigned long)out);
	base = en8;
	val = 0x0123456789abcde0UL;
	__asm__ volatile("c.sd s1, 0(s0)\n c.ld a5, 0(s0)" : "=r"(out) : "r"(base), "r"(val) : "memory");
	tap_ok((unsigned long)out == 0x0123456789abcde0UL, "mmio: c.sd/c.ld round trip");
	__asm__ volatile("mv t0, sp\n mv sp, %1\n c.swsp %2, 0(sp)\n c.lwsp %0, 0(sp)\n mv sp, t0"
			 : "=&r"(out)
			 : "r"(en), "r"(0x7fff0001UL)
			 : "t0", "memory");
	tap_ok(out == 0x7fff0001, "mmio: c.swsp/c.lwsp round trip (0x%lx)", (unsigned long)out);
	__asm__ volatile("mv t0, sp\n mv sp, %1\n c.sdsp %2, 0(sp)\n c.ldsp %0, 0(sp)\n mv sp, t0"
			 : "=&r"(out)
			 : "r"(en8), "r"(0xa5a5a5a55a5a5a5aUL)
			 : "t0", "memory");
	tap_ok((unsigned long)out == 0xa5a5a5a55a5a5a5aUL, "mmio: c.sdsp/c.ldsp round trip");
	*(volatile uint64_t *)en8 = saved;

	test_read_exits(shadow);

	/* What Keel refuses, as documented: the guest gets an access fault and carries on. */
	expect_begin();
	__asm__ volatile("lw %0, 2(%1)" : "=r"(sv) : "r"(shadow ? plic + PLIC_PRIORITY(1) : en));
	tap_ok(trapped_with(EXC_LOAD_ACCESS) || trapped_with(EXC_LOAD_MISALIGNED),
	       "mmio: misaligned device load faults (cause %lu)", MY_TRAP->cause);
	/* With a source claimable, so that context 0's claim page is not mapped (an idle one reads as memory). */
	enable_source(UART_IRQ, 1);
	*uart(UART_IER) = UART_IER_ETBEI;
	expect_begin();
	__asm__ volatile("lhu %0, 0(%1)" : "=r"(uv) : "r"(plic + PLIC_CLAIM(ctx)));
	tap_ok(trapped_with(EXC_LOAD_ACCESS), "mmio: 2-byte read of the claim register -> access fault");
	*uart(UART_IER) = 0;
	complete(claim());
	enable_source(UART_IRQ, 0);
	expect_begin();
	__asm__ volatile("amoadd.w %0, %1, (%2)" : "=r"(sv) : "r"(1UL), "r"(en) : "memory");
	tap_ok(trapped_with(EXC_STORE_ACCESS), "mmio: AMO on a device -> store/AMO access fault");
	csr_set(sstatus, SSTATUS_FS_INITIAL);
	expect_begin();
	__asm__ volatile(".option push\n.option arch,+d\nflw ft0, 0(%0)\n.option pop" ::"r"(
				 shadow ? plic + PLIC_PRIORITY(1) : en)
			 : "memory");
	tap_ok(trapped_with(EXC_LOAD_ACCESS), "mmio: FP load from a device -> load access fault");
	expect_begin();
	__asm__ volatile(".option push\n.option arch,+d\nfsd ft0, 0(%0)\n.option pop" ::"r"(en8) : "memory");
	tap_ok(trapped_with(EXC_STORE_ACCESS), "mmio: FP store to a device -> store access fault");
	expect_begin();
	uv = *(volatile uint32_t *)HOLE_ADDR;
	tap_ok(trapped_with(EXC_LOAD_ACCESS) && MY_TRAP->tval == HOLE_ADDR,
	       "mmio: a hole with no device -> load access fault at its address");
	tap_ok(*scr == 0x80, "mmio: the guest carries on after its faults");
}

void guest_main(unsigned long hartid)
{
	if (find_plic(hartid)) {
		tap_ok(0, "device tree names a PLIC with this hart's S-mode context");
		return;
	}
	tap_ok(1, "device tree: PLIC at 0x%lx, S-mode context %u", (unsigned long)plic, ctx);
	test_uart_irqs();
	test_plic();
	if (under_keel)
		test_widths();
	tap_plan();
	/* Power off through the sifive,test device rather than SBI. */
	*(volatile uint32_t *)SYSCON_BASE = SYSCON_POWEROFF;
	tap_diag("still running after the power-off write");
	for (;;)
		__asm__ volatile("wfi");
}
