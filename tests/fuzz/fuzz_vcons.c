/*
 * Fuzz target: the guest-facing virtio console (vdev/virtio/console.c) behind its virtio-mmio
 * transport, its guest RAM a heap block of exactly its size (ASan catches any access outside it).
 *
 * Input: operations (first byte mod OP_COUNT): register write (register from a table, value from
 * a table), notify (either queue), the standard driver setup with a queue size, a descriptor
 * (index and queue, address from a table or raw, length from a table, flags, next), an
 * available-ring entry, raw bytes into guest RAM, console input of any length, a device reset, the
 * device's next turn on work its notifies left (virtio_mmio_resume, as the VM's vCPU does).
 *
 * Checked: every byte the sink gets lies in guest RAM (ASan), and no operation (a notify, a setup's
 * DRIVER_OK, a resume) gets more than one turn's budget (VCONS_TX_BUDGET_BYTES) out, whatever the
 * chains (huge, or one head named by every ring entry: NEEDS_RESET);
 * the device keeps at most VCONS_INPUT_MAX bytes of input, and what it kept plus what it put into
 * receive buffers is exactly what it accepted (nothing lost, nothing made up); the interrupt line
 * is high exactly when InterruptStatus is non-zero.
 */
#include "fuzz.h"
#include "vdev/virtio/console.h"
#include "vdev/virtio/queue.h"
#include "vdev/virtio/transport.h"
#include "fuzz_vdrv.h"

#define RAM_SIZE (64 * 1024)
#define MAX_OPS 256
#define INPUT_CHUNK 64 /* console input bytes one operation can give */

enum {
	OP_WRITE_REG,
	OP_NOTIFY,
	OP_SETUP,
	OP_DESC,
	OP_AVAIL,
	OP_RAM,
	OP_INPUT,
	OP_RESET,
	OP_RESUME,
	OP_COUNT,
};

static const uint64_t addrs[] = { FUZZ_RAM_GPA + 0x8000,
				  FUZZ_RAM_GPA + 0x9000,
				  FUZZ_RAM_GPA + RAM_SIZE - 1,
				  FUZZ_RAM_GPA + RAM_SIZE - 16,
				  FUZZ_RAM_GPA + RAM_SIZE,
				  FUZZ_RAM_GPA - 1,
				  0,
				  ~0ULL - 15,
				  FUZZ_RAM_GPA + FUZZ_QUEUE_OFF(0),
				  FUZZ_RAM_GPA + FUZZ_QUEUE_OFF(1) + FUZZ_USED_OFF };
static const uint64_t lens[] = { 0, 1, 2, 15, 16, 17, 1024, 4096, RAM_SIZE, RAM_SIZE + 1, 0xffffffff };

static uint8_t *ram;
static struct vcons dev;
static int irq;
static uint64_t given; /* console input bytes given to the device */
static uint64_t printed; /* bytes the sink got in this operation */

static void sink(void *ctx, const char *s, unsigned long n)
{
	(void)ctx;
	FUZZ_CHECK(n <= RAM_SIZE, "a %lu-byte write from a %d-byte RAM", n, RAM_SIZE);
	printed += n;
	/* Touch every byte: ASan reports any outside the RAM block. */
	for (unsigned long i = 0; i < n; i++)
		__asm__ volatile("" ::"r"(s[i]));
}

static void set_irq(void *ctx, int level)
{
	(void)ctx;
	irq = level;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	struct vq_mem mem;
	char input[INPUT_CHUNK];

	ram = calloc(1, RAM_SIZE);
	mem = (struct vq_mem){ FUZZ_RAM_GPA, RAM_SIZE, ram };
	irq = 0;
	given = 0;
	vcons_init(&dev, sink, NULL, &mem, set_irq, NULL);

	for (int op = 0; op < MAX_OPS && in.left; op++) {
		uint8_t code = take_u8(&in);

		printed = 0;
		switch (code % OP_COUNT) {
		case OP_WRITE_REG:
			vdrv_take_reg_write(&in, &dev.t);
			break;
		case OP_NOTIFY:
			vdrv_wr(&dev.t, VIRTIO_MMIO_QUEUE_NOTIFY, take_u8(&in) % 2);
			break;
		case OP_SETUP:
			vdrv_setup(&dev.t, 1U << (take_u8(&in) % 6), 0);
			break;
		case OP_DESC:
			vdrv_take_desc(&in, ram, addrs, ARRAY_LEN(addrs), lens, ARRAY_LEN(lens));
			break;
		case OP_AVAIL:
			vdrv_take_avail(&in, ram);
			break;
		case OP_RAM:
			vdrv_take_ram(&in, ram, RAM_SIZE);
			break;
		case OP_INPUT: {
			unsigned n = take_u8(&in) % (INPUT_CHUNK + 1), kept;

			take_bytes(&in, (uint8_t *)input, n);
			kept = vcons_receive(&dev, input, n);
			FUZZ_CHECK(kept <= n, "kept %u of %u input bytes", kept, n);
			given += kept;
			break;
		}
		case OP_RESET:
			virtio_mmio_reset(&dev.t);
			break;
		case OP_RESUME:
			virtio_mmio_resume(&dev.t);
			break;
		}
		FUZZ_CHECK(printed <= VCONS_TX_BUDGET_BYTES, "%lu bytes out in one operation (budget %u)",
			   (unsigned long)printed, VCONS_TX_BUDGET_BYTES);
		FUZZ_CHECK(dev.in_len <= VCONS_INPUT_MAX, "%u bytes of input kept", dev.in_len);
		FUZZ_CHECK(dev.stats.rx_bytes + dev.in_len == given, "input: %lu delivered + %u kept != %lu given",
			   (unsigned long)dev.stats.rx_bytes, dev.in_len, (unsigned long)given);
		FUZZ_CHECK(irq == (vdrv_rd(&dev.t, VIRTIO_MMIO_INTERRUPT_STATUS) != 0),
			   "interrupt line %d, InterruptStatus 0x%x", irq,
			   vdrv_rd(&dev.t, VIRTIO_MMIO_INTERRUPT_STATUS));
	}
	free(ram);
	return 0;
}
