/*
 * A hostile network guest: it drives its virtio-net card (NIC 0, at QEMU's first virtio-mmio slot)
 * with garbage: descriptors pointing anywhere (outside its RAM, at Keel, wrapping), random lengths
 * and flags (loops, INDIRECT, device-writable transmit buffers), available indexes far ahead,
 * registers written at random, resets mid-flight, and a flood of frames of every length (runts,
 * oversized) with random addresses. Then it resets the card, sets it up properly and checks one
 * good frame still goes out. The VMs beside it on the same network must finish their own traffic.
 */
#include "guests/common/guest.h"
#include "drivers/virtio/virtio_spec.h"
#include <string.h>

#define NIC_BASE 0x10001000UL
#define QN 8
#define ROUNDS 4000
#define FRAME_BYTES 2048
#define POLLS 1000000

GUEST_VRING(vring, QN);

static struct vring rings[2];
static uint8_t scratch[QN * 2][FRAME_BYTES] __attribute__((aligned(16)));
static uint64_t rng = 0x6b65656c6e6574ULL; /* "keelnet" */

static volatile uint32_t *reg(unsigned off)
{
	return (volatile uint32_t *)(NIC_BASE + off);
}

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t rnd_addr(void)
{
	/* nothing, a device window, wrapping, across the end of its 16 MiB, Keel's own image */
	static const uint64_t outside[] = { 0, 0x10000000UL, ~0UL - 16, 0x80000000UL + (16UL << 20) - 8,
					    0x80200000UL - 4096 };

	/* Inside its RAM only in the first half of scratch: the card's writes never reach its code or stack. */
	return rnd() % 3 ? (uintptr_t)scratch + rnd() % (sizeof(scratch) / 2) : outside[rnd() % 5] + rnd() % 64;
}

static uint32_t rnd_len(void)
{
	return (uint32_t)(rnd() % 4 ? rnd() % (FRAME_BYTES + 64) : rnd());
}

static void setup(void)
{
	*reg(VIRTIO_MMIO_STATUS) = 0;
	*reg(VIRTIO_MMIO_STATUS) = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
	*reg(VIRTIO_MMIO_DRIVER_FEATURES_SEL) = 1;
	*reg(VIRTIO_MMIO_DRIVER_FEATURES) = 1; /* VERSION_1 */
	*reg(VIRTIO_MMIO_DRIVER_FEATURES_SEL) = 0;
	*reg(VIRTIO_MMIO_DRIVER_FEATURES) = 0;
	*reg(VIRTIO_MMIO_STATUS) = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
	for (unsigned q = 0; q < 2; q++) {
		memset(&rings[q], 0, sizeof(rings[q]));
		*reg(VIRTIO_MMIO_QUEUE_SEL) = q;
		*reg(VIRTIO_MMIO_QUEUE_NUM) = QN;
		*reg(VIRTIO_MMIO_QUEUE_DESC_LOW) = (uint32_t)(uintptr_t)rings[q].desc;
		*reg(VIRTIO_MMIO_QUEUE_DESC_HIGH) = 0;
		*reg(VIRTIO_MMIO_QUEUE_DRIVER_LOW) = (uint32_t)(uintptr_t)&rings[q].avail;
		*reg(VIRTIO_MMIO_QUEUE_DRIVER_HIGH) = 0;
		*reg(VIRTIO_MMIO_QUEUE_DEVICE_LOW) = (uint32_t)(uintptr_t)&rings[q].used;
		*reg(VIRTIO_MMIO_QUEUE_DEVICE_HIGH) = 0;
		*reg(VIRTIO_MMIO_QUEUE_READY) = 1;
	}
	*reg(VIRTIO_MMIO_STATUS) =
		VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK;
}

/* A frame of `len` bytes after the header, with random addresses, in scratch slot i. */
static void frame(unsigned i, uint32_t len, int broadcast)
{
	uint8_t *b = scratch[i % (QN * 2)];

	memset(b, 0, VIRTIO_NET_HDR_LEN);
	for (uint32_t k = VIRTIO_NET_HDR_LEN; k < VIRTIO_NET_HDR_LEN + len && k < FRAME_BYTES; k++)
		b[k] = (uint8_t)rnd();
	if (broadcast)
		memset(b + VIRTIO_NET_HDR_LEN, 0xff, 6);
	b[VIRTIO_NET_HDR_LEN + 6] &= (uint8_t)~1U; /* a unicast source, mostly */
}

