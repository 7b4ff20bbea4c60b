/*
 * A hostile network guest: it drives its virtio-net card (NIC 0, at QEMU's first virtio-mmio slot)
 * with garbage: descriptors pointing anywhere (outside its RAM, at Keel, wrapping), random lengths
 * and flags (loops, INDIRECT, device-writable transmit buffers), available indexes far ahead,
 * registers written at random, resets mid-flight, and a flood of frames of every length (runts,
 * oversized) with random addresses, half the time with checksum offload negotiated and partial
 * checksums whose start and offset point anywhere (past the frame, in its last byte).
 * Then it resets the card, sets it up properly and checks one
 * good frame still goes out. The VMs beside it on the same network must finish their own traffic.
 *
 * First, while its neighbours talk: it learns their MACs from the frames it
 * receives (asking for them by ARP), then for a while sends frames with their MACs and with made-up
 * ones as the source, and counts the unicast frames for them that reach it: none may (the switch
 * drops a NIC's frames from any MAC but its own), and their own traffic must still complete.
 */
#include "guests/common/guest.h"
#include "lib/virtio_spec.h"
#include "guests/common/vnic.h"
#include "net/eth.h"
#include <string.h>

#define NIC_BASE 0x10001000UL
#define QN 8
#define ROUNDS 4000
#define FRAME_BYTES 2048
#define POLLS 1000000
#define TICKS_PER_MS 10000UL /* QEMU virt's 10 MHz timebase */
#define FIND_TICKS (60000 * TICKS_PER_MS) /* to see the neighbours' MACs: they boot Linux meanwhile */
#define ARP_TICKS (200 * TICKS_PER_MS) /* between ARP requests for them */
#define SPOOF_TICKS (4000 * TICKS_PER_MS) /* of spoofing and spraying, while alpha's UDP echo runs */
#define VICTIMS 2 /* the Linux VMs beside it (tests/qemu/cases.py net-hostile): 10.0.3.1 and 10.0.3.2 */
#define NET_PREFIX 0x0a000300u /* their network, 10.0.3.0/24 */
#define MY_HOST 99 /* the address it asks from, 10.0.3.99 */
#define ETH_P_LOCAL 0x88b5 /* IEEE 802 local experimental EtherType: the neighbours ignore it */
#define ARP_LEN 28 /* an ARP packet for IPv4 over Ethernet (RFC 826) */

GUEST_VRING(ring, QN);

static struct ring rings[2];
static uint8_t scratch[QN * 2][FRAME_BYTES] __attribute__((aligned(16)));
static uint8_t rxbuf[QN][FRAME_BYTES] __attribute__((aligned(16)));
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

static int csum_offload; /* VIRTIO_NET_F_CSUM negotiated: frames may carry partial checksums */

static void setup(int csum)
{
	GUEST_VNIC_SETUP(NIC_BASE, csum ? 1U << VIRTIO_NET_F_CSUM : 0, rings, QN);
	csum_offload = csum;
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
	if (csum_offload && rnd() % 2) {
		/* a partial checksum anywhere: in the frame, at its last byte, or with an offset of up to 64 KiB */
		struct virtio_net_hdr_v1 *h = (struct virtio_net_hdr_v1 *)b;
		uint16_t ends[] = { (uint16_t)(len - 1), (uint16_t)(len - 2), (uint16_t)rnd(), (uint16_t)(rnd() % 64) };

		h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h->csum_start = ends[rnd() % 4];
		h->csum_offset = (uint16_t)(rnd() % 2 ? rnd() % 4 : rnd());
	}
}

static void offer(unsigned q, uint16_t head)
{
	rings[q].avail.ring[rings[q].avail.idx % QN] = head;
	mb();
	rings[q].avail.idx++;
	mb();
}

/* ---- spoofed and sprayed source addresses ---- */

static uint8_t own[ETH_ALEN], victim[VICTIMS][ETH_ALEN];
static unsigned nvictims;
static unsigned long stolen; /* unicast frames for another MAC that reached it */
static uint16_t rx_seen;

static uint64_t now(void)
{
	return csr_read(time);
}

