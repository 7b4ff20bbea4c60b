/*
 * Fuzz target: the guest-facing virtio block device (vdev/virtio/): the virtio-mmio transport's
 * registers, the virtqueue walker and the request parser, with a backend that records requests
 * and completes them when the input says. Guest RAM is a heap block of exactly its size, so ASan
 * catches any read or write of the device outside it.
 *
 * Input: flags (bit 0 read-only disk, bit 1 backend busy at first, bit 2 the standard setup
 * negotiates indirect descriptors), the disk's size, then a list
 * of operations (first byte mod OP_COUNT): register write (register from a table, or any offset,
 * any value), register read, notify, the standard driver setup with a queue size, a descriptor
 * (index, address from a table of interesting ones or raw, length, flags, next), an available-ring
 * entry, raw bytes written into guest RAM, a backend completion (which request, what status), the
 * backend turning busy or free (then retry), a device reset, the device's next turn on work its
 * notifies left (virtio_mmio_resume).
 *
 * Checked: every request reaching the backend has its data segments and status byte inside guest
 * RAM, at most VBLK_SEG_MAX segments, IN/OUT data in whole sectors inside the disk, no OUT on a
 * read-only disk, no more than VBLK_INFLIGHT requests outstanding; the interrupt line is high
 * exactly when InterruptStatus is non-zero; register reads other than at 32 bits fault; the shadow
 * page the guest reads holds what trapped reads of the registers return.
 */
#include "fuzz.h"
#include "vdev/virtio/blk.h"
#include "vdev/virtio/queue.h"
#include "vdev/virtio/transport.h"
#include "fuzz_vdrv.h"

#define RAM_GPA 0x80000000ULL
#define RAM_SIZE (64 * 1024)
#define DESC_OFF 0x1000
#define AVAIL_OFF 0x2000
#define USED_OFF 0x3000
#define MAX_OPS 256

enum {
	OP_WRITE_REG,
	OP_READ_REG,
	OP_NOTIFY,
	OP_SETUP,
	OP_DESC,
	OP_AVAIL,
	OP_RAM,
	OP_COMPLETE,
	OP_BUSY,
	OP_RESET,
	OP_RESUME,
	OP_COUNT,
};

static const uint64_t regs[] = {
	VIRTIO_MMIO_DEVICE_FEATURES_SEL,
	VIRTIO_MMIO_DRIVER_FEATURES,
	VIRTIO_MMIO_DRIVER_FEATURES_SEL,
	VIRTIO_MMIO_QUEUE_SEL,
	VIRTIO_MMIO_QUEUE_NUM,
	VIRTIO_MMIO_QUEUE_READY,
	VIRTIO_MMIO_QUEUE_NOTIFY,
	VIRTIO_MMIO_INTERRUPT_ACK,
	VIRTIO_MMIO_STATUS,
	VIRTIO_MMIO_QUEUE_DESC_LOW,
	VIRTIO_MMIO_QUEUE_DESC_HIGH,
	VIRTIO_MMIO_QUEUE_AVAIL_LOW,
	VIRTIO_MMIO_QUEUE_AVAIL_HIGH,
	VIRTIO_MMIO_QUEUE_USED_LOW,
	VIRTIO_MMIO_QUEUE_USED_HIGH,
	VIRTIO_MMIO_CONFIG,
	VIRTIO_MMIO_CFG(blk, blk_size),
};

static const uint64_t values[] = { 0,	1,   2,		 4,	     8,		 0xf,	     0x40,	 0x80,	    16,
				   128, 256, 0x80001000, 0x80002000, 0x80003000, 0x8000fff0, 0x80010000, 0xffffffff };

static const uint64_t addrs[] = { RAM_GPA + 0x4000,
				  RAM_GPA + 0x5000,
				  RAM_GPA + 0x8000,
				  RAM_GPA + RAM_SIZE - 1,
				  RAM_GPA + RAM_SIZE - 512,
				  RAM_GPA + RAM_SIZE,
				  RAM_GPA - 1,
				  0,
				  ~0ULL - 15,
				  RAM_GPA + DESC_OFF,
				  RAM_GPA + USED_OFF };

