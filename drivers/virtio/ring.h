/* The driver side of a split virtqueue (virtio 1.1, 2.6) in Keel's own memory, for host devices. */
#ifndef KEEL_DRIVERS_VIRTIO_RING_H
#define KEEL_DRIVERS_VIRTIO_RING_H
#include <stdint.h>
#include "lib/virtio_spec.h"

#define HVQ_MAX 256 /* descriptors per host queue (fewer if the device offers fewer) */

struct hvq_avail {
	uint16_t flags, idx;
	uint16_t ring[HVQ_MAX];
	uint16_t used_event;
};

struct hvq_used {
	uint16_t flags, idx;
	struct vring_used_elem ring[HVQ_MAX];
	uint16_t avail_event;
};

/*
 * Laid out so that it also serves the legacy interface (virtio 1.1, 2.6.2 "Legacy Interfaces:
 * A Note on Virtqueue Layout"): with HVQ_MAX entries the descriptor table fills exactly one 4 KiB
 * page, the available ring follows it and the used ring starts on the next page boundary.
 */
struct hvq {
	struct vring_desc desc[HVQ_MAX] __attribute__((aligned(VIRTIO_MMIO_LEGACY_PAGE_SIZE)));
	struct hvq_avail avail __attribute__((aligned(VRING_AVAIL_ALIGN_SIZE)));
	struct hvq_used used __attribute__((aligned(VIRTIO_MMIO_LEGACY_PAGE_SIZE)));
	uint16_t num, nfree, free_head, avail_idx, last_used;
	uint16_t chain_len[HVQ_MAX]; /* descriptors of the chain starting at each head */
};

_Static_assert(__builtin_offsetof(struct hvq, avail) == VIRTQ_DESC_SIZE(HVQ_MAX), "legacy layout: avail after desc");
_Static_assert(__builtin_offsetof(struct hvq, used) % VIRTIO_MMIO_LEGACY_PAGE_SIZE == 0, "legacy layout: used aligned");

/* One buffer of a chain: host-physical address (Keel runs with physical addressing). */
struct hvq_buf {
	uint64_t addr;
	uint32_t len;
	int write; /* device-writable */
	int indirect; /* a table of vring_desc holding the chain (VIRTIO_RING_F_INDIRECT_DESC) */
};

/* num: a power of 2 no larger than HVQ_MAX. */
void hvq_init(struct hvq *q, uint16_t num);
/* Put a chain in the available ring; returns its head, or -1 when there is no room. */
int hvq_add(struct hvq *q, const struct hvq_buf *bufs, unsigned n);
/* Take the next used element: its head (the chain is freed), -1 when none, -2 for a bogus one (skipped). */
int hvq_pop_used(struct hvq *q, uint32_t *len);

#endif
