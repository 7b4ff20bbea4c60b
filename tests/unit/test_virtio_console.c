/*
 * Host tests for the guest-facing virtio console (vdev/virtio/console.c): the whole device in a
 * "guest RAM" of its own, driven through its MMIO registers (vdev/virtio/transport.c) as Linux's
 * virtio_console driver does, with a sink that records what the guest printed. Malformed chains
 * must be given back or put the device in NEEDS_RESET, never reach outside guest RAM.
 */
#include "unit.h"
#include "vdev/virtio/console.h"
#include "virtio_driver.h"

#define RXQ VIRTIO_CONSOLE_RXQ
#define TXQ VIRTIO_CONSOLE_TXQ

static struct vcons dev;
static struct vdrv drv;
static int irq;
static char printed[8 * VCONS_TX_BUDGET_BYTES];
static unsigned nprinted;

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

/* What Linux's driver does at probe, after a reset: VERSION_1 only, both queues, DRIVER_OK. */
static void driver_setup(void)
{
	vdrv_wr(&drv, VIRTIO_MMIO_STATUS, 0);
	memset(drv.ram + DESC_OFF, 0, BUF_OFF - DESC_OFF);
	drv.next_desc[RXQ] = drv.next_desc[TXQ] = 0;
	vdrv_setup(&drv, 0);
}

static int deferred; /* the transport asked its owner for a resume */

static void defer(void *ctx)
{
	assert_ptr_equal(ctx, &dev);
	deferred++;
}

static int setup(void **state)
{
	(void)state;
	deferred = 0;
	vdrv_ram(&drv, &dev.t);
	irq = 0;
	nprinted = 0;
	vcons_init(&dev, sink, &dev, &drv.mem, set_irq, &dev);
	dev.t.defer = defer;
	dev.t.defer_ctx = &dev;
	driver_setup();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(drv.ram);
	return 0;
}

