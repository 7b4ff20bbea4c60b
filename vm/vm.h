/* VM objects: guest RAM, stage-2 root, VMID and the vCPUs pinned to harts. */
#ifndef KEEL_VM_VM_H
#define KEEL_VM_VM_H
#include <stdint.h>
#include "core/spinlock.h"
#include "mm/stage2.h"
#include "vcpu/vcpu.h"
#include "vdev/mmio.h"
#include "vdev/vplic.h"
#include "vdev/vuart.h"
#include "vdev/virtio/console.h"
#include "drivers/virtio/virtio_spec.h"

#define MAX_VMS 4
#define MAX_VCPUS_PER_VM 8
#define VM_NAME_MAX 32
#define VM_BOOTARGS_MAX 256
#define MAX_PASSTHROUGH 4
#define MAX_VM_DISKS 4
#define DEFAULT_SLICE_US 4000
#define DEFAULT_WEIGHT 1
#define MAX_WEIGHT 64

/* The guest's devices sit where QEMU virt has them, so guests built for virt run unchanged. */
#define VM_SYSCON_BASE 0x100000UL
#define VM_PLIC_BASE 0xc000000UL
#define VM_UART_BASE 0x10000000UL
#define VM_UART_IRQ 10
/* Virtio-mmio transports as on QEMU virt; QEMU fills them from the highest address down, so does Keel. */
#define VM_VIRTIO_BASE 0x10001000UL
#define VM_VIRTIO_SLOTS 8
#define VM_VIRTIO_IRQ_BASE 1
#define VM_DISK_SLOT(i) (VM_VIRTIO_SLOTS - 1 - (i))
#define VM_DISK_BASE(i) (VM_VIRTIO_BASE + VIRTIO_MMIO_WINDOW * (unsigned long)VM_DISK_SLOT(i))
#define VM_DISK_IRQ(i) (VM_VIRTIO_IRQ_BASE + VM_DISK_SLOT(i))
/* Network cards take the slots from the bottom (disks take them from the top): NIC i at slot i. */
#define MAX_VM_NICS 2
#define VM_NIC_SLOT(i) (i)
#define VM_NIC_BASE(i) (VM_VIRTIO_BASE + VIRTIO_MMIO_WINDOW * (unsigned long)VM_NIC_SLOT(i))
#define VM_NIC_IRQ(i) (VM_VIRTIO_IRQ_BASE + VM_NIC_SLOT(i))
/* The virtio console (keel,console = "virtio") in the slot after the NICs'. */
#define VM_CONSOLE_SLOT MAX_VM_NICS
#define VM_CONSOLE_BASE (VM_VIRTIO_BASE + VIRTIO_MMIO_WINDOW * (unsigned long)VM_CONSOLE_SLOT)
#define VM_CONSOLE_IRQ (VM_VIRTIO_IRQ_BASE + VM_CONSOLE_SLOT)
_Static_assert(MAX_VM_NICS + 1 + MAX_VM_DISKS <= VM_VIRTIO_SLOTS, "NIC, console and disk slots must not meet");
#define VM_MAC_LEN 6
#define VM_NET_NAME_MAX 16

/* A VM's network card (keel,nics): the network it is plugged into, its MAC address. */
struct vm_nic_cfg {
	char net[VM_NET_NAME_MAX];
	uint8_t mac[VM_MAC_LEN];
};

/* A VM's disk: a slice of a host disk (keel,disks). */
#define VM_DISK_RO 1U /* flags: read-only */
#define VM_DISK_FLAGS VM_DISK_RO
struct vm_disk_cfg {
	unsigned host; /* host disk index */
	uint64_t start, nsectors; /* 512-byte sectors; nsectors 0 = to the end of the host disk */
	unsigned flags;
};

/* A host device given to one VM: its MMIO mapped at the same address, its interrupt forwarded. */
struct passthrough {
	uint64_t base, size;
	unsigned irq; /* host PLIC source, the same id on the vPLIC; 0 = none */
};

/* The device that takes the VM's console input (keel,console); output comes from every one. */
enum vm_console_kind { VM_CONSOLE_UART, VM_CONSOLE_VIRTIO };

/* RESETTING: one vCPU is restarting the VM; it is alive, but refuses HSM starts meanwhile. */
enum vm_state { VM_EMPTY, VM_RUNNING, VM_STOPPED, VM_FAILED, VM_RESETTING };

struct vm_config {
	char name[VM_NAME_MAX];
	int nvcpus;
	unsigned long harts[MAX_VCPUS_PER_VM]; /* physical hart of each vCPU (keel,harts round robin) */
	unsigned long hart_mask; /* the harts listed in keel,harts */
	int pinned; /* keel,pinned: those harts are this VM's alone */
	int wfi_exits; /* keel,wfi-exits: a guest WFI traps even on a hart its vCPU has alone */
	int read_exits; /* keel,read-exits: no read-only shadow pages, every device register read traps */
	unsigned slice_us; /* time slice on a shared hart */
	unsigned weight; /* share on a shared hart, relative to the other vCPUs' weights */
	uint64_t ram_base, ram_size; /* guest-physical */
	uint64_t kernel_addr, kernel_size; /* where QEMU's loader put the image (host-physical) */
	uint64_t kernel_offset; /* load offset inside guest RAM */
	uint64_t initrd_addr, initrd_size; /* optional initramfs placed by QEMU's loader */
	uint64_t initrd_offset; /* where it goes in guest RAM (below the DTB) */
	enum timer_mode timer;
	unsigned long stage2_mode; /* HGATP_MODE_*, 0 = Keel's choice */
	char bootargs[VM_BOOTARGS_MAX];
	struct passthrough pass[MAX_PASSTHROUGH];
	int npass;
	struct vm_disk_cfg disks[MAX_VM_DISKS];
	int ndisks;
	struct vm_nic_cfg nics[MAX_VM_NICS];
	int nnics;
	enum vm_console_kind console;
};

