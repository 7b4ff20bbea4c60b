/* Driver side of a split virtqueue: a free list of descriptors, the available ring, the used ring. */
#include "drivers/virtio/ring.h"
#include <stddef.h>
#include <string.h>

void hvq_init(struct hvq *q, uint16_t num)
{
	memset(q, 0, sizeof(*q));
	q->num = num;
	q->nfree = num;
	for (uint16_t i = 0; i + 1 < num; i++)
		q->desc[i].next = i + 1;
}

int hvq_add(struct hvq *q, const struct hvq_buf *bufs, unsigned n)
{
	uint16_t head = q->free_head, i = head, last = head;

	if (!n || n > q->nfree)
		return -1;
	for (unsigned k = 0; k < n; k++) {
		struct vring_desc *d = &q->desc[i];

		d->addr = bufs[k].addr;
		d->len = bufs[k].len;
		d->flags = (uint16_t)((bufs[k].write ? VRING_DESC_F_WRITE : 0) | (k + 1 < n ? VRING_DESC_F_NEXT : 0) |
				      (bufs[k].indirect ? VRING_DESC_F_INDIRECT : 0));
		last = i;
		i = d->next;
	}
	q->free_head = i;
	q->nfree -= (uint16_t)n;
	q->desc[last].flags &= (uint16_t)~VRING_DESC_F_NEXT;
	q->chain_len[head] = (uint16_t)n;
	q->avail.ring[q->avail_idx & (q->num - 1)] = head;
	q->avail_idx++;
	/* 2.6.13: descriptors and ring entry are visible before the index that offers them. */
	__atomic_store_n(&q->avail.idx, q->avail_idx, __ATOMIC_RELEASE);
	return head;
}

int hvq_pop_used(struct hvq *q, uint32_t *len)
{
	uint16_t idx = __atomic_load_n(&q->used.idx, __ATOMIC_ACQUIRE), head, i;
	const struct vring_used_elem *e;

	if (idx == q->last_used)
		return -1;
	e = &q->used.ring[q->last_used & (q->num - 1)];
	q->last_used++;
	head = (uint16_t)e->id;
	*len = e->len;
	if (head >= q->num || !q->chain_len[head])
		return -2; /* the device returned something never offered: skipped */
	/* Put the chain back on the free list. */
	i = head;
	for (uint16_t k = 1; k < q->chain_len[head]; k++)
		i = q->desc[i].next;
	q->desc[i].next = q->free_head;
	q->free_head = head;
	q->nfree += q->chain_len[head];
	q->chain_len[head] = 0;
	return head;
}
