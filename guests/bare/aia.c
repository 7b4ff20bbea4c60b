/*
 * AIA test guest (AIA 1.0): its hart's IMSIC interrupt file through siselect/sireg and stopei
 * (self MSIs, the threshold, enables, the external interrupt), the APLIC's S domain in MSI mode
 * (domaincfg, genmsi, the UART's level source 10 with its re-arm by setipnum_le, register widths)
 * and an MSI from one hart to the other's file waking it from WFI. Natively it runs on QEMU's own
 * S-level IMSIC and APLIC (-machine virt,aia=aplic-imsic, -smp 2); under Keel on a VM with
 * keel,irqchip = "aia" (its vCPUs' guest files, the vAPLIC).
 */
#include "guests/common/guest.h"
#include <libfdt.h>

#define UART_BASE 0x10000000UL
#define UART_IER 1
#define UART_IER_THRI 0x02
#define UART_SOURCE 10
#define SELF_ID 5
#define IPI_ID 3
#define GENMSI_ID 9
#define IDS_TESTED 64
#define SPIN_LIMIT 20000000UL

/* APLIC registers (AIA 4.5) */
#define APLIC_DOMAINCFG 0x0000
#define APLIC_DOMAINCFG_RO 0x80000000U
#define APLIC_DOMAINCFG_IE (1U << 8)
#define APLIC_DOMAINCFG_DM (1U << 2)
#define APLIC_SOURCECFG(i) (4UL * (i))
#define APLIC_SM_LEVEL_HIGH 6
#define APLIC_IN_CLRIP0 0x1d00
#define APLIC_SETIENUM 0x1edc
#define APLIC_CLRIENUM 0x1fdc
#define APLIC_SETIPNUM_LE 0x2000
#define APLIC_GENMSI 0x3000
#define APLIC_TARGET(i) (0x3000UL + 4UL * (i))
#define APLIC_HART_SHIFT 18

static uintptr_t aplic;
static uint64_t imsic_base, imsic_stride;
static uint32_t imsic_phandle;
static volatile unsigned long ext_irqs[2], claimed[2];
static volatile unsigned long second_ready;

static volatile uint32_t *aplic_reg(unsigned long off)
{
	return (volatile uint32_t *)(aplic + off);
}

static uint64_t reg_base(int node)
{
	const fdt32_t *reg = fdt_getprop(guest_dtb, node, "reg", NULL);

	return reg ? ((uint64_t)fdt32_to_cpu(reg[0]) << 32) | fdt32_to_cpu(reg[1]) : 0;
}

/* The S-level IMSIC: the riscv,imsics node whose interrupts-extended name the S external interrupt. */
static int find_imsic(void)
{
	for (int node = fdt_node_offset_by_compatible(guest_dtb, -1, "riscv,imsics"); node >= 0;
	     node = fdt_node_offset_by_compatible(guest_dtb, node, "riscv,imsics")) {
		int len;
		const fdt32_t *ext = fdt_getprop(guest_dtb, node, "interrupts-extended", &len);
		const fdt32_t *bits = fdt_getprop(guest_dtb, node, "riscv,guest-index-bits", NULL);

		if (!ext || len < 8 || fdt32_to_cpu(ext[1]) != IRQ_S_EXT)
			continue;
		imsic_base = reg_base(node);
		imsic_stride = 0x1000UL << (bits ? fdt32_to_cpu(*bits) : 0);
		imsic_phandle = fdt_get_phandle(guest_dtb, node);
		return node;
	}
	return -1;
}

/* A hart's index: its place in the IMSIC's interrupts-extended (its intc is the cpu node's child). */
static long hart_index(unsigned long hartid)
{
	int imsic = fdt_node_offset_by_phandle(guest_dtb, imsic_phandle), len;
	const fdt32_t *ext = fdt_getprop(guest_dtb, imsic, "interrupts-extended", &len);

	for (int i = 0; ext && i < len / 8; i++) {
		int intc = fdt_node_offset_by_phandle(guest_dtb, fdt32_to_cpu(ext[2 * i]));
		int cpu = intc >= 0 ? fdt_parent_offset(guest_dtb, intc) : -1;
		const fdt32_t *reg = cpu >= 0 ? fdt_getprop(guest_dtb, cpu, "reg", NULL) : NULL;

		if (reg && fdt32_to_cpu(*reg) == hartid)
			return i;
	}
	return -1;
}

static volatile uint32_t *file_of(unsigned long hartid)
{
	return (volatile uint32_t *)(uintptr_t)(imsic_base + (uint64_t)hart_index(hartid) * imsic_stride);
}

static void ireg_write(unsigned long sel, unsigned long val)
{
	csr_write(CSR_SISELECT, sel);
	csr_write(CSR_SIREG, val);
}

static unsigned long ireg_read(unsigned long sel)
{
	csr_write(CSR_SISELECT, sel);
	return csr_read(CSR_SIREG);
}

