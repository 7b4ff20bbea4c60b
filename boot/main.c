/* Keel's boot path: the boot hart sets up the machine and the VMs, then every hart runs its vCPU. */
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/sbi_host.h"
#include "core/console.h"
#include "drivers/ns16550.h"
#include "drivers/platform.h"
#include "mm/palloc.h"
#include "board/board.h"
#include "board/vdisk.h"
#include "board/vnet.h"
#include "core/hart.h"
#include "core/timer.h"
#include "sbi/sbi.h"
#include "sched/sched.h"
#include "vcpu/timer.h"
#include "vm/lifecycle.h"
#include <libfdt.h>
#include <string.h>

#define HOST_FDT_MAX (64 * 1024)
#define MAX_POOL_PAGES (4UL << 30 >> PAGE_SHIFT) /* the pool covers up to 4 GiB of RAM */

struct hart harts[MAX_HARTS];
extern char __keel_start[], __keel_end[];
void secondary_entry(void);
extern int boot_done;

static uint8_t host_fdt[HOST_FDT_MAX] __attribute__((aligned(8)));
static uint64_t pool_bitmap[MAX_POOL_PAGES / 64];

void keel_main(unsigned long hartid, const void *dtb);
void keel_secondary(unsigned long hartid);

static void __attribute__((noreturn)) fatal(const char *msg)
{
	kprintf("keel: FATAL: %s\n", msg);
	host_system_reset(SBI_SRST_RESET_TYPE_SHUTDOWN, SBI_SRST_RESET_REASON_SYSFAIL);
}

/* Until the UART is known, print through the SBI implementation's legacy console. */
static void sbi_console_putc(char c)
{
	sbi_host_call(SBI_EXT_0_1_CONSOLE_PUTCHAR, 0, (unsigned char)c, 0, 0);
}

static void memory_init(const void *dtb)
{
	const struct mem_region *ram = &platform.mem[0];
	size_t npages = ram->size >> PAGE_SHIFT;

	if (!platform.nmem)
		fatal("no memory node in the device tree");
	if (npages > MAX_POOL_PAGES)
		npages = MAX_POOL_PAGES;
	pool_init(&keel_pool, ram->base, npages, pool_bitmap);
	pool_release(&keel_pool, ram->base, npages << PAGE_SHIFT);
	/* Never hand out OpenSBI's region, Keel itself, the DTB we were given, or loaded images. */
	for (int i = 0; i < platform.nreserved; i++)
		pool_reserve(&keel_pool, platform.reserved[i].base, platform.reserved[i].size);
	pool_reserve(&keel_pool, ram->base, (uintptr_t)__keel_end - ram->base);
	pool_reserve(&keel_pool, (uintptr_t)dtb, fdt_totalsize(dtb));
	int chosen = fdt_path_offset(host_fdt, "/chosen"), node, len;

	fdt_for_each_subnode(node, host_fdt, chosen)
	{
		static const char *const images[] = { "keel,kernel", "keel,initrd" };

		for (unsigned i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
			const fdt32_t *k = fdt_getprop(host_fdt, node, images[i], &len);

			if (k && len == 16)
				pool_reserve(&keel_pool, ((uint64_t)fdt32_to_cpu(k[0]) << 32) | fdt32_to_cpu(k[1]),
					     ((uint64_t)fdt32_to_cpu(k[2]) << 32) | fdt32_to_cpu(k[3]));
		}
	}
	kprintf("keel: RAM %lu MiB at 0x%lx, %lu MiB free for guests\n", (unsigned long)(ram->size >> 20),
		(unsigned long)ram->base, (unsigned long)(keel_pool.nfree * PAGE_SIZE >> 20));
	kprintf("keel: Keel image 0x%lx-0x%lx\n", (unsigned long)(uintptr_t)__keel_start,
		(unsigned long)(uintptr_t)__keel_end);
	for (int i = 0; i < platform.nreserved; i++)
		kprintf("keel: reserved 0x%lx-0x%lx\n", (unsigned long)platform.reserved[i].base,
			(unsigned long)(platform.reserved[i].base + platform.reserved[i].size));
}

static void report_cpu(void)
{
	kprintf("keel: hart ISA %s\n", platform.isa[0] ? platform.isa : "(not in the device tree)");
	kprintf("keel: H extension present; stage-2 modes:%s%s; VMID bits %u; Sstc %s\n",
		cpu.has_sv39x4 ? " Sv39x4" : "", cpu.has_sv48x4 ? " Sv48x4" : "", cpu.vmid_bits,
		cpu.has_sstc ? "on" : "off");
	kprintf("keel: senvcfg %s, hstateen0 %s\n", cpu.has_senvcfg ? "switched per vCPU" : "absent",
		cpu.has_hstateen ? "present" : "absent");
	if (cpu.vlenb)
		kprintf("keel: vector registers of %lu bits, switched per vCPU\n", cpu.vlenb * 8);
	else if (cpu.vlenb_found)
		kprintf("keel: vector registers of %lu bits, wider than Keel keeps (%d): guests get no V\n",
			cpu.vlenb_found * 8, VLENB_MAX * 8);
	else
		kprintf("keel: no vector unit\n");
}

