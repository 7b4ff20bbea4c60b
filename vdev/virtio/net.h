/*
 * A virtio network device for guests (virtio 1.1, 5.1): queue 0 receives, queue 1 transmits.
 * Features: VERSION_1, MAC and STATUS (the link is always up); no offloads, so every frame is a
 * plain Ethernet frame behind a 12-byte virtio_net_hdr that the device ignores on transmit and
 * zeroes (num_buffers = 1) on receive.
 *
 * Frames go to and come from a backend (the switch port of vm/vnet.c). Transmitted frames are
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

/* Results of vnet_tx_gather besides a frame length. */
#define VNET_ERR_BROKEN (-1) /* the chain's structure is wrong: the device needs a reset */
#define VNET_ERR_BAD (-2) /* outside RAM, device-writable, too many descriptors: dropped */
#define VNET_ERR_RUNT (-3) /* shorter than the header plus an Ethernet header: dropped */
#define VNET_ERR_OVERSIZE (-4) /* longer than the header plus ETH_FRAME_MAX: dropped */

struct vnet_backend {
	/* A frame the guest sent (any hart, no device lock held). */
	void (*send)(void *ctx, const void *frame, unsigned len);
	/* Frames waiting for the guest. */
	unsigned (*pending)(void *ctx);
	/* The oldest waiting frame into buf: its length, 0 if none, <0 when buf was too small (dropped). */
	int (*recv)(void *ctx, void *buf, unsigned len);
	void *ctx;
};

struct vnet_stats {
	uint64_t tx_frames, rx_frames;
	uint64_t tx_runt, tx_oversize, tx_bad; /* dropped frames the guest sent */
	uint64_t rx_small; /* frames dropped for a receive buffer too small */
};

struct vnet_tx_frame {
	uint16_t len;
	uint8_t data[VNET_FRAME_MAX];
};

struct vnet {
	struct virtio_mmio t;
	uint8_t mac[ETH_ALEN];
	struct vnet_backend be;
	struct vnet_stats stats;
	int tx_busy, tx_again; /* one vCPU copies frames out at a time; the others leave it a note */
	struct vq_chain chain; /* scratch for the walker */
	uint8_t rx_frame[VNET_FRAME_MAX];
	struct vnet_tx_frame tx[VNET_TX_BATCH];
};

/*
 * Copy the frame a transmit chain holds (after its hdr_len-byte header) into frame[VNET_FRAME_MAX]:
 * its length, or VNET_ERR_*. Pure: touches only the chain's (checked) guest buffers.
 */
int vnet_tx_gather(const struct vq_chain *c, unsigned hdr_len, uint8_t *frame);
/* Room for a frame in a receive chain (after the header): bytes, or -1 when the chain is unusable. */
int vnet_rx_room(const struct vq_chain *c, unsigned hdr_len);
/* Write the header and the frame into a receive chain (room checked first): bytes written. */
uint32_t vnet_rx_fill(const struct vq_chain *c, unsigned hdr_len, const uint8_t *frame, unsigned len);

void vnet_init(struct vnet *n, const uint8_t mac[ETH_ALEN], const struct vnet_backend *be, const struct vq_mem *mem,
	       void (*set_irq)(void *, int), void *irq_ctx);
/* Frames are waiting for the guest (any hart): fill its receive buffers. */
void vnet_rx_kick(struct vnet *n);

#endif
