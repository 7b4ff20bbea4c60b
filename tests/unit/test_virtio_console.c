/*
 * Host tests for the guest-facing virtio console (vdev/virtio/console.c): the whole device in a
 * "guest RAM" of its own, driven through its MMIO registers (vdev/virtio/transport.c) as Linux's
 * virtio_console driver does, with a sink that records what the guest printed. Malformed chains
 * must be given back or put the device in NEEDS_RESET, never reach outside guest RAM.
 */
#include "unit.h"
#include <stdlib.h>
#include <string.h>
#include "vdev/virtio/console.h"
#include "vdev/virtio/queue.h"
#include "vdev/virtio/transport.h"

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
#define RXQ VIRTIO_CONSOLE_RXQ
#define TXQ VIRTIO_CONSOLE_TXQ
#define STATUS_LIVE \
	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK)

static uint8_t *ram;
static struct vq_mem mem;
static struct vcons dev;
static int irq;
static uint16_t next_desc[2];
static char printed[4096];
static unsigned nprinted;

static uint64_t gpa(uint64_t off)
{
	return RAM_GPA + off;
}
static struct virtq_desc *desc(unsigned q, unsigned i)
{
	return (struct virtq_desc *)(ram + DESC_OFF + q * QUEUE_STRIDE) + i;
}
static struct virtq_avail *avail(unsigned q)
{
	return (struct virtq_avail *)(ram + AVAIL_OFF + q * QUEUE_STRIDE);
}
static struct virtq_used *used(unsigned q)
{
	return (struct virtq_used *)(ram + USED_OFF + q * QUEUE_STRIDE);
}
static uint8_t *buf(unsigned q, unsigned i)
{
	return ram + BUF_OFF + (q * QN + i) * BUF_STRIDE;
}

static void sink(void *ctx, const char *s, unsigned long n)
{
	assert_ptr_equal(ctx, &dev);
	assert_true(nprinted + n <= sizeof(printed));
	memcpy(printed + nprinted, s, n);
	nprinted += (unsigned)n;
}
static void set_irq(void *ctx, int level)
{
	assert_ptr_equal(ctx, &dev);
	irq = level;
}

static uint32_t rd(unsigned off)
{
	uint64_t v;

	assert_int_equal(virtio_mmio_ops.read(&dev.t, off, 4, &v), MMIO_OK);
	return (uint32_t)v;
}
static void wr(unsigned off, uint32_t v)
{
	assert_int_equal(virtio_mmio_ops.write(&dev.t, off, 4, v), MMIO_OK);
}

/* What Linux's driver does at probe: VERSION_1 only, both queues, DRIVER_OK. */
static void driver_setup(void)
{
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, VIRTIO_BIT(VIRTIO_F_VERSION_1) >> 32);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	for (unsigned q = 0; q < 2; q++) {
		wr(VIRTIO_MMIO_QUEUE_SEL, q);
		wr(VIRTIO_MMIO_QUEUE_NUM, QN);
		wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)gpa(DESC_OFF + q * QUEUE_STRIDE));
		wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)gpa(AVAIL_OFF + q * QUEUE_STRIDE));
		wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)gpa(USED_OFF + q * QUEUE_STRIDE));
		wr(VIRTIO_MMIO_QUEUE_READY, 1);
	}
	memset(ram + DESC_OFF, 0, BUF_OFF - DESC_OFF);
	next_desc[0] = next_desc[1] = 0;
	wr(VIRTIO_MMIO_STATUS, STATUS_LIVE);
}

static int setup(void **state)
{
	(void)state;
	ram = calloc(1, RAM_SIZE);
	mem = (struct vq_mem){ RAM_GPA, RAM_SIZE, ram };
	irq = 0;
	nprinted = 0;
	vcons_init(&dev, sink, &dev, &mem, set_irq, &dev);
	driver_setup();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ram);
	return 0;
}

