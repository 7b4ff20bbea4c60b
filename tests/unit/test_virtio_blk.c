/*
 * Host tests for the guest-facing virtio block device: the virtqueue walker (vdev/virtio/queue.c)
 * and the request parser (vdev/virtio/blk.c) against every malformed input a guest can make, and
 * the whole device through its MMIO registers (vdev/virtio/transport.c) with a backend that
 * records requests and completes them when the test says.
 */
#include "unit.h"
#include <stdlib.h>
#include <string.h>
#include "vdev/virtio/blk.h"
#include "vdev/virtio/queue.h"
#include "vdev/virtio/transport.h"
#include "virtio_shadow.h"

#define RAM_GPA 0x80000000ULL
#define RAM_SIZE (1 << 20)
#define QN 8
#define DESC_OFF 0x1000
#define AVAIL_OFF 0x2000
#define USED_OFF 0x3000
#define HDR_OFF 0x4000
#define DATA_OFF 0x8000
#define STATUS_OFF 0x7000
#define NSECT 64

static uint8_t *ram;
static struct vq_mem mem;
static struct virtq q;
static struct vq_chain chain;

static struct vring_desc *desc(unsigned i)
{
	return (struct vring_desc *)(ram + DESC_OFF) + i;
}
static struct vring_avail *avail(void)
{
	return (struct vring_avail *)(ram + AVAIL_OFF);
}
static struct vring_used *used(void)
{
	return (struct vring_used *)(ram + USED_OFF);
}
static uint64_t gpa(uint64_t off)
{
	return RAM_GPA + off;
}

static int setup(void **state)
{
	(void)state;
	ram = calloc(1, RAM_SIZE);
	mem = (struct vq_mem){ RAM_GPA, RAM_SIZE, ram };
	memset(&q, 0, sizeof(q));
	q.num = QN;
	q.desc_gpa = gpa(DESC_OFF);
	q.avail_gpa = gpa(AVAIL_OFF);
	q.used_gpa = gpa(USED_OFF);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ram);
	return 0;
}

static void set_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	*desc(i) = (struct vring_desc){ addr, len, flags, next };
}

static void offer(uint16_t head)
{
	avail()->ring[avail()->idx % QN] = head;
	avail()->idx++;
}

/* header (desc 0) -> data (desc 1, `len`, `dflags`) -> status (desc 2) */
static void request(uint32_t type, uint64_t sector, uint32_t len, uint16_t dflags)
{
	struct virtio_blk_outhdr h = { .type = type, .sector = sector };

	memcpy(ram + HDR_OFF, &h, sizeof(h));
	ram[STATUS_OFF] = 0xaa;
	set_desc(0, gpa(HDR_OFF), sizeof(h), VRING_DESC_F_NEXT, len ? 1 : 2);
	set_desc(1, gpa(DATA_OFF), len, VRING_DESC_F_NEXT | dflags, 2);
	set_desc(2, gpa(STATUS_OFF), 1, VRING_DESC_F_WRITE, 0);
	offer(0);
}

/* ---- the walker ---- */

static void test_enable_checks_layout(void **state)
{
	(void)state;
	static const uint32_t bad_num[] = { 0, 3, 6, 2 * QN };

	for (unsigned i = 0; i < ARRAY_LEN(bad_num); i++) {
		q.num = bad_num[i];
		assert_int_equal(virtq_enable(&q, &mem, QN), -1);
		assert_false(q.ready);
	}
	q.num = QN;
	q.desc_gpa = gpa(DESC_OFF + 8); /* misaligned */
	assert_int_equal(virtq_enable(&q, &mem, QN), -1);
	q.desc_gpa = 0x1000; /* outside RAM */
	assert_int_equal(virtq_enable(&q, &mem, QN), -1);
	q.desc_gpa = gpa(RAM_SIZE - 16); /* crosses the end */
	assert_int_equal(virtq_enable(&q, &mem, QN), -1);
	q.desc_gpa = gpa(DESC_OFF);
	q.used_gpa = gpa(RAM_SIZE - 8);
	assert_int_equal(virtq_enable(&q, &mem, QN), -1);
	q.used_gpa = ~0ULL - 3; /* wraps */
	assert_int_equal(virtq_enable(&q, &mem, QN), -1);
	q.used_gpa = gpa(USED_OFF);
	assert_int_equal(virtq_enable(&q, &mem, QN), 0);
	assert_true(q.ready);
}

static void test_pop_well_formed(void **state)
{
	(void)state;
	assert_int_equal(virtq_enable(&q, &mem, QN), 0);
	assert_int_equal(virtq_pop(&q, &mem, &chain, VQ_MAX_SEGS), VQ_EMPTY);
	request(VIRTIO_BLK_T_IN, 0, 512, VRING_DESC_F_WRITE);
	assert_int_equal(virtq_pop(&q, &mem, &chain, VQ_MAX_SEGS), VQ_CHAIN);
	assert_int_equal(chain.err, 0);
	assert_int_equal(chain.nseg, 3);
	assert_ptr_equal(chain.seg[1].host, ram + DATA_OFF);
	assert_true(chain.last.write);
	assert_int_equal(virtq_pop(&q, &mem, &chain, VQ_MAX_SEGS), VQ_EMPTY);
}