static void rx_post(uint16_t d)
{
	rings[0].desc[d] = (struct vring_desc){ (uintptr_t)rxbuf[d], FRAME_BYTES, VRING_DESC_F_WRITE, 0 };
	offer(0, d);
}

/* A station's MAC from a frame it sent: a neighbour, unless known (or its own, or a group address). */
static void learn(const uint8_t *mac)
{
	if ((mac[0] & ETH_ADDR_GROUP) || !memcmp(mac, own, ETH_ALEN))
		return;
	for (unsigned i = 0; i < nvictims; i++)
		if (!memcmp(mac, victim[i], ETH_ALEN))
			return;
	if (nvictims < VICTIMS)
		memcpy(victim[nvictims++], mac, ETH_ALEN);
}

/* The frames received since the last call: sources learned, unicast for others counted; buffers posted again. */
static void rx_poll(void)
{
	int posted = 0;

	mb();
	while (rx_seen != *(volatile uint16_t *)&rings[0].used.idx) {
		const struct vring_used_elem *u = &rings[0].used.ring[rx_seen % QN];
		uint16_t d = (uint16_t)(u->id % QN);
		const uint8_t *f = rxbuf[d] + VIRTIO_NET_HDR_LEN;

		if (u->len >= VIRTIO_NET_HDR_LEN + ETH_HLEN) {
			stolen += !(f[0] & ETH_ADDR_GROUP) && memcmp(f, own, ETH_ALEN);
			learn(f + ETH_ALEN);
		}
		rx_seen++;
		rx_post(d);
		posted = 1;
	}
	if (posted)
		*reg(VIRTIO_MMIO_QUEUE_NOTIFY) = 0;
}

/* Send one frame (padded to ETH_ZLEN) and wait, bounded, for the card to take it. */
static void tx(const uint8_t *dst, const uint8_t *src, unsigned type, const uint8_t *payload, unsigned len)
{
	uint16_t d = (uint16_t)(rings[1].avail.idx % QN);
	uint8_t *b = scratch[d];
	unsigned flen = ETH_HLEN + len < ETH_ZLEN ? ETH_ZLEN : ETH_HLEN + len;
	unsigned long polls = 0;

	memset(b, 0, VIRTIO_NET_HDR_LEN + flen);
	memcpy(b + VIRTIO_NET_HDR_LEN, dst, ETH_ALEN);
	memcpy(b + VIRTIO_NET_HDR_LEN + ETH_ALEN, src, ETH_ALEN);
	b[VIRTIO_NET_HDR_LEN + ETH_TYPE_OFF] = (uint8_t)(type >> 8);
	b[VIRTIO_NET_HDR_LEN + ETH_TYPE_OFF + 1] = (uint8_t)type;
	memcpy(b + VIRTIO_NET_HDR_LEN + ETH_HLEN, payload, len);
	rings[1].desc[d] = (struct vring_desc){ (uintptr_t)b, VIRTIO_NET_HDR_LEN + flen, 0, 0 };
	offer(1, d);
	*reg(VIRTIO_MMIO_QUEUE_NOTIFY) = 1;
	while (*(volatile uint16_t *)&rings[1].used.idx != rings[1].avail.idx && polls < POLLS)
		polls++;
}

/* ARP request (RFC 826) from its own MAC for 10.0.3.host: the neighbour answers with its MAC. */
static void arp_request(unsigned host)
{
	static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t a[ARP_LEN] = { 0, 1, ETH_P_IPV4 >> 8, ETH_P_IPV4 & 0xff, ETH_ALEN, 4, 0, 1 };
	uint32_t spa = NET_PREFIX | MY_HOST, tpa = NET_PREFIX | host;

	memcpy(a + 8, own, ETH_ALEN);
	for (int i = 0; i < 4; i++) {
		a[14 + i] = (uint8_t)(spa >> (24 - 8 * i));
		a[24 + i] = (uint8_t)(tpa >> (24 - 8 * i));
	}
	tx(bcast, own, ETH_P_ARP, a, sizeof(a));
}

