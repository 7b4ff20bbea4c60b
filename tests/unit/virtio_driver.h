/*
 * The driver's side for host tests of the guest-facing virtio devices: a guest RAM (a heap block)
 * holding each queue's descriptor table, available and used ring at fixed offsets and a buffer per
 * descriptor, register access through the transport's MMIO operations, the driver's setup sequence
 * (virtio 1.1, 3.1.1) and chains offered on a queue. Static functions: only a test's main file
 * includes it, after unit.h.
 */
#ifndef KEEL_TESTS_UNIT_VIRTIO_DRIVER_H
#define KEEL_TESTS_UNIT_VIRTIO_DRIVER_H
#include <stdlib.h>
#include <string.h>
#include "vdev/virtio/queue.h"
#include "vdev/virtio/transport.h"
#include "virtio_shadow.h"

#define RAM_GPA 0x80000000ULL
#define RAM_SIZE (1 << 20)
#define QN 8
/* per queue q: descriptors, available and used rings at these offsets + q * QUEUE_STRIDE */
#define DESC_OFF 0x1000
#define AVAIL_OFF 0x2000
#define USED_OFF 0x3000
#define QUEUE_STRIDE 0x4000
#define BUF_OFF 0x10000
#define BUF_STRIDE 0x1000
#define STATUS_LIVE \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK)

struct vdrv {
	uint8_t *ram;
	struct vq_mem mem;
	struct virtio_mmio *t;
	uint16_t next_desc[VIRTIO_MMIO_MAX_QUEUES];
};

/* Fresh guest RAM for a device whose transport is t (set up by the caller's *_init next). */
static void vdrv_ram(struct vdrv *d, struct virtio_mmio *t)
{
	d->ram = calloc(1, RAM_SIZE);
	d->mem = (struct vq_mem){ RAM_GPA, RAM_SIZE, d->ram };
	d->t = t;
	d->next_desc[0] = d->next_desc[1] = 0;
}

static uint64_t gpa(uint64_t off)
{
	return RAM_GPA + off;
}
static struct vring_desc *vdrv_desc(struct vdrv *d, unsigned q, unsigned i)
{
	return (struct vring_desc *)(d->ram + DESC_OFF + q * QUEUE_STRIDE) + i;
}
static struct vring_avail *vdrv_avail(struct vdrv *d, unsigned q)
{
	return (struct vring_avail *)(d->ram + AVAIL_OFF + q * QUEUE_STRIDE);
}
static struct vring_used *vdrv_used(struct vdrv *d, unsigned q)
{
	return (struct vring_used *)(d->ram + USED_OFF + q * QUEUE_STRIDE);
}
/* Descriptor i's buffer on queue q. */
static uint8_t *vdrv_buf(struct vdrv *d, unsigned q, unsigned i)
{
	return d->ram + BUF_OFF + (q * QN + i) * BUF_STRIDE;
}

/* The guest's view (the shadow page) is what trapped reads return: the registers, or every byte (VSHADOW_ALL). */
static void vdrv_shadow_ok(struct vdrv *d, int what)
{
	unsigned width = 0;
	long off = vshadow_mismatch(d->t, what, &width);

	if (off >= 0)
		fail_msg("shadow page differs from a trapped read at offset %#lx, width %u", off, width);
}

/* Register accesses, each followed by a look at the shadow page's registers. */
static uint32_t vdrv_rd(struct vdrv *d, unsigned off)
{
	uint64_t v;

	assert_int_equal(virtio_mmio_ops.read(d->t, off, 4, &v), MMIO_OK);
	vdrv_shadow_ok(d, VSHADOW_REGS);
	return (uint32_t)v;
}
static void vdrv_wr(struct vdrv *d, unsigned off, uint32_t v)
{
	assert_int_equal(virtio_mmio_ops.write(d->t, off, 4, v), MMIO_OK);
	vdrv_shadow_ok(d, VSHADOW_REGS);
}

/* What a driver does at probe: the features, VERSION_1, two queues of QN, DRIVER_OK. */
static void vdrv_setup(struct vdrv *d, uint32_t features_lo)
{
	vdrv_wr(d, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	vdrv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vdrv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES, features_lo);
	vdrv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vdrv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(VIRTIO_BIT(VIRTIO_F_VERSION_1) >> 32));
	vdrv_wr(d, VIRTIO_MMIO_STATUS,
		VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	for (unsigned q = 0; q < 2; q++) {
		vdrv_wr(d, VIRTIO_MMIO_QUEUE_SEL, q);
		vdrv_wr(d, VIRTIO_MMIO_QUEUE_NUM, QN);
		vdrv_wr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)gpa(DESC_OFF + q * QUEUE_STRIDE));
		vdrv_wr(d, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)gpa(AVAIL_OFF + q * QUEUE_STRIDE));
		vdrv_wr(d, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)gpa(USED_OFF + q * QUEUE_STRIDE));
		vdrv_wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
	}
	vdrv_wr(d, VIRTIO_MMIO_STATUS, STATUS_LIVE);
	vdrv_shadow_ok(d, VSHADOW_ALL);
}

/* Offer a chain of n descriptors on queue q, each its own slot's buffer, of the given lengths. */
static void vdrv_offer(struct vdrv *d, unsigned q, const uint32_t *lens, unsigned n, uint16_t flags)
{
	uint16_t head = d->next_desc[q];

	for (unsigned k = 0; k < n; k++) {
		uint16_t i = (uint16_t)((head + k) % QN);

		*vdrv_desc(d, q, i) = (struct vring_desc){ gpa(BUF_OFF + (q * QN + i) * BUF_STRIDE), lens[k],
							   (uint16_t)(flags | (k + 1 < n ? VRING_DESC_F_NEXT : 0)),
							   (uint16_t)((i + 1) % QN) };
	}
	d->next_desc[q] = (uint16_t)((head + n) % QN);
	vdrv_avail(d, q)->ring[vdrv_avail(d, q)->idx % QN] = head;
	vdrv_avail(d, q)->idx++;
}

#endif
