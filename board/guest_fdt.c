/* Guest device tree: memory, cpus, timebase and /chosen. */
#include "board/guest_fdt.h"
#include "lib/printf.h"
#include <libfdt.h>
#include <string.h>
#include "arch/riscv/csr.h"
#include "vdev/syscon.h"
#include "drivers/platform.h"

#define PHANDLE_CPU_INTC(i) ((uint32_t)(i) + 1)
#define PHANDLE_PLIC 0x100
#define PHANDLE_SYSCON 0x101
#define PHANDLE_IMSIC 0x102
#define PHANDLE_APLIC 0x103
#define DT_IRQ_TYPE_LEVEL_HIGH 4 /* dt-bindings/interrupt-controller/irq.h: the APLIC's second cell */
#define UART_CLOCK_HZ 3686400 /* what QEMU virt advertises; the divisor is ignored anyway */
#define SYSCON_POWEROFF_VALUE 0x5555
#define SYSCON_RESET_VALUE 0x7777
#define IRQ_S_EXT_NUM IRQ_S_EXT

int guest_isa_for(const struct vm_config *cfg, const struct guest_harts *harts, char *out, size_t len)
{
	unsigned offer = harts->offer | (cfg->timer == TIMER_SSTC ? GUEST_ISA_SSTC : 0) |
			 (cfg->irqchip == VM_IRQCHIP_AIA ? GUEST_ISA_SSAIA : 0);

	/* Linux needs the block size with Zicbom and Zicboz: without it they stay hidden. */
	if (!harts->cbom_block)
		offer &= ~GUEST_ISA_ZICBOM;
	if (!harts->cboz_block)
		offer &= ~GUEST_ISA_ZICBOZ;
	return harts->host_isa ? guest_isa_string(harts->host_isa, offer, out, len) : -1;
}

/* The host node whose first reg entry starts at base, or -1. */
static int find_host_node(const void *host_fdt, uint64_t base)
{
	int node;

	for (node = fdt_next_node(host_fdt, -1, NULL); node >= 0; node = fdt_next_node(host_fdt, node, NULL)) {
		int len, parent = fdt_parent_offset(host_fdt, node);
		const fdt32_t *reg = fdt_getprop(host_fdt, node, "reg", &len);

		if (reg && len >= 8 && parent >= 0 && fdt_address_cells(host_fdt, parent) == 2 &&
		    (((uint64_t)fdt32_to_cpu(reg[0]) << 32) | fdt32_to_cpu(reg[1])) == base)
			return node;
	}
	return -1;
}

static int fdt_reg64(void *fdt, uint64_t base, uint64_t size)
{
	fdt64_t reg[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };

	return fdt_property(fdt, "reg", reg, sizeof(reg));
}

#define TRY(x)                      \
	do {                        \
		int __e = (x);      \
		if (__e < 0)        \
			return __e; \
	} while (0)

/* Empty properties get a non-NULL value pointer: libfdt memcpy()s from it even for 0 bytes. */
static int build_cpus(void *fdt, const struct vm_config *cfg, const struct guest_harts *h, const char *isa)
{
	char name[24], list[ISA_STRING_MAX + 64], base[] = "rv64i";
	int nlist = isa_extension_list(isa, list, sizeof(list));

	if (nlist < 0)
		return -FDT_ERR_BADVALUE;
	base[2] = isa[2];
	base[3] = isa[3];

	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	TRY(fdt_property_u32(fdt, "timebase-frequency", (uint32_t)h->timebase));
	for (int i = 0; i < cfg->nvcpus; i++) {
		snprintf(name, sizeof(name), "cpu@%d", i);
		TRY(fdt_begin_node(fdt, name));
		TRY(fdt_property_string(fdt, "device_type", "cpu"));
		TRY(fdt_property_u32(fdt, "reg", (uint32_t)i));
		TRY(fdt_property_string(fdt, "status", "okay"));
		TRY(fdt_property_string(fdt, "compatible", "riscv"));
		TRY(fdt_property_string(fdt, "riscv,isa", isa));
		TRY(fdt_property_string(fdt, "riscv,isa-base", base));
		TRY(fdt_property(fdt, "riscv,isa-extensions", list, nlist));
		if (isa_string_has(isa, "zicbom"))
			TRY(fdt_property_u32(fdt, "riscv,cbom-block-size", h->cbom_block));
		if (isa_string_has(isa, "zicboz"))
			TRY(fdt_property_u32(fdt, "riscv,cboz-block-size", h->cboz_block));
		if (isa_string_has(isa, "zicbop") && h->cbop_block)
			TRY(fdt_property_u32(fdt, "riscv,cbop-block-size", h->cbop_block));
		TRY(fdt_property_string(fdt, "mmu-type", h->mmu_type ? h->mmu_type : "riscv,sv39"));
		TRY(fdt_begin_node(fdt, "interrupt-controller"));
		TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
		TRY(fdt_property(fdt, "interrupt-controller", "", 0));
		TRY(fdt_property_string(fdt, "compatible", "riscv,cpu-intc"));
		TRY(fdt_property_u32(fdt, "phandle", PHANDLE_CPU_INTC(i)));
		TRY(fdt_end_node(fdt));
		TRY(fdt_end_node(fdt));
	}
	return fdt_end_node(fdt);
}

