/*
 * Each VM's devices: a 16550 UART, a PLIC and the sifive,test power-off device emulated at
 * QEMU virt's addresses, plus host devices passed through (MMIO mapped 1:1 in stage-2, the
 * interrupt claimed on the host PLIC, forwarded to the vPLIC and completed on the host when
 * the guest completes it). The host side of their interrupts is in board/host_irqs.c.
 */
#include "arch/riscv/hart.h"
#include "core/console.h"
#include "drivers/imsic.h"
#include "drivers/ns16550.h"
#include "drivers/platform.h"
#include "core/hart.h"
#include "core/irq.h"
#include "drivers/virtio/net.h"
#include "lib/printf.h"
#include "vdev/mmio.h"
#include "vdev/syscon.h"
#include "board/vdisk.h"
#include "board/vnet.h"
#include "board/board.h"

/* The vPLIC's context i is vCPU i's S-mode external interrupt. */
static void plic_output(void *ctx, int context, int level)
{
	struct vm *vm = ctx;

	/* Claimable: the claim must trap (vcpu_sync_ext_irq fences before the line reaches the guest). */
	if (context == 0 && vm->idle_claim_pte)
		stage2_leaf_set(vm->idle_claim_pte, !level);
	if (context < vm->nvcpus)
		vcpu_set_ext_irq(vm->vcpus[context], level);
}

/* A pass-through source was completed by the guest: complete it on the host context it was routed to. */
static int plic_completed(void *ctx, unsigned source)
{
	struct vm *vm = ctx;

	for (int i = 0; i < vm->cfg.npass; i++)
		if (vm->cfg.pass[i].irq == source) {
			irq_complete(vm->cfg.harts[0], source);
			return 1;
		}
	return 0;
}

/* The vAPLIC's MSI to hart index `hart` (vCPU `hart`): into that vCPU's guest file, no exit anywhere. */
static void aplic_msi(void *ctx, unsigned hart, unsigned eiid)
{
	struct vm *vm = ctx;

	imsic_send_file(vm->cfg.harts[hart], vm->cfg.aia_file[hart], eiid);
}

static void uart_tx(void *ctx, char c)
{
	vm_console_putc(ctx, c);
}

static void uart_irq(void *ctx, int level)
{
	struct vm *vm = ctx;

	irqchip_set_level(&vm->irqchip, VM_UART_IRQ, level);
}

static int overlaps(uint64_t a, uint64_t asize, uint64_t b, uint64_t bsize)
{
	return bsize && a < b + bsize && b < a + asize;
}

static int check_passthrough(const struct vm *vm, const struct passthrough *p, char *err, unsigned long errlen)
{
	int own = overlaps(p->base, p->size, platform.uart_base, platform.uart_size);

	for (int i = 0; i < platform.nirqc_regions; i++)
		own |= overlaps(p->base, p->size, platform.irqc_regions[i].base, platform.irqc_regions[i].size);
	if (own) {
		snprintf(err, errlen, "field keel,devices: 0x%lx is Keel's own device", (unsigned long)p->base);
		return -1;
	}
	for (int i = 0; i < platform.nmem; i++)
		if (overlaps(p->base, p->size, platform.mem[i].base, platform.mem[i].size)) {
			snprintf(err, errlen, "field keel,devices: 0x%lx is host RAM", (unsigned long)p->base);
			return -1;
		}
	if (overlaps(p->base, p->size, vm->cfg.ram_base, vm->cfg.ram_size) || mmio_bus_find(&vm->mmio, p->base)) {
		snprintf(err, errlen, "field keel,devices: 0x%lx collides with the VM's RAM or devices",
			 (unsigned long)p->base);
		return -1;
	}
	for (int i = 0; i < nhost_disks; i++)
		if (overlaps(p->base, p->size, host_disks[i]->base, VIRTIO_MMIO_WINDOW) ||
		    p->irq == host_disks[i]->irq) {
			snprintf(err, errlen, "field keel,devices: 0x%lx is Keel's disk %d", (unsigned long)p->base, i);
			return -1;
		}
	const struct host_nic *nic = host_net_card();

	if (nic && (overlaps(p->base, p->size, nic->base, VIRTIO_MMIO_WINDOW) || p->irq == nic->irq)) {
		snprintf(err, errlen, "field keel,devices: 0x%lx is Keel's uplink network card",
			 (unsigned long)p->base);
		return -1;
	}
	if (p->irq && (p->irq >= VPLIC_SOURCES || p->irq > platform.irq_sources || p->irq == VM_UART_IRQ)) {
		snprintf(err, errlen, "field keel,devices: interrupt %u cannot be passed through", p->irq);
		return -1;
	}
	for (int v = 0; v < MAX_VMS; v++)
		for (int i = 0; &vms[v] != vm && i < vms[v].cfg.npass; i++)
			if (overlaps(p->base, p->size, vms[v].cfg.pass[i].base, vms[v].cfg.pass[i].size) ||
			    (p->irq && p->irq == vms[v].cfg.pass[i].irq)) {
				snprintf(err, errlen, "field keel,devices: 0x%lx is already given to vm '%s'",
					 (unsigned long)p->base, vms[v].cfg.name);
				return -1;
			}
	return 0;
}

