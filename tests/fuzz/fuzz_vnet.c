/*
 * Fuzz target: the guest-facing virtio network device's frame path (vdev/virtio/net.c) over the
 * real switch (net/switch.c): two devices, each with its own guest RAM (a heap block of exactly
 * its size, so ASan catches any access outside it), on one network with a third port standing in
 * for the uplink, which also injects frames of any length and content.
 *
 * Input: operations (first byte mod OP_COUNT): register write, notify (either queue), the standard
 * driver setup with a queue size (and, with its top bit, the checksum and TSO4 offloads), a descriptor (index, queue, address from a table or raw, length,
 * flags, next), an available-ring entry, raw bytes into guest RAM, a frame from the uplink, a frame
 * taken by the uplink, a device reset, the device's next turn on work its notifies left
 * (virtio_mmio_resume). Each operation names the device it acts on.
 *
 * Checked: every frame reaching the uplink is a whole Ethernet frame no longer than ETH_FRAME_MAX,
 * sent from one of the devices' MACs (their ports are locked, as board/vnet.c's);
 * the switch accepts a guest's checksum offload only when its field lies inside the frame;
 * no operation takes more than one turn's budget of transmit chains (VNET_BUDGET_FRAMES);
 * used-ring lengths never exceed what the chain offered (the device writes nothing else); each
 * device's interrupt line is high exactly when its InterruptStatus is non-zero.
 */
#include "fuzz.h"
#include "fuzz_net.h"
#include "net/switch.h"
#include "vdev/virtio/net.h"
#include "vdev/virtio/queue.h"
#include "vdev/virtio/transport.h"
#include "fuzz_vdrv.h"

#define RAM_GPA FUZZ_RAM_GPA
#define RAM_SIZE (64 * 1024)
#define QUEUE_OFF(q) FUZZ_QUEUE_OFF(q)
#define MAX_OPS 256

enum {
	OP_WRITE_REG,
	OP_NOTIFY,
	OP_SETUP,
	OP_DESC,
	OP_AVAIL,
	OP_RAM,
	OP_UPLINK_IN,
	OP_UPLINK_OUT,
	OP_RESET,
	OP_RESUME,
	OP_COUNT,
};

/* Transmit chains the device took (sent or dropped). */
static uint64_t vnet_tx_taken(const struct vnet *n)
{
	return n->stats.tx_frames + n->stats.tx_runt + n->stats.tx_oversize + n->stats.tx_bad;
}

static const uint64_t addrs[] = { RAM_GPA + 0x8000,
				  RAM_GPA + 0x9000,
				  RAM_GPA + RAM_SIZE - 1,
				  RAM_GPA + RAM_SIZE - 1530,
				  RAM_GPA + RAM_SIZE,
				  RAM_GPA - 1,
				  0,
				  ~0ULL - 15,
				  RAM_GPA + QUEUE_OFF(0),
				  RAM_GPA + QUEUE_OFF(1) + 0x2000 };
static const uint64_t lens[] = { 0, 1, 11, 12, 13, 26, 60, 1514, 1518, 1530, 1531, 4096, 0xffffffff };

struct dev {
	uint8_t *ram;
	struct vq_mem mem;
	struct vnet n;
	struct switch_queue q;
	int port, irq;
};

static struct netswitch sw;
static struct dev devs[2];
static struct switch_queue uplink_q;
static int uplink;

static void be_send(void *ctx, const void *frame, unsigned len, const struct net_offload *o)
{
	int r = switch_input_offload(&sw, (unsigned)((struct dev *)ctx)->port, frame, len, o, 0);

	/* the uplink takes no offloads: the switch writes the checksum where the guest's header says */
	FUZZ_CHECK(r < 0 || csum_field_fits(o, len), "accepted a checksum field at %u+%u in a frame of %u bytes",
		   o->csum_start, o->csum_offset, len);
}
static unsigned be_next_len(void *ctx)
{
	return switch_next_len(&sw, (unsigned)((struct dev *)ctx)->port);
}
static int be_recv(void *ctx, int (*deliver)(void *, const uint8_t *, unsigned, const struct net_offload *), void *dctx)
{
	return switch_deliver(&sw, (unsigned)((struct dev *)ctx)->port, deliver, dctx);
}
static void be_caps(void *ctx, unsigned caps)
{
	switch_set_caps(&sw, (unsigned)((struct dev *)ctx)->port, caps);
}
static void kick(void *ctx)
{
	vnet_rx_kick(&((struct dev *)ctx)->n);
}
static void set_irq(void *ctx, int level)
{
	((struct dev *)ctx)->irq = level;
}