static void test_pop_bad_ring(void **state)
{
	(void)state;
	assert_int_equal(virtq_enable(&q, &mem, QN), 0);
	avail()->idx = QN + 1; /* more than a queue ahead */
	assert_int_equal(virtq_pop(&q, &mem, &chain, VQ_MAX_SEGS), VQ_BROKEN);
	avail()->idx = 1;
	avail()->ring[0] = QN; /* head beyond the table */
	assert_int_equal(virtq_pop(&q, &mem, &chain, VQ_MAX_SEGS), VQ_BROKEN);
	/* idx wrapping around 65535 is fine */
	q.last_avail = 0xffff;
	avail()->idx = 0;
	avail()->ring[QN - 1] = 0;
	set_desc(0, gpa(STATUS_OFF), 1, VRING_DESC_F_WRITE, 0);
	assert_int_equal(virtq_pop(&q, &mem, &chain, VQ_MAX_SEGS), VQ_CHAIN);
	assert_int_equal(chain.err, 0);
}

/*
 * The entries of one batch (published before the device read avail->idx) may not name a head
 * twice: the driver made it available again before it was used. Once used, it may come again.
 */
static void test_pop_repeated_head(void **state)
{
	(void)state;
	assert_int_equal(virtq_enable(&q, &mem, QN), 0);
	request(VIRTIO_BLK_T_IN, 0, 512, VRING_DESC_F_WRITE);
	assert_int_equal(virtq_pop(&q, &mem, &chain, VQ_MAX_SEGS), VQ_CHAIN);
	virtq_push(&q, chain.head, 0);
	offer(0); /* after it was used: a new batch */
	assert_int_equal(virtq_pop(&q, &mem, &chain, VQ_MAX_SEGS), VQ_CHAIN);
	offer(0);
	offer(0); /* twice in one batch */
	assert_int_equal(virtq_pop(&q, &mem, &chain, VQ_MAX_SEGS), VQ_CHAIN);
	assert_int_equal(virtq_pop(&q, &mem, &chain, VQ_MAX_SEGS), VQ_BROKEN);
	/* another head of the same batch is fine */
	virtq_enable(&q, &mem, QN);
	avail()->idx = 0;
	request(VIRTIO_BLK_T_IN, 0, 512, VRING_DESC_F_WRITE);
	offer(2);
	assert_int_equal(virtq_pop(&q, &mem, &chain, VQ_MAX_SEGS), VQ_CHAIN);
	assert_int_equal(virtq_pop(&q, &mem, &chain, VQ_MAX_SEGS), VQ_CHAIN);
	assert_int_equal(chain.head, 2);
}

/* A turn's budget: chains and bytes, saturating, exhausted by either. */
static void test_budget(void **state)
{
	struct vq_budget b = { 2, 100 };

	(void)state;
	assert_true(vq_budget_left(&b));
	assert_int_equal(vq_budget_bytes(&b, 30), 30);
	assert_int_equal(vq_budget_bytes(&b, 300), 100);
	vq_budget_spend(&b, 1, 30);
	assert_true(vq_budget_left(&b));
	assert_int_equal(b.bytes, 70);
	vq_budget_spend(&b, 0, 500); /* more than is left: none left */
	assert_false(vq_budget_left(&b));
	assert_int_equal(b.bytes, 0);
	b = (struct vq_budget){ 1, 100 };
	vq_budget_spend(&b, 3, 0);
	assert_false(vq_budget_left(&b));
	assert_int_equal(b.chains, 0);
}

/*
 * A receive buffer for a frame of known size: the walk stops once the writable segments hold
 * enough, so what follows is never read (here a next index beyond the table), and the whole chain
 * with a smaller `enough` still shows the fault.
 */