int vm_window_passed_through(const struct vm *vm, uint64_t base, uint64_t size)
{
	for (int p = 0; p < vm->cfg.npass; p++)
		if (overlaps(base, size, vm->cfg.pass[p].base, vm->cfg.pass[p].size))
			return 1;
	return 0;
}

_Static_assert(sizeof(((struct virtio_mmio *)0)->shadow) == SZ_4K, "a shadow is one stage-2 page");
_Static_assert(VM_FIXED_DEVICES + VM_VIRTIO_SLOTS <= MAX_MMIO_REGIONS, "a VM's bus holds all its devices");

/*
 * One of Keel's pages read-only at gpa: the guest's reads see it without an exit, its writes and
 * fetches still fault and reach the device's model (exit/exit.c). Nothing with keel,read-exits.
 */
static int map_read_only(struct vm *vm, uint64_t gpa, const void *page, uint64_t size)
{
	return vm->cfg.read_exits ? 0 : stage2_map(&vm->s2, gpa, (uint64_t)(uintptr_t)page, size, S2_READ);
}

/*
 * A device of the VM left work over its budget: one of the VM's own vCPUs does the rest, in its
 * own time (the one on this hart when it is the VM's: the notifier; else the first), through a
 * request, after the exit and before it enters the guest again (sched/run.c).
 */
static void device_deferred(void *ctx)
{
	struct vm *vm = ctx;
	struct vcpu *v = this_hart()->vcpu;

	if (!v || v->vm != vm)
		v = vm->vcpus[0];
	vcpu_request(v, VCPU_REQ_DEVICES);
	/* Bound here: no kick came, and a vCPU that is not running would sleep on its request. */
	if (this_hart()->vcpu == v)
		hart_kick(v->hart);
}

void vm_devices_resume(struct vm *vm)
{
	for (int i = 0; i < vm->mmio.n; i++)
		if (vm->mmio.regions[i].ops == &virtio_mmio_ops)
			virtio_mmio_resume(vm->mmio.regions[i].dev);
}

int vm_virtio_attach(struct vm *vm, uint64_t base, struct virtio_mmio *t, const char *name)
{
	if (mmio_bus_add(&vm->mmio, base, VIRTIO_MMIO_WINDOW, &virtio_mmio_ops, t, name))
		return -1;
	t->defer = device_deferred;
	t->defer_ctx = vm;
	return map_read_only(vm, base, t->shadow, sizeof(t->shadow));
}

/*
 * The AIA: the vAPLIC, and each vCPU's IMSIC page mapped onto its guest interrupt file, so the
 * guest's MSIs (its IPIs) land in the files with no exit. Only the VM's own vCPUs' files.
 */
static int aia_init(struct vm *vm, char *err, unsigned long errlen)
{
	vaplic_init(&vm->aplic, (unsigned)vm->nvcpus, platform.imsic_ids, aplic_msi, vm);
	vm->irqchip = (struct irqchip){ .ops = &vaplic_irqchip_ops, .chip = &vm->aplic };
	mmio_bus_add(&vm->mmio, VM_APLIC_BASE, VAPLIC_SIZE, &vaplic_ops, &vm->aplic, "aplic");
	if (overlaps(vm->cfg.ram_base, vm->cfg.ram_size, VM_IMSIC_BASE, (uint64_t)vm->nvcpus * PAGE_SIZE)) {
		snprintf(err, errlen, "field keel,memory: overlaps the IMSIC at 0x%lx", VM_IMSIC_BASE);
		return -1;
	}
	for (int i = 0; i < vm->nvcpus; i++) {
		uint64_t page = imsic_file_page(vm->cfg.harts[i], vm->cfg.aia_file[i]);

		if (!page ||
		    stage2_map(&vm->s2, VM_IMSIC_BASE + (uint64_t)i * PAGE_SIZE, page, PAGE_SIZE, S2_READ | S2_WRITE)) {
			snprintf(err, errlen, "field keel,irqchip: cannot map vCPU %d's IMSIC file", i);
			return -1;
		}
	}
	return 0;
}