static const uint64_t lens[] = { 0, 1, 15, 16, 17, 512, 513, 1024, 4096, 0x10000, 0xffffffff };

static uint8_t *ram;
static struct vq_mem mem;
static struct vblk dev;
static struct vq_chain chain;
static struct vblk_req *inflight[VBLK_INFLIGHT * 2];
static int ninflight, busy, irq_line;
static uint64_t nsectors;
static int ro;
static int indirect; /* driver_setup() accepts VIRTIO_RING_F_INDIRECT_DESC */

static int in_ram(const void *p, uint64_t len)
{
	const uint8_t *b = p;

	return b >= ram && len <= RAM_SIZE && b - ram <= (long)(RAM_SIZE - len);
}

static int fake_submit(void *ctx, struct vblk_req *r)
{
	(void)ctx;
	if (busy)
		return VBLK_BACKEND_BUSY;
	FUZZ_CHECK(in_ram(r->status, 1), "status byte outside guest RAM");
	FUZZ_CHECK(r->nseg <= VBLK_SEG_MAX, "%u segments", r->nseg);
	uint64_t total = 0;

	for (unsigned k = 0; k < r->nseg; k++) {
		FUZZ_CHECK(r->seg[k].len && in_ram(r->seg[k].host, r->seg[k].len), "segment %u outside guest RAM", k);
		total += r->seg[k].len;
	}
	FUZZ_CHECK(total == r->data_len, "data_len %lu, segments %lu", (unsigned long)r->data_len,
		   (unsigned long)total);
	if (r->type == VIRTIO_BLK_T_IN || r->type == VIRTIO_BLK_T_OUT) {
		FUZZ_CHECK(total && total % VIRTIO_BLK_SECTOR_SIZE == 0, "partial sector");
		FUZZ_CHECK(r->sector <= nsectors && total / VIRTIO_BLK_SECTOR_SIZE <= nsectors - r->sector,
			   "sectors %lu+%lu past the disk's %lu", (unsigned long)r->sector,
			   (unsigned long)(total / VIRTIO_BLK_SECTOR_SIZE), (unsigned long)nsectors);
		FUZZ_CHECK(r->to_guest == (r->type == VIRTIO_BLK_T_IN), "direction");
		FUZZ_CHECK(!(ro && r->type == VIRTIO_BLK_T_OUT), "write to a read-only disk");
		/* the backend's DMA: reads fill the guest's buffers */
		for (unsigned k = 0; r->to_guest && k < r->nseg; k++)
			memset(r->seg[k].host, 0x5a, r->seg[k].len);
	} else {
		FUZZ_CHECK(r->type == VIRTIO_BLK_T_FLUSH && !r->nseg, "type %u reached the backend", r->type);
	}
	FUZZ_CHECK(ninflight < VBLK_INFLIGHT, "more than %d requests in flight", VBLK_INFLIGHT);
	inflight[ninflight++] = r;
	return 0;
}

static void fake_kick(void *ctx)
{
	(void)ctx;
}

static void set_irq(void *ctx, int level)
{
	(void)ctx;
	irq_line = level;
}

static uint32_t rd(uint64_t off)
{
	uint64_t v;

	FUZZ_CHECK(virtio_mmio_ops.read(&dev.t, off, 4, &v) == MMIO_OK, "register read refused");
	vdrv_shadow_ok(&dev.t);
	return (uint32_t)v;
}

static void wr(uint64_t off, uint32_t v)
{
	FUZZ_CHECK(virtio_mmio_ops.write(&dev.t, off, 4, v) == MMIO_OK, "register write refused");
}

static void driver_setup(uint32_t num)
{
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, indirect ? 1U << VIRTIO_RING_F_INDIRECT_DESC : 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)(RAM_GPA + DESC_OFF));
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)(RAM_GPA + AVAIL_OFF));
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)(RAM_GPA + USED_OFF));
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK |
				       VIRTIO_CONFIG_S_DRIVER_OK);
}