static int prop_cells(void *fdt, const char *name, const uint32_t *v, int n)
{
	fdt32_t cells[2 * MAX_VCPUS_PER_VM + 4];

	for (int i = 0; i < n; i++)
		cells[i] = cpu_to_fdt32(v[i]);
	return fdt_property(fdt, name, cells, n * (int)sizeof(fdt32_t));
}

/* interrupts-extended: each vCPU's supervisor external interrupt, in vCPU order. */
static int sei_per_vcpu(void *fdt, const struct vm_config *cfg)
{
	uint32_t ext[2 * MAX_VCPUS_PER_VM];

	for (int i = 0; i < cfg->nvcpus; i++) {
		ext[2 * i] = PHANDLE_CPU_INTC(i);
		ext[2 * i + 1] = IRQ_S_EXT_NUM;
	}
	return prop_cells(fdt, "interrupts-extended", ext, 2 * cfg->nvcpus);
}

static int build_plic(void *fdt, const struct vm_config *cfg)
{
	char name[32];

	snprintf(name, sizeof(name), "plic@%lx", VM_PLIC_BASE);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property(fdt, "compatible", "sifive,plic-1.0.0\0riscv,plic0",
			 sizeof("sifive,plic-1.0.0\0riscv,plic0")));
	TRY(fdt_reg64(fdt, VM_PLIC_BASE, VPLIC_SIZE));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
	TRY(fdt_property_u32(fdt, "#address-cells", 0));
	TRY(fdt_property(fdt, "interrupt-controller", "", 0));
	TRY(fdt_property_u32(fdt, "riscv,ndev", VPLIC_SOURCES - 1));
	/* Context i: vCPU i's supervisor external interrupt. */
	TRY(sei_per_vcpu(fdt, cfg));
	TRY(fdt_property_u32(fdt, "phandle", PHANDLE_PLIC));
	return fdt_end_node(fdt);
}

/*
 * The AIA, as QEMU virt's aia=aplic-imsic has its S level: an IMSIC with vCPU i's file at
 * VM_IMSIC_BASE + i pages (one hart index per vCPU, no guest files of its own), and an APLIC
 * domain in MSI mode whose MSIs go to it.
 */
