/* Host APLIC (drivers/aplic.h); register map from AIA 1.0, 4.5. */
#include "drivers/aplic.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "drivers/imsic.h"
#include "core/console.h"

#define APLIC_DOMAINCFG 0x0000
#define APLIC_DOMAINCFG_IE BIT(8)
#define APLIC_DOMAINCFG_DM BIT(2) /* MSI delivery mode */
#define APLIC_SOURCECFG(i) (0x0004UL + 4UL * ((i)-1))
#define APLIC_SOURCECFG_SM_LEVEL_HIGH 6
#define APLIC_SETIPNUM 0x1cdc
#define APLIC_IN_CLRIP(i) (0x1d00UL + 4UL * ((i) / 32)) /* reads the rectified inputs */
#define APLIC_SETIENUM 0x1edc
#define APLIC_CLRIENUM 0x1fdc
#define APLIC_GENMSI 0x3000
#define APLIC_GENMSI_BUSY BIT(12)
#define APLIC_GENMSI_TRIES 1000
#define APLIC_TARGET(i) (0x3004UL + 4UL * ((i)-1))
#define APLIC_TARGET_HART_SHIFT 18
#define APLIC_IDC(i) (0x4000UL + 32UL * (i))
#define APLIC_IDC_IDELIVERY 0x00
#define APLIC_IDC_ITHRESHOLD 0x08
#define APLIC_IDC_CLAIMI 0x1c
#define APLIC_IDC_ID_SHIFT 16
#define APLIC_IDC_ID_MASK 0x3ff
#define APLIC_ROUTED_PRIORITY 1

static volatile uint8_t *aplic;
static unsigned nsources, ipi_id;

static volatile uint32_t *reg(uintptr_t off)
{
	return (volatile uint32_t *)(aplic + off);
}

static int idc_of(unsigned long hart)
{
	return hart < MAX_HARTS ? platform.aplic_idc[hart] : -1;
}

static int imsic_index_of(unsigned long hart)
{
	return hart < MAX_HARTS && platform.imsic_file[hart] ? platform.imsic_index[hart] : -1;
}

/* A source the domain has (a level-high line, as every device of QEMU's virt has), to one target. */
static void route(unsigned source, uint32_t target)
{
	if (!source || source > nsources)
		return;
	*reg(APLIC_SOURCECFG(source)) = APLIC_SOURCECFG_SM_LEVEL_HIGH;
	*reg(APLIC_TARGET(source)) = target;
	*reg(APLIC_SETIENUM) = source;
}

/* Direct mode: the source is masked from its claim to its completion, as a PLIC holds it. */
static void direct_route(unsigned source, unsigned long hart)
{
	int idc = idc_of(hart);

	if (idc >= 0)
		route(source, (uint32_t)idc << APLIC_TARGET_HART_SHIFT | APLIC_ROUTED_PRIORITY);
}

static void direct_hart_init(unsigned long hart)
{
	int idc = idc_of(hart);

	if (idc < 0)
		return;
	*reg(APLIC_IDC(idc) + APLIC_IDC_ITHRESHOLD) = 0;
	*reg(APLIC_IDC(idc) + APLIC_IDC_IDELIVERY) = 1;
}

static unsigned direct_claim(unsigned long hart)
{
	int idc = idc_of(hart);
	unsigned id;

	if (idc < 0)
		return 0;
	id = (*reg(APLIC_IDC(idc) + APLIC_IDC_CLAIMI) >> APLIC_IDC_ID_SHIFT) & APLIC_IDC_ID_MASK;
	if (id)
		*reg(APLIC_CLRIENUM) = id;
	return id;
}

static void direct_complete(unsigned long hart, unsigned source)
{
	(void)hart;
	if (source && source <= nsources)
		*reg(APLIC_SETIENUM) = source;
}

static const struct irq_controller aplic_direct = {
	.claim = direct_claim,
	.complete = direct_complete,
	.route = direct_route,
	.hart_init = direct_hart_init,
};

