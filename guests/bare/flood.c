/*
 * Flood test guest (Keel only): the worst one notify can ask of a device, over and over for run ms,
 * beside a VM that measures its timer wake-ups on the same hart (guests/bare/sched.c, latency).
 * bootargs "keel flood=ROLE delay=MS run=MS" (after delay ms, for run ms):
 *   console  virtio console transmit: one chain of VQ_SEGS descriptors of SEG_BYTES each, then a
 *            ring whose every entry names the same head (a driver bug: the device must refuse it,
 *            DEVICE_NEEDS_RESET, not print the chain a ring's worth of times), then a reset.
 *   net      virtio-net transmit: a ring's worth of broadcast frames per notify, far over the
 *            switch's broadcast rate.
 *   blk      virtio-blk: a ring's worth of requests per notify, each an indirect table of a whole
 *            request (header, VBLK_DATA_SEGS segments, status): one in READ_EVERY reads the slice
 *            (a sector a segment), the others (a page a segment) lie past its end.
 * Each round waits (bounded) for the device to use what it was given; the VM beside must keep
 * its wake-up bound, and this VM must still get its work done.
 */
#include "guests/common/guest.h"
#include "lib/virtio_spec.h"
#include "guests/common/vnic.h"
#include <stdlib.h>
#include <string.h>

#define TICKS_PER_MS 10000UL /* QEMU virt timebase: 10 MHz */
#define WAIT_TICKS (2000 * TICKS_PER_MS) /* a round the device never finishes */
#define QN 128 /* queue size: the console's and the disk's QueueNumMax */
#define NIC_BASE 0x10001000UL /* NIC 0: slot 0 */
#define CONSOLE_BASE 0x10003000UL /* the slot after the two NICs' */
#define DISK_BASE 0x10008000UL /* disk 0: the top slot */
#define VQ_SEGS 16 /* descriptors of one console chain (what the device takes) */
#define SEG_BYTES (16 * 1024) /* each: a quarter MiB a chain */
#define LINE 64 /* the console bytes are lines of dots (both chains end a line) */
#define REPEAT_SEG_BYTES 64 /* the repeated-head chain: small, so a device that walks every entry still ends */
#define FRAME_BYTES 60 /* a minimal Ethernet frame */
#define VBLK_DATA_SEGS 256 /* the SEG_MAX Keel offers */
#define PAGE 4096
#define SLICE_SECTORS 2048 /* the case gives this VM a 1 MiB slice */
#define READ_EVERY 16 /* one request in this many reads the slice, a sector a segment; the rest lie past its end */

GUEST_VRING(ring, QN);

static struct ring rings[2];
static uint8_t buf[VQ_SEGS * SEG_BYTES] __attribute__((aligned(PAGE)));
static struct vring_desc tables[2][VBLK_DATA_SEGS + 2] __attribute__((aligned(16)));
static struct virtio_blk_outhdr hdr[2];
static uint8_t status[2];
static uintptr_t base;

static volatile uint32_t *reg(unsigned off)
{
	return (volatile uint32_t *)(base + off);
}

/* Reset and set the device up with both queues of QN entries (features: VERSION_1 and `low`). */
static void setup(uint32_t low)
{
	GUEST_VNIC_SETUP(base, low, rings, QN);
}