/* Offer a chain of n descriptors on queue q, each buffer its slot's, of the given lengths and flags. */
static void offer(unsigned q, const uint32_t *lens, unsigned n, uint16_t flags)
{
	uint16_t head = next_desc[q];

	for (unsigned k = 0; k < n; k++) {
		uint16_t i = (uint16_t)((head + k) % QN);

		*desc(q, i) = (struct virtq_desc){ gpa(BUF_OFF + (q * QN + i) * BUF_STRIDE), lens[k],
						   (uint16_t)(flags | (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0)),
						   (uint16_t)((i + 1) % QN) };
	}
	next_desc[q] = (uint16_t)((head + n) % QN);
	avail(q)->ring[avail(q)->idx % QN] = head;
	avail(q)->idx++;
}

/* The guest prints s in one buffer. */
static void print(const char *s)
{
	uint32_t len = (uint32_t)strlen(s);

	memcpy(buf(TXQ, next_desc[TXQ]), s, len);
	offer(TXQ, &len, 1, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
}

/* The guest posts one receive buffer of len bytes. */
static void post_rx(uint32_t len)
{
	offer(RXQ, &len, 1, VIRTQ_DESC_F_WRITE);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, RXQ);
}

static int needs_reset(void)
{
	return !!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

static void test_registers(void **state)
{
	(void)state;
	uint64_t v = 1;

	assert_int_equal(rd(VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
	assert_int_equal(rd(VIRTIO_MMIO_VERSION), VIRTIO_MMIO_VERSION_MODERN);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_CONSOLE);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0); /* no SIZE, MULTIPORT, EMERG_WRITE */
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), VIRTIO_BIT(VIRTIO_F_VERSION_1) >> 32);
	wr(VIRTIO_MMIO_QUEUE_SEL, TXQ);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), VCONS_QUEUE_MAX);
	wr(VIRTIO_MMIO_QUEUE_SEL, 2); /* port 0 only: no control queues */
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	assert_int_equal(virtio_mmio_ops.read(&dev.t, VIRTIO_MMIO_CONFIG + VIRTIO_CONSOLE_CFG_MAX_NR_PORTS, 4, &v),
			 MMIO_OK);
	assert_int_equal(v, 0);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), STATUS_LIVE);
}

