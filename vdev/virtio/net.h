/*
 * A virtio network device for guests (virtio 1.1, 5.1): queue 0 receives, queue 1 transmits.
 * Features: VERSION_1, MAC and STATUS (the link is always up), and the offloads a Linux bridge
 * between KVM guests passes along: partial checksums (CSUM, GUEST_CSUM) and TCP/IPv4 segmentation
 * (HOST_TSO4, GUEST_TSO4), so two guests exchange 64 KiB TCP frames whose checksums nobody computes.
 * A guest that takes TSO4 gives receive chains big enough for one (Linux's "big packets": no
 * MRG_RXBUF needed). The switch (net/offload.h) checksums and segments for ports without them.
 *
 * Frames go to and come from a backend (the switch port of board/vnet.c). Transmitted frames are
 * copied out of guest RAM under the device lock and handed to the backend after the lock is
 * dropped, so a backend may deliver to another device (taking its lock) without a lock cycle.
 * Runt, oversized and malformed frames are dropped and counted; a broken ring or chain
 * structure puts the device in DEVICE_NEEDS_RESET.
 */
#ifndef KEEL_VDEV_VIRTIO_NET_H
#define KEEL_VDEV_VIRTIO_NET_H
#include <stdint.h>
#include "net/switch.h"
#include "vdev/virtio/transport.h"

#define VNET_QUEUE_MAX 256 /* QueueNumMax */
#define VNET_TX_BATCH 16 /* frames copied out per lock hold */
#define VNET_MAX_SEGS 32 /* descriptors of one chain the device takes */
#define VNET_FRAME_MIN ETH_HLEN
#define VNET_FRAME_MAX ETH_FRAME_MAX
#define VNET_GSO_FRAME_MAX NET_GSO_FRAME_MAX /* with HOST_TSO4 / GUEST_TSO4 */
#define VNET_TX_STAGE (4 * VNET_GSO_FRAME_MAX) /* bytes of a transmit batch: at least four of the largest */
#define VNET_STAGE_ALIGN 8U /* where staged frames start */
/* The work of one turn on either queue (vdev/virtio/queue.h): one transmit batch's worth. */
#define VNET_BUDGET_FRAMES VNET_TX_BATCH
#define VNET_BUDGET_BYTES VNET_TX_STAGE

/* Results of vnet_tx_gather besides a frame length. */
#define VNET_ERR_BROKEN (-1) /* the chain's structure is wrong: the device needs a reset */
#define VNET_ERR_BAD (-2) /* outside RAM, device-writable, too many descriptors: dropped */
#define VNET_ERR_RUNT (-3) /* shorter than the header plus an Ethernet header: dropped */
#define VNET_ERR_OVERSIZE (-4) /* longer than the header plus the largest frame: dropped */

struct vnet_backend {
	/* A frame the guest sent (any hart, no device lock held); o->flags 0 for a plain frame. */
	void (*send)(void *ctx, const void *frame, unsigned len, const struct net_offload *o);
	/* The length of the oldest frame waiting for the guest, 0 when none. */
	unsigned (*next_len)(void *ctx);
	/* The oldest waiting frame handed to deliver (as switch_deliver): deliver's result, 0 if none. */
	int (*recv)(void *ctx, int (*deliver)(void *, const uint8_t *, unsigned, const struct net_offload *),
		    void *dctx);
	/* The offloaded frames (NET_CAP_*) the guest's driver takes now. */
	void (*caps)(void *ctx, unsigned caps);
	void *ctx;
};

struct vnet_stats {
	uint64_t tx_frames, rx_frames;
	uint64_t tx_runt, tx_oversize, tx_bad; /* dropped frames the guest sent */
	uint64_t rx_small; /* frames dropped for a receive buffer too small */
};

struct vnet_tx_frame {
	uint32_t off, len; /* in the staging area */
	struct net_offload o;
};

struct vnet {
	struct virtio_mmio t;
	uint8_t mac[ETH_ALEN];
	struct vnet_backend be;
	struct vnet_stats stats;
	int tx_busy, tx_again; /* one vCPU copies frames out at a time; the others leave it a note */
	unsigned caps; /* NET_CAP_* last told to the backend */
	struct vq_chain chain; /* scratch for the walker */
	struct vnet_tx_frame tx[VNET_TX_BATCH];
	uint8_t tx_stage[VNET_TX_STAGE];
};

/*
 * Copy the header a transmit chain starts with into hdr (hdr_len <= its size; the rest zeroed) and
 * the frame behind it into frame[max]: its length, or VNET_ERR_*. Pure: touches only the chain's
 * (checked) guest buffers.
 */
int vnet_tx_gather(const struct vq_chain *c, unsigned hdr_len, struct virtio_net_hdr_v1 *hdr, uint8_t *frame,
		   unsigned max);
/*
 * The offload a transmit header asks for, given the features the driver accepted: 0 and *o, or -1
 * when it asks for one not negotiated or not known (the frame is dropped). The frame itself is
 * checked by the switch (net_offload_check).
 */
int vnet_hdr_offload(const struct virtio_net_hdr_v1 *hdr, uint64_t features, struct net_offload *o);
/* Room for a frame in a receive chain (after the header), at most max: bytes, or -1 when unusable. */
int vnet_rx_room(const struct vq_chain *c, unsigned hdr_len, unsigned max);
/* Write hdr (its first hdr_len bytes) and the frame into a receive chain (room checked first): bytes written. */
uint32_t vnet_rx_fill(const struct vq_chain *c, unsigned hdr_len, const struct virtio_net_hdr_v1 *hdr,
		      const uint8_t *frame, unsigned len);

void vnet_init(struct vnet *n, const uint8_t mac[ETH_ALEN], const struct vnet_backend *be, const struct vq_mem *mem,
	       void (*set_irq)(void *, int), void *irq_ctx);
/* Frames are waiting for the guest (any hart): fill its receive buffers. */
void vnet_rx_kick(struct vnet *n);

#endif
