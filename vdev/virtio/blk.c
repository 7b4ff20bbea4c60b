/* Virtio block device model (virtio 1.1, 5.2): request parsing and the request life cycle. */
#include "vdev/virtio/blk.h"
#include "vdev/virtio/queue.h"
#include <stddef.h>
#include <string.h>

static int add_seg(struct vblk_req *r, uint8_t *host, uint64_t len)
{
	if (r->nseg == VBLK_SEG_MAX)
		return -1;
	r->seg[r->nseg++] = (struct vblk_seg){ host, (uint32_t)len };
	r->data_len += len;
	return 0;
}

/* Whether [sector, sector + bytes/512) lies in the slice. */
static int in_slice(const struct vblk_disk *d, uint64_t sector, uint64_t bytes)
{
	return sector <= d->nsectors && bytes / VIRTIO_BLK_SECTOR_SIZE <= d->nsectors - sector;
}

static int fail(struct vblk_req *r, uint8_t *result, uint8_t status)
{
	r->used_len = 1;
	*result = status;
	return VBLK_DONE;
}

int vblk_parse(const struct vq_chain *c, const struct vblk_disk *d, struct vblk_req *r, uint8_t *result)
{
	struct virtio_blk_outhdr hdr;
	unsigned hdr_got = 0;
	uint64_t out_len = 0, in_len = 0;
	int refused = 0;

	r->nseg = 0;
	r->data_len = 0;
	r->head = c->head;
	r->to_guest = 0;
	/* 5.2.6: the last byte of the chain is the status, device-writable. */
	if ((c->err & VQ_ERR_STRUCTURE) || !c->last.write || !c->last.host || !c->last.len)
		return VBLK_BROKEN;
	r->status = c->last.host + c->last.len - 1;
	if (c->err)
		return fail(r, result, VIRTIO_BLK_S_IOERR);

	/*
	 * Device-readable bytes: the header, then data to write; device-writable ones: data to read.
	 * Both go to r->seg in chain order: a request with both kinds is refused below.
	 */
	for (unsigned k = 0; k < c->nseg; k++) {
		const struct vq_seg *s = &c->seg[k];
		uint64_t off = 0, len = s->len;

		/* 5.2.3: SIZE_MAX bounds every descriptor's buffer, when it is offered. */
		refused |= d->size_max && s->len > d->size_max;
		if (!s->write) {
			if (hdr_got < sizeof(hdr)) {
				off = len < sizeof(hdr) - hdr_got ? len : sizeof(hdr) - hdr_got;
				memcpy((uint8_t *)&hdr + hdr_got, s->host, off);
				hdr_got += (unsigned)off;
			}
			if (off < len) {
				refused |= add_seg(r, s->host + off, len - off);
				out_len += len - off;
			}
			continue;
		}
		if (k == c->nseg - 1)
			len--; /* the status byte */
		if (!len)
			continue;
		refused |= add_seg(r, s->host, len);
		in_len += len;
	}
	/* More data than a used element can count, or more or larger segments than offered: refused. */
	if (hdr_got < sizeof(hdr) || refused || in_len >= UINT32_MAX || out_len >= UINT32_MAX ||
	    (d->seg_max && r->nseg > d->seg_max))
		return fail(r, result, VIRTIO_BLK_S_IOERR);
	r->type = hdr.type;
	r->sector = hdr.sector;

	switch (hdr.type) {
	case VIRTIO_BLK_T_IN:
		if (out_len || !in_len || in_len % VIRTIO_BLK_SECTOR_SIZE || !in_slice(d, hdr.sector, in_len))
			return fail(r, result, VIRTIO_BLK_S_IOERR);
		r->data_len = in_len;
		r->to_guest = 1;
		r->used_len = (uint32_t)in_len + 1;
		return VBLK_SUBMIT;
	case VIRTIO_BLK_T_OUT:
		if (d->ro || in_len || !out_len || out_len % VIRTIO_BLK_SECTOR_SIZE ||
		    !in_slice(d, hdr.sector, out_len))
			return fail(r, result, VIRTIO_BLK_S_IOERR);
		r->used_len = 1;
		return VBLK_SUBMIT;
	case VIRTIO_BLK_T_FLUSH:
		if (out_len || in_len)
			return fail(r, result, VIRTIO_BLK_S_IOERR);
		r->used_len = 1;
		return VBLK_SUBMIT;
	case VIRTIO_BLK_T_GET_ID: {
		uint32_t done = 0;

		if (out_len || !in_len)
			return fail(r, result, VIRTIO_BLK_S_IOERR);
		/* 5.2.6.1: up to VIRTIO_BLK_ID_BYTES, NUL padded (not terminated when it fills them). */
		for (unsigned k = 0; k < r->nseg && done < VIRTIO_BLK_ID_BYTES; k++) {
			uint32_t n =
				r->seg[k].len < VIRTIO_BLK_ID_BYTES - done ? r->seg[k].len : VIRTIO_BLK_ID_BYTES - done;

			memcpy(r->seg[k].host, d->id + done, n);
			done += n;
		}
		r->nseg = 0;
		r->data_len = 0;
		r->used_len = done + 1;
		*result = VIRTIO_BLK_S_OK;
		return VBLK_DONE;
	}
	default:
		return fail(r, result, VIRTIO_BLK_S_UNSUPP);
	}
}

