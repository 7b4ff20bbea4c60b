/* Virtio console device model (virtio 1.1, 5.3), port 0: the transmit and receive paths. */
#include "vdev/virtio/console.h"
#include "vdev/virtio/queue.h"
#include <stddef.h>
#include <string.h>

/* A chain whose walk found a fault: broken (structure) or merely unusable. */
static long chain_fault(const struct vq_chain *c)
{
	if (c->err & VQ_ERR_STRUCTURE)
		return VCONS_ERR_BROKEN;
	return c->err || !c->nseg ? VCONS_ERR_BAD : 0;
}

long vcons_tx_drain(const struct vq_chain *c, uint64_t from, uint64_t max,
		    void (*sink)(void *, const char *, unsigned long), void *ctx)
{
	long err = chain_fault(c);
	uint64_t at = 0, done = 0;

	if (err)
		return err;
	/* 5.3.6.1: transmit buffers are device-readable; checked whole before any byte goes out. */
	for (unsigned k = 0; k < c->nseg; k++)
		if (c->seg[k].write)
			return VCONS_ERR_BAD;
	for (unsigned k = 0; k < c->nseg && done < max; at += c->seg[k].len, k++) {
		uint64_t len = c->seg[k].len, off, n;

		if (from >= at + len)
			continue;
		off = from > at ? from - at : 0;
		n = len - off < max - done ? len - off : max - done;
		sink(ctx, (const char *)c->seg[k].host + off, n);
		done += n;
		from += n;
	}
	return (long)done;
}

long vcons_rx_fill(const struct vq_chain *c, const uint8_t *src, unsigned len)
{
	long err = chain_fault(c);
	unsigned done = 0;

	if (err)
		return err;
	/* 5.3.6.1: receive buffers are device-writable. */
	for (unsigned k = 0; k < c->nseg; k++)
		if (!c->seg[k].write)
			return VCONS_ERR_BAD;
	for (unsigned k = 0; k < c->nseg && done < len; k++) {
		unsigned n = c->seg[k].len < len - done ? c->seg[k].len : len - done;

		memcpy(c->seg[k].host, src + done, n);
		done += n;
	}
	return done;
}

/* ---- the device ---- */

static uint64_t vcons_features(void *dev)
{
	(void)dev;
	return 0; /* port 0 only: no SIZE, MULTIPORT or EMERG_WRITE */
}

static uint64_t vcons_config_read(void *dev, unsigned off, unsigned width)
{
	(void)dev;
	(void)off;
	(void)width;
	return 0; /* 5.3.4: no field is there without its feature */
}

/*
 * With the lock held: take the next chain of q into c. 0 when there is none, or when the ring or
 * the chain's structure is broken: then the device needs a reset.
 */
static int next_chain(struct vcons *v, struct virtq *q, struct vq_chain *c)
{
	int got = virtq_pop(q, &v->t.mem, c, VCONS_MAX_SEGS);

	if (got == VQ_BROKEN || (got == VQ_CHAIN && (c->err & VQ_ERR_STRUCTURE))) {
		virtio_mmio_needs_reset(&v->t);
		return 0;
	}
	return got == VQ_CHAIN;
}

/* With the lock held: move waiting input into receive buffers, at most a queue's worth per call. */
static void rx_process(struct vcons *v)
{
	struct virtio_mmio *t = &v->t;
	struct virtq *q = &t->vq[VIRTIO_CONSOLE_RXQ];
	int irq = 0;

	if (!virtio_mmio_live(t) || !q->ready)
		return;
	for (uint32_t i = 0; i < q->num && v->in_len && next_chain(v, q, &v->chain); i++) {
		long n = vcons_rx_fill(&v->chain, v->in, v->in_len);

		if (n < 0) {
			v->stats.bad_buffers++;
			n = 0;
		}
		v->in_len -= (unsigned)n;
		memmove(v->in, v->in + n, v->in_len);
		v->stats.rx_bytes += (uint64_t)n;
		irq |= virtq_push(q, v->chain.head, (uint32_t)n);
	}
	if (irq)
		virtio_mmio_interrupt(t, VIRTIO_MMIO_INT_VRING);
}

/*
 * With the lock held: what the guest transmits goes out, a budget's worth per turn: a chain bigger
 * than that goes out over several turns (it is given back used once all of it is out). Returns
 * nonzero when work may be left.
 */
static int tx_process(struct vcons *v)
{
	struct virtio_mmio *t = &v->t;
	struct virtq *q = &t->vq[VIRTIO_CONSOLE_TXQ];
	struct vq_budget b = { VCONS_TX_BUDGET_CHAINS, VCONS_TX_BUDGET_BYTES };
	int irq = 0;

	while (vq_budget_left(&b) && virtio_mmio_live(t) && q->ready) {
		long n;

		if (!v->tx_open) {
			if (!next_chain(v, q, &v->tx_chain))
				break;
			v->tx_open = 1;
			v->tx_off = 0;
			vq_budget_spend(&b, 1, 0);
		}
		n = vcons_tx_drain(&v->tx_chain, v->tx_off, vq_budget_bytes(&b, UINT64_MAX), v->sink, v->sink_ctx);
		if (n >= 0) {
			v->tx_off += (uint64_t)n;
			v->stats.tx_bytes += (uint64_t)n;
			vq_budget_spend(&b, 0, (uint64_t)n);
		} else {
			v->stats.bad_buffers++;
		}
		if (n < 0 || v->tx_off >= vq_chain_bytes(&v->tx_chain)) {
			v->tx_open = 0;
			/* 5.3.6.2: the device writes nothing into a transmit buffer. */
			irq |= virtq_push(q, v->tx_chain.head, 0);
		}
	}
	if (irq)
		virtio_mmio_interrupt(t, VIRTIO_MMIO_INT_VRING);
	return virtio_mmio_live(t) && q->ready && (v->tx_open || !vq_budget_left(&b));
}

static int vcons_notify(void *dev, unsigned q)
{
	struct vcons *v = dev;

	if (q == VIRTIO_CONSOLE_RXQ) {
		rx_process(v);
		return 0; /* bounded by the input kept, VCONS_INPUT_MAX */
	}
	return tx_process(v);
}

static void vcons_reset(void *dev)
{
	struct vcons *v = dev;

	v->tx_open = 0; /* a chain half out goes with its ring; waiting input stays for the next driver */
}

static const struct virtio_mmio_dev_ops vcons_ops = {
	.device_id = VIRTIO_ID_CONSOLE,
	.nqueues = 2,
	.queue_num_max = VCONS_QUEUE_MAX,
	.features = vcons_features,
	.config_read = vcons_config_read,
	.notify = vcons_notify,
	.reset = vcons_reset,
};

void vcons_init(struct vcons *v, void (*sink)(void *, const char *, unsigned long), void *sink_ctx,
		const struct vq_mem *mem, void (*set_irq)(void *, int), void *irq_ctx)
{
	memset(v, 0, sizeof(*v));
	v->sink = sink;
	v->sink_ctx = sink_ctx;
	virtio_mmio_init(&v->t, &vcons_ops, v, mem, set_irq, irq_ctx);
}

unsigned vcons_receive(struct vcons *v, const char *buf, unsigned n)
{
	unsigned keep;

	spin_lock(&v->t.lock);
	keep = n < VCONS_INPUT_MAX - v->in_len ? n : VCONS_INPUT_MAX - v->in_len;
	memcpy(v->in + v->in_len, buf, keep);
	v->in_len += keep;
	v->stats.input_dropped += n - keep;
	rx_process(v);
	spin_unlock(&v->t.lock);
	return keep;
}