static void offer(unsigned q, uint16_t head)
{
	rings[q].avail.ring[rings[q].avail.idx % QN] = head;
	mb();
	rings[q].avail.idx++;
	mb();
}

void guest_main(unsigned long hartid)
{
	static const unsigned regs[] = { VIRTIO_MMIO_STATUS,	       VIRTIO_MMIO_QUEUE_NUM,
					 VIRTIO_MMIO_QUEUE_READY,      VIRTIO_MMIO_QUEUE_DESC_LOW,
					 VIRTIO_MMIO_QUEUE_DRIVER_LOW, VIRTIO_MMIO_QUEUE_DEVICE_LOW,
					 VIRTIO_MMIO_QUEUE_SEL,	       VIRTIO_MMIO_INTERRUPT_ACK };
	unsigned long resets = 0;

	(void)hartid;
	tap_ok(*reg(VIRTIO_MMIO_MAGIC_VALUE) == VIRTIO_MMIO_MAGIC && *reg(VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_NET,
	       "nethostile: a virtio-net card at 0x%lx", NIC_BASE);
	for (unsigned r = 0; r < ROUNDS; r++) {
		unsigned q = (unsigned)(rnd() % 2), kind = (unsigned)(rnd() % 4);

		if (r % 32 == 0 || (*reg(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET)) {
			setup();
			resets++;
		}
		if (kind == 0) {
			/* garbage descriptors and indexes */
			for (unsigned i = 0; i < QN; i++)
				rings[q].desc[i] = (struct virtq_desc){ rnd_addr(), rnd_len(), (uint16_t)rnd(),
									(uint16_t)(rnd() % (QN + 2)) };
			for (unsigned i = 0; i < QN; i++)
				rings[q].avail.ring[i] = (uint16_t)(rnd() % 8 ? rnd() % QN : rnd());
			rings[q].avail.idx = (uint16_t)(rnd() % 8 ? rings[q].avail.idx + 1 + rnd() % 4 : rnd());
		} else if (kind == 3) {
			*reg(regs[rnd() % (sizeof(regs) / sizeof(regs[0]))]) =
				(uint32_t)(rnd() % 4 ? rnd() % 64 : rnd());
		} else {
			/* a flood of frames, one descriptor each: every length, now and then one field spoilt */
			for (unsigned i = 0; i < QN / 2; i++) {
				uint16_t d = (uint16_t)((rings[q].avail.idx + i) % QN);
				uint32_t len = (uint32_t)(rnd() % 2 ? 14 + rnd() % 1505 : rnd() % (FRAME_BYTES - 12));

				frame(d, len, (int)(rnd() % 2));
				rings[q].desc[d] = (struct virtq_desc){ (uintptr_t)scratch[d], VIRTIO_NET_HDR_LEN + len,
									q == 0 ? VIRTQ_DESC_F_WRITE : 0, 0 };
				if (kind == 1 && rnd() % 4 == 0)
					rings[q].desc[d].addr = rnd_addr();
				offer(q, d);
			}
		}
		*reg(VIRTIO_MMIO_QUEUE_NOTIFY) = q;
		if (kind == 2)
			rings[q].used.idx = (uint16_t)rnd(); /* the device never reads it back */
	}
	tap_ok(1, "nethostile: %u rounds of garbage and floods, %lu resets", ROUNDS, resets);
	/* Behave: one good broadcast frame must go out. */
	setup();
	frame(0, 60, 1);
	rings[1].desc[0] = (struct virtq_desc){ (uintptr_t)scratch[0], VIRTIO_NET_HDR_LEN + 60, 0, 0 };
	offer(1, 0);
	*reg(VIRTIO_MMIO_QUEUE_NOTIFY) = 1;
	unsigned long polls = 0;

	while (*(volatile uint16_t *)&rings[1].used.idx != 1 && polls < POLLS)
		polls++;
	tap_ok(rings[1].used.idx == 1 && !(*reg(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET),
	       "nethostile: after a reset the card sends a good frame");
}