/* The offloads a driver may take (OP_SETUP's top bit): then frames carry checksum and TSO headers. */
#define OFFLOADS                                                                                        \
	((1U << VIRTIO_NET_F_CSUM) | (1U << VIRTIO_NET_F_GUEST_CSUM) | (1U << VIRTIO_NET_F_HOST_TSO4) | \
	 (1U << VIRTIO_NET_F_GUEST_TSO4))
#define SETUP_OFFLOADS 0x80

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	static uint8_t frame[2 * ETH_FRAME_MAX];

	switch_init(&sw, 1000);
	memset(&uplink_q, 0, sizeof(uplink_q));
	uplink = switch_add_port(&sw, 0, NULL, &uplink_q, NULL, NULL);
	for (int i = 0; i < 2; i++) {
		struct dev *d = &devs[i];
		uint8_t mac[ETH_ALEN] = { ETH_ADDR_LOCAL, 0, 0, 0, 0, (uint8_t)(i + 1) };
		struct vnet_backend be = { be_send, be_next_len, be_recv, be_caps, d };

		memset(&d->q, 0, sizeof(d->q));
		d->ram = calloc(1, RAM_SIZE);
		d->mem = (struct vq_mem){ RAM_GPA, RAM_SIZE, d->ram };
		d->irq = 0;
		d->port = switch_add_port(&sw, 0, mac, &d->q, kick, d);
		vnet_init(&d->n, mac, &be, &d->mem, set_irq, d);
	}

	for (int op = 0; op < MAX_OPS && in.left; op++) {
		uint8_t code = take_u8(&in);
		struct dev *d = &devs[(code >> 7) & 1];
		uint64_t taken = vnet_tx_taken(&d->n);

		switch (code % OP_COUNT) {
		case OP_WRITE_REG:
			vdrv_take_reg_write(&in, &d->n.t);
			break;
		case OP_NOTIFY:
			vdrv_wr(&d->n.t, VIRTIO_MMIO_QUEUE_NOTIFY, take_u8(&in) % 2);
			break;
		case OP_SETUP: {
			uint8_t b = take_u8(&in);

			vdrv_setup(&d->n.t, 1U << (b % 6), b & SETUP_OFFLOADS ? OFFLOADS : 0);
			break;
		}
		case OP_DESC:
			vdrv_take_desc(&in, d->ram, addrs, ARRAY_LEN(addrs), lens, ARRAY_LEN(lens));
			break;
		case OP_AVAIL:
			vdrv_take_avail(&in, d->ram);
			break;
		case OP_RAM:
			vdrv_take_ram(&in, d->ram, RAM_SIZE);
			break;
		case OP_UPLINK_IN: {
			unsigned len = (unsigned)take_u16(&in) % sizeof(frame);

			memset(frame, 0xff, ETH_ALEN); /* broadcast unless the bytes below say otherwise */
			take_bytes(&in, frame, take_u8(&in) % 32);
			switch_input(&sw, (unsigned)uplink, frame, len, 0);
			break;
		}
		case OP_UPLINK_OUT: {
			int len = switch_take(&sw, (unsigned)uplink, frame, sizeof(frame));

			FUZZ_CHECK(len == 0 || (len >= ETH_HLEN && len <= ETH_FRAME_MAX), "the uplink got %d bytes",
				   len);
			FUZZ_CHECK(len <= 0 || !memcmp(frame + ETH_ALEN, devs[0].n.mac, ETH_ALEN) ||
					   !memcmp(frame + ETH_ALEN, devs[1].n.mac, ETH_ALEN),
				   "the uplink got a frame from a MAC neither device has");
			break;
		}
		case OP_RESET:
			virtio_mmio_reset(&d->n.t);
			break;
		case OP_RESUME:
			virtio_mmio_resume(&d->n.t);
			break;
		}
		FUZZ_CHECK(vnet_tx_taken(&d->n) - taken <= VNET_BUDGET_FRAMES,
			   "%lu transmit chains taken in one operation (budget %u)",
			   (unsigned long)(vnet_tx_taken(&d->n) - taken), VNET_BUDGET_FRAMES);
		for (int i = 0; i < 2; i++)
			FUZZ_CHECK(devs[i].irq == (vdrv_rd(&devs[i].n.t, VIRTIO_MMIO_INTERRUPT_STATUS) != 0),
				   "device %d: interrupt line %d, InterruptStatus 0x%x", i, devs[i].irq,
				   vdrv_rd(&devs[i].n.t, VIRTIO_MMIO_INTERRUPT_STATUS));
	}
	for (int i = 0; i < 2; i++)
		free(devs[i].ram);
	return 0;
}