/* Offer `n` ring entries naming heads head(0..n-1), notify once, wait until all are used. */
static int offer_all(unsigned q, unsigned n, uint16_t (*head)(unsigned))
{
	struct ring *r = &rings[q];
	uint16_t want = (uint16_t)(r->used.idx + n);
	unsigned long start;

	for (unsigned i = 0; i < n; i++)
		r->avail.ring[(r->avail.idx + i) % QN] = head(i);
	mb();
	r->avail.idx = (uint16_t)(r->avail.idx + n);
	mb();
	*reg(VIRTIO_MMIO_QUEUE_NOTIFY) = q;
	start = read_time();
	while (*(volatile uint16_t *)&r->used.idx != want && read_time() - start < WAIT_TICKS &&
	       !(*reg(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET))
		;
	return *(volatile uint16_t *)&r->used.idx == want;
}

/* Descriptors first..first+n-1 of queue q's table: one chain over n runs of `seg` bytes of data. */
static void chain(unsigned q, unsigned first, unsigned n, uint8_t *data, uint32_t seg)
{
	for (unsigned k = 0; k < n; k++)
		rings[q].desc[first + k] =
			(struct vring_desc){ (uintptr_t)data + (uint64_t)k * seg, seg,
					     (uint16_t)(k + 1 < n ? VRING_DESC_F_NEXT : 0), (uint16_t)(first + k + 1) };
}

static uint16_t head_zero(unsigned i)
{
	(void)i;
	return 0;
}

static uint16_t head_repeat(unsigned i)
{
	(void)i;
	return VQ_SEGS;
}

static uint16_t head_each(unsigned i)
{
	return (uint16_t)i;
}

static void console(unsigned long end)
{
	unsigned long rounds = 0, done = 0, refused = 0;

	base = CONSOLE_BASE;
	for (unsigned long i = 0; i < sizeof(buf); i++)
		buf[i] = i % LINE == LINE - 1 ? '\n' : '.';
	while (read_time() < end) {
		setup(0);
		/* descriptors 0..15: the huge chain; 16..31: the small one every ring entry names */
		chain(VIRTIO_CONSOLE_TXQ, 0, VQ_SEGS, buf, SEG_BYTES);
		chain(VIRTIO_CONSOLE_TXQ, VQ_SEGS, VQ_SEGS, buf, REPEAT_SEG_BYTES);
		done += offer_all(VIRTIO_CONSOLE_TXQ, 1, head_zero);
		offer_all(VIRTIO_CONSOLE_TXQ, QN, head_repeat);
		refused += !!(*reg(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
		rounds++;
	}
	tap_ok(done == rounds, "flood: console: %lu of %lu chains of %u KiB written", done, rounds,
	       VQ_SEGS * SEG_BYTES / 1024);
	tap_ok(refused == rounds,
	       "flood: console: a ring naming one head %u times refused (NEEDS_RESET) %lu of %lu times", QN, refused,
	       rounds);
}

static uint16_t nic_heads(unsigned i)
{
	return (uint16_t)i;
}

static void net(unsigned long end)
{
	struct ring *r = &rings[VIRTIO_NET_TXQ];
	unsigned long rounds = 0, done = 0;

	base = NIC_BASE;
	setup(0);
	/* A broadcast from the card's own MAC (config space), a whole ring of them per notify. */
	memset(buf, 0, VIRTIO_NET_HDR_LEN + FRAME_BYTES);
	memset(buf + VIRTIO_NET_HDR_LEN, 0xff, ETH_ALEN);
	for (unsigned k = 0; k < ETH_ALEN; k++)
		buf[VIRTIO_NET_HDR_LEN + ETH_ALEN + k] = *(volatile uint8_t *)(base + VIRTIO_MMIO_CONFIG + k);
	for (unsigned i = 0; i < QN; i++)
		r->desc[i] = (struct vring_desc){ (uintptr_t)buf, VIRTIO_NET_HDR_LEN + FRAME_BYTES, 0, 0 };
	while (read_time() < end) {
		done += offer_all(VIRTIO_NET_TXQ, QN, nic_heads);
		rounds++;
	}
	tap_ok(done == rounds && rounds > 1, "flood: net: %lu of %lu rings of %u broadcast frames sent", done, rounds,
	       QN);
}

static void blk(unsigned long end)
{
	struct ring *r = &rings[0];
	unsigned long rounds = 0, done = 0, ok = 0, ioerr = 0;

	base = DISK_BASE;
	setup(1U << VIRTIO_RING_F_INDIRECT_DESC);
	hdr[0] = (struct virtio_blk_outhdr){ VIRTIO_BLK_T_IN, 0, 0 };
	hdr[1] = (struct virtio_blk_outhdr){ VIRTIO_BLK_T_IN, 0, SLICE_SECTORS };
	/* Two indirect tables, each a whole request (header, segments, status). */
	for (unsigned t = 0; t < 2; t++) {
		uint32_t seg = t ? PAGE : VIRTIO_BLK_SECTOR_SIZE;

		tables[t][0] = (struct vring_desc){ (uintptr_t)&hdr[t], sizeof(hdr[t]), VRING_DESC_F_NEXT, 1 };
		for (unsigned k = 1; k <= VBLK_DATA_SEGS; k++)
			tables[t][k] = (struct vring_desc){ (uintptr_t)buf + (uint64_t)(k - 1) * seg, seg,
							    VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, (uint16_t)(k + 1) };
	}
	for (unsigned i = 0; i < QN; i++) {
		struct vring_desc *t = tables[i % READ_EVERY != 0];

		r->desc[i] = (struct vring_desc){ (uintptr_t)t, sizeof(tables[0]), VRING_DESC_F_INDIRECT, 0 };
	}
	while (read_time() < end) {
		/* each table's status byte: the last one written wins, and all of one kind agree */
		for (unsigned t = 0; t < 2; t++) {
			status[t] = 0xff;
			tables[t][VBLK_DATA_SEGS + 1] =
				(struct vring_desc){ (uintptr_t)&status[t], 1, VRING_DESC_F_WRITE, 0 };
		}
		done += offer_all(0, QN, head_each);
		ok += status[0] == VIRTIO_BLK_S_OK;
		ioerr += status[1] == VIRTIO_BLK_S_IOERR;
		rounds++;
	}
	tap_ok(done == rounds && rounds > 1, "flood: blk: %lu of %lu rings of %u requests of %u segments answered",
	       done, rounds, QN, VBLK_DATA_SEGS);
	tap_ok(ok == rounds && ioerr == rounds, "flood: blk: reads in the slice OK (%lu), past its end IOERR (%lu)", ok,
	       ioerr);
}

void guest_main(unsigned long hartid)
{
	/* The flood starts once the VM beside is under way (it boots second), and lasts run ms. */
	unsigned long start = read_time() + (unsigned long)bootarg_num("delay", 20) * TICKS_PER_MS;
	unsigned long end = start + (unsigned long)bootarg_num("run", 250) * TICKS_PER_MS;

	(void)hartid;
	while (read_time() < start)
		;
	if (bootarg_is("flood", "console"))
		console(end);
	else if (bootarg_is("flood", "net"))
		net(end);
	else if (bootarg_is("flood", "blk"))
		blk(end);
	else
		tap_ok(0, "flood: bootargs name no role (flood=console|net|blk)");
	tap_done();
}
