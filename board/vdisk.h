/* A VM's virtio block devices over slices of the host's disks: the glue between vdev/virtio and drivers/virtio. */
#ifndef KEEL_BOARD_VDISK_H
#define KEEL_BOARD_VDISK_H
#include "drivers/virtio/blk.h"
#include "vdev/virtio/blk.h"
#include "board/board.h"

/* A request at the host disk: its parts still out, their ring descriptors, the status so far. */
struct vdisk_out {
	unsigned parts, descs;
	uint8_t status;
};

struct vdisk {
	struct vm *vm;
	int index; /* guest disk number */
	struct host_disk *host;
	uint64_t start; /* first host sector of the slice */
	unsigned descs; /* host queue descriptors its requests hold now (atomic) */
	struct vblk blk;
	struct vdisk_out out[VBLK_INFLIGHT]; /* by index in blk.req */
	struct vq_chain chain;
};

/* Set up the host disks (before VMs are created). */
void vdisks_host_init(void);
/* Check the VM's keel,disks against the host disks and the other VMs, then add its devices. */
int vm_disks_init(struct vm *vm, char *err, unsigned long errlen);
/* Undo a vm_disks_init that failed: the disks it made go back to Keel's pool of pages. */
void vm_disks_exit(struct vm *vm);
void vm_disks_reset(struct vm *vm);
/* Whether no request of the VM's disks is at a host disk any more (none starts after vm_disks_reset). */
int vm_disks_idle(const struct vm *vm);
/* One line per disk: requests answered, errors, protocol errors. */
void vm_disks_report(struct vm *vm);
/* Route host disk interrupts to this hart when it runs the first VM using the disk. */
void vdisks_route_irqs(unsigned long hart);

#endif