static void spoof(void)
{
	static const uint8_t nobody[ETH_ALEN] = { ETH_ADDR_LOCAL, 0x5a, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t junk[ETH_ZLEN - ETH_HLEN] = { 0 };
	unsigned long spoofs = 0, sprays = 0;
	uint64_t start = now(), asked = 0;

	setup(0);
	for (unsigned i = 0; i < ETH_ALEN; i++)
		own[i] = *(volatile uint8_t *)(NIC_BASE + VIRTIO_MMIO_CONFIG + i);
	for (uint16_t d = 0; d < QN; d++)
		rx_post(d);
	*reg(VIRTIO_MMIO_QUEUE_NOTIFY) = 0;
	while (nvictims < VICTIMS && now() - start < FIND_TICKS) {
		if (now() - asked >= ARP_TICKS) {
			for (unsigned h = 1; h <= VICTIMS; h++)
				arp_request(h);
			asked = now();
		}
		rx_poll();
	}
	tap_ok(nvictims > 0, "nethostile: the MACs of %u neighbours seen", nvictims);
	stolen = 0; /* from here on: while it claims their MACs */
	for (start = now(); now() - start < SPOOF_TICKS;) {
		uint8_t made_up[ETH_ALEN] = { ETH_ADDR_LOCAL,	      0x5a,	      0, (uint8_t)(sprays >> 16),
					      (uint8_t)(sprays >> 8), (uint8_t)sprays };

		for (unsigned i = 0; i < nvictims; i++, spoofs++)
			tx(nobody, victim[i], ETH_P_LOCAL, junk, sizeof(junk));
		tx(nobody, made_up, ETH_P_LOCAL, junk, sizeof(junk));
		sprays++;
		rx_poll();
	}
	tap_ok(!stolen,
	       "nethostile: %lu frames sent from the neighbours' MACs and %lu from made-up ones; %lu unicast "
	       "frames for them reached it",
	       spoofs, sprays, stolen);
}

void guest_main(unsigned long hartid)
{
	static const unsigned regs[] = { VIRTIO_MMIO_STATUS,	      VIRTIO_MMIO_QUEUE_NUM,
					 VIRTIO_MMIO_QUEUE_READY,     VIRTIO_MMIO_QUEUE_DESC_LOW,
					 VIRTIO_MMIO_QUEUE_AVAIL_LOW, VIRTIO_MMIO_QUEUE_USED_LOW,
					 VIRTIO_MMIO_QUEUE_SEL,	      VIRTIO_MMIO_INTERRUPT_ACK };
	unsigned long resets = 0;

	(void)hartid;
	tap_ok(*reg(VIRTIO_MMIO_MAGIC_VALUE) == VIRTIO_MMIO_MAGIC && *reg(VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_NET,
	       "nethostile: a virtio-net card at 0x%lx", NIC_BASE);
	spoof();
	for (unsigned r = 0; r < ROUNDS; r++) {
		unsigned q = (unsigned)(rnd() % 2), kind = (unsigned)(rnd() % 4);

		if (r % 32 == 0 || (*reg(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET)) {
			setup((int)(rnd() % 2));
			resets++;
		}
		if (kind == 0) {
			/* garbage descriptors and indexes */
			for (unsigned i = 0; i < QN; i++)
				rings[q].desc[i] = (struct vring_desc){ rnd_addr(), rnd_len(), (uint16_t)rnd(),
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
				rings[q].desc[d] = (struct vring_desc){ (uintptr_t)scratch[d], VIRTIO_NET_HDR_LEN + len,
									q == 0 ? VRING_DESC_F_WRITE : 0, 0 };
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
	setup(0);
	frame(0, 60, 1);
	rings[1].desc[0] = (struct vring_desc){ (uintptr_t)scratch[0], VIRTIO_NET_HDR_LEN + 60, 0, 0 };
	offer(1, 0);
	*reg(VIRTIO_MMIO_QUEUE_NOTIFY) = 1;
	unsigned long polls = 0;

	while (*(volatile uint16_t *)&rings[1].used.idx != 1 && polls < POLLS)
		polls++;
	tap_ok(rings[1].used.idx == 1 && !(*reg(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET),
	       "nethostile: after a reset the card sends a good frame");
}
