/* Virtio network device model (virtio 1.1, 5.1): the transmit and receive paths. */
#include "vdev/virtio/net.h"
#include "vdev/virtio/queue.h"
#include <stddef.h>
#include <string.h>

int vnet_tx_gather(const struct vq_chain *c, unsigned hdr_len, uint8_t *frame)
{
	uint64_t skip = hdr_len, total = 0;

	if (c->err & VQ_ERR_STRUCTURE)
		return VNET_ERR_BROKEN;
	if (c->err)
		return VNET_ERR_BAD;
	/* 5.1.6.2: the driver's buffers are all device-readable, the header first. */
	for (unsigned k = 0; k < c->nseg; k++) {
		const struct vq_seg *s = &c->seg[k];
		uint64_t off = 0, n;

		if (s->write)
			return VNET_ERR_BAD;
		if (skip) {
			off = s->len < skip ? s->len : skip;
			skip -= off;
		}
		n = s->len - off;
		if (n > VNET_FRAME_MAX - total)
			return VNET_ERR_OVERSIZE;
		memcpy(frame + total, s->host + off, n);
		total += n;
	}
	if (skip || total < VNET_FRAME_MIN)
		return VNET_ERR_RUNT;
	return (int)total;
}

int vnet_rx_room(const struct vq_chain *c, unsigned hdr_len)
{
	uint64_t room = 0;

	if (c->err || !c->nseg)
		return -1;
	/* 5.1.6.3: receive buffers are all device-writable. */
	for (unsigned k = 0; k < c->nseg; k++) {
		if (!c->seg[k].write)
			return -1;
		room += c->seg[k].len;
	}
	if (room < hdr_len)
		return -1;
	room -= hdr_len;
	return room > VNET_FRAME_MAX ? VNET_FRAME_MAX : (int)room;
}

uint32_t vnet_rx_fill(const struct vq_chain *c, unsigned hdr_len, const uint8_t *frame, unsigned len)
{
	struct virtio_net_hdr hdr = { .gso_type = VIRTIO_NET_HDR_GSO_NONE, .num_buffers = 1 };
	const uint8_t *h = (const uint8_t *)&hdr;
	uint32_t done = 0, total = hdr_len + len;

	for (unsigned k = 0; k < c->nseg && done < total; k++) {
		const struct vq_seg *s = &c->seg[k];
		uint32_t off = 0, n;

		/* The header may straddle buffers; then the frame follows in whole runs. */
		for (; off < s->len && done < hdr_len; off++, done++)
			s->host[off] = h[done];
		n = s->len - off < total - done ? s->len - off : total - done;
		if (n) {
			memcpy(s->host + off, frame + (done - hdr_len), n);
			done += n;
		}
	}
	return done;
}

/* ---- the device ---- */

static uint64_t vnet_features(void *dev)
{
	(void)dev;
	return VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS);
}

static uint64_t vnet_config_read(void *dev, unsigned off, unsigned width)
{
	struct vnet *n = dev;
	uint8_t cfg[VIRTIO_NET_CFG_SIZE] = { 0 };
	uint16_t status = VIRTIO_NET_S_LINK_UP;
	uint64_t val = 0;

	memcpy(cfg + VIRTIO_NET_CFG_MAC, n->mac, ETH_ALEN);
	memcpy(cfg + VIRTIO_NET_CFG_STATUS, &status, sizeof(status));
	if (off < sizeof(cfg) && width <= sizeof(cfg) - off)
		memcpy(&val, cfg + off, width);
	return val;
}

/* With the lock held: fill receive buffers while frames wait; at most a queue's worth per call. */
static void rx_process(struct vnet *n)
{
	struct virtio_mmio *t = &n->t;
	struct virtq *q = &t->vq[VIRTIO_NET_RXQ];
	int irq = 0;

	if (!virtio_mmio_live(t) || !q->ready)
		return;
	for (uint32_t i = 0; i < q->num && n->be.pending(n->be.ctx); i++) {
		int got = virtq_pop(q, &t->mem, &n->chain, VNET_MAX_SEGS), room, len;
		uint32_t used = 0;

		if (got == VQ_EMPTY)
			break;
		if (got == VQ_BROKEN || (n->chain.err & VQ_ERR_STRUCTURE)) {
			virtio_mmio_needs_reset(t);
			break;
		}
		room = vnet_rx_room(&n->chain, VIRTIO_NET_HDR_LEN);
		/* An unusable buffer still takes a frame, so a guest cannot wedge its own queue. */
		len = n->be.recv(n->be.ctx, n->rx_frame, room > 0 ? (unsigned)room : 0);
		if (len > 0) {
			used = vnet_rx_fill(&n->chain, VIRTIO_NET_HDR_LEN, n->rx_frame, (unsigned)len);
			n->stats.rx_frames++;
		} else {
			n->stats.rx_small++;
		}
		irq |= virtq_push(q, n->chain.head, used);
	}
	if (irq)
		virtio_mmio_interrupt(t, VIRTIO_MMIO_INT_VRING);
}