static int build_aia(void *fdt, const struct vm_config *cfg, unsigned ids)
{
	char name[48];

	snprintf(name, sizeof(name), "interrupt-controller@%lx", VM_IMSIC_BASE);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_string(fdt, "compatible", "riscv,imsics"));
	TRY(fdt_reg64(fdt, VM_IMSIC_BASE, (uint64_t)cfg->nvcpus * PAGE_SIZE));
	TRY(sei_per_vcpu(fdt, cfg));
	TRY(fdt_property_u32(fdt, "riscv,num-ids", ids));
	TRY(fdt_property(fdt, "msi-controller", "", 0));
	TRY(fdt_property_u32(fdt, "#msi-cells", 0));
	TRY(fdt_property(fdt, "interrupt-controller", "", 0));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 0));
	TRY(fdt_property_u32(fdt, "phandle", PHANDLE_IMSIC));
	TRY(fdt_end_node(fdt));

	snprintf(name, sizeof(name), "interrupt-controller@%lx", VM_APLIC_BASE);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_string(fdt, "compatible", "riscv,aplic"));
	TRY(fdt_reg64(fdt, VM_APLIC_BASE, VAPLIC_SIZE));
	TRY(fdt_property(fdt, "interrupt-controller", "", 0));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 2));
	TRY(fdt_property_u32(fdt, "#address-cells", 0));
	TRY(fdt_property_u32(fdt, "msi-parent", PHANDLE_IMSIC));
	TRY(fdt_property_u32(fdt, "riscv,num-sources", VAPLIC_SOURCES - 1));
	TRY(fdt_property_u32(fdt, "phandle", PHANDLE_APLIC));
	return fdt_end_node(fdt);
}

/* A device's interrupt: a vPLIC source, or a level-high vAPLIC source. */
static int irq_props(void *fdt, const struct vm_config *cfg, unsigned irq)
{
	if (cfg->irqchip == VM_IRQCHIP_AIA) {
		uint32_t spec[2] = { irq, DT_IRQ_TYPE_LEVEL_HIGH };

		TRY(prop_cells(fdt, "interrupts", spec, 2));
		return fdt_property_u32(fdt, "interrupt-parent", PHANDLE_APLIC);
	}
	TRY(fdt_property_u32(fdt, "interrupts", irq));
	return fdt_property_u32(fdt, "interrupt-parent", PHANDLE_PLIC);
}

/* A syscon-poweroff / syscon-reboot node: writing `value` to the sifive,test device does it. */
static int syscon_action(void *fdt, const char *name, const char *compatible, uint32_t value)
{
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_string(fdt, "compatible", compatible));
	TRY(fdt_property_u32(fdt, "regmap", PHANDLE_SYSCON));
	TRY(fdt_property_u32(fdt, "offset", 0));
	TRY(fdt_property_u32(fdt, "value", value));
	return fdt_end_node(fdt);
}

/* A virtio-mmio transport (a disk, a network card or the console) at base, its interrupt on the VM's controller. */
static int virtio_mmio_node(void *fdt, const struct vm_config *cfg, unsigned long base, unsigned irq)
{
	char name[32];

	snprintf(name, sizeof(name), "virtio_mmio@%lx", base);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_string(fdt, "compatible", "virtio,mmio"));
	TRY(fdt_reg64(fdt, base, VIRTIO_MMIO_WINDOW));
	TRY(irq_props(fdt, cfg, irq));
	return fdt_end_node(fdt);
}