/* ---- the device ---- */

static uint64_t vblk_features(void *dev)
{
	struct vblk *b = dev;
	/* Indirect tables: a request of many segments takes one ring entry, so several fit in the ring. */
	uint64_t f = VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) |
		     VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC);

	if (b->disk.ro)
		f |= VIRTIO_BIT(VIRTIO_BLK_F_RO);
	if (b->disk.size_max)
		f |= VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX);
	return f;
}

static uint64_t vblk_config_read(void *dev, unsigned off, unsigned width)
{
	struct vblk *b = dev;
	const struct virtio_blk_config cfg = {
		.capacity = b->disk.nsectors,
		.size_max = b->disk.size_max,
		.seg_max = b->disk.seg_max ? b->disk.seg_max : VBLK_SEG_MAX,
		.blk_size = VIRTIO_BLK_SECTOR_SIZE,
	};
	uint64_t val = 0;

	if (off < VIRTIO_BLK_CFG_SIZE && width <= VIRTIO_BLK_CFG_SIZE - off)
		memcpy(&val, (const uint8_t *)&cfg + off, width);
	return val;
}

static struct vblk_req *free_req(struct vblk *b)
{
	for (int i = 0; i < VBLK_INFLIGHT; i++)
		if (!b->req[i].busy)
			return &b->req[i];
	return NULL;
}

/* With the lock held: answer a request in the used ring. */
static void finish(struct vblk *b, struct vblk_req *r, uint8_t status)
{
	struct virtio_mmio *t = &b->t;

	if (status != VIRTIO_BLK_S_OK)
		b->errors++;
	b->served++;
	*r->status = status;
	if (virtq_push(&t->vq[0], r->head, status == VIRTIO_BLK_S_OK ? r->used_len : 1))
		virtio_mmio_interrupt(t, VIRTIO_MMIO_INT_VRING);
}

/* Hand `r` to the backend; returns 0, or nonzero when the backend is busy (r stays pending). */
static int submit(struct vblk *b, struct vblk_req *r, int *queued)
{
	int ret = b->be.submit(b->be.ctx, r);

	if (ret == VBLK_BACKEND_BUSY) {
		b->pending = r;
		b->blocked = 1;
		return -1;
	}
	if (ret == 0) {
		(*queued)++;
		return 0;
	}
	finish(b, r, ret == VBLK_BACKEND_DONE ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR);
	r->busy = 0;
	return 0;
}

