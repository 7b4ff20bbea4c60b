/*
 * A reboot with network receive buffers outstanding (Keel only, two VMs on one network).
 * bootargs "role=flood": sends unicast frames to the other VM's MAC, one every FLOOD_GAP_TICKS,
 * for FLOOD_TICKS. bootargs "role=reboot": boot 1 posts every receive buffer of its ring inside
 * the image's .data, waits for the first frame and reboots at once; boot 2 finds that .data as
 * the image has it (no frame landed in the reloaded image) and powers off.
 */
#include "guests/common/guest.h"
#include "guests/common/vnic.h"
#include <string.h>

#define NIC_BASE 0x10001000UL /* NIC 0: the first virtio-mmio slot */
#define QN 256 /* the most the card takes: buffers outlast the reboot */
#define RXQ 0
#define TXQ 1
#define BUF_BYTES 2048
#define FRAME_PAYLOAD 1000
#define CANARY_WORD 0xc0ffee01U
#define CANARY_WORDS (QN * BUF_BYTES / sizeof(uint32_t))
#define TICKS_PER_MS 10000UL /* QEMU virt timebase is 10 MHz */
#define FLOOD_GAP_TICKS 800 /* 80 us: QN buffers last about 20 ms */
#define FLOOD_TICKS (3000 * TICKS_PER_MS)
#define WAIT_TICKS (2000 * TICKS_PER_MS) /* for the first frame, and for a send */
#define ETH_TYPE_TEST 0x88b5 /* IEEE 802 local experimental ethertype */

/* The MACs the case gives the two VMs (keel,macs). */
static const uint8_t mac_reboot[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t mac_flood[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t mac_broadcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static GUEST_VRING(ring, QN) rings[GUEST_VNIC_QUEUES];
static uint8_t txbuf[BUF_BYTES] __attribute__((aligned(16)));
/* The receive buffers: in .data, so the reboot's reload writes them again. */
static volatile uint32_t canary[CANARY_WORDS]
	__attribute__((aligned(4096))) = { [0 ... CANARY_WORDS - 1] = CANARY_WORD };

static volatile uint32_t *reg(unsigned off)
{
	return (volatile uint32_t *)(NIC_BASE + off);
}

static void setup(void)
{
	GUEST_VNIC_SETUP(NIC_BASE, 0, rings, QN);
}

static void offer(unsigned q, uint16_t head)
{
	rings[q].avail.ring[rings[q].avail.idx % QN] = head;
	mb();
	rings[q].avail.idx++;
	mb();
}

/* One frame to `dst`, waited for; returns whether the card took it. */
static int send(const uint8_t *dst)
{
	uint16_t want = (uint16_t)(rings[TXQ].used.idx + 1);
	uint64_t deadline = read_time() + WAIT_TICKS;

	memset(txbuf, 0, VIRTIO_NET_HDR_LEN);
	memcpy(txbuf + VIRTIO_NET_HDR_LEN, dst, ETH_ALEN);
	memcpy(txbuf + VIRTIO_NET_HDR_LEN + ETH_ALEN, dst == mac_reboot ? mac_flood : mac_reboot, ETH_ALEN);
	txbuf[VIRTIO_NET_HDR_LEN + 2 * ETH_ALEN] = ETH_TYPE_TEST >> 8;
	txbuf[VIRTIO_NET_HDR_LEN + 2 * ETH_ALEN + 1] = ETH_TYPE_TEST & 0xff;
	rings[TXQ].desc[0] =
		(struct vring_desc){ (uintptr_t)txbuf, VIRTIO_NET_HDR_LEN + 2 * ETH_ALEN + 2 + FRAME_PAYLOAD, 0, 0 };
	offer(TXQ, 0);
	*reg(VIRTIO_MMIO_QUEUE_NOTIFY) = TXQ;
	while (*(volatile uint16_t *)&rings[TXQ].used.idx != want && read_time() < deadline)
		mb();
	return *(volatile uint16_t *)&rings[TXQ].used.idx == want;
}

static void flood(void)
{
	uint64_t end = read_time() + FLOOD_TICKS;
	unsigned long sent = 0, refused = 0;

	memset(txbuf + VIRTIO_NET_HDR_LEN, 0xa5, sizeof(txbuf) - VIRTIO_NET_HDR_LEN);
	while (read_time() < end) {
		uint64_t next = read_time() + FLOOD_GAP_TICKS;

		if (send(mac_reboot))
			sent++;
		else
			refused++;
		while (read_time() < next)
			;
	}
	tap_ok(sent > 0 && refused == 0, "netreboot: %lu frames sent to the rebooting VM (%lu not taken)", sent,
	       refused);
}

static void reboot_with_buffers(void)
{
	struct sbiret r = SBI0(SBI_EXT_KEEL_HVC, KEEL_HVC_BOOT_COUNT);
	uint64_t deadline = read_time() + WAIT_TICKS;
	unsigned long changed = 0;

	if (r.value != 1) {
		for (unsigned i = 0; i < CANARY_WORDS; i++)
			changed += canary[i] != CANARY_WORD;
		tap_ok(changed == 0,
		       "netreboot: receive buffers outstanding at the reboot left the reloaded image alone (%lu of %lu "
		       "words changed)",
		       changed, (unsigned long)CANARY_WORDS);
		return;
	}
	setup();
	/* One frame out, so the switch knows where this MAC is. */
	tap_ok(send(mac_broadcast), "netreboot: boot 1 sent its first frame");
	for (uint16_t i = 0; i < QN; i++) {
		rings[RXQ].desc[i] =
			(struct vring_desc){ (uintptr_t)canary + i * BUF_BYTES, BUF_BYTES, VRING_DESC_F_WRITE, 0 };
		offer(RXQ, i);
	}
	*reg(VIRTIO_MMIO_QUEUE_NOTIFY) = RXQ;
	while (*(volatile uint16_t *)&rings[RXQ].used.idx == 0 && read_time() < deadline)
		mb();
	tap_ok(rings[RXQ].used.idx != 0, "netreboot: frames arrive in the receive buffers (%u)", rings[RXQ].used.idx);
	tap_plan();
	SBI2(SBI_EXT_SRST, SBI_EXT_SRST_RESET, SBI_SRST_RESET_TYPE_COLD_REBOOT, SBI_SRST_RESET_REASON_NONE);
	tap_ok(0, "netreboot: SRST reboot returned");
}

void guest_main(unsigned long hartid)
{
	char role[16];

	(void)hartid;
	tap_ok(*reg(VIRTIO_MMIO_MAGIC_VALUE) == VIRTIO_MMIO_MAGIC && *reg(VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_NET,
	       "netreboot: a virtio-net card at 0x%lx", NIC_BASE);
	if (bootarg("role", role, sizeof(role)) && !strcmp(role, "flood")) {
		setup();
		flood();
	} else {
		reboot_with_buffers();
	}
	tap_done();
}
