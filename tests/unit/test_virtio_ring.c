/*
 * Host tests for drivers/virtio/ring.c, the driver side of a split virtqueue Keel uses for the
 * machine's own disks: descriptor chains in and out of the free list, the available ring, used
 * elements taken back (including ones the device should never have returned).
 */
#include "unit.h"
#include <stdlib.h>
#include <string.h>
#include "drivers/virtio/ring.h"

static struct hvq *q;

static int setup(void **state)
{
	(void)state;
	q = aligned_alloc(_Alignof(struct hvq), sizeof(*q)); /* page-aligned, for the legacy layout */
	assert_non_null(q);
	memset(q, 0, sizeof(*q));
	assert_non_null(q);
	hvq_init(q, 16);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(q);
	return 0;
}

/* The device's side: return chain `head` as used. */
static void device_uses(uint16_t head, uint32_t len)
{
	q->used.ring[q->used.idx % q->num] = (struct vring_used_elem){ head, len };
	q->used.idx++;
}

static void test_layout(void **state)
{
	(void)state;
	assert_int_equal((uintptr_t)q->desc % VRING_DESC_ALIGN_SIZE, 0);
	assert_int_equal((uintptr_t)&q->avail % VRING_AVAIL_ALIGN_SIZE, 0);
	assert_int_equal((uintptr_t)&q->used % VRING_USED_ALIGN_SIZE, 0);
	assert_int_equal(offsetof(struct hvq_avail, ring), 4);
	assert_int_equal(offsetof(struct hvq_used, ring), 4);
	/* the legacy interface finds avail right after the table and used on the next page */
	assert_int_equal((uintptr_t)&q->avail - (uintptr_t)q->desc, VIRTQ_DESC_SIZE(HVQ_MAX));
	assert_int_equal((uintptr_t)&q->used - (uintptr_t)q->desc, 2 * VIRTIO_MMIO_LEGACY_PAGE_SIZE);
}

static void test_chain_and_free(void **state)
{
	struct hvq_buf bufs[3] = { { 0x1000, 16, 0, 0 }, { 0x2000, 512, 1, 0 }, { 0x3000, 1, 1, 0 } };
	uint32_t len;
	int head;

	(void)state;
	head = hvq_add(q, bufs, 3);
	assert_int_equal(head, 0);
	assert_int_equal(q->nfree, 13);
	assert_int_equal(q->avail.idx, 1);
	assert_int_equal(q->avail.ring[0], 0);
	/* the chain: flags and links as the spec wants them */
	assert_int_equal(q->desc[0].flags, VRING_DESC_F_NEXT);
	assert_int_equal(q->desc[q->desc[0].next].flags, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE);
	assert_int_equal(q->desc[q->desc[q->desc[0].next].next].flags, VRING_DESC_F_WRITE);
	assert_int_equal(q->desc[q->desc[q->desc[0].next].next].addr, 0x3000);
	assert_int_equal(hvq_pop_used(q, &len), -1);
	device_uses(0, 513);
	assert_int_equal(hvq_pop_used(q, &len), 0);
	assert_int_equal(len, 513);
	assert_int_equal(q->nfree, 16);
	assert_int_equal(hvq_pop_used(q, &len), -1);
}

static void test_full_queue(void **state)
{
	struct hvq_buf bufs[16];
	int heads[8];
	uint32_t len;

	(void)state;
	memset(bufs, 0, sizeof(bufs));
	assert_int_equal(hvq_add(q, bufs, 0), -1);
	assert_int_equal(hvq_add(q, bufs, 17), -1);
	for (int i = 0; i < 8; i++) {
		heads[i] = hvq_add(q, bufs, 2);
		assert_true(heads[i] >= 0);
	}
	assert_int_equal(q->nfree, 0);
	assert_int_equal(hvq_add(q, bufs, 1), -1);
	/* out of order completions give the descriptors back */
	device_uses((uint16_t)heads[5], 1);
	device_uses((uint16_t)heads[2], 1);
	assert_int_equal(hvq_pop_used(q, &len), heads[5]);
	assert_int_equal(hvq_pop_used(q, &len), heads[2]);
	assert_int_equal(q->nfree, 4);
	assert_true(hvq_add(q, bufs, 4) >= 0);
	assert_int_equal(q->nfree, 0);
	/* many rounds: the free list stays whole */
	for (int i = 0; i < 8; i++)
		if (i != 2 && i != 5)
			device_uses((uint16_t)heads[i], 1);
	for (int i = 0; i < 6; i++)
		assert_true(hvq_pop_used(q, &len) >= 0);
	for (int round = 0; round < 1000; round++) {
		int h = hvq_add(q, bufs, 1 + round % 5);

		assert_true(h >= 0);
		device_uses((uint16_t)h, 1);
		assert_int_equal(hvq_pop_used(q, &len), h);
	}
	assert_int_equal(q->nfree, 12);
}

static void test_bogus_used(void **state)
{
	struct hvq_buf b = { 0x1000, 1, 1, 0 };
	uint32_t len;

	(void)state;
	assert_int_equal(hvq_add(q, &b, 1), 0);
	device_uses(99, 0); /* beyond the table */
	device_uses(3, 0); /* never offered */
	device_uses(0, 1);
	assert_int_equal(hvq_pop_used(q, &len), -2);
	assert_int_equal(hvq_pop_used(q, &len), -2);
	assert_int_equal(hvq_pop_used(q, &len), 0);
	assert_int_equal(q->nfree, 16);
	device_uses(0, 1); /* returned twice */
	assert_int_equal(hvq_pop_used(q, &len), -2);
	assert_int_equal(q->nfree, 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_and_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bogus_used, setup, teardown),
	};

	return run_unit_tests(tests);
}
