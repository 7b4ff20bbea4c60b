/*
 * A virtio block device for guests (virtio 1.1, 5.2) over a slice of a disk: IN, OUT, FLUSH and
 * GET_ID are served, any other request type gets VIRTIO_BLK_S_UNSUPP. Sectors are checked
 * against the slice (IOERR past its end) and OUT on a read-only slice gets IOERR.
 *
 * Requests are parsed here and handed to a backend with their data segments pointing straight
 * at guest RAM (no copy); the backend completes them later, from any hart, with vblk_complete().
 * Several requests are in flight at once; nothing waits for the disk.
 */
#ifndef KEEL_VDEV_VIRTIO_BLK_H
#define KEEL_VDEV_VIRTIO_BLK_H
#include <stdint.h>
#include "vdev/virtio/transport.h"

#define VBLK_SEG_MAX 256 /* data segments per request (the SEG_MAX offered): 1 MiB in 4 KiB pages */
#define VBLK_QUEUE_MAX 128 /* QueueNumMax */
#define VBLK_INFLIGHT 32 /* requests handed to the backend and not yet completed */
/* The work of one turn (vdev/virtio/queue.h): as many requests as may be in flight, of 8 MiB in all. */
#define VBLK_BUDGET_CHAINS VBLK_INFLIGHT
#define VBLK_BUDGET_BYTES (8ULL << 20)
_Static_assert(VBLK_SEG_MAX + 2 <= VQ_MAX_SEGS, "the walker keeps a whole request: header, data, status");

struct vblk_seg {
	uint8_t *host; /* in guest RAM, checked */
	uint32_t len;
};

struct vblk_req {
	uint32_t type; /* VIRTIO_BLK_T_* */
	uint64_t sector; /* first sector, relative to the slice */
	int to_guest; /* data flows into guest RAM (IN) */
	unsigned nseg;
	struct vblk_seg seg[VBLK_SEG_MAX];
	uint64_t data_len;
	uint8_t *status; /* the guest's status byte, checked */
	uint32_t used_len; /* bytes written to the guest when it succeeds */
	uint16_t head;
	unsigned gen;
	int busy;
	void *owner; /* the struct vblk */
};

/* What the guest sees of its disk. */
struct vblk_disk {
	uint64_t nsectors;
	int ro;
	uint32_t size_max; /* largest segment the disk below takes; 0: no limit */
	uint32_t seg_max; /* data segments per request the disk below takes (at most VBLK_SEG_MAX); 0: VBLK_SEG_MAX */
	char id[VIRTIO_BLK_ID_BYTES]; /* GET_ID answer, NUL padded */
};

enum vblk_action {
	VBLK_BROKEN = -1, /* no status byte to answer in: the device needs a reset */
	VBLK_DONE = 0, /* answered here: *result is the status */
	VBLK_SUBMIT = 1, /* for the backend */
};

struct vq_chain;
/* Parse one chain into `r`. Pure: touches only the chain's (checked) guest buffers. */
int vblk_parse(const struct vq_chain *c, const struct vblk_disk *d, struct vblk_req *r, uint8_t *result);

/* Backend submit results besides 0 (queued; vblk_complete() follows). */
#define VBLK_BACKEND_DONE 1 /* finished at once, successfully (e.g. FLUSH on a disk without a cache) */
#define VBLK_BACKEND_BUSY (-16) /* no room now: retried after the next completion on the disk */

struct vblk_backend {
	int (*submit)(void *ctx, struct vblk_req *r);
	void (*kick)(void *ctx); /* after a batch of submits */
	void *ctx;
};

struct vblk {
	struct virtio_mmio t;
	struct vblk_disk disk;
	struct vblk_backend be;
	struct vblk_req req[VBLK_INFLIGHT];
	struct vblk_req *pending; /* parsed, refused by a busy backend: first in line */
	int blocked; /* waits for a completion to go on */
	struct vq_chain *chain; /* scratch for the walker */
	unsigned long served, errors;
};

void vblk_init(struct vblk *b, const struct vblk_disk *disk, const struct vblk_backend *be, const struct vq_mem *mem,
	       struct vq_chain *scratch, void (*set_irq)(void *, int), void *irq_ctx);
/* The backend finished `r` with a VIRTIO_BLK_S_* status. Any hart; takes the device lock. */
void vblk_complete(struct vblk_req *r, uint8_t status);
/* Go on after the backend made room (a completion of another device on the same disk). */
void vblk_retry(struct vblk *b);

#endif
