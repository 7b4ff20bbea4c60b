/*
 * Host virtio-blk driver: the machine's own disks (QEMU's virtio-blk-device on the virtio-mmio
 * transports). Requests are asynchronous: host_blk_submit() queues one and returns, the
 * device's interrupt (host_blk_interrupt) completes it through the callback given to host_blk_init().
 */
#ifndef KEEL_DRIVERS_VIRTIO_BLK_H
#define KEEL_DRIVERS_VIRTIO_BLK_H
#include <stdint.h>
#include "core/spinlock.h"
#include "drivers/virtio/ring.h"

#define HOST_DISKS_MAX 8
#define HOST_BLK_MAX_SEGS 128 /* data buffers per device request (longer requests are cut in parts) */
#define HOST_BLK_SPLIT_SEGS 256 /* data buffers of a request cut in parts (indirect: one descriptor each) */

struct host_disk {
	int index;
	uintptr_t base;
	unsigned irq;
	uint64_t nsectors;
	uint64_t features; /* accepted */
	int ro, flush;
	int legacy; /* a version 1 transport */
	int indirect; /* VIRTIO_RING_F_INDIRECT_DESC: each request is one ring descriptor */
	uint32_t seg_max, size_max; /* 0: no limit */
	spinlock_t lock;
	struct hvq vq;
	/*
	 * Per head descriptor: Keel's own header and status byte for the request in flight there,
	 * and (indirect) the table holding its chain: header, data buffers, status.
	 */
	struct {
		struct vring_desc table[HOST_BLK_MAX_SEGS + 2] __attribute__((aligned(VRING_DESC_ALIGN_SIZE)));
		struct virtio_blk_outhdr hdr;
		uint8_t status;
		void *cookie;
	} slot[HVQ_MAX];
	unsigned long requests, errors;
};

/* A data buffer of a request, host-physical. */
struct host_blk_seg {
	uint64_t addr;
	uint32_t len;
};

extern struct host_disk *host_disks[HOST_DISKS_MAX];
extern int nhost_disks;

/*
 * Find and set up every virtio-blk device among the host's virtio-mmio transports. Disk 0 is the
 * one at the highest address (QEMU fills transports from the top: the first -device). `done` is
 * called for each completed request, `room` after a batch of completions on a disk.
 */
void host_blk_init(void (*done)(void *cookie, uint8_t status), void (*room)(struct host_disk *d));
/*
 * How a request of these data buffers goes to the device: the number of device requests
 * (parts) it takes, each within the device's SEG_MAX and ending on a sector boundary, and the
 * ring descriptors they take together; -EINVAL when it cannot be cut on sector boundaries.
 */
int host_blk_plan(const struct host_disk *d, const struct host_blk_seg *segs, unsigned nseg, unsigned *descs);
/*
 * The most data buffers a request should have: any number is cut into parts when each part is
 * one ring descriptor (indirect), else one device request's worth within half the ring.
 */
unsigned host_blk_seg_max(const struct host_disk *d);
/*
 * Queue a request: type VIRTIO_BLK_T_*, absolute sector, data buffers (device-writable when
 * `to_memory`), cut into parts as host_blk_plan() says, all queued or none. Returns the number
 * of parts (the completion callback comes once per part, with the same cookie), -EBUSY when
 * the queue has no room for them all now, or -EINVAL.
 */
int host_blk_submit(struct host_disk *d, uint32_t type, uint64_t sector, const struct host_blk_seg *segs, unsigned nseg,
		    int to_memory, void *cookie);
/* Tell the device about the requests queued since the last kick. */
void host_blk_kick(struct host_disk *d);
/* A host interrupt: returns 1 when it was a disk's (completions delivered), else 0. */
void host_blk_interrupt(struct host_disk *d);

#endif