static void test_pop_upto_stops_early(void **state)
{
	(void)state;
	assert_int_equal(virtq_enable(&q, &mem, QN), 0);
	set_desc(0, gpa(DATA_OFF), 100, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_desc(1, gpa(DATA_OFF + 100), 100, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, QN); /* bad next */
	offer(0);
	assert_int_equal(virtq_pop_upto(&q, &mem, &chain, VQ_MAX_SEGS, 150), VQ_CHAIN);
	assert_int_equal(chain.err, 0);
	assert_int_equal(chain.nseg, 2);
	assert_int_equal(chain.ndesc, 2);
	offer(0);
	assert_int_equal(virtq_pop_upto(&q, &mem, &chain, VQ_MAX_SEGS, 100), VQ_CHAIN);
	assert_int_equal(chain.nseg, 1);
	offer(0);
	assert_int_equal(virtq_pop_upto(&q, &mem, &chain, VQ_MAX_SEGS, 201), VQ_CHAIN);
	assert_int_equal(chain.err, VQ_ERR_NEXT);
}

static unsigned pop_err(void)
{
	assert_int_equal(virtq_pop(&q, &mem, &chain, VQ_MAX_SEGS), VQ_CHAIN);
	return chain.err;
}

static void test_pop_bad_chains(void **state)
{
	(void)state;
	assert_int_equal(virtq_enable(&q, &mem, QN), 0);
	/* a loop: 0 -> 1 -> 0 */
	set_desc(0, gpa(HDR_OFF), 16, VRING_DESC_F_NEXT, 1);
	set_desc(1, gpa(DATA_OFF), 16, VRING_DESC_F_NEXT, 0);
	offer(0);
	assert_true(pop_err() & VQ_ERR_LOOP);
	assert_int_equal(chain.ndesc, QN + 1);
	/* a self loop */
	set_desc(0, gpa(HDR_OFF), 16, VRING_DESC_F_NEXT, 0);
	offer(0);
	assert_true(pop_err() & VQ_ERR_LOOP);
	/* next beyond the table */
	set_desc(0, gpa(HDR_OFF), 16, VRING_DESC_F_NEXT, 0xffff);
	offer(0);
	assert_true(pop_err() & VQ_ERR_NEXT);
	/* indirect, not negotiated */
	set_desc(0, gpa(HDR_OFF), 16, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	assert_true(pop_err() & VQ_ERR_INDIRECT);
	/* readable after writable */
	set_desc(0, gpa(HDR_OFF), 16, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
	set_desc(1, gpa(DATA_OFF), 16, 0, 0);
	offer(0);
	assert_true(pop_err() & VQ_ERR_ORDER);
	/* outside RAM, zero length, crossing the end, wrapping, 4 GiB */
	static const struct {
		uint64_t addr;
		uint32_t len;
	} bad[] = { { 0x1000, 16 },    { RAM_GPA + DATA_OFF, 0 }, { RAM_GPA + RAM_SIZE - 8, 16 },
		    { ~0ULL - 7, 16 }, { RAM_GPA, 0xffffffffU },  { RAM_GPA + RAM_SIZE, 1 } };
	for (unsigned i = 0; i < ARRAY_LEN(bad); i++) {
		set_desc(0, bad[i].addr, bad[i].len, 0, 0);
		offer(0);
		assert_int_equal(pop_err(), VQ_ERR_ADDR);
		assert_null(chain.seg[0].host);
	}
}

#define TABLE_OFF 0x6000 /* an indirect table */

static struct vring_desc *table(unsigned i)
{
	return (struct vring_desc *)(ram + TABLE_OFF) + i;
}

/* The head refers to a table of n entries; the table holds header -> data -> status. */
static void indirect_request(unsigned n)
{
	*table(0) = (struct vring_desc){ gpa(HDR_OFF), 16, VRING_DESC_F_NEXT, 1 };
	*table(1) = (struct vring_desc){ gpa(DATA_OFF), 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2 };
	*table(2) = (struct vring_desc){ gpa(STATUS_OFF), 1, VRING_DESC_F_WRITE, 0 };
	set_desc(0, gpa(TABLE_OFF), n * sizeof(struct vring_desc), VRING_DESC_F_INDIRECT, 0);
	offer(0);
}

static void test_pop_indirect(void **state)
{
	(void)state;
	assert_int_equal(virtq_enable(&q, &mem, QN), 0);
	q.indirect = 1;
	indirect_request(3);
	assert_int_equal(pop_err(), 0);
	assert_int_equal(chain.head, 0);
	assert_int_equal(chain.ndesc, 3);
	assert_int_equal(chain.nseg, 3);
	assert_ptr_equal(chain.seg[1].host, ram + DATA_OFF);
	assert_true(chain.seg[1].write);
	assert_ptr_equal(chain.last.host, ram + STATUS_OFF);
	/* the WRITE flag of the descriptor naming the table is ignored (2.6.5.3.2) */
	indirect_request(3);
	desc(0)->flags |= VRING_DESC_F_WRITE;
	assert_int_equal(pop_err(), 0);
	/* a table of more entries than the chain uses is fine, and it may be longer than the queue */
	indirect_request(VQ_MAX_SEGS);
	assert_int_equal(pop_err(), 0);
	assert_int_equal(chain.ndesc, 3);
}

static void test_pop_bad_indirect(void **state)
{
	(void)state;
	assert_int_equal(virtq_enable(&q, &mem, QN), 0);
	q.indirect = 1;
	/* INDIRECT with NEXT */
	indirect_request(3);
	desc(0)->flags |= VRING_DESC_F_NEXT;
	assert_true(pop_err() & VQ_ERR_INDIRECT);
	/* a table that is not a whole number of descriptors, empty, or longer than a chain may be */
	static const uint32_t bad_len[] = { 0, 8, 3 * sizeof(struct vring_desc) + 1,
					    (VQ_MAX_SEGS + 1) * sizeof(struct vring_desc) };
	for (unsigned i = 0; i < ARRAY_LEN(bad_len); i++) {
		indirect_request(3);
		desc(0)->len = bad_len[i];
		assert_true(pop_err() & VQ_ERR_INDIRECT);
	}
	/* a table outside RAM, crossing its end, wrapping, or misaligned */
	static const uint64_t bad_addr[] = { 0x1000, RAM_GPA + RAM_SIZE - 16, ~0ULL - 15, RAM_GPA + TABLE_OFF + 4 };
	for (unsigned i = 0; i < ARRAY_LEN(bad_addr); i++) {
		indirect_request(3);
		desc(0)->addr = bad_addr[i];
		assert_true(pop_err() & VQ_ERR_INDIRECT);
	}
	/* a table inside a table */
	indirect_request(3);
	table(1)->flags |= VRING_DESC_F_INDIRECT;
	assert_true(pop_err() & VQ_ERR_INDIRECT);
	/* a table that is the queue's own table, its head naming it again (found by the fuzzer: a loop) */
	set_desc(0, gpa(DESC_OFF), QN * sizeof(struct vring_desc), VRING_DESC_F_INDIRECT, 0);
	offer(0);
	assert_true(pop_err() & VQ_ERR_INDIRECT);
	/* a table named by a descriptor after the head */
	set_desc(0, gpa(HDR_OFF), 16, VRING_DESC_F_NEXT, 1);
	set_desc(1, gpa(TABLE_OFF), 3 * sizeof(struct vring_desc), VRING_DESC_F_INDIRECT, 0);
	offer(0);
	assert_true(pop_err() & VQ_ERR_INDIRECT);
	/* a loop inside the table, and a next beyond its end */
	indirect_request(3);
	table(2)->flags |= VRING_DESC_F_NEXT;
	table(2)->next = 0;
	assert_true(pop_err() & VQ_ERR_LOOP);
	assert_int_equal(chain.ndesc, 4);
	indirect_request(3);
	table(2)->flags |= VRING_DESC_F_NEXT;
	table(2)->next = 3;
	assert_true(pop_err() & VQ_ERR_NEXT);
	/* a buffer of the table outside RAM: the chain is whole, the segment is refused */
	indirect_request(3);
	table(1)->addr = 0x1000;
	assert_int_equal(pop_err(), VQ_ERR_ADDR);
}

static void test_pop_too_many_keeps_last(void **state)
{
	(void)state;
	assert_int_equal(virtq_enable(&q, &mem, QN), 0);
	for (unsigned i = 0; i < QN; i++)
		set_desc(i, gpa(DATA_OFF + 16 * i), 16, i + 1 < QN ? VRING_DESC_F_NEXT : VRING_DESC_F_WRITE, i + 1);
	offer(0);
	assert_int_equal(virtq_pop(&q, &mem, &chain, 3), VQ_CHAIN);
	assert_int_equal(chain.err, VQ_ERR_TOO_MANY);
	assert_int_equal(chain.nseg, 3);
	assert_int_equal(chain.ndesc, QN);
	assert_ptr_equal(chain.last.host, ram + DATA_OFF + 16 * (QN - 1));
}

static void test_push(void **state)
{
	(void)state;
	assert_int_equal(virtq_enable(&q, &mem, QN), 0);
	used()->idx = 1234; /* the guest's scribble is not read back */
	for (unsigned i = 0; i < QN + 2; i++)
		assert_true(virtq_push(&q, (uint16_t)i, 7));
	assert_int_equal(used()->idx, QN + 2);
	assert_int_equal(used()->ring[1].id, QN + 1);
	avail()->flags = VRING_AVAIL_F_NO_INTERRUPT;
	assert_false(virtq_push(&q, 0, 1));
}

/* ---- the request parser ---- */

static const struct vblk_disk rw_disk = { .nsectors = NSECT, .id = "keel-test" };
static const struct vblk_disk ro_disk = { .nsectors = NSECT, .ro = 1 };
static struct vblk_req req;

static int parse(const struct vblk_disk *d, uint8_t *status)
{
	*status = 0xee;
	assert_int_equal(virtq_pop(&q, &mem, &chain, VBLK_SEG_MAX + 2), VQ_CHAIN);
	return vblk_parse(&chain, d, &req, status);
}

static void expect_status(const struct vblk_disk *d, uint8_t want)
{
	uint8_t st;

	assert_int_equal(parse(d, &st), VBLK_DONE);
	assert_int_equal(st, want);
	assert_ptr_equal(req.status, ram + STATUS_OFF);
}

static void test_parse_good(void **state)
{
	uint8_t st;

	(void)state;
	assert_int_equal(virtq_enable(&q, &mem, QN), 0);
	request(VIRTIO_BLK_T_IN, 3, 1024, VRING_DESC_F_WRITE);
	assert_int_equal(parse(&rw_disk, &st), VBLK_SUBMIT);
	assert_int_equal(req.sector, 3);
	assert_int_equal(req.nseg, 1);
	assert_ptr_equal(req.seg[0].host, ram + DATA_OFF); /* guest RAM itself: no copy */
	assert_int_equal(req.used_len, 1025);
	assert_true(req.to_guest);
	request(VIRTIO_BLK_T_OUT, NSECT - 2, 1024, 0);
	assert_int_equal(parse(&rw_disk, &st), VBLK_SUBMIT);
	assert_false(req.to_guest);
	assert_int_equal(req.used_len, 1);
	request(VIRTIO_BLK_T_FLUSH, 0, 0, 0);
	assert_int_equal(parse(&rw_disk, &st), VBLK_SUBMIT);
	request(VIRTIO_BLK_T_GET_ID, 0, 64, VRING_DESC_F_WRITE);
	memset(ram + DATA_OFF, 'x', 64);
	expect_status(&rw_disk, VIRTIO_BLK_S_OK);
	assert_string_equal((char *)ram + DATA_OFF, "keel-test");
	assert_int_equal(ram[DATA_OFF + VIRTIO_BLK_ID_BYTES], 'x'); /* 20 bytes, no more */
	assert_int_equal(req.used_len, VIRTIO_BLK_ID_BYTES + 1);
	request(VIRTIO_BLK_T_GET_ID, 0, 4, VRING_DESC_F_WRITE); /* a short buffer gets what fits */
	memset(ram + DATA_OFF, 'x', 64);
	expect_status(&rw_disk, VIRTIO_BLK_S_OK);
	assert_int_equal(ram[DATA_OFF + 4], 'x');
}

static void test_parse_odd_framing(void **state)
{
	uint8_t st;
	struct virtio_blk_outhdr h = { .type = VIRTIO_BLK_T_IN, .sector = 5 };

	(void)state;
	assert_int_equal(virtq_enable(&q, &mem, QN), 0);
	/* header split over two descriptors, data and status in one */
	memcpy(ram + HDR_OFF, &h, sizeof(h));
	set_desc(0, gpa(HDR_OFF), 10, VRING_DESC_F_NEXT, 1);
	set_desc(1, gpa(HDR_OFF + 10), 6, VRING_DESC_F_NEXT, 2);
	set_desc(2, gpa(DATA_OFF), 513, VRING_DESC_F_WRITE, 0);
	offer(0);
	assert_int_equal(parse(&rw_disk, &st), VBLK_SUBMIT);
	assert_int_equal(req.sector, 5);
	assert_int_equal(req.nseg, 1);
	assert_int_equal(req.seg[0].len, 512);
	assert_ptr_equal(req.status, ram + DATA_OFF + 512);
	/* header and write data in one descriptor */
	h.type = VIRTIO_BLK_T_OUT;
	memcpy(ram + DATA_OFF, &h, sizeof(h));
	set_desc(0, gpa(DATA_OFF), 16 + 512, VRING_DESC_F_NEXT, 1);
	set_desc(1, gpa(STATUS_OFF), 1, VRING_DESC_F_WRITE, 0);
	offer(0);
	assert_int_equal(parse(&rw_disk, &st), VBLK_SUBMIT);
	assert_ptr_equal(req.seg[0].host, ram + DATA_OFF + 16);
	assert_int_equal(req.data_len, 512);
}

static void test_parse_errors(void **state)
{
	uint8_t st;

	(void)state;
	assert_int_equal(virtq_enable(&q, &mem, QN), 0);
	request(VIRTIO_BLK_T_IN, NSECT, 512, VRING_DESC_F_WRITE); /* at the end */
	expect_status(&rw_disk, VIRTIO_BLK_S_IOERR);
	assert_int_equal(req.used_len, 1);
	request(VIRTIO_BLK_T_IN, NSECT - 1, 1024, VRING_DESC_F_WRITE); /* across it */
	expect_status(&rw_disk, VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_OUT, ~0ULL, 512, 0); /* sector + count would wrap */
	expect_status(&rw_disk, VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_OUT, 0, 512, 0);
	expect_status(&ro_disk, VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_IN, 0, 512, VRING_DESC_F_WRITE); /* reads of a read-only disk are fine */
	assert_int_equal(parse(&ro_disk, &st), VBLK_SUBMIT);
	request(VIRTIO_BLK_T_IN, 0, 100, VRING_DESC_F_WRITE); /* not whole sectors */
	expect_status(&rw_disk, VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_IN, 0, 512, 0); /* IN with a device-readable buffer */
	expect_status(&rw_disk, VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_OUT, 0, 512, VRING_DESC_F_WRITE); /* OUT with a device-writable buffer */
	expect_status(&rw_disk, VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_IN, 0, 0, 0); /* no data */
	expect_status(&rw_disk, VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_FLUSH, 0, 512, 0); /* FLUSH with data */
	expect_status(&rw_disk, VIRTIO_BLK_S_IOERR);
	static const uint32_t unsupported[] = { 2, 3, 5, 11, 13, 0x80000000U, ~0U };
	for (unsigned i = 0; i < ARRAY_LEN(unsupported); i++) {
		request(unsupported[i], 0, 512, 0);
		expect_status(&rw_disk, VIRTIO_BLK_S_UNSUPP);
	}
	/* data buffer outside RAM: IOERR (the status byte is fine) */
	request(VIRTIO_BLK_T_IN, 0, 512, VRING_DESC_F_WRITE);
	desc(1)->addr = 0x1000;
	expect_status(&rw_disk, VIRTIO_BLK_S_IOERR);
	/* a short header */
	request(VIRTIO_BLK_T_IN, 0, 512, VRING_DESC_F_WRITE);
	desc(0)->len = 8;
	expect_status(&rw_disk, VIRTIO_BLK_S_IOERR);
	/* more data segments than SEG_MAX */
	struct virtio_blk_outhdr h = { .type = VIRTIO_BLK_T_IN };
	struct virtq q2 = {
		.num = 512, .desc_gpa = gpa(0x40000), .avail_gpa = gpa(AVAIL_OFF), .used_gpa = gpa(0x50000)
	};
	struct vring_desc *d2 = (struct vring_desc *)(ram + 0x40000);

	memcpy(ram + HDR_OFF, &h, sizeof(h));
	avail()->idx = 0;
	assert_int_equal(virtq_enable(&q2, &mem, 512), 0);
	d2[0] = (struct vring_desc){ gpa(HDR_OFF), 16, VRING_DESC_F_NEXT, 1 };
	for (unsigned i = 1; i <= VBLK_SEG_MAX + 1; i++)
		d2[i] = (struct vring_desc){ gpa(DATA_OFF + 512 * i), 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE,
					     (uint16_t)(i + 1) };
	d2[VBLK_SEG_MAX + 2] = (struct vring_desc){ gpa(STATUS_OFF), 1, VRING_DESC_F_WRITE, 0 };
	avail()->ring[0] = 0;
	avail()->idx = 1;
	assert_int_equal(virtq_pop(&q2, &mem, &chain, VBLK_SEG_MAX + 2), VQ_CHAIN);
	assert_int_equal(vblk_parse(&chain, &rw_disk, &req, &st), VBLK_DONE);
	assert_int_equal(st, VIRTIO_BLK_S_IOERR);
}

/* What the device offers (SIZE_MAX, SEG_MAX) is what it takes: a larger or longer request gets IOERR. */
static void test_parse_offered_limits(void **state)
{
	static const struct vblk_disk small = { .nsectors = NSECT, .size_max = 1024, .seg_max = 2 };
	uint8_t st;

	(void)state;
	assert_int_equal(virtq_enable(&q, &mem, QN), 0);
	request(VIRTIO_BLK_T_IN, 0, 1024, VRING_DESC_F_WRITE); /* a segment of SIZE_MAX */
	assert_int_equal(parse(&small, &st), VBLK_SUBMIT);
	request(VIRTIO_BLK_T_IN, 0, 1536, VRING_DESC_F_WRITE); /* larger than SIZE_MAX */
	expect_status(&small, VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_OUT, 0, 1536, 0);
	expect_status(&small, VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_IN, 0, 1536, VRING_DESC_F_WRITE); /* no SIZE_MAX offered: any size */
	assert_int_equal(parse(&rw_disk, &st), VBLK_SUBMIT);
	/* header, SEG_MAX + 1 data segments of one sector each, status */
	struct virtio_blk_outhdr h = { .type = VIRTIO_BLK_T_IN };

	memcpy(ram + HDR_OFF, &h, sizeof(h));
	set_desc(0, gpa(HDR_OFF), sizeof(h), VRING_DESC_F_NEXT, 1);
	for (unsigned i = 1; i <= small.seg_max + 1; i++)
		set_desc(i, gpa(DATA_OFF + VIRTIO_BLK_SECTOR_SIZE * i), VIRTIO_BLK_SECTOR_SIZE,
			 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, (uint16_t)(i + 1));
	set_desc(small.seg_max + 2, gpa(STATUS_OFF), 1, VRING_DESC_F_WRITE, 0);
	offer(0);
	expect_status(&small, VIRTIO_BLK_S_IOERR);
	desc(small.seg_max)->next = (uint16_t)(small.seg_max + 2); /* SEG_MAX segments: fine */
	offer(0);
	assert_int_equal(parse(&small, &st), VBLK_SUBMIT);
	assert_int_equal(req.nseg, small.seg_max);
}

static void test_parse_broken(void **state)
{
	uint8_t st;

	(void)state;
	assert_int_equal(virtq_enable(&q, &mem, QN), 0);
	request(VIRTIO_BLK_T_IN, 0, 512, VRING_DESC_F_WRITE);
	desc(2)->flags = 0; /* status device-readable */
	assert_int_equal(parse(&rw_disk, &st), VBLK_BROKEN);
	request(VIRTIO_BLK_T_IN, 0, 512, VRING_DESC_F_WRITE);
	desc(2)->addr = 0x1000; /* status outside RAM */
	assert_int_equal(parse(&rw_disk, &st), VBLK_BROKEN);
	request(VIRTIO_BLK_T_IN, 0, 512, VRING_DESC_F_WRITE);
	desc(2)->flags = VRING_DESC_F_WRITE | VRING_DESC_F_NEXT; /* loops back */
	desc(2)->next = 0;
	assert_int_equal(parse(&rw_disk, &st), VBLK_BROKEN);
	assert_int_equal(ram[STATUS_OFF], 0xaa); /* nothing written */
}

/* ---- the device, through its registers ---- */

struct fake_backend {
	struct vblk_req *reqs[VBLK_INFLIGHT];
	int n, kicks, busy;
	uint8_t disk[NSECT * 512];
};

static struct fake_backend fb;
static struct vblk dev;
static int irq_level, irq_raises;

static int fake_submit(void *ctx, struct vblk_req *r)
{
	(void)ctx;
	if (fb.busy)
		return VBLK_BACKEND_BUSY;
	fb.reqs[fb.n++] = r;
	return 0;
}

static void fake_kick(void *ctx)
{
	(void)ctx;
	fb.kicks++;
}

static void set_irq(void *ctx, int level)
{
	(void)ctx;
	/* The guest's handler reads InterruptStatus from the shadow without an exit: it is there first. */
	if (level)
		assert_int_equal(dev.t.shadow[VIRTIO_MMIO_INTERRUPT_STATUS / sizeof(uint32_t)], dev.t.isr);
	irq_raises += level && !irq_level;
	irq_level = level;
}

/* The guest's view (the shadow page) is what trapped reads return: the registers, or every byte (VSHADOW_ALL). */
static void shadow_ok(int what)
{
	unsigned width = 0;
	long off = vshadow_mismatch(&dev.t, what, &width);

	if (off >= 0)
		fail_msg("shadow page differs from a trapped read at offset %#lx, width %u", off, width);
}

static uint32_t rd(unsigned off)
{
	uint64_t v;

	assert_int_equal(virtio_mmio_ops.read(&dev.t, off, 4, &v), MMIO_OK);
	shadow_ok(VSHADOW_REGS);
	return (uint32_t)v;
}

static void wr(unsigned off, uint32_t v)
{
	assert_int_equal(virtio_mmio_ops.write(&dev.t, off, 4, v), MMIO_OK);
	shadow_ok(VSHADOW_REGS);
}

static void dev_up(const struct vblk_disk *disk)
{
	struct vblk_backend be = { fake_submit, fake_kick, NULL };

	memset(&fb, 0, sizeof(fb));
	irq_level = irq_raises = 0;
	vblk_init(&dev, disk, &be, &mem, &chain, set_irq, NULL);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1); /* VERSION_1 */
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	wr(VIRTIO_MMIO_QUEUE_NUM, QN);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)gpa(DESC_OFF));
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)gpa(AVAIL_OFF));
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)gpa(USED_OFF));
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK |
				       VIRTIO_CONFIG_S_DRIVER_OK);
}

