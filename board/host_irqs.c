/*
 * The host side of the VMs' devices' interrupts: a handler in core/irq's table for each source
 * Keel's console, the host disks, the uplink NIC and the pass-through devices raise, and on each
 * hart the routing of the sources its VMs need.
 */
#include "arch/riscv/hart.h"
#include "board/board.h"
#include "board/vdisk.h"
#include "board/vnet.h"
#include "core/console.h"
#include "core/irq.h"
#include "drivers/aplic.h"
#include "drivers/ns16550.h"
#include "drivers/platform.h"
#include "drivers/plic.h"
#include "drivers/virtio/blk.h"
#include "drivers/virtio/net.h"
#include "lib/printf.h"

static enum irq_done console_irq(unsigned source, void *ctx)
{
	(void)source;
	(void)ctx;
	console_input_drain();
	return IRQ_COMPLETE;
}

/* A host disk or the uplink NIC: completions go to the guests' rings and the switch. */
static enum irq_done disk_irq(unsigned source, void *disk)
{
	(void)source;
	host_blk_interrupt(disk);
	return IRQ_COMPLETE;
}

static enum irq_done nic_irq(unsigned source, void *nic)
{
	(void)source;
	host_net_interrupt(nic);
	return IRQ_COMPLETE;
}

/*
 * A pass-through source: completed on the host when the guest completes it (board/devices.c's
 * plic_completed) or the VM resets; a stopped VM's source stays claimed, so a device holding its
 * line up cannot keep interrupting this hart.
 */
static enum irq_done passthrough_irq(unsigned source, void *vm)
{
	if (vm_alive(vm))
		irqchip_set_level(&((struct vm *)vm)->irqchip, source, 1);
	return IRQ_KEEP;
}

static void must_register(unsigned source, enum irq_done (*fn)(unsigned, void *), void *ctx, const char *what)
{
	if (irq_register(source, fn, ctx))
		kprintf("keel: host interrupt %u (%s) has another handler or is out of range: not taken\n", source,
			what);
}

static const struct irq_controller *host_irqc;

/* The machine's controller: its PLIC, else its APLIC (direct, or MSI mode with IMSICs). */
static const struct irq_controller *host_irqc_start(void)
{
	static const char *const names[] = {
		[HOST_IRQC_NONE] = "none",
		[HOST_IRQC_PLIC] = "PLIC",
		[HOST_IRQC_APLIC] = "APLIC (direct delivery)",
		[HOST_IRQC_APLIC_MSI] = "APLIC (MSI delivery) and IMSICs",
	};
	const struct irq_controller *c = NULL;

	if (platform.irqc == HOST_IRQC_PLIC) {
		plic_init(platform.plic_base, platform.plic_ndev);
		c = &plic_irq_controller;
	} else {
		c = aplic_start(&platform);
	}
	kprintf("keel: host interrupts: %s, %u sources%s\n", c ? names[platform.irqc] : "none",
		c ? platform.irq_sources : 0, c && c->send_ipi ? ", IPIs through the IMSICs" : "");
	return c;
}

void host_irqs_init(void)
{
	const struct host_nic *nic = host_net_card();

	host_irqc = host_irqc_start();
	if (!host_irqc)
		return;
	irq_controller_set(host_irqc);
	if (platform.uart_irq && nvms) {
		must_register(platform.uart_irq, console_irq, NULL, "console");
		ns16550_enable_rx_irq();
	}
	for (int i = 0; i < nhost_disks; i++)
		must_register(host_disks[i]->irq, disk_irq, host_disks[i], "disk");
	if (nic)
		must_register(nic->irq, nic_irq, (void *)nic, "uplink");
	for (int v = 0; v < nvms; v++)
		for (int i = 0; i < vms[v].cfg.npass; i++)
			if (vms[v].cfg.pass[i].irq)
				must_register(vms[v].cfg.pass[i].irq, passthrough_irq, &vms[v], "pass-through");
	host_irqs_hart_init(this_hart()->id);
}

/*
 * Enable the host interrupts routed to this hart: console input to the hart of the first VM's
 * first vCPU (any hart can deliver it), a pass-through interrupt to its VM's first vCPU's hart.
 * Each hart does this for itself once it runs Keel: OpenSBI clears a hart's PLIC enables when
 * it brings the hart up, so routing done earlier by another hart would be lost; an IMSIC file
 * is set up only by its own hart.
 */
void host_irqs_hart_init(unsigned long hart)
{
	if (!host_irqc)
		return;
	irq_hart_init(hart);
	if (!nvms)
		return;
	if (platform.uart_irq && vms[0].cfg.harts[0] == hart)
		irq_route(platform.uart_irq, hart);
	for (int v = 0; v < nvms; v++)
		for (int i = 0; i < vms[v].cfg.npass; i++)
			if (vms[v].cfg.pass[i].irq && vms[v].cfg.harts[0] == hart)
				irq_route(vms[v].cfg.pass[i].irq, hart);
	vdisks_route_irqs(hart);
	vnet_route_irqs(hart);
}