struct vdisk;
struct vnic;

struct vm {
	int id;
	struct vm_config cfg;
	int state;
	unsigned long vmid;
	uint64_t ram_hpa;
	struct stage2 s2;
	uint64_t hgatp;
	uint64_t dtb_gpa;
	int nvcpus;
	struct vcpu *vcpus[MAX_VCPUS_PER_VM];
	unsigned boot_count;
	unsigned long faults_reported;
	spinlock_t lock; /* state changes, and HSM starts against them */
	struct mmio_bus mmio;
	struct vuart uart;
	struct vplic plic;
	/*
	 * With one vCPU (and no keel,read-exits): the stage-2 leaf that maps the vPLIC's idle context
	 * page over context 0's registers, on while context 0's line is low; else NULL.
	 */
	uint64_t *idle_claim_pte;
	struct vcons vcons; /* with keel,console = "virtio" */
	struct vdisk *disks[MAX_VM_DISKS];
	struct vnic *nics[MAX_VM_NICS];
	/* Console output is gathered into lines, so lines of different VMs never mix. */
	spinlock_t con_lock;
	unsigned con_len;
	unsigned con_shown; /* how much of con_line is on the console already (console lock) */
	uint64_t con_stamp; /* when the unfinished line last grew (host timer) */
	char con_line[160];
};

extern struct vm vms[MAX_VMS];
extern int nvms;

struct vcpu *vm_vcpu_by_id(struct vm *vm, unsigned long id);
/* Translate a guest-physical range inside guest RAM to a host pointer, or NULL. */
void *vm_gpa_to_host(struct vm *vm, uint64_t gpa, uint64_t len);

/*
 * Apply `fn` to the vCPUs named by an SBI hart mask (SBI spec 3.1: base == -1 means all).
 * Returns SBI_SUCCESS or SBI_ERR_INVALID_PARAM without calling fn if any named hart is invalid.
 */
long vm_for_each_in_mask(struct vm *vm, unsigned long mask, unsigned long base,
			 void (*fn)(struct vcpu *target, void *ctx), void *ctx);

/* Post `req` to every vCPU in the mask and wait until each has acted on it. */
long vm_remote_request(struct vm *vm, struct vcpu *self, unsigned long mask, unsigned long base, unsigned long req);

/* The VM's console: output attributed by line, input only for the VM holding the console. */
void vm_console_putc(struct vm *vm, char c);
void vm_console_write(struct vm *vm, const char *s, unsigned long n);
int vm_console_getc(struct vm *vm);
/*
 * The console deadline on hart h passed: show its VM's unfinished line (a prompt) once the VM
 * has been quiet for a while, else look again later (called from the hart's timer path).
 */
struct hart;
void vm_console_quiet_check(struct hart *h, uint64_t now);
/* Bytes typed on Keel's console for this VM: to its virtio console if it has one, else its UART. */
void vm_console_input(struct vm *vm, const char *buf, unsigned n);
/* The virtio console of a VM with keel,console = "virtio": set up, reset, its report line. */
int vm_console_init(struct vm *vm, char *err, unsigned long errlen);
void vm_console_reset(struct vm *vm);
void vm_console_report(struct vm *vm);

/* Devices: set up the VM's emulated devices and pass-through; route host interrupts. */
int vm_devices_init(struct vm *vm, char *err, unsigned long errlen);
/* Whether a window of the VM's (a virtio device's) overlaps a device passed through to it. */
/*
 * Put a virtio device on the VM's bus at base and map its shadow page there, read-only: -1 when
 * the bus is full or the stage-2 tables cannot grow.
 */
int vm_virtio_attach(struct vm *vm, uint64_t base, struct virtio_mmio *t, const char *name);
/* VCPU_REQ_DEVICES: the VM's devices' next turn on the work their notifies left (one budget each). */
void vm_devices_resume(struct vm *vm);
int vm_window_passed_through(const struct vm *vm, uint64_t base, uint64_t size);
void vm_devices_reset(struct vm *vm);
/* A host external interrupt arrived on this hart: claim, forward, complete. */
void host_irq_handle(void);
void host_irqs_init(void);
void host_irqs_hart_init(unsigned long hart);
/* Move whatever Keel's console has received to the VM holding the input (Ctrl-\ switches VM). */
void console_input_drain(void);

/* Running, or being reset (and running again shortly). */
static inline int vm_alive(const struct vm *vm)
{
	int state = __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE);

	return state == VM_RUNNING || state == VM_RESETTING;
}

/*
 * Stop or restart a whole VM (any vCPU's hart may call). One reset or shutdown at a time: the
 * first caller does it; a vCPU asking while another one's is under way just stops itself.
 */
void vm_shutdown(struct vm *vm, const char *why);
void vm_reboot(struct vm *vm);
/* A vCPU stopped itself: stop the VM when none is left that could start the others. */
void vm_vcpu_stopped(struct vm *vm);

/* Build VMs from the configuration; returns the number that were created. */
int vms_create(const void *host_fdt);
/*
 * Wait a little (a timer, or any interrupt, ends it) in a loop that waits for another hart:
 * a busy loop would keep a single-threaded QEMU (-icount) from ever running the other hart.
 */
#define HART_PAUSE_TICKS 100 /* 10 us at QEMU virt's 10 MHz timebase */
void hart_pause(void);
/* The loop each hart runs for its pinned vCPU; never returns. */
void hart_run_loop(void);

#endif
