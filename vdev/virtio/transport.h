/*
 * A guest-facing virtio-mmio transport, version 2 (virtio 1.1, 4.2.2): registers, feature
 * negotiation, the device status sequence and the virtqueues' configuration. The device type
 * behind it (vdev/virtio/blk.c) supplies its features, configuration space and queue handling.
 *
 * Register accesses are 32 bits wide (others fault); the configuration space takes 1, 2, 4 and
 * 8 byte reads. Unknown registers read 0 and ignore writes. A driver that breaks the protocol
 * (DRIVER_OK without FEATURES_OK, clearing status bits, a bad queue) gets DEVICE_NEEDS_RESET
 * and a configuration-change interrupt; the device then does nothing until it is reset.
 *
 * The guest reads the registers without exits: `shadow` is a page of what a trapped read of each
 * register and configuration word returns, which the VM maps read-only at the device's window
 * (board/devices.c). Writes still trap, and every state change rewrites the words it affects under the
 * lock, InterruptStatus before the interrupt is raised. A read that is not 4 bytes wide gets the
 * bytes of the page, where a trapped one faults.
 */
#ifndef KEEL_VDEV_VIRTIO_TRANSPORT_H
#define KEEL_VDEV_VIRTIO_TRANSPORT_H
#include <stdint.h>
#include "core/spinlock.h"
#include "vdev/mmio.h"
#include "vdev/virtio/queue.h"

#define VIRTIO_MMIO_MAX_QUEUES 2
#define VIRTIO_KEEL_VENDOR_ID 0x4b45454cU /* "KEEL", as in the SBI implementation ID */
#define VIRTIO_MMIO_SHADOW_WORDS (VIRTIO_MMIO_WINDOW / sizeof(uint32_t))

struct virtio_mmio_dev_ops {
	uint32_t device_id;
	unsigned nqueues;
	uint32_t queue_num_max;
	uint64_t (*features)(void *dev);
	/* Read `width` bytes at `off` of the configuration space. */
	uint64_t (*config_read)(void *dev, unsigned off, unsigned width);
	/*
	 * The driver notified queue `q`; the transport lock is held. Does at most a budget's worth
	 * (struct vq_budget) and returns nonzero when work is left: the transport asks for a resume.
	 */
	int (*notify)(void *dev, unsigned q);
	/* The device is being reset; the transport lock is held. */
	void (*reset)(void *dev);
	/* Other harts hand the device work with virtio_mmio_kick: every unlock looks for it. */
	int kicked;
};

struct virtio_mmio {
	spinlock_t lock;
	const struct virtio_mmio_dev_ops *ops;
	void *dev;
	struct vq_mem mem;
	uint32_t status, isr;
	uint32_t dev_features_sel, drv_features_sel, queue_sel;
	uint64_t driver_features;
	unsigned gen; /* counts resets: work started before one is dropped when it ends */
	uint32_t deferred; /* queues (bit per queue) another hart asked to process while the lock was held */
	uint32_t resume; /* queues (bit per queue) whose notify left work over its budget */
	/* Called (lock held) when work is left over: the owner has virtio_mmio_resume called later. */
	void (*defer)(void *ctx);
	void *defer_ctx;
	unsigned long protocol_errors;
	struct virtq vq[VIRTIO_MMIO_MAX_QUEUES];
	void (*set_irq)(void *ctx, int level);
	void *irq_ctx;
	/* The guest's view of the window, a page of its own (guests read it: nothing else may share it). */
	uint32_t shadow[VIRTIO_MMIO_SHADOW_WORDS] __attribute__((aligned(VIRTIO_MMIO_WINDOW)));
};

extern const struct mmio_ops virtio_mmio_ops;

/* Last in a device's init: the shadow page is rendered from the device's configuration as it is then. */
void virtio_mmio_init(struct virtio_mmio *t, const struct virtio_mmio_dev_ops *ops, void *dev, const struct vq_mem *mem,
		      void (*set_irq)(void *, int), void *irq_ctx);
/*
 * From any hart: have the device process queue q (its notify op) as if the driver notified it,
 * now if the lock is free, else by the lock's holder before it lets go. Never waits for the lock:
 * under QEMU's round-robin of harts a holder's hart may not run for a whole time slice.
 */
void virtio_mmio_kick(struct virtio_mmio *t, unsigned q);
/* Release the lock, first doing any work virtio_mmio_kick left. */
void virtio_mmio_unlock(struct virtio_mmio *t);
/* With the lock held: one budget's worth on queue q, as a notify; what is left is resumed later. */
void virtio_mmio_notify(struct virtio_mmio *t, unsigned q);
/*
 * The device's next turn (from its owner, in the time of the VM it belongs to): the queues whose
 * work was left over get one more budget's worth of what their notify found (entries added since
 * wait for their own notify). Returns nonzero when work is still left.
 */
int virtio_mmio_resume(struct virtio_mmio *t);
/* Device reset, as if the driver wrote 0 to Status. */
void virtio_mmio_reset(struct virtio_mmio *t);
/* With the lock held: raise InterruptStatus bits (VIRTIO_MMIO_INT_*). */
void virtio_mmio_interrupt(struct virtio_mmio *t, uint32_t bits);
/* With the lock held: the driver broke the protocol; stop until reset. */
void virtio_mmio_needs_reset(struct virtio_mmio *t);
/* The driver finished setting up and the device is not broken. */
int virtio_mmio_live(const struct virtio_mmio *t);

#endif