static void secondary_harts_boot(unsigned long boot_hart)
{
	for (unsigned long h = 0; h < MAX_HARTS; h++) {
		if (h == boot_hart || !(platform.hart_mask & (1UL << h)))
			continue;
		int err = host_hart_start(h, (uintptr_t)secondary_entry, 0);

		/* ALREADY_AVAILABLE: it came to _start by itself and is on its way (head.S). */
		if (err && err != SBI_ERR_ALREADY_AVAILABLE)
			kprintf("keel: hart %lu did not start (SBI error %d)\n", h, err);
	}
}

/* The upcalls the rooms below make into the rooms above, set once before anything runs. */
static void wire_rooms(void)
{
	hart_timer_on_guest_expiry(vcpu_timer_expired);
	hart_timer_on_expiry(HART_TIMER_CONSOLE, vm_console_quiet_check);
	hart_on_pause(sched_service);
	vm_on_stop_report(sched_report);
}

void keel_main(unsigned long hartid, const void *dtb)
{
	harts[hartid].id = hartid;
	console_init(sbi_console_putc, NULL);
	/* libfdt is built assuming version 17 (FDT_ASSUME_MASK in build.mk, FDT_LAST_SUPPORTED_VERSION): older trees are refused here. */
	if (fdt_check_header(dtb) || fdt_version(dtb) < FDT_LAST_SUPPORTED_VERSION || fdt_totalsize(dtb) > HOST_FDT_MAX)
		fatal("the device tree from the firmware is missing, older than version 17, or too large");
	memcpy(host_fdt, dtb, fdt_totalsize(dtb));
	if (platform_parse(host_fdt, &platform))
		fatal("cannot parse the device tree");
	if (platform.uart_base) {
		ns16550_init(platform.uart_base, platform.uart_shift);
		console_init(ns16550_putc, ns16550_getc);
	}
	kprintf("\nKeel %d.%d: RISC-V hypervisor, boot hart %lu of %d\n", KEEL_VERSION_MAJOR, KEEL_VERSION_MINOR,
		hartid, platform.nharts);
	if (platform.isa_too_long) {
		kprintf("keel: the hart's riscv,isa is %lu characters, Keel holds %d\n",
			(unsigned long)platform.isa_too_long, ISA_STRING_MAX - 1);
		fatal("riscv,isa in the device tree is longer than Keel holds (ISA_STRING_MAX)");
	}
	if (cpu_probe())
		fatal("this hart has no H extension (hstatus is not readable): run QEMU with -cpu rv64,h=true");
	report_cpu();
	memory_init(dtb);
	sbi_machine_ids.mvendorid =
		(unsigned long)sbi_host_call(SBI_EXT_BASE, SBI_EXT_BASE_GET_MVENDORID, 0, 0, 0).value;
	sbi_machine_ids.marchid = (unsigned long)sbi_host_call(SBI_EXT_BASE, SBI_EXT_BASE_GET_MARCHID, 0, 0, 0).value;
	sbi_machine_ids.mimpid = (unsigned long)sbi_host_call(SBI_EXT_BASE, SBI_EXT_BASE_GET_MIMPID, 0, 0, 0).value;
	hart_init_local();
	hart_timers_init(&harts[hartid]);
	wire_rooms();
	vdisks_host_init();
	/* Before the VMs: their pass-through devices are checked against the card Keel drives. */
	vnet_uplink_init(host_fdt);
	if (!vms_create(host_fdt))
		fatal("no VM could be started (see the messages above)");
	sched_add_vms();
	host_irqs_init();
	/* Harts that reached _start on their own (see head.S) may go on as secondaries now. */
	__atomic_store_n(&boot_done, 1, __ATOMIC_RELEASE);
	secondary_harts_boot(hartid);
	hart_run_loop();
}

void keel_secondary(unsigned long hartid)
{
	harts[hartid].id = hartid;
	hart_init_local();
	hart_timers_init(&harts[hartid]);
	host_irqs_hart_init(hartid);
	hart_run_loop();
}

struct trap_frame {
	unsigned long regs[32];
};

void host_trap_report(struct trap_frame *f);
void host_trap_report(struct trap_frame *f)
{
	console_lock();
	kprintf_locked("keel: BUG: unexpected trap in HS-mode on hart %lu: scause 0x%lx stval 0x%lx sepc 0x%lx "
		       "htval 0x%lx\n",
		       this_hart()->id, csr_read(scause), csr_read(stval), csr_read(sepc), csr_read(htval));
	for (int i = 1; i < 32; i++)
		kprintf_locked("x%d 0x%016lx%s", i, f->regs[i], i % 4 == 3 ? "\n" : "  ");
	kprintf_locked("\n");
	console_unlock();
	host_system_reset(SBI_SRST_RESET_TYPE_SHUTDOWN, SBI_SRST_RESET_REASON_SYSFAIL);
}