static void test_output(void **state)
{
	(void)state;
	uint32_t lens[2] = { 3, 4 };

	print("hello, world\n");
	assert_int_equal(nprinted, 13);
	assert_memory_equal(printed, "hello, world\n", 13);
	assert_int_equal(used(TXQ)->idx, 1);
	assert_int_equal(used(TXQ)->ring[0].len, 0); /* nothing written into a transmit buffer */
	assert_int_equal(irq, 1);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(irq, 0);

	/* One chain of two buffers; no interrupt when the driver asks for none. */
	memcpy(buf(TXQ, next_desc[TXQ]), "abc", 3);
	memcpy(buf(TXQ, (next_desc[TXQ] + 1) % QN), "defg", 4);
	avail(TXQ)->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	offer(TXQ, lens, 2, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
	assert_int_equal(nprinted, 20);
	assert_memory_equal(printed + 13, "abcdefg", 7);
	assert_int_equal(used(TXQ)->idx, 2);
	assert_int_equal(irq, 0);
	assert_int_equal(dev.stats.tx_bytes, 20);
}

static void test_output_waits_for_driver_ok(void **state)
{
	(void)state;
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	print("early");
	assert_int_equal(nprinted, 0);
	assert_int_equal(used(TXQ)->idx, 0);
}

static void test_output_bad_buffers(void **state)
{
	(void)state;
	uint32_t len = 4;

	/* Device-writable in a transmit chain: given back, nothing printed. */
	memcpy(buf(TXQ, next_desc[TXQ]), "oops", 4);
	offer(TXQ, &len, 1, VIRTQ_DESC_F_WRITE);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
	/* Outside guest RAM. */
	*desc(TXQ, next_desc[TXQ]) = (struct virtq_desc){ gpa(RAM_SIZE - 2), 4, 0, 0 };
	avail(TXQ)->ring[avail(TXQ)->idx % QN] = next_desc[TXQ];
	avail(TXQ)->idx++;
	next_desc[TXQ]++;
	/* Of length 0. */
	len = 0;
	offer(TXQ, &len, 1, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
	assert_int_equal(nprinted, 0);
	assert_int_equal(used(TXQ)->idx, 3);
	assert_int_equal(dev.stats.bad_buffers, 3);
	assert_false(needs_reset());
	print("fine");
	assert_int_equal(nprinted, 4);
}

static void test_output_broken_chain(void **state)
{
	(void)state;
	uint32_t lens[2] = { 2, 2 };

	/* A chain whose next index leaves the table: the device needs a reset and prints nothing. */
	offer(TXQ, lens, 2, 0);
	desc(TXQ, 0)->next = QN;
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
	assert_true(needs_reset());
	assert_int_equal(nprinted, 0);
	assert_int_equal(dev.t.protocol_errors, 1);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	print("ignored");
	assert_int_equal(nprinted, 0);
	/* The driver resets and sets the device up again: it works. */
	driver_setup();
	assert_false(needs_reset());
	print("again");
	assert_int_equal(nprinted, 5);

	/* An available index more than a queue ahead, and a loop. */
	avail(TXQ)->idx = (uint16_t)(avail(TXQ)->idx + QN + 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
	assert_true(needs_reset());
	driver_setup();
	offer(TXQ, lens, 2, 0);
	desc(TXQ, 1)->next = 0;
	desc(TXQ, 1)->flags = VIRTQ_DESC_F_NEXT;
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
	assert_true(needs_reset());
	assert_int_equal(nprinted, 5);
}

static void test_input(void **state)
{
	(void)state;
	/* Typed before the guest posted a buffer: kept. */
	assert_int_equal(vcons_receive(&dev, "ls\n", 3), 3);
	assert_int_equal(irq, 0);
	post_rx(64);
	assert_int_equal(used(RXQ)->idx, 1);
	assert_int_equal(used(RXQ)->ring[0].id, 0);
	assert_int_equal(used(RXQ)->ring[0].len, 3);
	assert_memory_equal(buf(RXQ, 0), "ls\n", 3);
	assert_int_equal(irq, 1);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);

	/* Buffers posted first: input goes in at once, split over small buffers, the rest kept. */
	post_rx(2);
	post_rx(2);
	assert_int_equal(vcons_receive(&dev, "abcde", 5), 5);
	assert_int_equal(used(RXQ)->idx, 3);
	assert_memory_equal(buf(RXQ, 1), "ab", 2);
	assert_memory_equal(buf(RXQ, 2), "cd", 2);
	assert_int_equal(dev.in_len, 1);
	post_rx(16);
	assert_int_equal(used(RXQ)->idx, 4);
	assert_int_equal(used(RXQ)->ring[3].len, 1);
	assert_memory_equal(buf(RXQ, 3), "e", 1);
	assert_int_equal(dev.stats.rx_bytes, 8);
}

static void test_input_bounded(void **state)
{
	(void)state;
	char big[VCONS_INPUT_MAX + 10];

	memset(big, 'x', sizeof(big));
	assert_int_equal(vcons_receive(&dev, big, sizeof(big)), VCONS_INPUT_MAX);
	assert_int_equal(dev.stats.input_dropped, 10);
	assert_int_equal(vcons_receive(&dev, "y", 1), 0);
	/* A guest reset keeps the input for the driver that comes next. */
	driver_setup();
	post_rx(VCONS_INPUT_MAX);
	assert_int_equal(used(RXQ)->ring[0].len, VCONS_INPUT_MAX);
	assert_int_equal(dev.in_len, 0);
}

static void test_input_bad_buffers(void **state)
{
	(void)state;
	uint32_t len = 8;

	assert_int_equal(vcons_receive(&dev, "q", 1), 1);
	/* Device-readable: given back empty, the input stays. */
	offer(RXQ, &len, 1, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, RXQ);
	assert_int_equal(used(RXQ)->idx, 1);
	assert_int_equal(used(RXQ)->ring[0].len, 0);
	assert_int_equal(dev.stats.bad_buffers, 1);
	assert_int_equal(dev.in_len, 1);
	/* A receive chain with a bad next index: NEEDS_RESET, nothing written. */
	offer(RXQ, (uint32_t[]){ 4, 4 }, 2, VIRTQ_DESC_F_WRITE);
	desc(RXQ, 1)->next = QN + 3;
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, RXQ);
	assert_true(needs_reset());
	assert_int_equal(dev.in_len, 1);
	assert_int_equal(used(RXQ)->idx, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_waits_for_driver_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_bad_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_broken_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_bad_buffers, setup, teardown),
	};

	return run_unit_tests(tests);
}