/* The guest prints s in one buffer. */
static void print(const char *s)
{
	uint32_t len = (uint32_t)strlen(s);

	memcpy(vdrv_buf(&drv, TXQ, drv.next_desc[TXQ]), s, len);
	vdrv_offer(&drv, TXQ, &len, 1, 0);
	vdrv_wr(&drv, VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
}

/* The guest posts one receive buffer of len bytes. */
static void post_rx(uint32_t len)
{
	vdrv_offer(&drv, RXQ, &len, 1, VRING_DESC_F_WRITE);
	vdrv_wr(&drv, VIRTIO_MMIO_QUEUE_NOTIFY, RXQ);
}

static int needs_reset(void)
{
	return !!(vdrv_rd(&drv, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static void test_registers(void **state)
{
	(void)state;
	uint64_t v = 1;

	assert_int_equal(vdrv_rd(&drv, VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
	assert_int_equal(vdrv_rd(&drv, VIRTIO_MMIO_VERSION), VIRTIO_MMIO_VERSION_MODERN);
	assert_int_equal(vdrv_rd(&drv, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_CONSOLE);
	vdrv_wr(&drv, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	assert_int_equal(vdrv_rd(&drv, VIRTIO_MMIO_DEVICE_FEATURES), 0); /* no SIZE, MULTIPORT, EMERG_WRITE */
	vdrv_wr(&drv, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	assert_int_equal(vdrv_rd(&drv, VIRTIO_MMIO_DEVICE_FEATURES), VIRTIO_BIT(VIRTIO_F_VERSION_1) >> 32);
	vdrv_wr(&drv, VIRTIO_MMIO_QUEUE_SEL, TXQ);
	assert_int_equal(vdrv_rd(&drv, VIRTIO_MMIO_QUEUE_NUM_MAX), VCONS_QUEUE_MAX);
	vdrv_wr(&drv, VIRTIO_MMIO_QUEUE_SEL, 2); /* port 0 only: no control queues */
	assert_int_equal(vdrv_rd(&drv, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	assert_int_equal(virtio_mmio_ops.read(&dev.t, VIRTIO_MMIO_CFG(console, max_nr_ports), 4, &v), MMIO_OK);
	assert_int_equal(v, 0);
	assert_int_equal(vdrv_rd(&drv, VIRTIO_MMIO_STATUS), STATUS_LIVE);
}

static void test_output(void **state)
{
	(void)state;
	uint32_t lens[2] = { 3, 4 };

	print("hello, world\n");
	assert_int_equal(nprinted, 13);
	assert_memory_equal(printed, "hello, world\n", 13);
	assert_int_equal(vdrv_used(&drv, TXQ)->idx, 1);
	assert_int_equal(vdrv_used(&drv, TXQ)->ring[0].len, 0); /* nothing written into a transmit buffer */
	assert_int_equal(irq, 1);
	assert_int_equal(vdrv_rd(&drv, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	vdrv_wr(&drv, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(irq, 0);

	/* One chain of two buffers; no interrupt when the driver asks for none. */
	memcpy(vdrv_buf(&drv, TXQ, drv.next_desc[TXQ]), "abc", 3);
	memcpy(vdrv_buf(&drv, TXQ, (drv.next_desc[TXQ] + 1) % QN), "defg", 4);
	vdrv_avail(&drv, TXQ)->flags = VRING_AVAIL_F_NO_INTERRUPT;
	vdrv_offer(&drv, TXQ, lens, 2, 0);
	vdrv_wr(&drv, VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
	assert_int_equal(nprinted, 20);
	assert_memory_equal(printed + 13, "abcdefg", 7);
	assert_int_equal(vdrv_used(&drv, TXQ)->idx, 2);
	assert_int_equal(irq, 0);
	assert_int_equal(dev.stats.tx_bytes, 20);
}

static void test_output_waits_for_driver_ok(void **state)
{
	(void)state;
	vdrv_wr(&drv, VIRTIO_MMIO_STATUS, 0);
	vdrv_wr(&drv, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	print("early");
	assert_int_equal(nprinted, 0);
	assert_int_equal(vdrv_used(&drv, TXQ)->idx, 0);
}

static void test_output_bad_buffers(void **state)
{
	(void)state;
	uint32_t len = 4;

	/* Device-writable in a transmit chain: given back, nothing printed. */
	memcpy(vdrv_buf(&drv, TXQ, drv.next_desc[TXQ]), "oops", 4);
	vdrv_offer(&drv, TXQ, &len, 1, VRING_DESC_F_WRITE);
	vdrv_wr(&drv, VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
	/* Outside guest RAM. */
	*vdrv_desc(&drv, TXQ, drv.next_desc[TXQ]) = (struct vring_desc){ gpa(RAM_SIZE - 2), 4, 0, 0 };
	vdrv_avail(&drv, TXQ)->ring[vdrv_avail(&drv, TXQ)->idx % QN] = drv.next_desc[TXQ];
	vdrv_avail(&drv, TXQ)->idx++;
	drv.next_desc[TXQ]++;
	/* Of length 0. */
	len = 0;
	vdrv_offer(&drv, TXQ, &len, 1, 0);
	vdrv_wr(&drv, VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
	assert_int_equal(nprinted, 0);
	assert_int_equal(vdrv_used(&drv, TXQ)->idx, 3);
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
	vdrv_offer(&drv, TXQ, lens, 2, 0);
	vdrv_desc(&drv, TXQ, 0)->next = QN;
	vdrv_wr(&drv, VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
	assert_true(needs_reset());
	assert_int_equal(nprinted, 0);
	assert_int_equal(dev.t.protocol_errors, 1);
	assert_int_equal(vdrv_rd(&drv, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	print("ignored");
	assert_int_equal(nprinted, 0);
	/* The driver resets and sets the device up again: it works. */
	driver_setup();
	assert_false(needs_reset());
	print("again");
	assert_int_equal(nprinted, 5);

	/* An available index more than a queue ahead, and a loop. */
	vdrv_avail(&drv, TXQ)->idx = (uint16_t)(vdrv_avail(&drv, TXQ)->idx + QN + 1);
	vdrv_wr(&drv, VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
	assert_true(needs_reset());
	driver_setup();
	vdrv_offer(&drv, TXQ, lens, 2, 0);
	vdrv_desc(&drv, TXQ, 1)->next = 0;
	vdrv_desc(&drv, TXQ, 1)->flags = VRING_DESC_F_NEXT;
	vdrv_wr(&drv, VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
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
	assert_int_equal(vdrv_used(&drv, RXQ)->idx, 1);
	assert_int_equal(vdrv_used(&drv, RXQ)->ring[0].id, 0);
	assert_int_equal(vdrv_used(&drv, RXQ)->ring[0].len, 3);
	assert_memory_equal(vdrv_buf(&drv, RXQ, 0), "ls\n", 3);
	assert_int_equal(irq, 1);
	vdrv_wr(&drv, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);

	/* Buffers posted first: input goes in at once, split over small buffers, the rest kept. */
	post_rx(2);
	post_rx(2);
	assert_int_equal(vcons_receive(&dev, "abcde", 5), 5);
	assert_int_equal(vdrv_used(&drv, RXQ)->idx, 3);
	assert_memory_equal(vdrv_buf(&drv, RXQ, 1), "ab", 2);
	assert_memory_equal(vdrv_buf(&drv, RXQ, 2), "cd", 2);
	assert_int_equal(dev.in_len, 1);
	post_rx(16);
	assert_int_equal(vdrv_used(&drv, RXQ)->idx, 4);
	assert_int_equal(vdrv_used(&drv, RXQ)->ring[3].len, 1);
	assert_memory_equal(vdrv_buf(&drv, RXQ, 3), "e", 1);
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
	assert_int_equal(vdrv_used(&drv, RXQ)->ring[0].len, VCONS_INPUT_MAX);
	assert_int_equal(dev.in_len, 0);
}

static void test_input_bad_buffers(void **state)
{
	(void)state;
	uint32_t len = 8;

	assert_int_equal(vcons_receive(&dev, "q", 1), 1);
	/* Device-readable: given back empty, the input stays. */
	vdrv_offer(&drv, RXQ, &len, 1, 0);
	vdrv_wr(&drv, VIRTIO_MMIO_QUEUE_NOTIFY, RXQ);
	assert_int_equal(vdrv_used(&drv, RXQ)->idx, 1);
	assert_int_equal(vdrv_used(&drv, RXQ)->ring[0].len, 0);
	assert_int_equal(dev.stats.bad_buffers, 1);
	assert_int_equal(dev.in_len, 1);
	/* A receive chain with a bad next index: NEEDS_RESET, nothing written. */
	vdrv_offer(&drv, RXQ, (uint32_t[]){ 4, 4 }, 2, VRING_DESC_F_WRITE);
	vdrv_desc(&drv, RXQ, 1)->next = QN + 3;
	vdrv_wr(&drv, VIRTIO_MMIO_QUEUE_NOTIFY, RXQ);
	assert_true(needs_reset());
	assert_int_equal(dev.in_len, 1);
	assert_int_equal(vdrv_used(&drv, RXQ)->idx, 1);
}

static void test_pure(void **state)
{
	static uint8_t mem[64];
	struct vq_chain c = { 0 };

	(void)state;
	nprinted = 0;
	c.nseg = 2;
	c.seg[0] = (struct vq_seg){ mem, 3, 0 };
	c.seg[1] = (struct vq_seg){ mem + 10, 4, 0 };
	memcpy(mem, "abc", 3);
	memcpy(mem + 10, "defg", 4);
	assert_int_equal(vcons_tx_drain(&c, 0, UINT64_MAX, sink, &dev), 7);
	assert_memory_equal(printed, "abcdefg", 7);
	assert_int_equal(vcons_rx_fill(&c, (const uint8_t *)"xy", 2), VCONS_ERR_BAD); /* not device-writable */
	c.seg[0].write = c.seg[1].write = 1;
	assert_int_equal(vcons_tx_drain(&c, 0, UINT64_MAX, sink, &dev), VCONS_ERR_BAD); /* not device-readable */
	assert_int_equal(vcons_rx_fill(&c, (const uint8_t *)"uvwxy", 5), 5);
	assert_memory_equal(mem, "uvw", 3);
	assert_memory_equal(mem + 10, "xy", 2);
	c.err = VQ_ERR_ADDR;
	assert_int_equal(vcons_rx_fill(&c, (const uint8_t *)"z", 1), VCONS_ERR_BAD);
	c.err = VQ_ERR_NEXT;
	assert_int_equal(vcons_rx_fill(&c, (const uint8_t *)"z", 1), VCONS_ERR_BROKEN);
	assert_int_equal(vcons_tx_drain(&c, 0, UINT64_MAX, sink, &dev), VCONS_ERR_BROKEN);
	assert_int_equal(nprinted, 7);
}

/*
 * A chain of more bytes than a turn's budget: the notify prints the budget's worth and asks for a
 * resume; each resume prints the next, and the chain is used once all of it is out.
 */
static void test_output_budget(void **state)
{
	uint32_t lens[4] = { BUF_STRIDE, BUF_STRIDE, BUF_STRIDE, BUF_STRIDE };
	unsigned turns = 0;

	(void)state;
	_Static_assert(4 * BUF_STRIDE > VCONS_TX_BUDGET_BYTES, "the chain is bigger than a turn");
	for (unsigned k = 0; k < 4; k++)
		memset(vdrv_buf(&drv, TXQ, k), 'a' + k, BUF_STRIDE);
	vdrv_offer(&drv, TXQ, lens, 4, 0);
	vdrv_wr(&drv, VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
	assert_int_equal(nprinted, VCONS_TX_BUDGET_BYTES);
	assert_int_equal(vdrv_used(&drv, TXQ)->idx, 0);
	assert_int_equal(deferred, 1);
	while (virtio_mmio_resume(&dev.t))
		assert_true(++turns < 4 * BUF_STRIDE / VCONS_TX_BUDGET_BYTES + 2);
	assert_int_equal(nprinted, 4 * BUF_STRIDE);
	for (unsigned k = 0; k < 4; k++)
		assert_int_equal(printed[k * BUF_STRIDE], 'a' + k);
	assert_int_equal(vdrv_used(&drv, TXQ)->idx, 1);
	assert_int_equal(dev.stats.tx_bytes, 4 * BUF_STRIDE);
	assert_int_equal(dev.t.resume, 0);
	/* a reset drops what was left: no resume does anything after it */
	vdrv_offer(&drv, TXQ, lens, 4, 0);
	vdrv_wr(&drv, VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
	assert_int_not_equal(dev.t.resume, 0);
	vdrv_wr(&drv, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(dev.t.resume, 0);
	assert_int_equal(virtio_mmio_resume(&dev.t), 0);
	assert_int_equal(nprinted, 4 * BUF_STRIDE + VCONS_TX_BUDGET_BYTES);
}

/*
 * Resume turns drain what the notify found, no more: a chain offered meanwhile waits for its own
 * notify (a driver refilling the ring from another vCPU cannot keep the resuming one in Keel).
 */
static void test_resume_takes_no_new_entries(void **state)
{
	uint32_t big[2] = { BUF_STRIDE, BUF_STRIDE }, small = 3;

	(void)state;
	_Static_assert(2 * BUF_STRIDE > VCONS_TX_BUDGET_BYTES, "the first chain takes several turns");
	vdrv_offer(&drv, TXQ, big, 2, 0);
	vdrv_wr(&drv, VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
	memcpy(vdrv_buf(&drv, TXQ, drv.next_desc[TXQ]), "new", small);
	vdrv_offer(&drv, TXQ, &small, 1, 0); /* no notify yet */
	for (unsigned turns = 0; virtio_mmio_resume(&dev.t); turns++)
		assert_true(turns < 2 * BUF_STRIDE / VCONS_TX_BUDGET_BYTES + 2);
	assert_int_equal(nprinted, 2 * BUF_STRIDE);
	assert_int_equal(vdrv_used(&drv, TXQ)->idx, 1);
	vdrv_wr(&drv, VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
	assert_int_equal(nprinted, 2 * BUF_STRIDE + small);
	assert_memory_equal(printed + 2 * BUF_STRIDE, "new", small);
	assert_int_equal(vdrv_used(&drv, TXQ)->idx, 2);
	/* a notify that comes while a batch is still going out: its entries follow in the resume turns */
	vdrv_offer(&drv, TXQ, big, 2, 0);
	vdrv_wr(&drv, VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
	vdrv_offer(&drv, TXQ, &small, 1, 0);
	vdrv_wr(&drv, VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
	for (unsigned turns = 0; virtio_mmio_resume(&dev.t); turns++)
		assert_true(turns < 2 * BUF_STRIDE / VCONS_TX_BUDGET_BYTES + 2);
	assert_int_equal(vdrv_used(&drv, TXQ)->idx, 4);
}

/* A ring whose every entry names one head: printed once, then NEEDS_RESET (not a ring's worth). */
static void test_output_repeated_head(void **state)
{
	uint32_t len = 5;

	(void)state;
	memcpy(vdrv_buf(&drv, TXQ, 0), "hello", len);
	vdrv_offer(&drv, TXQ, &len, 1, 0);
	for (unsigned i = 1; i < QN; i++) {
		vdrv_avail(&drv, TXQ)->ring[vdrv_avail(&drv, TXQ)->idx % QN] = 0;
		vdrv_avail(&drv, TXQ)->idx++;
	}
	vdrv_wr(&drv, VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
	assert_int_equal(nprinted, len);
	assert_true(needs_reset());
	assert_int_equal(virtio_mmio_resume(&dev.t), 0);
	assert_int_equal(nprinted, len);
}

/* vcons_tx_drain from an offset, at most max bytes, across segment boundaries. */
static void test_drain_from(void **state)
{
	struct vq_chain c = { .nseg = 2 };
	uint8_t a[4] = { 'a', 'b', 'c', 'd' }, b[3] = { 'e', 'f', 'g' };

	(void)state;
	c.seg[0] = (struct vq_seg){ a, sizeof(a), 0 };
	c.seg[1] = (struct vq_seg){ b, sizeof(b), 0 };
	c.last = c.seg[1];
	assert_int_equal(vcons_tx_drain(&c, 2, 3, sink, &dev), 3);
	assert_int_equal(vcons_tx_drain(&c, 5, 100, sink, &dev), 2);
	assert_int_equal(vcons_tx_drain(&c, 7, 100, sink, &dev), 0);
	assert_int_equal(vcons_tx_drain(&c, 0, 0, sink, &dev), 0);
	assert_int_equal(nprinted, 5);
	assert_memory_equal(printed, "cdefg", 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_waits_for_driver_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_bad_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_broken_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_repeated_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resume_takes_no_new_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drain_from, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_bad_buffers, setup, teardown),
		cmocka_unit_test(test_pure),
	};

	return run_unit_tests(tests);
}