static void test_device_registers(void **state)
{
	uint64_t v;

	(void)state;
	dev_up(&ro_disk);
	assert_int_equal(rd(VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
	assert_int_equal(rd(VIRTIO_MMIO_VERSION), VIRTIO_MMIO_VERSION_MODERN);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), VBLK_QUEUE_MAX);
	assert_true(rd(VIRTIO_MMIO_DEVICE_FEATURES) & (1U << VIRTIO_BLK_F_RO));
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1); /* VERSION_1 */
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0xf);
	/* configuration space: capacity at any width, nothing past the end */
	assert_int_equal(virtio_mmio_ops.read(&dev.t, VIRTIO_MMIO_CONFIG, 8, &v), MMIO_OK);
	assert_int_equal(v, NSECT);
	assert_int_equal(virtio_mmio_ops.read(&dev.t, VIRTIO_MMIO_CONFIG, 1, &v), MMIO_OK);
	assert_int_equal(v, NSECT);
	assert_int_equal(virtio_mmio_ops.read(&dev.t, VIRTIO_MMIO_CFG(blk, blk_size), 4, &v), MMIO_OK);
	assert_int_equal(v, 512);
	assert_int_equal(virtio_mmio_ops.read(&dev.t, VIRTIO_MMIO_CONFIG + 0xefc, 4, &v), MMIO_OK);
	assert_int_equal(v, 0);
	/* registers are 32-bit only */
	assert_int_equal(virtio_mmio_ops.read(&dev.t, VIRTIO_MMIO_STATUS, 1, &v), MMIO_FAULT);
	assert_int_equal(virtio_mmio_ops.write(&dev.t, VIRTIO_MMIO_QUEUE_NOTIFY, 2, 0), MMIO_FAULT);
	/* the queue layout is fixed while ready */
	wr(VIRTIO_MMIO_QUEUE_NUM, 2);
	assert_int_equal(dev.t.vq[0].num, QN);
	/* a queue that does not exist */
	wr(VIRTIO_MMIO_QUEUE_SEL, 5);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 5);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0xf);
}

