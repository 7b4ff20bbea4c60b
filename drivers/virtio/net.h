/*
 * Host virtio-net driver: the machine's own network card (QEMU's virtio-net-device, e.g. on its
 * user network), the uplink of Keel's switch. Receive buffers stay posted; a received frame is
 * handed to the `rx` callback (no lock held) and its buffer posted again. host_net_send_from()
 * pulls frames to transmit from a callback while the transmit queue has room; the device's
 * interrupt (host_net_interrupt) takes receive and transmit completions.
 */
#ifndef KEEL_DRIVERS_VIRTIO_NET_H
#define KEEL_DRIVERS_VIRTIO_NET_H
#include <stdint.h>
#include "core/spinlock.h"
#include "drivers/virtio/ring.h"
#include "net/switch.h"

#define HOST_NET_BUF 1536 /* one receive or transmit buffer: the header and the largest frame */
/*
 * Where a frame starts in its buffer, its header right before it: on a word boundary, as frames
 * in the switch's queues are, so copies between them go by whole words.
 */
#define HOST_NET_FRAME_OFF 16
_Static_assert(HOST_NET_FRAME_OFF >= VIRTIO_NET_HDR_LEN && HOST_NET_FRAME_OFF % SWITCH_FRAME_ALIGN == 0,
	       "the header fits before a word-aligned frame");
_Static_assert(HOST_NET_BUF >= HOST_NET_FRAME_OFF + ETH_FRAME_MAX, "a buffer holds a header and a frame");

struct host_nic {
	uintptr_t base;
	unsigned irq;
	int legacy;
	unsigned hdr_len; /* 12, or 10 on a legacy transport */
	uint64_t features;
	uint8_t mac[ETH_ALEN];
	spinlock_t lock;
	struct hvq rxq, txq;
	uint64_t rx_frames, tx_frames, rx_bad;
	void (*rx)(void *ctx, const void *frame, unsigned len);
	/* Frames to send: the next one into buf (its length), 0 when none. */
	int (*next_tx)(void *ctx, void *buf, unsigned len);
	void *ctx;
	uint8_t rxbuf[HVQ_MAX][HOST_NET_BUF] __attribute__((aligned(16)));
	uint8_t txbuf[HVQ_MAX][HOST_NET_BUF] __attribute__((aligned(16)));
};

/* The first virtio-net device among the host's transports, set up and running; NULL when none. */
struct host_nic *host_net_init(void (*rx)(void *, const void *, unsigned), int (*next_tx)(void *, void *, unsigned),
			       void *ctx);
/* The card host_net_init set up, or NULL. */
const struct host_nic *host_net_card(void);
/* Fill the transmit queue from next_tx (any hart). */
void host_net_kick(struct host_nic *n);
/* A host interrupt: 1 when it was the NIC's (completions taken), else 0. */
void host_net_interrupt(struct host_nic *n);

#endif