/*
 * With the lock held: copy out what the guest transmits, a batch at a time, and hand the batch to
 * the backend with the lock dropped. One vCPU does this at a time; another one notifying meanwhile
 * leaves a note (tx_again) and returns. At most a queue's worth per call, as for disks.
 */
static void tx_process(struct vnet *n)
{
	struct virtio_mmio *t = &n->t;
	struct virtq *q = &t->vq[VIRTIO_NET_TXQ];
	uint32_t taken = 0;
	unsigned nb;

	if (n->tx_busy) {
		n->tx_again = 1;
		return;
	}
	n->tx_busy = 1;
	do {
		int irq = 0;

		n->tx_again = 0;
		nb = 0;
		while (nb < VNET_TX_BATCH && taken < q->num && virtio_mmio_live(t) && q->ready) {
			int got = virtq_pop(q, &t->mem, &n->chain, VNET_MAX_SEGS), len;

			if (got == VQ_EMPTY)
				break;
			if (got == VQ_BROKEN) {
				virtio_mmio_needs_reset(t);
				break;
			}
			taken++;
			len = vnet_tx_gather(&n->chain, VIRTIO_NET_HDR_LEN, n->tx[nb].data);
			if (len == VNET_ERR_BROKEN) {
				virtio_mmio_needs_reset(t);
				break;
			}
			if (len == VNET_ERR_RUNT)
				n->stats.tx_runt++;
			else if (len == VNET_ERR_OVERSIZE)
				n->stats.tx_oversize++;
			else if (len < 0)
				n->stats.tx_bad++;
			else
				n->tx[nb++].len = (uint16_t)len;
			/* The buffer is copied (or refused): the driver may have it back at once. */
			irq |= virtq_push(q, n->chain.head, 0);
		}
		if (irq)
			virtio_mmio_interrupt(t, VIRTIO_MMIO_INT_VRING);
		n->stats.tx_frames += nb;
		spin_unlock(&t->lock);
		for (unsigned i = 0; i < nb; i++)
			n->be.send(n->be.ctx, n->tx[i].data, n->tx[i].len);
		spin_lock(&t->lock);
	} while ((nb == VNET_TX_BATCH || n->tx_again) && taken < q->num);
	n->tx_busy = 0;
}

static void vnet_notify(void *dev, unsigned q)
{
	struct vnet *n = dev;

	if (q == VIRTIO_NET_RXQ)
		rx_process(n);
	else
		tx_process(n);
}

static void vnet_reset(void *dev)
{
	(void)dev; /* nothing is held across a reset: transmitted frames were copied, received ones written */
}

static const struct virtio_mmio_dev_ops vnet_ops = {
	.device_id = VIRTIO_ID_NET,
	.nqueues = 2,
	.queue_num_max = VNET_QUEUE_MAX,
	.features = vnet_features,
	.config_read = vnet_config_read,
	.notify = vnet_notify,
	.reset = vnet_reset,
};

void vnet_init(struct vnet *n, const uint8_t mac[ETH_ALEN], const struct vnet_backend *be, const struct vq_mem *mem,
	       void (*set_irq)(void *, int), void *irq_ctx)
{
	memset(n, 0, sizeof(*n));
	virtio_mmio_init(&n->t, &vnet_ops, n, mem, set_irq, irq_ctx);
	memcpy(n->mac, mac, ETH_ALEN);
	n->be = *be;
}

void vnet_rx_kick(struct vnet *n)
{
	spin_lock(&n->t.lock);
	rx_process(n);
	spin_unlock(&n->t.lock);
}