/*
 * With the lock held: take what the driver offers until the ring is empty, the backend full or the
 * turn's budget spent (then returns nonzero: the rest on the next turn).
 */
static int process(struct vblk *b)
{
	struct virtio_mmio *t = &b->t;
	struct virtq *q = &t->vq[0];
	struct vq_budget budget = { VBLK_BUDGET_CHAINS, VBLK_BUDGET_BYTES };
	int queued = 0;

	b->blocked = 0;
	if (!virtio_mmio_live(t) || !q->ready)
		return 0;
	if (b->pending) {
		struct vblk_req *r = b->pending;

		b->pending = NULL;
		if (submit(b, r, &queued))
			return 0;
	}
	/*
	 * A budget's worth per turn: neither a driver adding entries from another vCPU as fast as they
	 * are taken nor a ring of huge requests keeps this hart (and the completions waiting for the
	 * lock) here.
	 */
	while (vq_budget_left(&budget)) {
		struct vblk_req *r = free_req(b);
		uint8_t status;
		int got, action;

		if (!r) {
			b->blocked = 1;
			break;
		}
		got = virtq_pop(q, &t->mem, b->chain, VBLK_SEG_MAX + 2);
		if (got == VQ_EMPTY)
			break;
		if (got == VQ_BROKEN) {
			virtio_mmio_needs_reset(t);
			break;
		}
		action = vblk_parse(b->chain, &b->disk, r, &status);
		vq_budget_spend(&budget, 1, r->data_len);
		if (action == VBLK_BROKEN) {
			virtio_mmio_needs_reset(t);
			break;
		}
		if (action == VBLK_DONE) {
			finish(b, r, status);
			continue;
		}
		r->gen = t->gen;
		r->busy = 1;
		r->owner = b;
		if (submit(b, r, &queued))
			break;
	}
	if (queued)
		b->be.kick(b->be.ctx);
	return !vq_budget_left(&budget) && virtio_mmio_live(t) && q->ready;
}

static int vblk_notify(void *dev, unsigned q)
{
	(void)q;
	return process(dev);
}

static void vblk_reset(void *dev)
{
	struct vblk *b = dev;

	/* Requests at the backend finish later and are dropped then (their gen is old). */
	if (b->pending)
		b->pending->busy = 0;
	b->pending = NULL;
	b->blocked = 0;
}

static const struct virtio_mmio_dev_ops vblk_ops = {
	.device_id = VIRTIO_ID_BLOCK,
	.nqueues = 1,
	.queue_num_max = VBLK_QUEUE_MAX,
	.features = vblk_features,
	.config_read = vblk_config_read,
	.notify = vblk_notify,
	.reset = vblk_reset,
};

void vblk_init(struct vblk *b, const struct vblk_disk *disk, const struct vblk_backend *be, const struct vq_mem *mem,
	       struct vq_chain *scratch, void (*set_irq)(void *, int), void *irq_ctx)
{
	memset(b, 0, sizeof(*b));
	b->disk = *disk;
	b->be = *be;
	b->chain = scratch;
	virtio_mmio_init(&b->t, &vblk_ops, b, mem, set_irq, irq_ctx);
}

void vblk_complete(struct vblk_req *r, uint8_t status)
{
	struct vblk *b = r->owner;
	struct virtio_mmio *t = &b->t;

	spin_lock(&t->lock);
	/* A reset since it was submitted: the driver no longer expects it (its buffers were still its own RAM). */
	if (r->gen == t->gen && virtio_mmio_live(t))
		finish(b, r, status);
	r->busy = 0;
	if (b->blocked)
		virtio_mmio_notify(t, 0);
	spin_unlock(&t->lock);
}

void vblk_retry(struct vblk *b)
{
	spin_lock(&b->t.lock);
	if (b->blocked)
		virtio_mmio_notify(&b->t, 0);
	spin_unlock(&b->t.lock);
}