/*
 * The vPLIC's enable words read in place. With one vCPU, context 0's registers too, from the idle
 * page while nothing is claimable there, so the claim that returns 0 takes no exit (not with more
 * vCPUs: one could keep a translation of another's page that only its own hart's fence would
 * end). The leaf is NULL when nothing was mapped (keel,read-exits).
 */
static int plic_map_pages(struct vm *vm, char *err, unsigned long errlen)
{
	uint64_t claim_gpa = VM_PLIC_BASE + VPLIC_CONTEXT_BASE;

	if (map_read_only(vm, VM_PLIC_BASE + VPLIC_ENABLE_BASE, vm->plic.enable, sizeof(vm->plic.enable)) ||
	    (vm->nvcpus == 1 &&
	     map_read_only(vm, claim_gpa, vm->plic.idle_context_page, sizeof(vm->plic.idle_context_page)))) {
		snprintf(err, errlen, "field keel,memory: no memory left for its stage-2 tables");
		return -1;
	}
	vm->idle_claim_pte = vm->nvcpus == 1 ? stage2_leaf(&vm->s2, claim_gpa) : NULL;
	return 0;
}

int vm_devices_init(struct vm *vm, char *err, unsigned long errlen)
{
	int aia = vm->cfg.irqchip == VM_IRQCHIP_AIA;

	vuart_init(&vm->uart, uart_tx, uart_irq, vm);
	mmio_bus_add(&vm->mmio, VM_SYSCON_BASE, SYSCON_SIZE, &syscon_ops, vm, "syscon");
	if (!aia) {
		vplic_init(&vm->plic, vm->nvcpus, plic_output, plic_completed, vm);
		vm->irqchip = (struct irqchip){ .ops = &vplic_irqchip_ops, .chip = &vm->plic };
		mmio_bus_add(&vm->mmio, VM_PLIC_BASE, VPLIC_SIZE, &vplic_ops, &vm->plic, "plic");
	}
	mmio_bus_add(&vm->mmio, VM_UART_BASE, VUART_SIZE, &vuart_ops, &vm->uart, "uart");
	/* Guest RAM must leave the device windows alone, or the devices would be unreachable. */
	for (int i = 0; i < vm->mmio.n; i++) {
		const struct mmio_region *r = &vm->mmio.regions[i];

		if (overlaps(vm->cfg.ram_base, vm->cfg.ram_size, r->base, r->size)) {
			snprintf(err, errlen, "field keel,memory: overlaps the %s at 0x%lx", r->name,
				 (unsigned long)r->base);
			goto fail;
		}
	}
	if (aia ? aia_init(vm, err, errlen) : plic_map_pages(vm, err, errlen))
		goto fail;
	for (int i = 0; i < vm->cfg.npass; i++) {
		const struct passthrough *p = &vm->cfg.pass[i];

		if (check_passthrough(vm, p, err, errlen))
			goto fail;
		if (stage2_map(&vm->s2, p->base, p->base, p->size, S2_READ | S2_WRITE)) {
			snprintf(err, errlen, "field keel,devices: cannot map 0x%lx", (unsigned long)p->base);
			goto fail;
		}
	}
	if (vm_console_init(vm, err, errlen) || vm_nics_init(vm, err, errlen) || vm_disks_init(vm, err, errlen))
		goto fail;
	return 0;
fail:
	vm_devices_exit(vm);
	return -1;
}

/* The UART, the vPLIC and the virtio console live in struct vm: only the NICs and disks hold more. */
void vm_devices_exit(struct vm *vm)
{
	vm_disks_exit(vm);
	vm_nics_exit(vm);
	vm->idle_claim_pte = NULL;
	vm->mmio.n = 0;
}

/*
 * Other harts may be inside the devices meanwhile (console input, forwarded interrupts): each
 * is reset under its own lock, never wiped. The consoles and the disks first, so their lines are down when the PLIC
 * resets; the PLIC completes on the host every pass-through interrupt still in flight.
 */
void vm_devices_reset(struct vm *vm)
{
	vuart_reset(&vm->uart);
	vm_console_reset(vm);
	vm_disks_reset(vm);
	vm_nics_reset(vm);
	irqchip_reset(&vm->irqchip);
}

void vm_irqchip_attach_vcpu(struct vm *vm, int i)
{
	/* Context 0's idle page (one vCPU) stops translating when its line rises (vcpu/irqs.h). */
	vm->vcpus[i]->ext_raise_fences = i == 0 && vm->idle_claim_pte;
}