static void test_device_negotiation(void **state)
{
	(void)state;
	dev_up(&rw_disk);
	/* features not offered, and no VERSION_1: FEATURES_OK does not stick */
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1U << VIRTIO_RING_F_EVENT_IDX);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	assert_false(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK);
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	assert_false(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK);
	/* DRIVER_OK without FEATURES_OK */
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_DRIVER_OK);
	assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	/* clearing a status bit */
	dev_up(&rw_disk);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_true(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	/* a queue outside RAM */
	dev_up(&rw_disk);
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, QN);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static void test_device_requests(void **state)
{
	(void)state;
	dev_up(&rw_disk);
	request(VIRTIO_BLK_T_IN, 1, 512, VRING_DESC_F_WRITE);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(fb.n, 1);
	assert_int_equal(fb.kicks, 1);
	assert_int_equal(used()->idx, 0); /* nothing until the backend completes */
	vblk_complete(fb.reqs[0], VIRTIO_BLK_S_OK);
	assert_int_equal(used()->idx, 1);
	assert_int_equal(used()->ring[0].len, 513);
	assert_int_equal(ram[STATUS_OFF], VIRTIO_BLK_S_OK);
	assert_int_equal(irq_level, 1);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(irq_level, 0);
	/* an error answered at once, without the backend */
	request(VIRTIO_BLK_T_IN, NSECT, 512, VRING_DESC_F_WRITE);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(fb.n, 1);
	assert_int_equal(used()->idx, 2);
	assert_int_equal(ram[STATUS_OFF], VIRTIO_BLK_S_IOERR);
	/* a reset while a request is at the backend: its completion is dropped */
	request(VIRTIO_BLK_T_IN, 1, 512, VRING_DESC_F_WRITE);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(fb.n, 2);
	wr(VIRTIO_MMIO_STATUS, 0);
	ram[STATUS_OFF] = 0xaa;
	vblk_complete(fb.reqs[1], VIRTIO_BLK_S_OK);
	assert_int_equal(ram[STATUS_OFF], 0xaa);
	assert_int_equal(used()->idx, 2);
}