static void complete(int i, uint8_t status)
{
	struct vblk_req *r = inflight[i];

	inflight[i] = inflight[--ninflight];
	vblk_complete(r, status);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	uint8_t flags = take_u8(&in);
	struct vblk_disk disk = { .id = "fuzz" };
	struct vblk_backend be = { fake_submit, fake_kick, NULL };

	ram = calloc(1, RAM_SIZE);
	mem = (struct vq_mem){ RAM_GPA, RAM_SIZE, ram };
	ro = flags & 1;
	busy = (flags >> 1) & 1;
	indirect = (flags >> 2) & 1;
	nsectors = take_u8(&in) * 7ULL;
	disk.nsectors = nsectors;
	disk.ro = ro;
	ninflight = 0;
	irq_line = 0;
	vblk_init(&dev, &disk, &be, &mem, &chain, set_irq, NULL);

	for (int op = 0; op < MAX_OPS && in.left; op++) {
		switch (take_u8(&in) % OP_COUNT) {
		case OP_WRITE_REG: {
			uint64_t off = take_pick(&in, regs, ARRAY_LEN(regs)) % VIRTIO_MMIO_WINDOW;
			unsigned width = 1U << (take_u8(&in) % 4);
			uint64_t v = take_pick(&in, values, ARRAY_LEN(values));
			int r = virtio_mmio_ops.write(&dev.t, off & ~(uint64_t)(width - 1), width, v);

			FUZZ_CHECK(r == MMIO_OK || (width != 4 && off < VIRTIO_MMIO_CONFIG), "write result %d", r);
			break;
		}
		case OP_READ_REG: {
			uint64_t off = take_pick(&in, regs, ARRAY_LEN(regs)) % VIRTIO_MMIO_WINDOW, v;
			unsigned width = 1U << (take_u8(&in) % 4);
			int r = virtio_mmio_ops.read(&dev.t, off & ~(uint64_t)(width - 1), width, &v);

			FUZZ_CHECK(r == MMIO_OK || (width != 4 && off < VIRTIO_MMIO_CONFIG), "read result %d", r);
			break;
		}
		case OP_NOTIFY:
			wr(VIRTIO_MMIO_QUEUE_NOTIFY, take_u8(&in) % 2);
			break;
		case OP_SETUP:
			driver_setup(1U << (take_u8(&in) % 10));
			break;
		case OP_DESC: {
			unsigned i = take_u8(&in) % 32;
			struct vring_desc d = { take_pick(&in, addrs, ARRAY_LEN(addrs)),
						(uint32_t)take_pick(&in, lens, ARRAY_LEN(lens)), take_u16(&in),
						take_u16(&in) };

			memcpy(ram + DESC_OFF + 16 * i, &d, sizeof(d));
			break;
		}
		case OP_AVAIL: {
			struct vring_avail *a = (struct vring_avail *)(ram + AVAIL_OFF);
			uint16_t head = take_u16(&in);

			a->ring[a->idx % 32] = head;
			a->idx++;
			break;
		}
		case OP_RAM:
			vdrv_take_ram(&in, ram, RAM_SIZE);
			break;
		case OP_COMPLETE:
			if (ninflight) {
				int i = take_u8(&in) % ninflight;

				complete(i, take_u8(&in) % 4);
			}
			break;
		case OP_BUSY:
			busy = !busy;
			vblk_retry(&dev);
			break;
		case OP_RESET:
			virtio_mmio_reset(&dev.t);
			break;
		case OP_RESUME:
			virtio_mmio_resume(&dev.t);
			break;
		}
		FUZZ_CHECK(irq_line == (rd(VIRTIO_MMIO_INTERRUPT_STATUS) != 0),
			   "interrupt line %d, InterruptStatus 0x%x", irq_line, rd(VIRTIO_MMIO_INTERRUPT_STATUS));
	}
	/* The backend finishes everything, in any order; the device must take it. */
	busy = 0;
	while (ninflight)
		complete(ninflight - 1, VIRTIO_BLK_S_OK);
	free(ram);
	return 0;
}
