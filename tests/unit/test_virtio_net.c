/*
 * Host tests for the guest-facing virtio network device (vdev/virtio/net.c): the transmit
 * gatherer and receive filler against malformed chains, and two whole devices, each in its own
 * "guest RAM", joined by the real switch (net/switch.c) and driven through their MMIO registers.
 */
#include "unit.h"
#include <stdlib.h>
#include <string.h>
#include "net/switch.h"
#include "vdev/virtio/net.h"
#include "virtio_driver.h"

#define HDR VIRTIO_NET_HDR_LEN

struct guest {
	struct vdrv d;
	struct vnet dev;
	struct switch_queue queue;
	int port;
	int irq;
};

static struct netswitch sw;
static struct guest g[2];

static void be_send(void *ctx, const void *frame, unsigned len, const struct net_offload *o)
{
	struct guest *x = ctx;

	switch_input_offload(&sw, (unsigned)x->port, frame, len, o, 0);
}
static unsigned be_next_len(void *ctx)
{
	return switch_next_len(&sw, (unsigned)((struct guest *)ctx)->port);
}
static int be_recv(void *ctx, int (*deliver)(void *, const uint8_t *, unsigned, const struct net_offload *), void *dctx)
{
	return switch_deliver(&sw, (unsigned)((struct guest *)ctx)->port, deliver, dctx);
}
static void be_caps(void *ctx, unsigned caps)
{
	switch_set_caps(&sw, (unsigned)((struct guest *)ctx)->port, caps);
}
static void kick(void *ctx)
{
	vnet_rx_kick(&((struct guest *)ctx)->dev);
}
static void set_irq(void *ctx, int level)
{
	((struct guest *)ctx)->irq = level;
}

static void dev_up(struct guest *x, unsigned net, uint8_t last_mac_byte)
{
	uint8_t mac[ETH_ALEN] = { 0x02, 0x4b, 0, 0, 0, last_mac_byte };
	struct vnet_backend be = { be_send, be_next_len, be_recv, be_caps, x };

	vdrv_ram(&x->d, &x->dev.t);
	x->port = switch_add_port(&sw, net, mac, &x->queue, kick, x);
	assert_true(x->port >= 0);
	vnet_init(&x->dev, mac, &be, &x->d.mem, set_irq, x);
	vdrv_setup(&x->d, 1U << VIRTIO_NET_F_MAC);
}

/* The driver sets the card up again after a reset (same port, fresh RAM). */
static void dev_up_again(struct guest *x)
{
	struct vnet_backend be = { be_send, be_next_len, be_recv, be_caps, x };
	uint8_t mac[ETH_ALEN];

	memcpy(mac, x->dev.mac, ETH_ALEN);
	vdrv_ram(&x->d, &x->dev.t);
	vnet_init(&x->dev, mac, &be, &x->d.mem, set_irq, x);
	vdrv_setup(&x->d, 1U << VIRTIO_NET_F_MAC);
}

static int setup(void **state)
{
	(void)state;
	switch_init(&sw, 1000);
	memset(g, 0, sizeof(g));
	dev_up(&g[0], 0, 1);
	dev_up(&g[1], 0, 2);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(g[0].d.ram);
	free(g[1].d.ram);
	return 0;
}

/* A frame from x to the MAC ending in `to` (0xff: broadcast), `len` bytes with the header before it. */
static void send_frame(struct guest *x, uint8_t to, unsigned len)
{
	uint32_t lens[1] = { HDR + len };
	uint8_t *b = vdrv_buf(&x->d, VIRTIO_NET_TXQ, x->d.next_desc[VIRTIO_NET_TXQ]);
	uint8_t dst[ETH_ALEN] = { 0x02, 0x4b, 0, 0, 0, to };

	memset(b, 0, HDR);
	if (to == 0xff)
		memset(dst, 0xff, ETH_ALEN);
	memcpy(b + HDR, dst, ETH_ALEN);
	memcpy(b + HDR + ETH_ALEN, x->dev.mac, ETH_ALEN);
	for (unsigned k = 2 * ETH_ALEN; k < len; k++)
		b[HDR + k] = (uint8_t)k;
	vdrv_offer(&x->d, VIRTIO_NET_TXQ, lens, 1, 0);
	vdrv_wr(&x->d, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_TXQ);
}

