/*
 * A virtio console for guests (virtio 1.1, 5.3): port 0 only (no MULTIPORT, no SIZE), so the
 * device has two queues, receiveq0 (input for the guest) and transmitq0 (its output).
 *
 * Every buffer the guest transmits goes to a sink (the VM's console stream) at the notify and is
 * given back used at once: a guest writes a whole buffer per exit, up to VCONS_TX_BUDGET_BYTES (the
 * rest on the device's next turns). Console input waits in a
 * bounded buffer until the guest posts receive buffers; what does not fit is dropped and counted.
 * A buffer of the wrong direction or outside guest RAM is given back unused and counted; a broken
 * ring or chain structure puts the device in DEVICE_NEEDS_RESET.
 */
#ifndef KEEL_VDEV_VIRTIO_CONSOLE_H
#define KEEL_VDEV_VIRTIO_CONSOLE_H
#include <stdint.h>
#include "vdev/virtio/transport.h"

#define VCONS_QUEUE_MAX 128 /* QueueNumMax, as QEMU's virtio-serial */
#define VCONS_MAX_SEGS 16 /* descriptors of one chain the device takes */
/*
 * The transmit work of one turn (a notify, or the device's resume after one): about what one SBI
 * DBCN write takes, so that one exit prints at most this much whatever the guest posts.
 */
#define VCONS_TX_BUDGET_BYTES 4096
#define VCONS_TX_BUDGET_CHAINS 32
/* Input kept while the guest has no receive buffer posted: as deep as the UART's FIFO. */
#define VCONS_INPUT_MAX 1024

struct vcons_stats {
	uint64_t tx_bytes, rx_bytes;
	uint64_t bad_buffers; /* chains given back unused: wrong direction, outside RAM, too many descriptors */
	uint64_t input_dropped; /* bytes of input that found the buffer full */
};

struct vcons {
	struct virtio_mmio t;
	/* The guest's output; called with the device lock held. */
	void (*sink)(void *ctx, const char *s, unsigned long n);
	void *sink_ctx;
	struct vcons_stats stats;
	unsigned in_len;
	uint8_t in[VCONS_INPUT_MAX]; /* input not yet in a receive buffer, oldest first */
	struct vq_chain chain; /* scratch for the walker (receive) */
	struct vq_chain tx_chain; /* the transmit chain going out, while tx_open */
	int tx_open;
	uint64_t tx_off; /* its bytes out so far */
};

/* Results of vcons_tx_drain and vcons_rx_fill besides a byte count. */
#define VCONS_ERR_BROKEN (-1) /* the chain's structure is wrong: the device needs a reset */
#define VCONS_ERR_BAD (-2) /* outside RAM, wrong direction, too many descriptors: given back unused */

/*
 * Write at most max of a transmit chain's bytes to sink, from byte `from` on (none when the chain
 * is unusable: it is checked whole first): their number, or VCONS_ERR_*. Pure.
 */
long vcons_tx_drain(const struct vq_chain *c, uint64_t from, uint64_t max,
		    void (*sink)(void *, const char *, unsigned long), void *ctx);
/* Copy up to len bytes of src into a receive chain: bytes copied, or VCONS_ERR_*. Pure. */
long vcons_rx_fill(const struct vq_chain *c, const uint8_t *src, unsigned len);

void vcons_init(struct vcons *v, void (*sink)(void *, const char *, unsigned long), void *sink_ctx,
		const struct vq_mem *mem, void (*set_irq)(void *, int), void *irq_ctx);
/* Console input for the guest (any hart): returns how many bytes were kept. */
unsigned vcons_receive(struct vcons *v, const char *buf, unsigned n);

#endif
