/* Virtio network device model (virtio 1.1, 5.1): the transmit and receive paths. */
#include "vdev/virtio/net.h"
#include "vdev/virtio/queue.h"
#include "core/errno.h"
#include <stddef.h>
#include <string.h>

int vnet_tx_gather(const struct vq_chain *c, unsigned hdr_len, struct virtio_net_hdr_v1 *hdr, uint8_t *frame,
		   unsigned max)
{
	uint64_t skip = hdr_len, total = 0;
	uint8_t *h = (uint8_t *)hdr;

	memset(hdr, 0, sizeof(*hdr));
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
			if (hdr_len <= sizeof(*hdr))
				memcpy(h + (hdr_len - skip), s->host, off);
			skip -= off;
		}
		n = s->len - off;
		if (n > max - total)
			return VNET_ERR_OVERSIZE;
		memcpy(frame + total, s->host + off, n);
		total += n;
	}
	if (skip || total < VNET_FRAME_MIN)
		return VNET_ERR_RUNT;
	return (int)total;
}

int vnet_hdr_offload(const struct virtio_net_hdr_v1 *hdr, uint64_t features, struct net_offload *o)
{
	*o = (struct net_offload){ 0 };
	if (hdr->flags & ~VIRTIO_NET_HDR_F_NEEDS_CSUM)
		return -1;
	if (hdr->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		/* 5.1.6.2.1: only with VIRTIO_NET_F_CSUM */
		if (!(features & VIRTIO_BIT(VIRTIO_NET_F_CSUM)))
			return -1;
		o->flags |= NET_OFF_CSUM;
		o->csum_start = hdr->csum_start;
		o->csum_offset = hdr->csum_offset;
	}
	if (hdr->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return 0;
	if (hdr->gso_type != VIRTIO_NET_HDR_GSO_TCPV4 || !(features & VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4)))
		return -1; /* no ECN, UDP or IPv6 segmentation is offered */
	o->flags |= NET_OFF_TSO4;
	o->gso_size = hdr->gso_size;
	return 0;
}

int vnet_rx_room(const struct vq_chain *c, unsigned hdr_len, unsigned max)
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
	return room > max ? (int)max : (int)room;
}

uint32_t vnet_rx_fill(const struct vq_chain *c, unsigned hdr_len, const struct virtio_net_hdr_v1 *hdr,
		      const uint8_t *frame, unsigned len)
{
	const uint8_t *h = (const uint8_t *)hdr;
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

#define VNET_OFFLOADS                                                                                               \
	(VIRTIO_BIT(VIRTIO_NET_F_CSUM) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM) | VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4) | \
	 VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4))

static uint64_t vnet_features(void *dev)
{
	(void)dev;
	return VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS) | VNET_OFFLOADS;
}

/* The offloaded frames the driver takes: partial checksums with GUEST_CSUM, TSO4 also with GUEST_TSO4. */
static unsigned rx_caps(const struct vnet *n)
{
	uint64_t f = n->t.driver_features;
	unsigned caps = 0;

	if (!virtio_mmio_live(&n->t) || !(f & VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM)))
		return 0;
	caps = NET_CAP_CSUM;
	if (f & VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4))
		caps |= NET_CAP_TSO4;
	return caps;
}

static void update_caps(struct vnet *n)
{
	unsigned caps = rx_caps(n);

	if (caps != n->caps && n->be.caps) {
		n->caps = caps;
		n->be.caps(n->be.ctx, caps);
	}
}

static uint64_t vnet_config_read(void *dev, unsigned off, unsigned width)
{
	struct vnet *n = dev;
	struct virtio_net_config cfg = { .status = VIRTIO_NET_S_LINK_UP };
	uint64_t val = 0;

	memcpy(cfg.mac, n->mac, ETH_ALEN);
	if (off < VIRTIO_NET_CFG_SIZE && width <= VIRTIO_NET_CFG_SIZE - off)
		memcpy(&val, (const uint8_t *)&cfg + off, width);
	return val;
}

struct rx_ctx {
	struct vnet *n;
	int room;
	uint32_t used;
};