static void test_device_backend_busy(void **state)
{
	(void)state;
	dev_up(&rw_disk);
	fb.busy = 1;
	request(VIRTIO_BLK_T_IN, 1, 512, VRING_DESC_F_WRITE);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(fb.n, 0);
	assert_true(dev.blocked);
	fb.busy = 0;
	vblk_retry(&dev);
	assert_int_equal(fb.n, 1);
	vblk_complete(fb.reqs[0], VIRTIO_BLK_S_OK);
	assert_int_equal(used()->idx, 1);
}

static void test_device_inflight_limit(void **state)
{
	(void)state;
	dev_up(&rw_disk);
	/* the guest offers the same head again with each notify: each one takes a slot until none is left */
	set_desc(0, gpa(HDR_OFF), 16, VRING_DESC_F_NEXT, 1);
	set_desc(1, gpa(DATA_OFF), 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	set_desc(2, gpa(STATUS_OFF), 1, VRING_DESC_F_WRITE, 0);
	memset(ram + HDR_OFF, 0, 16);
	for (int round = 0; round < 2 * VBLK_INFLIGHT; round++) {
		offer(0);
		wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	}
	assert_int_equal(fb.n, VBLK_INFLIGHT);
	assert_true(dev.blocked);
	assert_false(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static void test_device_repeated_head(void **state)
{
	(void)state;
	dev_up(&rw_disk);
	/* one notify, a ring's worth naming one head: a driver bug, refused at the second (NEEDS_RESET) */
	request(VIRTIO_BLK_T_IN, 0, 512, VRING_DESC_F_WRITE); /* offers head 0 */
	for (int i = 1; i < QN; i++)
		offer(0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(fb.n, 1);
	assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
}

#define VIRTIO_MMIO_RESERVED (VIRTIO_MMIO_CONFIG_GENERATION - sizeof(uint32_t)) /* no register there */

/* Every kind of state change, the whole page checked after each (rd and wr check the registers too). */
static void test_device_shadow(void **state)
{
	static const uint32_t sels[] = { 0, 1, 2, 0xffffffffU };
	static const unsigned read_only[] = { VIRTIO_MMIO_MAGIC_VALUE,	    VIRTIO_MMIO_VERSION,
					      VIRTIO_MMIO_DEVICE_ID,	    VIRTIO_MMIO_VENDOR_ID,
					      VIRTIO_MMIO_DEVICE_FEATURES,  VIRTIO_MMIO_QUEUE_NUM_MAX,
					      VIRTIO_MMIO_INTERRUPT_STATUS, VIRTIO_MMIO_CONFIG_GENERATION,
					      VIRTIO_MMIO_RESERVED,	    VIRTIO_MMIO_CONFIG,
					      VIRTIO_MMIO_CONFIG + 8,	    VIRTIO_MMIO_WINDOW - 4 };
	uint32_t before[VIRTIO_MMIO_SHADOW_WORDS];

	(void)state;
	dev_up(&ro_disk);
	shadow_ok(VSHADOW_ALL);
	vblk_init(&dev, &rw_disk, &(struct vblk_backend){ fake_submit, fake_kick, NULL }, &mem, &chain, set_irq, NULL);
	shadow_ok(VSHADOW_ALL); /* fresh, without the RO feature */
	/* selectors */
	for (unsigned i = 0; i < sizeof(sels) / sizeof(sels[0]); i++) {
		wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, sels[i]);
		wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, sels[i]);
		wr(VIRTIO_MMIO_QUEUE_SEL, sels[i]);
		shadow_ok(VSHADOW_ALL);
	}
	/* the status sequence and feature negotiation, queue 0 set up in between */
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1); /* VERSION_1 */
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK);
	wr(VIRTIO_MMIO_QUEUE_NUM, QN);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)gpa(DESC_OFF));
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)gpa(AVAIL_OFF));
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)gpa(USED_OFF));
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(dev.t.shadow[VIRTIO_MMIO_QUEUE_READY / sizeof(uint32_t)], 1);
	wr(VIRTIO_MMIO_QUEUE_SEL, 1); /* no such queue: reads 0 */
	assert_int_equal(dev.t.shadow[VIRTIO_MMIO_QUEUE_READY / sizeof(uint32_t)], 0);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK |
				       VIRTIO_CONFIG_S_DRIVER_OK);
	shadow_ok(VSHADOW_ALL);
	/* a request answered from the backend (as from another hart): InterruptStatus, then the ack */
	request(VIRTIO_BLK_T_IN, 1, 512, VRING_DESC_F_WRITE);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	vblk_complete(fb.reqs[0], VIRTIO_BLK_S_OK);
	assert_int_equal(irq_level, 1);
	assert_int_equal(dev.t.shadow[VIRTIO_MMIO_INTERRUPT_STATUS / sizeof(uint32_t)], VIRTIO_MMIO_INT_VRING);
	shadow_ok(VSHADOW_ALL);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(dev.t.shadow[VIRTIO_MMIO_INTERRUPT_STATUS / sizeof(uint32_t)], 0);
	/* the device breaks outside any register write (a retry, as from another hart, finds a broken ring) */
	fb.busy = 1;
	request(VIRTIO_BLK_T_IN, 1, 512, VRING_DESC_F_WRITE);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_true(dev.blocked);
	avail()->idx += 2 * QN; /* more entries than the ring holds */
	fb.busy = 0;
	vblk_retry(&dev);
	assert_true(dev.t.shadow[VIRTIO_MMIO_STATUS / sizeof(uint32_t)] & VIRTIO_CONFIG_S_NEEDS_RESET);
	shadow_ok(VSHADOW_ALL);
	/* writes to read-only registers, the configuration space and holes change nothing the guest sees */
	memcpy(before, dev.t.shadow, sizeof(before));
	for (unsigned i = 0; i < sizeof(read_only) / sizeof(read_only[0]); i++)
		wr(read_only[i], 0x5a5a5a5aU);
	assert_memory_equal(before, dev.t.shadow, sizeof(before));
	/* a protocol error: DEVICE_NEEDS_RESET and the configuration interrupt */
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	assert_true(dev.t.shadow[VIRTIO_MMIO_STATUS / sizeof(uint32_t)] & VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_true(dev.t.shadow[VIRTIO_MMIO_INTERRUPT_STATUS / sizeof(uint32_t)] & VIRTIO_MMIO_INT_CONFIG);
	shadow_ok(VSHADOW_ALL);
	/* a bad queue while setting up: NEEDS_RESET before DRIVER_OK (no interrupt) */
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, QN + 1);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	shadow_ok(VSHADOW_ALL);
	/* the driver's reset, then Keel's (a VM reset) after selectors moved */
	wr(VIRTIO_MMIO_STATUS, 0);
	shadow_ok(VSHADOW_ALL);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	spin_lock(&dev.t.lock);
	virtio_mmio_interrupt(&dev.t, VIRTIO_MMIO_INT_CONFIG); /* pending when the VM resets (found by tests/fuzz) */
	virtio_mmio_unlock(&dev.t);
	virtio_mmio_reset(&dev.t);
	assert_int_equal(dev.t.shadow[VIRTIO_MMIO_INTERRUPT_STATUS / sizeof(uint32_t)], 0);
	assert_int_equal(dev.t.shadow[VIRTIO_MMIO_STATUS / sizeof(uint32_t)], 0);
	shadow_ok(VSHADOW_ALL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enable_checks_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pop_well_formed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pop_bad_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pop_repeated_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pop_upto_stops_early, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pop_bad_chains, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pop_indirect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pop_bad_indirect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pop_too_many_keeps_last, setup, teardown),
		cmocka_unit_test_setup_teardown(test_push, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_odd_framing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_offered_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_broken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_negotiation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_backend_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_inflight_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_repeated_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_shadow, setup, teardown),
	};

	return run_unit_tests(tests);
}
