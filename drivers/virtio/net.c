/* Host virtio-net driver (virtio 1.1, 5.1) over the virtio-mmio transport, modern or legacy. */
#include "drivers/virtio/net.h"
#include "core/console.h"
#include "drivers/platform.h"
#include "drivers/virtio/mmio.h"
#include "lib/printf.h"
#include "mm/palloc.h"
#include <stddef.h>
#include <string.h>

#define HOST_NET_FEATURES (VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_NET_F_MAC))
#define HOST_NIC_BYTES ((sizeof(struct host_nic) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))

static struct host_nic *nic;

/* A buffer's header, right before its frame at HOST_NET_FRAME_OFF. */
static uint8_t *hdr_at(const struct host_nic *n, uint8_t *buf)
{
	return buf + HOST_NET_FRAME_OFF - n->hdr_len;
}

/* The bytes of a buffer from its header on. */
static uint32_t buf_room(const struct host_nic *n)
{
	return HOST_NET_BUF - (HOST_NET_FRAME_OFF - n->hdr_len);
}

static void post_rx(struct host_nic *n, uint16_t slot)
{
	struct hvq_buf b = { (uint64_t)(uintptr_t)hdr_at(n, n->rxbuf[slot]), buf_room(n), 1, 0 };

	/* One-descriptor chains: the head the free list hands out is the slot. */
	hvq_add(&n->rxq, &b, 1);
}

static int setup(struct host_nic *n)
{
	if (virtio_host_negotiate(n->base, n->legacy, HOST_NET_FEATURES, &n->features))
		return -1;
	n->hdr_len = n->legacy ? sizeof(struct virtio_net_hdr) : VIRTIO_NET_HDR_LEN;
	if (!virtio_host_queue(n->base, n->legacy, VIRTIO_NET_RXQ, &n->rxq) ||
	    !virtio_host_queue(n->base, n->legacy, VIRTIO_NET_TXQ, &n->txq))
		return -1;
	for (int i = 0; i < ETH_ALEN; i++)
		n->mac[i] =
			(uint8_t)virtio_host_config32(n->base, offsetof(struct virtio_net_config, mac) + (unsigned)i);
	/* Fill the receive queue: the free list hands out 0, 1, 2... in order. */
	for (uint16_t i = 0; i < n->rxq.num; i++)
		post_rx(n, i);
	virtio_host_driver_ok(n->base);
	virtio_host_notify(n->base, VIRTIO_NET_RXQ);
	return 0;
}

struct host_nic *host_net_init(void (*rx)(void *, const void *, unsigned), int (*next_tx)(void *, void *, unsigned),
			       void *ctx)
{
	for (int i = platform.nvirtio - 1; i >= 0 && !nic; i--) {
		const struct virtio_slot *s = &platform.virtio[i];
		struct host_nic *n;
		uint32_t version;

		if (virtio_host_probe(s->base, &version) != VIRTIO_ID_NET)
			continue;
		if (version != VIRTIO_MMIO_VERSION_MODERN && version != VIRTIO_MMIO_VERSION_LEGACY)
			continue;
		n = (struct host_nic *)(uintptr_t)page_alloc(HOST_NIC_BYTES, PAGE_SIZE);
		if (!n) {
			kprintf("keel: virtio-net at 0x%lx: no memory for its driver, not used\n",
				(unsigned long)s->base);
			return NULL;
		}
		memset(n, 0, offsetof(struct host_nic, rxbuf));
		n->base = s->base;
		n->irq = s->irq;
		n->legacy = version == VIRTIO_MMIO_VERSION_LEGACY;
		n->rx = rx;
		n->next_tx = next_tx;
		n->ctx = ctx;
		if (setup(n)) {
			virtio_host_fail(n->base);
			kprintf("keel: virtio-net at 0x%lx: feature or queue setup failed, not used\n",
				(unsigned long)s->base);
			page_free((uint64_t)(uintptr_t)n, HOST_NIC_BYTES);
			continue;
		}
		kprintf("keel: uplink: virtio-net at 0x%lx irq %u, MAC %02x:%02x:%02x:%02x:%02x:%02x, queues %u/%u%s\n",
			(unsigned long)n->base, n->irq, n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4],
			n->mac[5], n->rxq.num, n->txq.num, n->legacy ? ", legacy transport" : "");
		nic = n;
	}
	return nic;
}

const struct host_nic *host_net_card(void)
{
	return nic;
}

/* With the lock held and a descriptor free: the next frame to send into its buffer; 0 when none. */
static int fill_tx(struct host_nic *n)
{
	/* One-descriptor chains: the buffer of the free list's first descriptor. */
	uint16_t slot = n->txq.free_head;
	uint8_t *hdr = hdr_at(n, n->txbuf[slot]);
	int len;

	memset(hdr, 0, n->hdr_len);
	len = n->next_tx(n->ctx, n->txbuf[slot] + HOST_NET_FRAME_OFF, HOST_NET_BUF - HOST_NET_FRAME_OFF);
	if (len <= 0)
		return 0;
	struct hvq_buf b = { (uint64_t)(uintptr_t)hdr, n->hdr_len + (uint32_t)len, 0, 0 };

	hvq_add(&n->txq, &b, 1);
	n->tx_frames++;
	return 1;
}

/* With the lock held: transmit buffers the device is done with go back on the free list. */
static void reclaim_tx(struct host_nic *n)
{
	uint32_t len;

	while (hvq_pop_used(&n->txq, &len) != -1)
		;
}

/*
 * Transmit completions raise no interrupt while the ring has room: each kick takes them back
 * first. Only a full ring asks for one (the frames left wait for it), and looks once more in
 * case the device finished everything before it could see the request.
 */
void host_net_kick(struct host_nic *n)
{
	int sent = 0;

	spin_lock(&n->lock);
	reclaim_tx(n);
	for (;;) {
		while (n->txq.nfree && fill_tx(n))
			sent++;
		if (n->txq.nfree) {
			__atomic_store_n(&n->txq.avail.flags, VRING_AVAIL_F_NO_INTERRUPT, __ATOMIC_RELAXED);
			break;
		}
		__atomic_store_n(&n->txq.avail.flags, 0, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&n->txq.used.idx, __ATOMIC_ACQUIRE) == n->txq.last_used)
			break;
		reclaim_tx(n);
	}
	spin_unlock(&n->lock);
	if (sent)
		virtio_host_notify(n->base, VIRTIO_NET_TXQ);
}

void host_net_interrupt(struct host_nic *n)
{
	int head, posted = 0;
	uint32_t len;

	/* Acknowledge first: completions after this raise the interrupt again. */
	virtio_host_irq_ack(n->base);
	spin_lock(&n->lock);
	reclaim_tx(n);
	for (uint32_t k = 0; k < n->rxq.num && (head = hvq_pop_used(&n->rxq, &len)) != -1; k++) {
		if (head < 0)
			continue;
		if (len < n->hdr_len + ETH_HLEN || len > buf_room(n)) {
			n->rx_bad++;
		} else {
			n->rx_frames++;
			/* The buffer is off both rings until it is posted again: nobody else touches it. */
			spin_unlock(&n->lock);
			n->rx(n->ctx, n->rxbuf[head] + HOST_NET_FRAME_OFF, len - n->hdr_len);
			spin_lock(&n->lock);
		}
		post_rx(n, (uint16_t)head);
		posted++;
	}
	spin_unlock(&n->lock);
	if (posted)
		virtio_host_notify(n->base, VIRTIO_NET_RXQ);
	host_net_kick(n);
}