static void test_registers(void **state)
{
	struct guest *x = &g[0];
	uint64_t v;

	(void)state;
	assert_int_equal(vdrv_rd(&x->d, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_NET);
	assert_int_equal(vdrv_rd(&x->d, VIRTIO_MMIO_QUEUE_NUM_MAX), VNET_QUEUE_MAX);
	vdrv_wr(&x->d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	assert_int_equal(vdrv_rd(&x->d, VIRTIO_MMIO_DEVICE_FEATURES),
			 (1U << VIRTIO_NET_F_MAC) | (1U << VIRTIO_NET_F_STATUS) | (1U << VIRTIO_NET_F_CSUM) |
				 (1U << VIRTIO_NET_F_GUEST_CSUM) | (1U << VIRTIO_NET_F_HOST_TSO4) |
				 (1U << VIRTIO_NET_F_GUEST_TSO4));
	vdrv_wr(&x->d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	assert_int_equal(vdrv_rd(&x->d, VIRTIO_MMIO_DEVICE_FEATURES), 1); /* VERSION_1 */
	for (unsigned i = 0; i < ETH_ALEN; i++) {
		assert_int_equal(virtio_mmio_ops.read(&x->dev.t, VIRTIO_MMIO_CONFIG + i, 1, &v), MMIO_OK);
		assert_int_equal(v, x->dev.mac[i]);
	}
	assert_int_equal(virtio_mmio_ops.read(&x->dev.t, VIRTIO_MMIO_CFG(net, status), 2, &v), MMIO_OK);
	assert_int_equal(v, VIRTIO_NET_S_LINK_UP);
	assert_int_equal(virtio_mmio_ops.read(&x->dev.t, VIRTIO_MMIO_CONFIG + VIRTIO_NET_CFG_SIZE, 4, &v), MMIO_OK);
	assert_int_equal(v, 0);
}

static void test_frame_between_guests(void **state)
{
	uint32_t rx[2] = { HDR, 1600 };
	struct virtio_net_hdr_v1 h;

	(void)state;
	/* B posts a two-part buffer (header, data) after the frame arrived: delivered on its notify */
	send_frame(&g[0], 0xff, 100);
	assert_int_equal(vdrv_used(&g[0].d, VIRTIO_NET_TXQ)->idx, 1);
	assert_int_equal(g[0].irq, 1);
	assert_int_equal(switch_pending(&sw, (unsigned)g[1].port), 1);
	/* A frame waits and B has no buffer: B is asked to notify when it posts one. */
	assert_int_equal(vdrv_used(&g[1].d, VIRTIO_NET_RXQ)->flags, 0);
	vdrv_offer(&g[1].d, VIRTIO_NET_RXQ, rx, 2, VRING_DESC_F_WRITE);
	vdrv_wr(&g[1].d, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_RXQ);
	assert_int_equal(vdrv_used(&g[1].d, VIRTIO_NET_RXQ)->idx, 1);
	/* Nothing waits: new buffers need no notification (a frame brings its own kick). */
	assert_int_equal(vdrv_used(&g[1].d, VIRTIO_NET_RXQ)->flags, VRING_USED_F_NO_NOTIFY);
	assert_int_equal(vdrv_used(&g[1].d, VIRTIO_NET_RXQ)->ring[0].len, HDR + 100);
	assert_int_equal(g[1].irq, 1);
	memcpy(&h, vdrv_buf(&g[1].d, VIRTIO_NET_RXQ, 0), HDR);
	assert_int_equal(h.num_buffers, 1);
	assert_int_equal(h.flags, 0);
	assert_memory_equal(vdrv_buf(&g[1].d, VIRTIO_NET_RXQ, 1), vdrv_buf(&g[0].d, VIRTIO_NET_TXQ, 0) + HDR, 100);
	/* A posted buffer first, then a unicast frame to B (learned from its... B never sent: flooded) */
	vdrv_offer(&g[1].d, VIRTIO_NET_RXQ, rx, 2, VRING_DESC_F_WRITE); /* no notify: the frame finds it */
	send_frame(&g[0], 2, ETH_FRAME_MAX);
	assert_int_equal(vdrv_used(&g[1].d, VIRTIO_NET_RXQ)->idx, 2);
	assert_int_equal(vdrv_used(&g[1].d, VIRTIO_NET_RXQ)->ring[1].len, HDR + ETH_FRAME_MAX);
	assert_int_equal(g[0].dev.stats.tx_frames, 2);
	assert_int_equal(g[1].dev.stats.rx_frames, 2);
}

/* Reset the card and set it up again (fresh rings) accepting `features` besides MAC. */
static void redo_setup(struct guest *x, uint32_t features)
{
	vdrv_wr(&x->d, VIRTIO_MMIO_STATUS, 0);
	memset(x->d.ram, 0, BUF_OFF);
	x->d.next_desc[0] = x->d.next_desc[1] = 0;
	vdrv_setup(&x->d, (1U << VIRTIO_NET_F_MAC) | features);
}

/* A TCP/IPv4 TSO frame from x behind a virtio header asking for a partial checksum and TSOv4. */
static void send_tso(struct guest *x, unsigned payload, uint16_t gso_size)
{
	uint32_t lens[1] = { HDR + 54 + payload };
	uint8_t *b = vdrv_buf(&x->d, VIRTIO_NET_TXQ, x->d.next_desc[VIRTIO_NET_TXQ]);
	struct virtio_net_hdr_v1 h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				       .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				       .hdr_len = 54,
				       .gso_size = gso_size,
				       .csum_start = 34,
				       .csum_offset = 16 };

	memset(b, 0, HDR + 54 + payload);
	memcpy(b, &h, HDR);
	memset(b + HDR, 0xff, ETH_ALEN);
	memcpy(b + HDR + ETH_ALEN, x->dev.mac, ETH_ALEN);
	b[HDR + 12] = 0x08; /* IPv4 */
	b[HDR + 14] = 0x45; /* version 4, 20-byte header */
	b[HDR + 14 + 9] = 6; /* TCP */
	b[HDR + 34 + 12] = 0x50; /* 20-byte TCP header */
	vdrv_offer(&x->d, VIRTIO_NET_TXQ, lens, 1, 0);
	vdrv_wr(&x->d, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_TXQ);
}

static void test_offloads_between_guests(void **state)
{
	uint32_t all = (1U << VIRTIO_NET_F_CSUM) | (1U << VIRTIO_NET_F_GUEST_CSUM) | (1U << VIRTIO_NET_F_HOST_TSO4) |
		       (1U << VIRTIO_NET_F_GUEST_TSO4),
		 rx[1] = { BUF_STRIDE };
	struct virtio_net_hdr_v1 h;

	(void)state;
	/* Without the features negotiated, a header asking for them is malformed. */
	send_tso(&g[0], 1000, 500);
	assert_int_equal(g[0].dev.stats.tx_bad, 1);
	redo_setup(&g[0], all);
	redo_setup(&g[1], all);
	assert_int_equal(sw.port[g[1].port].caps, NET_CAP_CSUM | NET_CAP_TSO4);
	/* 3000 bytes of payload in one frame, passed whole with its metadata */
	vdrv_offer(&g[1].d, VIRTIO_NET_RXQ, rx, 1, VRING_DESC_F_WRITE);
	vdrv_wr(&g[1].d, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_RXQ);
	send_tso(&g[0], 3000, 1000);
	assert_int_equal(g[0].dev.stats.tx_frames, 1);
	assert_int_equal(vdrv_used(&g[1].d, VIRTIO_NET_RXQ)->idx, 1);
	assert_int_equal(vdrv_used(&g[1].d, VIRTIO_NET_RXQ)->ring[0].len, HDR + 54 + 3000);
	memcpy(&h, vdrv_buf(&g[1].d, VIRTIO_NET_RXQ, 0), HDR);
	assert_int_equal(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(h.gso_size, 1000);
	assert_int_equal(h.hdr_len, 54);
	assert_int_equal(h.csum_start, 34);
	assert_int_equal(h.csum_offset, 16);
	/* a reset takes the capabilities back: the switch cuts frames for it again */
	vdrv_wr(&g[1].d, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(sw.port[g[1].port].caps, 0);
	/* bad metadata (TSO without a segment size) is dropped and counted by the switch */
	send_tso(&g[0], 3000, 0);
	assert_int_equal(sw.port[g[0].port].stats.bad_offload, 1);
	assert_int_equal(switch_pending(&sw, (unsigned)g[1].port), 0);
}

static void test_bad_frames_counted(void **state)
{
	uint32_t small[1] = { HDR + 20 }, two[2] = { 4, HDR };

	(void)state;
	send_frame(&g[0], 0xff, ETH_HLEN - 1); /* runt */
	send_frame(&g[0], 0xff, ETH_FRAME_MAX + 1); /* oversized */
	assert_int_equal(g[0].dev.stats.tx_runt, 1);
	assert_int_equal(g[0].dev.stats.tx_oversize, 1);
	/* a header cut short: runt too */
	vdrv_offer(&g[0].d, VIRTIO_NET_TXQ, two, 1, 0);
	vdrv_wr(&g[0].d, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_TXQ);
	assert_int_equal(g[0].dev.stats.tx_runt, 2);
	/* a device-writable transmit buffer, and one outside RAM: dropped as malformed */
	vdrv_offer(&g[0].d, VIRTIO_NET_TXQ, small, 1, VRING_DESC_F_WRITE);
	vdrv_wr(&g[0].d, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_TXQ);
	vdrv_desc(&g[0].d, VIRTIO_NET_TXQ, g[0].d.next_desc[VIRTIO_NET_TXQ])->addr = 0x1000;
	vdrv_avail(&g[0].d, VIRTIO_NET_TXQ)->ring[vdrv_avail(&g[0].d, VIRTIO_NET_TXQ)->idx % QN] =
		g[0].d.next_desc[VIRTIO_NET_TXQ];
	vdrv_avail(&g[0].d, VIRTIO_NET_TXQ)->idx++;
	vdrv_wr(&g[0].d, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_TXQ);
	assert_int_equal(g[0].dev.stats.tx_bad, 2);
	assert_int_equal(vdrv_used(&g[0].d, VIRTIO_NET_TXQ)->idx, 5);
	assert_int_equal(switch_pending(&sw, (unsigned)g[1].port), 0);
	assert_false(vdrv_rd(&g[0].d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	/* a receive buffer too small for the frame: it is dropped, the buffer returned empty */
	vdrv_offer(&g[1].d, VIRTIO_NET_RXQ, small, 1, VRING_DESC_F_WRITE);
	vdrv_wr(&g[1].d, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_RXQ);
	send_frame(&g[0], 0xff, 200);
	assert_int_equal(vdrv_used(&g[1].d, VIRTIO_NET_RXQ)->idx, 1);
	assert_int_equal(vdrv_used(&g[1].d, VIRTIO_NET_RXQ)->ring[0].len, 0);
	assert_int_equal(g[1].dev.stats.rx_small, 1);
	assert_int_equal(switch_pending(&sw, (unsigned)g[1].port), 0);
}

static void test_broken_ring_needs_reset(void **state)
{
	uint32_t len[1] = { 100 };

	(void)state;
	/* a descriptor loop on A's transmit queue */
	vdrv_offer(&g[0].d, VIRTIO_NET_TXQ, len, 1, 0);
	vdrv_desc(&g[0].d, VIRTIO_NET_TXQ, 0)->flags = VRING_DESC_F_NEXT;
	vdrv_desc(&g[0].d, VIRTIO_NET_TXQ, 0)->next = 0;
	vdrv_wr(&g[0].d, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_TXQ);
	assert_true(vdrv_rd(&g[0].d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_int_equal(g[0].dev.stats.tx_frames, 0);
	/* B's receive ring claims more entries than the queue holds: B needs a reset when a frame comes */
	vdrv_avail(&g[1].d, VIRTIO_NET_RXQ)->idx = QN + 1;
	g[0].d.next_desc[VIRTIO_NET_TXQ] = 0;
	memset(g[0].d.ram, 0, RAM_SIZE);
	vdrv_wr(&g[0].d, VIRTIO_MMIO_STATUS, 0); /* A resets and comes back */
	free(g[0].d.ram);
	dev_up_again(&g[0]);
	send_frame(&g[0], 0xff, 64);
	assert_int_equal(g[0].dev.stats.tx_frames, 1);
	assert_true(vdrv_rd(&g[1].d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_int_equal(vdrv_used(&g[1].d, VIRTIO_NET_RXQ)->idx, 0);
	assert_int_equal(switch_pending(&sw, (unsigned)g[1].port), 1); /* it waits for B's reset */
}

static void test_networks_apart(void **state)
{
	struct guest other = { 0 };
	uint32_t rx[1] = { HDR + ETH_FRAME_MAX };

	(void)state;
	dev_up(&other, 1, 3);
	vdrv_offer(&other.d, VIRTIO_NET_RXQ, rx, 1, VRING_DESC_F_WRITE);
	vdrv_wr(&other.d, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_RXQ);
	send_frame(&g[0], 0xff, 64);
	send_frame(&g[0], 3, 64);
	assert_int_equal(vdrv_used(&other.d, VIRTIO_NET_RXQ)->idx, 0);
	assert_int_equal(switch_pending(&sw, (unsigned)other.port), 0);
	free(other.d.ram);
}

static void test_gather_pure(void **state)
{
	static uint8_t mem[4096], frame[VNET_FRAME_MAX];
	struct vq_chain c = { 0 };
	struct virtio_net_hdr_v1 hdr;

	(void)state;
	for (unsigned i = 0; i < sizeof(mem); i++)
		mem[i] = (uint8_t)i;
	/* the header split over two descriptors, the frame over two more */
	c.nseg = 4;
	c.seg[0] = (struct vq_seg){ mem, 5, 0 };
	c.seg[1] = (struct vq_seg){ mem + 5, 10, 0 };
	c.seg[2] = (struct vq_seg){ mem + 100, 30, 0 };
	c.seg[3] = (struct vq_seg){ mem + 200, 20, 0 };
	assert_int_equal(vnet_tx_gather(&c, HDR, &hdr, frame, VNET_FRAME_MAX), 3 + 30 + 20);
	assert_memory_equal(frame, mem + 12, 3);
	assert_memory_equal(&hdr, mem, HDR);
	assert_memory_equal(frame + 3, mem + 100, 30);
	c.err = VQ_ERR_ADDR;
	assert_int_equal(vnet_tx_gather(&c, HDR, &hdr, frame, VNET_FRAME_MAX), VNET_ERR_BAD);
	c.err = VQ_ERR_LOOP;
	assert_int_equal(vnet_tx_gather(&c, HDR, &hdr, frame, VNET_FRAME_MAX), VNET_ERR_BROKEN);
	/* receive room: writable only, header included */
	c.err = 0;
	assert_int_equal(vnet_rx_room(&c, HDR, VNET_FRAME_MAX), -1);
	for (unsigned k = 0; k < 4; k++)
		c.seg[k].write = 1;
	assert_int_equal(vnet_rx_room(&c, HDR, VNET_FRAME_MAX), 5 + 10 + 30 + 20 - HDR);
	c.nseg = 1;
	assert_int_equal(vnet_rx_room(&c, HDR, VNET_FRAME_MAX), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frame_between_guests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_frames_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offloads_between_guests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_ring_needs_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_networks_apart, setup, teardown),
		cmocka_unit_test(test_gather_pure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
