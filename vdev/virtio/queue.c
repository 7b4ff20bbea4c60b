/* The device side of a split virtqueue: bounds checks on everything the guest controls. */
#include "vdev/virtio/queue.h"
#include <stddef.h>
#include <string.h>

void *vq_mem_ptr(const struct vq_mem *m, uint64_t gpa, uint64_t len)
{
	uint64_t off = gpa - m->gpa;

	if (!len || gpa < m->gpa || off >= m->size || len > m->size - off)
		return NULL;
	return m->host + off;
}

void virtq_reset(struct virtq *q)
{
	memset(q, 0, sizeof(*q));
}

int virtq_enable(struct virtq *q, const struct vq_mem *m, uint32_t max_num)
{
	uint32_t n = q->num;
	void *desc, *avail, *used;

	/* 2.6: a power of 2 no larger than what the device offers. */
	if (!n || n > max_num || n > VIRTQ_MAX_SIZE || n > VQ_TRACKED_MAX || (n & (n - 1)))
		return -1;
	if (q->desc_gpa % VRING_DESC_ALIGN_SIZE || q->avail_gpa % VRING_AVAIL_ALIGN_SIZE ||
	    q->used_gpa % VRING_USED_ALIGN_SIZE)
		return -1;
	desc = vq_mem_ptr(m, q->desc_gpa, VIRTQ_DESC_SIZE(n));
	avail = vq_mem_ptr(m, q->avail_gpa, VIRTQ_AVAIL_SIZE(n));
	used = vq_mem_ptr(m, q->used_gpa, VIRTQ_USED_SIZE(n));
	if (!desc || !avail || !used)
		return -1;
	q->desc = desc;
	q->avail = avail;
	q->used = used;
	q->last_avail = 0;
	q->used_idx = 0;
	q->batch_end = 0;
	memset(q->taken, 0, sizeof(q->taken));
	q->ready = 1;
	return 0;
}

