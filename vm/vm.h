/* VM objects: guest RAM, stage-2 root, VMID and the vCPUs pinned to harts. */
#ifndef KEEL_VM_VM_H
#define KEEL_VM_VM_H
#include <stdint.h>
#include "core/spinlock.h"
#include "mm/stage2.h"
#include "vcpu/vcpu.h"
#include "vm/guest.h"
#include "vdev/mmio.h"
#include "vdev/vaplic.h"
#include "vdev/vplic.h"
#include "vdev/vuart.h"
#include "vdev/virtio/console.h"
#include "lib/virtio_spec.h"

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
/* With keel,irqchip = "aia": the APLIC's S domain and the IMSIC files where QEMU virt has them. */
#define VM_APLIC_BASE 0xd000000UL
#define VM_IMSIC_BASE 0x28000000UL /* vCPU i's file at + i * PAGE_SIZE */
#define VM_UART_BASE 0x10000000UL
#define VM_UART_IRQ 10
#define VM_FIXED_DEVICES 3 /* the syscon, the PLIC (or APLIC) and the UART, on every VM's bus */
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

/* The guest's interrupt controller (keel,irqchip): the vPLIC, or the AIA (an IMSIC file per vCPU, a vAPLIC). */
enum vm_irqchip { VM_IRQCHIP_PLIC, VM_IRQCHIP_AIA };

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
	enum vm_irqchip irqchip;
	/* With the AIA: each vCPU's guest interrupt file on its hart (hstatus.VGEIN, 1..GEILEN). */
	unsigned char aia_file[MAX_VCPUS_PER_VM];
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
	uint64_t henvcfg; /* what its ISA needs (board/guest_isa.h), set with its DTB */
	int nvcpus;
	struct vcpu *vcpus[MAX_VCPUS_PER_VM];
	unsigned boot_count;
	unsigned long faults_reported;
	spinlock_t lock; /* state changes, and HSM starts against them */
	struct mmio_bus mmio;
	struct vuart uart;
	struct irqchip irqchip; /* what the devices raise their lines on (board/devices.c attaches it) */
	struct vplic plic; /* behind irqchip (keel,irqchip = "plic") */
	struct vaplic aplic; /* or this (keel,irqchip = "aia") */
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

/* Running, or being reset (and running again shortly). */
static inline int vm_alive(const struct vm *vm)
{
	int state = __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE);

	return state == VM_RUNNING || state == VM_RESETTING;
}

#endif
