/*
 * The device side of a split virtqueue in guest memory (virtio 1.1, 2.6): the queue's three
 * parts are checked against guest RAM once, when the driver makes the queue ready; each
 * descriptor chain the driver offers is walked with every field checked, and nothing in guest
 * memory is read twice for the same decision (the guest can change it at any time).
 */
#ifndef KEEL_VDEV_VIRTIO_QUEUE_H
#define KEEL_VDEV_VIRTIO_QUEUE_H
#include <stdint.h>
#include "lib/virtio_spec.h"

/* Guest RAM: one contiguous range, at `host` in Keel's (physical) address space. */
struct vq_mem {
	uint64_t gpa, size;
	uint8_t *host;
};

/* The host address of [gpa, gpa + len) when it lies wholly in guest RAM and len > 0, else NULL. */
void *vq_mem_ptr(const struct vq_mem *m, uint64_t gpa, uint64_t len);

/* The largest queue the walker takes (it tracks each head): twice the largest QueueNumMax, net's 256. */
#define VQ_TRACKED_MAX 512
#define VQ_WORD_BITS 64

struct virtq {
	uint32_t num; /* queue size the driver chose; 0 = not set */
	int ready;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	/* Valid while ready: the checked host addresses of the three parts. */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail; /* the next available-ring entry to take */
	uint16_t used_idx; /* the next used-ring entry to fill (never read back from the guest) */
	int indirect; /* VIRTIO_RING_F_INDIRECT_DESC negotiated: a chain's head may refer to a table */
	/*
	 * The entries up to batch_end were all published before the device read that index, so none
	 * of them may name a head the device took after that read (the driver offers a buffer
	 * again only once it is used, 2.6): `taken` holds the heads taken since.
	 */
	uint16_t batch_end;
	uint64_t taken[VQ_TRACKED_MAX / VQ_WORD_BITS];
	/*
	 * hold: a resume turn (virtio_mmio_resume) drains the batch taken and starts a new one only
	 * when a notify came since the last one started (`notified`), so a driver refilling the ring
	 * from another vCPU without notifying cannot keep the resuming vCPU out of its guest.
	 */
	int hold, notified;
};

/* One descriptor of a chain, checked: host points into guest RAM, or is NULL when it does not. */
struct vq_seg {
	uint8_t *host;
	uint32_t len;
	int write; /* device-writable */
};

/* Chain faults. The structural ones leave the chain unusable (the device needs a reset). */
#define VQ_ERR_ADDR 1U /* a buffer outside guest RAM, or of length 0 */
#define VQ_ERR_TOO_MANY 2U /* more descriptors than the caller takes */
#define VQ_ERR_INDIRECT 4U /* VRING_DESC_F_INDIRECT not negotiated, not on the head, or a bad table */
#define VQ_ERR_ORDER 8U /* a device-readable descriptor after a device-writable one */
#define VQ_ERR_NEXT 16U /* a next index beyond the table */
#define VQ_ERR_LOOP 32U /* more descriptors than the queue holds: a loop */
#define VQ_ERR_STRUCTURE (VQ_ERR_INDIRECT | VQ_ERR_ORDER | VQ_ERR_NEXT | VQ_ERR_LOOP)

#define VQ_MAX_SEGS 258 /* the most descriptors of one chain kept (the last one is always kept) */

struct vq_chain {
	uint16_t head;
	unsigned err; /* VQ_ERR_* */
	unsigned nseg; /* segments kept in seg[] (at most the caller's limit) */
	unsigned ndesc; /* descriptors in the chain */
	struct vq_seg seg[VQ_MAX_SEGS];
	struct vq_seg last; /* the chain's last descriptor */
};

enum vq_pop_result {
	VQ_EMPTY = 0, /* nothing offered */
	VQ_CHAIN = 1, /* a chain was taken (check chain->err) */
	VQ_BROKEN = -1, /* the available ring itself is wrong (index or head out of range, a head offered twice) */
};

/*
 * The work one notify (or kick) may do on a queue: chains taken and bytes moved. What is left
 * stays in the ring for the device's next turn (the transport's resume), so that one exit is
 * short whatever the guest posts.
 */
struct vq_budget {
	unsigned chains;
	uint64_t bytes;
};

/* Whether the budget allows one more chain. */
static inline int vq_budget_left(const struct vq_budget *b)
{
	return b->chains && b->bytes;
}

/* Charge `chains` chains and `bytes` bytes (both saturating at 0). */
static inline void vq_budget_spend(struct vq_budget *b, unsigned chains, uint64_t bytes)
{
	b->chains = chains < b->chains ? b->chains - chains : 0;
	b->bytes = bytes < b->bytes ? b->bytes - bytes : 0;
}

/* Bytes of at most `want` the budget allows now (at least 1 while any is left). */
static inline uint64_t vq_budget_bytes(const struct vq_budget *b, uint64_t want)
{
	return want < b->bytes ? want : b->bytes;
}

/* Check the queue's size and parts against guest RAM; 0 and ready, or -1 (nothing changes). */
int virtq_enable(struct virtq *q, const struct vq_mem *m, uint32_t max_num);
void virtq_reset(struct virtq *q);
/*
 * Take the next available chain, keeping at most `max_segs` (<= VQ_MAX_SEGS) segments; the walk
 * stops early once the device-writable segments hold `enough` bytes (a receive buffer for a frame
 * of known size: the device uses the start of a chain, 2.6.8, and the rest goes back unread).
 */
int virtq_pop_upto(struct virtq *q, const struct vq_mem *m, struct vq_chain *c, unsigned max_segs, uint64_t enough);

/* The whole chain. */
static inline int virtq_pop(struct virtq *q, const struct vq_mem *m, struct vq_chain *c, unsigned max_segs)
{
	return virtq_pop_upto(q, m, c, max_segs, UINT64_MAX);
}
/*
 * Whether the driver should notify the device of new available buffers (used ring flags, 2.6.10).
 * Returns 1 when it is wanted and the driver offered buffers meanwhile (look at the ring again: it
 * counts as a notify, since the driver may not have sent one).
 */
int virtq_want_notify(struct virtq *q, int wanted);
/* The bytes of a chain's kept segments. */
uint64_t vq_chain_bytes(const struct vq_chain *c);
/* Put one used element; returns whether the driver wants an interrupt for it. */
int virtq_push(struct virtq *q, uint16_t id, uint32_t len);

#endif