/* One read of a guest-owned 16-bit field. */
static uint16_t guest_u16(const uint16_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/*
 * 2.6.5.3: an indirect table in place of the chain. As QEMU's device does, only the head may
 * refer to one (with no NEXT); the table must lie in guest RAM, aligned for its fields, and be a
 * whole number of descriptors, no more than a chain may hold: the queue size (2.6.5.3.1) or, when
 * larger, what the walker keeps of a chain (Linux sizes a table by the request, seg_max + 2, not
 * by the queue). Returns the table, or NULL.
 */
static const volatile struct vring_desc *indirect_table(const struct virtq *q, const struct vq_mem *m,
							const struct vring_desc *d, uint16_t *n)
{
	uint32_t max = q->num > VQ_MAX_SEGS ? q->num : VQ_MAX_SEGS;

	if (!q->indirect || (d->flags & VRING_DESC_F_NEXT) || !d->len || d->len % sizeof(struct vring_desc) ||
	    d->len / sizeof(struct vring_desc) > max || d->addr % _Alignof(struct vring_desc))
		return NULL;
	*n = (uint16_t)(d->len / sizeof(struct vring_desc));
	return vq_mem_ptr(m, d->addr, d->len);
}

int virtq_pop_upto(struct virtq *q, const struct vq_mem *m, struct vq_chain *c, unsigned max_segs, uint64_t enough)
{
	uint16_t avail_idx, head, i, n;
	const volatile struct vring_desc *table;
	int nested = 0;
	uint64_t writable = 0;

	if (!q->ready)
		return VQ_EMPTY;
	if ((uint16_t)(q->batch_end - q->last_avail) == 0 || (uint16_t)(q->batch_end - q->last_avail) > q->num) {
		/* A new batch: what the driver published up to now (in a resume turn, only after a notify). */
		if (q->hold && !q->notified)
			return VQ_EMPTY;
		q->notified = 0;
		avail_idx = __atomic_load_n(&q->avail->idx, __ATOMIC_ACQUIRE);
		if (avail_idx == q->last_avail)
			return VQ_EMPTY;
		/* 2.6.6: the driver can be at most a queue's worth ahead of the device. */
		if ((uint16_t)(avail_idx - q->last_avail) > q->num)
			return VQ_BROKEN;
		q->batch_end = avail_idx;
		memset(q->taken, 0, sizeof(q->taken));
	}
	head = guest_u16(&q->avail->ring[q->last_avail & (q->num - 1)]);
	if (head >= q->num)
		return VQ_BROKEN;
	/* The same head twice in one batch: offered again before it was used (a driver bug, 2.6). */
	if (q->taken[head / VQ_WORD_BITS] & (1ULL << (head % VQ_WORD_BITS)))
		return VQ_BROKEN;
	q->taken[head / VQ_WORD_BITS] |= 1ULL << (head % VQ_WORD_BITS);
	q->last_avail++;

	if (max_segs > VQ_MAX_SEGS)
		max_segs = VQ_MAX_SEGS;
	c->head = head;
	c->err = 0;
	c->nseg = 0;
	c->ndesc = 0;
	memset(&c->last, 0, sizeof(c->last));
	/* The chain is walked in the queue's table, or from entry 0 of the head's indirect table. */
	table = q->desc;
	n = (uint16_t)q->num;
	i = head;
	for (;;) {
		const volatile struct vring_desc *vd = &table[i];
		struct vring_desc d;
		struct vq_seg s;

		/* One read of the descriptor: every check and use below reads the copy. */
		d.addr = vd->addr;
		d.len = vd->len;
		d.flags = vd->flags;
		d.next = vd->next;
		if (d.flags & VRING_DESC_F_INDIRECT) {
			/*
			 * Only the head of a chain in the queue's own table may refer to a table (which
			 * may even be that table: `nested`, not the address, tells where the walk is).
			 */
			if (c->ndesc || nested || !(table = indirect_table(q, m, &d, &n))) {
				c->err |= VQ_ERR_INDIRECT;
				break;
			}
			nested = 1;
			i = 0;
			continue;
		}
		if (++c->ndesc > n) {
			c->err |= VQ_ERR_LOOP;
			break;
		}
		s.write = !!(d.flags & VRING_DESC_F_WRITE);
		s.len = d.len;
		s.host = vq_mem_ptr(m, d.addr, d.len);
		if (!s.host)
			c->err |= VQ_ERR_ADDR;
		if (!s.write && c->last.write && c->ndesc > 1)
			c->err |= VQ_ERR_ORDER;
		c->last = s;
		if (c->nseg < max_segs)
			c->seg[c->nseg++] = s;
		else
			c->err |= VQ_ERR_TOO_MANY;
		if (s.write)
			writable += s.len;
		if (!(d.flags & VRING_DESC_F_NEXT) || writable >= enough)
			break;
		if (d.next >= n) {
			c->err |= VQ_ERR_NEXT;
			break;
		}
		i = d.next;
	}
	return VQ_CHAIN;
}

int virtq_want_notify(struct virtq *q, int wanted)
{
	if (!q->ready)
		return 0;
	__atomic_store_n(&q->used->flags, wanted ? 0 : VRING_USED_F_NO_NOTIFY, __ATOMIC_RELAXED);
	if (!wanted)
		return 0;
	/* The driver writes its index, then reads the flags; this side the other way round (2.6.13.3). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&q->avail->idx, __ATOMIC_ACQUIRE) == q->last_avail)
		return 0;
	q->notified = 1;
	return 1;
}

uint64_t vq_chain_bytes(const struct vq_chain *c)
{
	uint64_t n = 0;

	for (unsigned k = 0; k < c->nseg; k++)
		n += c->seg[k].len;
	return n;
}

int virtq_push(struct virtq *q, uint16_t id, uint32_t len)
{
	struct vring_used_elem *e;

	if (!q->ready)
		return 0;
	e = &q->used->ring[q->used_idx & (q->num - 1)];
	e->id = id;
	e->len = len;
	q->used_idx++;
	/* The element is visible before the index that publishes it (2.6.8). */
	__atomic_store_n(&q->used->idx, q->used_idx, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return !(guest_u16(&q->avail->flags) & VRING_AVAIL_F_NO_INTERRUPT);
}