/* A frame from the backend into the popped receive chain, with the header that describes its offloads. */
static int rx_deliver(void *ctx, const uint8_t *frame, unsigned len, const struct net_offload *o)
{
	struct rx_ctx *r = ctx;
	struct virtio_net_hdr_v1 hdr = { .gso_type = VIRTIO_NET_HDR_GSO_NONE, .num_buffers = 1 };

	if (r->room < 0 || len > (unsigned)r->room)
		return -ENOSPC;
	if (o->flags & NET_OFF_CSUM) {
		hdr.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		hdr.csum_start = o->csum_start;
		hdr.csum_offset = o->csum_offset;
	}
	if (o->flags & NET_OFF_TSO4) {
		hdr.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		hdr.gso_size = o->gso_size;
		hdr.hdr_len = o->hdr_len;
	}
	r->used = vnet_rx_fill(&r->n->chain, VIRTIO_NET_HDR_LEN, &hdr, frame, len);
	return (int)len;
}

/*
 * With the lock held: fill receive buffers while frames wait, a budget's worth per turn. Returns
 * nonzero when frames and buffers may be left for the next turn.
 */
static int rx_process(struct vnet *n)
{
	struct virtio_mmio *t = &n->t;
	struct virtq *q = &t->vq[VIRTIO_NET_RXQ];
	unsigned max = n->caps & NET_CAP_TSO4 ? VNET_GSO_FRAME_MAX : VNET_FRAME_MAX;
	struct vq_budget b = { VNET_BUDGET_FRAMES, VNET_BUDGET_BYTES };
	int irq = 0;

	if (!virtio_mmio_live(t) || !q->ready)
		return 0;
	unsigned want = 0;

again:
	for (; vq_budget_left(&b) && (want = n->be.next_len(n->be.ctx));) {
		/* Only as much of the chain as the frame needs: an ACK takes the first of a big buffer's pages. */
		int got = virtq_pop_upto(q, &t->mem, &n->chain, VNET_MAX_SEGS, VIRTIO_NET_HDR_LEN + (uint64_t)want);
		struct rx_ctx r = { n, -1, 0 };

		if (got == VQ_EMPTY)
			break;
		if (got == VQ_BROKEN || (n->chain.err & VQ_ERR_STRUCTURE)) {
			virtio_mmio_needs_reset(t);
			break;
		}
		r.room = vnet_rx_room(&n->chain, VIRTIO_NET_HDR_LEN, max);
		/* An unusable buffer still takes a frame, so a guest cannot wedge its own queue. */
		if (n->be.recv(n->be.ctx, rx_deliver, &r) > 0)
			n->stats.rx_frames++;
		else
			n->stats.rx_small++;
		irq |= virtq_push(q, n->chain.head, r.used);
		vq_budget_spend(&b, 1, want);
	}
	/*
	 * New receive buffers need a notification only while frames wait for them (a frame that
	 * arrives later brings its own kick). Asked for, then the ring looked at again: buffers the
	 * driver added before it could see the request are taken now.
	 */
	if (vq_budget_left(&b) && virtio_mmio_live(t) && q->ready &&
	    virtq_want_notify(q, n->be.next_len(n->be.ctx) != 0))
		goto again;
	if (irq)
		virtio_mmio_interrupt(t, VIRTIO_MMIO_INT_VRING);
	return !vq_budget_left(&b) && virtio_mmio_live(t) && q->ready;
}

/*
 * With the lock held: copy out what the guest transmits, a batch at a time, and hand the batch to
 * the backend with the lock dropped. One vCPU does this at a time; another one notifying meanwhile
 * leaves a note (tx_again) and returns. A budget's worth per turn; returns nonzero when frames may
 * be left for the next.
 */
