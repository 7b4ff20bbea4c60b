/*
 * The driver's side for the fuzz targets of two-queue virtio devices (net, console): register access
 * through the transport's MMIO operations and the standard driver setup, each queue's descriptor
 * table, available and used ring at fixed offsets of a guest RAM at FUZZ_RAM_GPA, and the
 * operations the targets share, each taking its arguments from the input. Static functions: only a
 * target's main file includes it, after fuzz.h.
 */
#ifndef KEEL_TESTS_FUZZ_FUZZ_VDRV_H
#define KEEL_TESTS_FUZZ_FUZZ_VDRV_H
#include "vdev/virtio/queue.h"
#include "vdev/virtio/transport.h"
#include "tests/unit/virtio_shadow.h"

#define FUZZ_RAM_GPA 0x80000000ULL
#define FUZZ_QUEUE_OFF(q) (0x1000 + 0x3000 * (q)) /* descriptors, then avail +0x1000, used +0x2000 */
#define FUZZ_AVAIL_OFF 0x1000
#define FUZZ_USED_OFF 0x2000
#define FUZZ_QMAX 32 /* descriptors and ring entries the input can address per queue */
#define FUZZ_RAM_CHUNK 32 /* bytes one raw RAM write can give */

static const uint64_t vdrv_regs[] = {
	VIRTIO_MMIO_QUEUE_SEL,	    VIRTIO_MMIO_QUEUE_NUM, VIRTIO_MMIO_QUEUE_READY,    VIRTIO_MMIO_QUEUE_NOTIFY,
	VIRTIO_MMIO_INTERRUPT_ACK,  VIRTIO_MMIO_STATUS,	   VIRTIO_MMIO_QUEUE_DESC_LOW, VIRTIO_MMIO_QUEUE_AVAIL_LOW,
	VIRTIO_MMIO_QUEUE_USED_LOW, VIRTIO_MMIO_CONFIG,
};
static const uint64_t vdrv_values[] = { 0, 1, 2, 4, 8, 0xf, 0x40, 0x80, 16, 32, 0x80001000, 0x80004000, 0xffffffff };

static void vdrv_wr(struct virtio_mmio *t, uint64_t off, uint32_t v)
{
	FUZZ_CHECK(virtio_mmio_ops.write(t, off, 4, v) == MMIO_OK, "register write refused");
}

/* What the guest reads without an exit (the shadow page's registers) is what a trapped read returns. */
static void vdrv_shadow_ok(struct virtio_mmio *t)
{
	unsigned width = 0;
	long off = vshadow_mismatch(t, VSHADOW_REGS, &width);

	FUZZ_CHECK(off < 0, "shadow page differs from a trapped read at offset %#lx, width %u", off, width);
}

/* A register read; the shadow page is checked with it. */
static uint32_t vdrv_rd(struct virtio_mmio *t, uint64_t off)
{
	uint64_t v;

	FUZZ_CHECK(virtio_mmio_ops.read(t, off, 4, &v) == MMIO_OK, "register read refused");
	vdrv_shadow_ok(t);
	return (uint32_t)v;
}

/* Reset, VERSION_1 and the device features features_lo (bits 0-31), both queues of num entries, DRIVER_OK. */
static void vdrv_setup(struct virtio_mmio *t, uint32_t num, uint32_t features_lo)
{
	vdrv_wr(t, VIRTIO_MMIO_STATUS, 0);
	vdrv_wr(t, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	vdrv_wr(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vdrv_wr(t, VIRTIO_MMIO_DRIVER_FEATURES, features_lo);
	vdrv_wr(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vdrv_wr(t, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(VIRTIO_BIT(VIRTIO_F_VERSION_1) >> 32));
	vdrv_wr(t, VIRTIO_MMIO_STATUS,
		VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	for (unsigned q = 0; q < 2; q++) {
		vdrv_wr(t, VIRTIO_MMIO_QUEUE_SEL, q);
		vdrv_wr(t, VIRTIO_MMIO_QUEUE_NUM, num);
		vdrv_wr(t, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)(FUZZ_RAM_GPA + FUZZ_QUEUE_OFF(q)));
		vdrv_wr(t, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)(FUZZ_RAM_GPA + FUZZ_QUEUE_OFF(q) + FUZZ_AVAIL_OFF));
		vdrv_wr(t, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)(FUZZ_RAM_GPA + FUZZ_QUEUE_OFF(q) + FUZZ_USED_OFF));
		vdrv_wr(t, VIRTIO_MMIO_QUEUE_READY, 1);
	}
	vdrv_wr(t, VIRTIO_MMIO_STATUS,
		VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK |
			VIRTIO_CONFIG_S_DRIVER_OK);
}

/* A register from the table written with a value from the table. */
static void vdrv_take_reg_write(struct fuzz_in *in, struct virtio_mmio *t)
{
	uint64_t off = take_pick(in, vdrv_regs, ARRAY_LEN(vdrv_regs)) & ~3ULL;

	vdrv_wr(t, off, (uint32_t)take_pick(in, vdrv_values, ARRAY_LEN(vdrv_values)));
}

/* A descriptor (index, bit 7 the queue) with an address and length from the tables, any flags and next. */
static void vdrv_take_desc(struct fuzz_in *in, uint8_t *ram, const uint64_t *addrs, size_t naddrs, const uint64_t *lens,
			   size_t nlens)
{
	unsigned i = take_u8(in), q = i >> 7;
	struct vring_desc desc = { take_pick(in, addrs, naddrs), (uint32_t)take_pick(in, lens, nlens), take_u16(in),
				   take_u16(in) };

	memcpy(ram + FUZZ_QUEUE_OFF(q) + sizeof(desc) * (i % FUZZ_QMAX), &desc, sizeof(desc));
}

/* An available-ring entry on the queue bit 0 names. */
static void vdrv_take_avail(struct fuzz_in *in, uint8_t *ram)
{
	uint8_t b = take_u8(in);
	struct vring_avail *a = (struct vring_avail *)(ram + FUZZ_QUEUE_OFF(b & 1) + FUZZ_AVAIL_OFF);

	a->ring[a->idx % FUZZ_QMAX] = take_u16(in);
	a->idx++;
}

/* Raw bytes anywhere in a guest RAM of size bytes (at most 64 KiB). */
static void vdrv_take_ram(struct fuzz_in *in, uint8_t *ram, uint32_t size)
{
	uint16_t off = (uint16_t)(take_u16(in) % size);
	uint8_t n = take_u8(in) % FUZZ_RAM_CHUNK;

	if (n > size - off)
		n = (uint8_t)(size - off);
	take_bytes(in, ram + off, n);
}

#endif