static unsigned topei_id(void)
{
	return (unsigned)((csr_read(CSR_STOPEI) >> TOPEI_ID_SHIFT) & TOPEI_ID_MASK);
}

static unsigned claim(void)
{
	return (unsigned)((csr_swap(CSR_STOPEI, 0) >> TOPEI_ID_SHIFT) & TOPEI_ID_MASK);
}

/* Wait for identity id at the top of the file (an MSI may take a moment to land). */
static int wait_top(unsigned id)
{
	for (unsigned long i = 0; i < SPIN_LIMIT / 100; i++)
		if (topei_id() == id)
			return 1;
	return 0;
}

static void file_init(void)
{
	ireg_write(IMSIC_EIE0, ~1UL); /* identities 1..63 */
	ireg_write(IMSIC_EITHRESHOLD, 0);
	ireg_write(IMSIC_EIDELIVERY, IMSIC_EIDELIVERY_ON);
}

static void on_irq(unsigned long irq)
{
	unsigned h = hart_id() & 1;

	if (irq != IRQ_S_EXT)
		return;
	ext_irqs[h]++;
	for (unsigned id; (id = claim()) != 0;)
		claimed[h] = id;
}

static void test_file(unsigned long hartid)
{
	volatile uint32_t *mine = file_of(hartid);

	tap_ok(ireg_read(IMSIC_EIDELIVERY) == IMSIC_EIDELIVERY_ON && topei_id() == 0,
	       "imsic: delivery on, nothing pending (topei %u)", topei_id());
	*mine = SELF_ID;
	tap_ok(wait_top(SELF_ID), "imsic: an MSI to its own file is the top identity (%u)", topei_id());
	tap_ok(claim() == SELF_ID && topei_id() == 0, "imsic: a stopei write claims it, then nothing is left");
	ireg_write(IMSIC_EITHRESHOLD, SELF_ID);
	*mine = SELF_ID + 1;
	*mine = SELF_ID - 1;
	tap_ok(wait_top(SELF_ID - 1), "imsic: with eithreshold %d only identities below it show (%u)", SELF_ID,
	       topei_id());
	tap_ok(claim() == SELF_ID - 1 && topei_id() == 0, "imsic: identity %d stays hidden behind the threshold",
	       SELF_ID + 1);
	ireg_write(IMSIC_EITHRESHOLD, 0);
	tap_ok(wait_top(SELF_ID + 1) && claim() == SELF_ID + 1, "imsic: threshold 0 shows it");
	ireg_write(IMSIC_EIE0, ~1UL & ~(1UL << GENMSI_ID));
	*mine = GENMSI_ID;
	mb();
	tap_ok(topei_id() == 0 && (ireg_read(IMSIC_EIP0) & (1UL << GENMSI_ID)),
	       "imsic: a disabled identity is pending in eip0 but not delivered");
	ireg_write(IMSIC_EIE0, ~1UL);
	tap_ok(wait_top(GENMSI_ID) && claim() == GENMSI_ID, "imsic: enabling it delivers it");
	/* The external interrupt itself. */
	irq_hook = on_irq;
	csr_set(sie, SIE_SEIE);
	csr_set(sstatus, SSTATUS_SIE);
	*mine = SELF_ID;
	for (unsigned long i = 0; i < SPIN_LIMIT && !ext_irqs[hart_id() & 1]; i++)
		mb();
	tap_ok(ext_irqs[hart_id() & 1] == 1 && claimed[hart_id() & 1] == SELF_ID,
	       "imsic: a pending identity raises the supervisor external interrupt (%lu, id %lu)",
	       ext_irqs[hart_id() & 1], claimed[hart_id() & 1]);
	csr_clear(sstatus, SSTATUS_SIE);
}