static int tx_process(struct vnet *n)
{
	struct virtio_mmio *t = &n->t;
	struct virtq *q = &t->vq[VIRTIO_NET_TXQ];
	uint64_t features = t->driver_features;
	unsigned max = features & VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4) ? VNET_GSO_FRAME_MAX : VNET_FRAME_MAX;
	struct vq_budget b = { VNET_BUDGET_FRAMES, VNET_BUDGET_BYTES };
	unsigned nb;

	if (n->tx_busy) {
		n->tx_again = 1;
		return 0;
	}
	n->tx_busy = 1;
	do {
		uint32_t staged = 0;
		int irq = 0;

		n->tx_again = 0;
		nb = 0;
		while (nb < VNET_TX_BATCH && max <= VNET_TX_STAGE - staged && vq_budget_left(&b) &&
		       virtio_mmio_live(t) && q->ready) {
			int got = virtq_pop(q, &t->mem, &n->chain, VNET_MAX_SEGS), len;
			struct virtio_net_hdr_v1 hdr;

			if (got == VQ_EMPTY)
				break;
			if (got == VQ_BROKEN) {
				virtio_mmio_needs_reset(t);
				break;
			}
			len = vnet_tx_gather(&n->chain, VIRTIO_NET_HDR_LEN, &hdr, n->tx_stage + staged, max);
			vq_budget_spend(&b, 1, len > 0 ? (uint64_t)len : 0);
			if (len == VNET_ERR_BROKEN) {
				virtio_mmio_needs_reset(t);
				break;
			}
			if (len == VNET_ERR_RUNT) {
				n->stats.tx_runt++;
			} else if (len == VNET_ERR_OVERSIZE) {
				n->stats.tx_oversize++;
			} else if (len < 0 || vnet_hdr_offload(&hdr, features, &n->tx[nb].o)) {
				n->stats.tx_bad++;
			} else {
				n->tx[nb].off = staged;
				n->tx[nb++].len = (uint32_t)len;
				/* the next frame on a word boundary: the switch's copies of it go by words */
				staged = (staged + (uint32_t)len + VNET_STAGE_ALIGN - 1) & ~(VNET_STAGE_ALIGN - 1);
				if (staged > VNET_TX_STAGE)
					staged = VNET_TX_STAGE;
			}
			/* The buffer is copied (or refused): the driver may have it back at once. */
			irq |= virtq_push(q, n->chain.head, 0);
		}
		if (irq)
			virtio_mmio_interrupt(t, VIRTIO_MMIO_INT_VRING);
		n->stats.tx_frames += nb;
		virtio_mmio_unlock(t);
		for (unsigned i = 0; i < nb; i++)
			n->be.send(n->be.ctx, n->tx_stage + n->tx[i].off, n->tx[i].len, &n->tx[i].o);
		spin_lock(&t->lock);
	} while ((nb == VNET_TX_BATCH || n->tx_again) && vq_budget_left(&b));
	n->tx_busy = 0;
	return !vq_budget_left(&b) && virtio_mmio_live(t) && q->ready;
}

static int vnet_notify(void *dev, unsigned q)
{
	struct vnet *n = dev;

	update_caps(n); /* the first notifications come with DRIVER_OK, after the features are fixed */
	return q == VIRTIO_NET_RXQ ? rx_process(n) : tx_process(n);
}

static void vnet_reset(void *dev)
{
	struct vnet *n = dev;

	/* Nothing is held across a reset (transmitted frames were copied, received ones written), but
	 * the next driver may not take offloaded frames. */
	if (n->caps && n->be.caps)
		n->be.caps(n->be.ctx, 0);
	n->caps = 0;
}

static const struct virtio_mmio_dev_ops vnet_ops = {
	.device_id = VIRTIO_ID_NET,
	.nqueues = 2,
	.queue_num_max = VNET_QUEUE_MAX,
	.features = vnet_features,
	.config_read = vnet_config_read,
	.notify = vnet_notify,
	.reset = vnet_reset,
	.kicked = 1,
};

void vnet_init(struct vnet *n, const uint8_t mac[ETH_ALEN], const struct vnet_backend *be, const struct vq_mem *mem,
	       void (*set_irq)(void *, int), void *irq_ctx)
{
	memset(n, 0, sizeof(*n));
	memcpy(n->mac, mac, ETH_ALEN);
	n->be = *be;
	virtio_mmio_init(&n->t, &vnet_ops, n, mem, set_irq, irq_ctx);
}

void vnet_rx_kick(struct vnet *n)
{
	virtio_mmio_kick(&n->t, VIRTIO_NET_RXQ);
}