static int build_devices(void *fdt, const struct vm_config *cfg, const void *host_fdt, unsigned ids)
{
	char name[48];

	TRY(fdt_begin_node(fdt, "soc"));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_string(fdt, "compatible", "simple-bus"));
	TRY(fdt_property(fdt, "ranges", "", 0));
	TRY(cfg->irqchip == VM_IRQCHIP_AIA ? build_aia(fdt, cfg, ids) : build_plic(fdt, cfg));

	snprintf(name, sizeof(name), "serial@%lx", VM_UART_BASE);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_string(fdt, "compatible", "ns16550a"));
	TRY(fdt_reg64(fdt, VM_UART_BASE, VUART_SIZE));
	TRY(fdt_property_u32(fdt, "clock-frequency", UART_CLOCK_HZ));
	TRY(irq_props(fdt, cfg, VM_UART_IRQ));
	TRY(fdt_end_node(fdt));

	snprintf(name, sizeof(name), "test@%lx", VM_SYSCON_BASE);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property(fdt, "compatible", "sifive,test1\0sifive,test0\0syscon",
			 sizeof("sifive,test1\0sifive,test0\0syscon")));
	TRY(fdt_reg64(fdt, VM_SYSCON_BASE, SYSCON_SIZE));
	TRY(fdt_property_u32(fdt, "phandle", PHANDLE_SYSCON));
	TRY(fdt_end_node(fdt));

	/* Network cards take the lowest slots: first in the tree, which goes by address. */
	for (int i = 0; i < cfg->nnics; i++)
		TRY(virtio_mmio_node(fdt, cfg, VM_NIC_BASE(i), VM_NIC_IRQ(i)));
	/* The virtio console next to them; the UART stays, for earlycon and ttyS0. */
	if (cfg->console == VM_CONSOLE_VIRTIO)
		TRY(virtio_mmio_node(fdt, cfg, VM_CONSOLE_BASE, VM_CONSOLE_IRQ));
	/* Virtio disks, lowest address first as in QEMU's tree (the highest is disk 0). */
	for (int i = cfg->ndisks - 1; i >= 0; i--)
		TRY(virtio_mmio_node(fdt, cfg, VM_DISK_BASE(i), VM_DISK_IRQ(i)));

	/* Passed-through devices keep the host node's compatible; their interrupt is on the VM's controller. */
	for (int i = 0; i < cfg->npass; i++) {
		const struct passthrough *p = &cfg->pass[i];
		int host = host_fdt ? find_host_node(host_fdt, p->base) : -1;
		int len = 0;
		const void *compat = host >= 0 ? fdt_getprop(host_fdt, host, "compatible", &len) : NULL;

		snprintf(name, sizeof(name), "passthrough@%lx", (unsigned long)p->base);
		TRY(fdt_begin_node(fdt, name));
		if (compat)
			TRY(fdt_property(fdt, "compatible", compat, len));
		TRY(fdt_reg64(fdt, p->base, p->size));
		if (p->irq)
			TRY(irq_props(fdt, cfg, p->irq));
		TRY(fdt_end_node(fdt));
	}
	TRY(fdt_end_node(fdt));

	TRY(syscon_action(fdt, "poweroff", "syscon-poweroff", SYSCON_POWEROFF_VALUE));
	return syscon_action(fdt, "reboot", "syscon-reboot", SYSCON_RESET_VALUE);
}

int guest_fdt_build(void *buf, size_t size, const struct vm_config *cfg, const struct guest_harts *harts,
		    const void *host_fdt)
{
	char isa[ISA_STRING_MAX], name[32];

	if (guest_isa_for(cfg, harts, isa, sizeof(isa)))
		return -FDT_ERR_BADVALUE;
	TRY(fdt_create(buf, (int)size));
	TRY(fdt_finish_reservemap(buf));
	TRY(fdt_begin_node(buf, ""));
	TRY(fdt_property_u32(buf, "#address-cells", 2));
	TRY(fdt_property_u32(buf, "#size-cells", 2));
	TRY(fdt_property_string(buf, "compatible", "keel,vm"));
	TRY(fdt_property_string(buf, "model", cfg->name));

	TRY(fdt_begin_node(buf, "chosen"));
	TRY(fdt_property_string(buf, "bootargs", cfg->bootargs));
	snprintf(name, sizeof(name), "/soc/serial@%lx", VM_UART_BASE);
	TRY(fdt_property_string(buf, "stdout-path", name));
	if (cfg->initrd_size) {
		TRY(fdt_property_u64(buf, "linux,initrd-start", cfg->ram_base + cfg->initrd_offset));
		TRY(fdt_property_u64(buf, "linux,initrd-end", cfg->ram_base + cfg->initrd_offset + cfg->initrd_size));
	}
	TRY(fdt_end_node(buf));

	snprintf(name, sizeof(name), "memory@%lx", (unsigned long)cfg->ram_base);
	TRY(fdt_begin_node(buf, name));
	TRY(fdt_property_string(buf, "device_type", "memory"));
	TRY(fdt_reg64(buf, cfg->ram_base, cfg->ram_size));
	TRY(fdt_end_node(buf));

	TRY(build_cpus(buf, cfg, harts, isa));
	TRY(build_devices(buf, cfg, host_fdt, harts->imsic_ids));
	TRY(fdt_end_node(buf));
	TRY(fdt_finish(buf));
	return (int)fdt_totalsize(buf);
}