static void test_aplic(unsigned long hartid)
{
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
	uint32_t target = (uint32_t)hart_index(hartid) << APLIC_HART_SHIFT;
	unsigned long traps = MY_TRAP->count;
	volatile uint8_t *byte = (volatile uint8_t *)aplic;

	*aplic_reg(APLIC_DOMAINCFG) = APLIC_DOMAINCFG_IE | APLIC_DOMAINCFG_DM;
	tap_ok(*aplic_reg(APLIC_DOMAINCFG) == (APLIC_DOMAINCFG_RO | APLIC_DOMAINCFG_IE | APLIC_DOMAINCFG_DM),
	       "aplic: domaincfg reads 0x%x (IE, MSI mode, bit 31)", *aplic_reg(APLIC_DOMAINCFG));
	*aplic_reg(APLIC_GENMSI) = target | GENMSI_ID;
	tap_ok(wait_top(GENMSI_ID) && claim() == GENMSI_ID, "aplic: genmsi sends its identity to the hart's file");
	/* The UART's level line: THRE with its interrupt enabled keeps it up. */
	*aplic_reg(APLIC_SOURCECFG(UART_SOURCE)) = APLIC_SM_LEVEL_HIGH;
	*aplic_reg(APLIC_TARGET(UART_SOURCE)) = target | UART_SOURCE;
	tap_ok(*aplic_reg(APLIC_SOURCECFG(UART_SOURCE)) == APLIC_SM_LEVEL_HIGH &&
		       *aplic_reg(APLIC_TARGET(UART_SOURCE)) == (target | UART_SOURCE),
	       "aplic: sourcecfg and target read back");
	*aplic_reg(APLIC_SETIENUM) = UART_SOURCE;
	uart[UART_IER] = UART_IER_THRI;
	tap_ok(wait_top(UART_SOURCE) && claim() == UART_SOURCE, "aplic: the UART's line arrives as its MSI");
	tap_ok(*aplic_reg(APLIC_IN_CLRIP0) & (1U << UART_SOURCE), "aplic: in_clrip shows the line up");
	*aplic_reg(APLIC_SETIPNUM_LE) = UART_SOURCE;
	tap_ok(wait_top(UART_SOURCE) && claim() == UART_SOURCE, "aplic: setipnum_le re-arms a line still up");
	uart[UART_IER] = 0;
	mb();
	tap_ok(!(*aplic_reg(APLIC_IN_CLRIP0) & (1U << UART_SOURCE)), "aplic: in_clrip shows the line down");
	*aplic_reg(APLIC_SETIPNUM_LE) = UART_SOURCE;
	/* AIA 4.7: a level source pends on a setip write only while its line is up. QEMU's APLIC (7.2 and 10) pends it anyway. */
	int sent = wait_top(UART_SOURCE);

	if (under_keel)
		tap_ok(!sent, "aplic: with the line down setipnum_le sends nothing");
	else
		tap_diag("QEMU's APLIC %s a level source with its line down on setipnum_le",
			 sent ? "pends" : "does not pend");
	if (sent)
		claim();
	*aplic_reg(APLIC_CLRIENUM) = UART_SOURCE;
	*aplic_reg(APLIC_SOURCECFG(UART_SOURCE)) = 0;
	(void)byte[APLIC_DOMAINCFG];
	tap_ok(MY_TRAP->count == traps + 1 && MY_TRAP->cause == EXC_LOAD_ACCESS,
	       "aplic: a byte read is an access fault (cause %lu)", MY_TRAP->cause);
}

void guest_secondary(unsigned long hartid, unsigned long arg)
{
	(void)arg;
	file_init();
	irq_hook = on_irq;
	csr_set(sie, SIE_SEIE);
	csr_set(sstatus, SSTATUS_SIE);
	second_ready = hartid + 1;
	for (;;)
		__asm__ volatile("wfi");
}

static void test_ipi(unsigned long hartid)
{
	unsigned long other = hartid ^ 1;

	if (dtb_cpu_count() < 2) {
		tap_diag("one hart: no MSI between harts");
		return;
	}
	tap_ok(SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, other, (unsigned long)secondary_start, 0).error == 0,
	       "smp: the other hart starts");
	for (unsigned long i = 0; i < SPIN_LIMIT && !second_ready; i++)
		mb();
	/* Let it reach its WFI, then write into its file. */
	for (volatile unsigned long i = 0; i < SPIN_LIMIT / 100; i++)
		;
	*file_of(other) = IPI_ID;
	for (unsigned long i = 0; i < SPIN_LIMIT && !ext_irqs[other & 1]; i++)
		mb();
	tap_ok(ext_irqs[other & 1] == 1 && claimed[other & 1] == IPI_ID,
	       "smp: an MSI into the other hart's file wakes it from WFI and it claims %lu", claimed[other & 1]);
}

void guest_main(unsigned long hartid)
{
	int imsic = find_imsic();

	for (int node = fdt_node_offset_by_compatible(guest_dtb, -1, "riscv,aplic"); node >= 0 && imsic >= 0;
	     node = fdt_node_offset_by_compatible(guest_dtb, node, "riscv,aplic")) {
		const fdt32_t *parent = fdt_getprop(guest_dtb, node, "msi-parent", NULL);

		if (parent && fdt32_to_cpu(*parent) == imsic_phandle)
			aplic = (uintptr_t)reg_base(node);
	}
	tap_ok(imsic >= 0 && aplic && hart_index(hartid) >= 0 && dtb_isa_has("ssaia"),
	       "dt: an S-level IMSIC (file stride 0x%lx), its APLIC domain at 0x%lx, ssaia",
	       (unsigned long)imsic_stride, (unsigned long)aplic);
	if (imsic < 0 || !aplic)
		tap_done();
	file_init();
	test_file(hartid);
	test_aplic(hartid);
	test_ipi(hartid);
	tap_done();
}