/*
 * MSI mode: source s is identity s in the target hart's IMSIC file, Keel's IPI the file's last
 * identity. A level source sends one MSI per rising edge, so its completion re-arms it with
 * setipnum while the line is still up. AIA 4.7 lets that write pend only an asserted line, but
 * QEMU's APLIC (7.2 and 10: guests/bare/aia.c natively) pends it whatever the line; on bookworm
 * that was an MSI after every completion, forever. So the completion reads the line first; were
 * it to rise after the read, the edge sends its own MSI.
 */
static void msi_route(unsigned source, unsigned long hart)
{
	int index = imsic_index_of(hart);

	if (index >= 0)
		route(source, (uint32_t)index << APLIC_TARGET_HART_SHIFT | source);
}

static void msi_hart_init(unsigned long hart)
{
	(void)hart;
	imsic_hart_init(ipi_id);
}

static unsigned msi_claim(unsigned long hart)
{
	(void)hart;
	return imsic_claim();
}

static void msi_complete(unsigned long hart, unsigned source)
{
	(void)hart;
	if (source && source <= nsources && (*reg(APLIC_IN_CLRIP(source)) & BIT(source % 32)))
		*reg(APLIC_SETIPNUM) = source;
}

static void msi_send_ipi(unsigned long hart)
{
	imsic_send(hart, ipi_id);
}

/* The IPI only wakes its hart: what it was sent for is in the hart's and vCPUs' requests. */
static enum irq_done ipi_irq(unsigned source, void *ctx)
{
	(void)source;
	(void)ctx;
	return IRQ_COMPLETE;
}

static const struct irq_controller aplic_msi = {
	.claim = msi_claim,
	.complete = msi_complete,
	.route = msi_route,
	.hart_init = msi_hart_init,
	.send_ipi = msi_send_ipi,
};

/*
 * Whether the domain's MSIs reach this hart's file: where the S domain sends them is the M domain's
 * smsiaddrcfg, which only the firmware can set (OpenSBI 1.1 leaves it unset). genmsi sends one.
 */
static int msi_reaches_imsic(unsigned long hart)
{
	int index = imsic_index_of(hart), tries = APLIC_GENMSI_TRIES;

	if (index < 0)
		return 0;
	imsic_hart_init(ipi_id);
	*reg(APLIC_GENMSI) = (uint32_t)index << APLIC_TARGET_HART_SHIFT | ipi_id;
	while ((*reg(APLIC_GENMSI) & APLIC_GENMSI_BUSY) && --tries)
		;
	return imsic_take(ipi_id);
}

const struct irq_controller *aplic_start(struct platform *p)
{
	int msi = p->irqc == HOST_IRQC_APLIC_MSI;

	if (!p->aplic_base || (p->irqc != HOST_IRQC_APLIC && !msi))
		return NULL;
	if (msi && (!cpu.has_ssaia || p->imsic_ids < 2)) {
		kprintf("keel: the APLIC delivers MSIs but the harts have no IMSIC S-level file Keel can use "
			"(Ssaia %s, %u identities): no host interrupts\n",
			cpu.has_ssaia ? "present" : "absent", p->imsic_ids);
		return NULL;
	}
	aplic = (volatile uint8_t *)(uintptr_t)p->aplic_base;
	nsources = p->irq_sources;
	if (msi) {
		/* Identities are sources, and the last one the IPI: sources from it on cannot be routed. */
		ipi_id = p->imsic_ids < IRQ_MAX_SOURCES ? p->imsic_ids : IRQ_MAX_SOURCES - 1;
		if (nsources >= ipi_id)
			nsources = p->irq_sources = ipi_id - 1;
		if (irq_register(ipi_id, ipi_irq, NULL))
			return NULL;
	}
	*reg(APLIC_DOMAINCFG) = APLIC_DOMAINCFG_IE | (msi ? APLIC_DOMAINCFG_DM : 0);
	if (msi && !msi_reaches_imsic(this_hart()->id)) {
		kprintf("keel: the APLIC's MSIs do not reach the IMSICs (the firmware did not set the S domain's "
			"MSI address): no host interrupts\n");
		*reg(APLIC_DOMAINCFG) = 0;
		return NULL;
	}
	return msi ? &aplic_msi : &aplic_direct;
}
