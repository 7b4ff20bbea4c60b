/*
 * Host tests for vdev/vplic.c: the virtual PLIC as a guest sees it (PLIC spec 1.0.0 and QEMU virt's map),
 * driven only through vplic_ops at register offsets, vplic_set_level for devices and, for the randomized
 * test, the MMIO bus. set_output() and completed() are recorded; set_output() also checks on every call
 * that the line of that context changes.
 */
#include "unit.h"
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include "vdev/mmio.h"
#include "vdev/vplic.h"

/* Register map from the PLIC spec (chapter 3) and QEMU virt, independent of vplic.c's names. */
#define PRIO(id) (4UL * (id))
#define PENDING(w) (0x1000UL + 4UL * (w))
#define ENABLE(ctx, w) (0x2000UL + 0x80UL * (unsigned long)(ctx) + 4UL * (w))
#define THRESHOLD(ctx) (0x200000UL + 0x1000UL * (unsigned long)(ctx))
#define CLAIM(ctx) (THRESHOLD(ctx) + 4)

#define NSRC 96 /* ids 0..95, 0 meaning "none" */
#define MAX_EVENTS 64

struct out_event {
	int context, level;
};

/* What the model told its VM. */
static struct {
	int ncontexts; /* as given to vplic_init: contexts set_output may name */
	int level[VPLIC_MAX_CONTEXTS]; /* last level per context */
	struct out_event ev[MAX_EVENTS]; /* first set_output() calls */
	long nev; /* all set_output() calls */
	unsigned completed_ids[MAX_EVENTS]; /* first completed() calls */
	long ncompleted; /* all completed() calls */
	int drop_line; /* what completed() returns */
} rec;

static struct vplic plic;

static void set_output(void *ctx, int context, int level)
{
	assert_ptr_equal(ctx, &rec);
	assert_true(context >= 0 && context < VPLIC_MAX_CONTEXTS && context < rec.ncontexts);
	assert_true(level == 0 || level == 1);
	assert_int_not_equal(level, rec.level[context]); /* only on changes: levels alternate */
	rec.level[context] = level;
	if (rec.nev < MAX_EVENTS)
		rec.ev[rec.nev] = (struct out_event){ context, level };
	rec.nev++;
}

static int completed(void *ctx, unsigned source)
{
	assert_ptr_equal(ctx, &rec);
	assert_true(source > 0 && source < NSRC);
	if (rec.ncompleted < MAX_EVENTS)
		rec.completed_ids[rec.ncompleted] = source;
	rec.ncompleted++;
	return rec.drop_line;
}

static void init(int ncontexts)
{
	memset(&rec, 0, sizeof(rec));
	rec.ncontexts = ncontexts;
	memset(&plic, 0xa5, sizeof(plic));
	vplic_init(&plic, ncontexts, set_output, completed, &rec);
}

static int setup(void **state)
{
	(void)state;
	init(2);
	return 0;
}

static uint64_t rd(unsigned width, uint64_t off)
{
	uint64_t v = 0xdeadbeefdeadbeefUL;

	assert_int_equal(vplic_ops.read(&plic, off, width, &v), MMIO_OK);
	return v;
}

static void wr(unsigned width, uint64_t off, uint64_t v)
{
	assert_int_equal(vplic_ops.write(&plic, off, width, v), MMIO_OK);
}

static uint32_t rd32(uint64_t off)
{
	uint64_t v = rd(4, off);

	assert_true(v <= UINT32_MAX);
	return (uint32_t)v;
}

static void wr32(uint64_t off, uint32_t v)
{
	wr(4, off, v);
}

static void enable(int ctx, unsigned id, int on)
{
	uint32_t w = rd32(ENABLE(ctx, id / 32));

	w = on ? w | 1U << (id % 32) : w & ~(1U << (id % 32));
	wr32(ENABLE(ctx, id / 32), w);
}

static int is_pending(unsigned id)
{
	return (rd32(PENDING(id / 32)) >> (id % 32)) & 1;
}
static unsigned claim(int ctx)
{
	return rd32(CLAIM(ctx));
}
static void complete(int ctx, unsigned id)
{
	wr32(CLAIM(ctx), id);
}

/* A source with a priority, enabled for context ctx. */
static void source(unsigned id, uint32_t prio, int ctx)
{
	wr32(PRIO(id), prio);
	enable(ctx, id, 1);
}

static void expect_event(long i, int context, int level)
{
	assert_true(i < rec.nev && i < MAX_EVENTS);
	assert_int_equal(rec.ev[i].context, context);
	assert_int_equal(rec.ev[i].level, level);
}

/* ---- priority, pending, enables ---- */

static void test_priority_warl_3_bits(void **state)
{
	(void)state;
	for (unsigned id = 1; id < NSRC; id++)
		assert_int_equal(rd32(PRIO(id)), 0);
	wr32(PRIO(1), 0xffffffff);
	assert_int_equal(rd32(PRIO(1)), 7);
	wr32(PRIO(1), 5);
	assert_int_equal(rd32(PRIO(1)), 5);
	wr32(PRIO(1), 8);
	assert_int_equal(rd32(PRIO(1)), 0);
	wr32(PRIO(95), 0x1234567e);
	assert_int_equal(rd32(PRIO(95)), 6);
	assert_int_equal(rd32(PRIO(94)), 0);
	assert_int_equal(rec.nev, 0);
}

static void test_priority_of_source_0(void **state)
{
	(void)state;
	wr32(PRIO(0), 7);
	assert_int_equal(rd32(PRIO(0)), 0);
	wr(1, PRIO(0), 0xff);
	assert_int_equal(rd(1, PRIO(0)), 0);
	wr(8, PRIO(0), 0x0000000300000007UL); /* id 0 ignored, id 1 taken */
	assert_int_equal(rd(8, PRIO(0)), 0x0000000300000000UL);
	assert_int_equal(rd32(PRIO(1)), 3);
}

static void test_pending_reflects_lines_read_only(void **state)
{
	(void)state;
	for (unsigned w = 0; w < 3; w++)
		assert_int_equal(rd32(PENDING(w)), 0);
	vplic_set_level(&plic, 1, 1);
	vplic_set_level(&plic, 33, 1);
	vplic_set_level(&plic, 95, 1);
	assert_int_equal(rd32(PENDING(0)), 1U << 1);
	assert_int_equal(rd32(PENDING(1)), 1U << 1);
	assert_int_equal(rd32(PENDING(2)), 1U << 31);
	/* Read-only: neither clearing nor setting bits sticks. */
	wr32(PENDING(0), 0);
	wr32(PENDING(1), 0xffffffff);
	wr(1, PENDING(2) + 3, 0);
	wr(8, PENDING(0), 0xffffffffffffffffUL);
	assert_int_equal(rd32(PENDING(0)), 1U << 1);
	assert_int_equal(rd32(PENDING(1)), 1U << 1);
	assert_int_equal(rd32(PENDING(2)), 1U << 31);
	/* Source 0 and ids past the last do not exist. */
	vplic_set_level(&plic, 0, 1);
	vplic_set_level(&plic, NSRC, 1);
	vplic_set_level(&plic, 0xffffffffU, 1);
	assert_int_equal(rd32(PENDING(0)), 1U << 1);
	assert_int_equal(rd32(PENDING(3)), 0);
	/* Nothing enabled, nothing signalled. */
	assert_int_equal(rec.nev, 0);
}

static void test_enable_bit_0_hardwired(void **state)
{
	(void)state;
	for (int ctx = 0; ctx < 2; ctx++) {
		wr32(ENABLE(ctx, 0), 0xffffffff);
		assert_int_equal(rd32(ENABLE(ctx, 0)), 0xfffffffe);
		wr(1, ENABLE(ctx, 0), 0xff);
		assert_int_equal(rd32(ENABLE(ctx, 0)), 0xfffffffe);
		wr(2, ENABLE(ctx, 0), 0x0001);
		assert_int_equal(rd32(ENABLE(ctx, 0)), 0xffff0000);
		wr32(ENABLE(ctx, 1), 0xffffffff); /* bit 0 of word 1 is id 32: writable */
		assert_int_equal(rd32(ENABLE(ctx, 1)), 0xffffffff);
		wr32(ENABLE(ctx, 2), 0xffffffff);
		assert_int_equal(rd32(ENABLE(ctx, 2)), 0xffffffff);
	}
}

static void test_enables_route_to_enabled_contexts_2(void **state)
{
	(void)state;
	source(5, 1, 1);
	vplic_set_level(&plic, 5, 1);
	assert_int_equal(rec.nev, 1);
	expect_event(0, 1, 1);
	assert_int_equal(claim(0), 0); /* pending, but not enabled for context 0 */
	assert_true(is_pending(5));
	enable(0, 5, 1);
	assert_int_equal(rec.nev, 2);
	expect_event(1, 0, 1);
	enable(1, 5, 0);
	assert_int_equal(rec.nev, 3);
	expect_event(2, 1, 0);
	assert_int_equal(claim(1), 0);
	assert_int_equal(claim(0), 5);
	assert_int_equal(rec.nev, 4);
	expect_event(3, 0, 0);
}

static void test_enables_route_to_enabled_contexts_3(void **state)
{
	(void)state;
	init(3);
	source(3, 1, 0);
	source(4, 1, 1);
	source(5, 1, 2);
	vplic_set_level(&plic, 4, 1);
	assert_int_equal(rec.nev, 1);
	expect_event(0, 1, 1);
	assert_int_equal(claim(0), 0);
	assert_int_equal(claim(2), 0);
	assert_true(is_pending(4));
	vplic_set_level(&plic, 5, 1);
	assert_int_equal(rec.nev, 2);
	expect_event(1, 2, 1);
	vplic_set_level(&plic, 3, 1);
	assert_int_equal(rec.nev, 3);
	expect_event(2, 0, 1);
	assert_int_equal(claim(2), 5);
	expect_event(3, 2, 0);
	assert_int_equal(claim(1), 4);
	expect_event(4, 1, 0);
	assert_int_equal(claim(0), 3);
	expect_event(5, 0, 0);
	assert_int_equal(rec.nev, 6);
	/* One source enabled for all three contexts: every output rises, the first claim wins it. */
	source(9, 2, 0);
	enable(1, 9, 1);
	enable(2, 9, 1);
	vplic_set_level(&plic, 9, 1);
	assert_int_equal(rec.nev, 9);
	for (int ctx = 0; ctx < 3; ctx++)
		assert_int_equal(rec.level[ctx], 1);
	assert_int_equal(claim(1), 9);
	for (int ctx = 0; ctx < 3; ctx++)
		assert_int_equal(rec.level[ctx], 0);
	assert_int_equal(claim(0), 0);
	assert_int_equal(claim(2), 0);
}

/* ---- threshold, priority 0, claim order ---- */

static void test_threshold_strictly_greater(void **state)
{
	(void)state;
	wr32(THRESHOLD(0), 0xffffffff);
	assert_int_equal(rd32(THRESHOLD(0)), 7);
	wr32(THRESHOLD(0), 3);
	assert_int_equal(rd32(THRESHOLD(0)), 3);
	source(7, 3, 0);
	vplic_set_level(&plic, 7, 1);
	assert_int_equal(rec.nev, 0);
	assert_int_equal(claim(0), 0);
	assert_true(is_pending(7));
	wr32(THRESHOLD(0), 2);
	assert_int_equal(rec.nev, 1);
	expect_event(0, 0, 1);
	wr32(THRESHOLD(0), 7);
	assert_int_equal(rec.nev, 2);
	expect_event(1, 0, 0);
	wr32(PRIO(7), 7); /* priority 7 never exceeds threshold 7 */
	assert_int_equal(rec.nev, 2);
	assert_int_equal(claim(0), 0);
	wr32(THRESHOLD(0), 6);
	assert_int_equal(rec.nev, 3);
	assert_int_equal(claim(0), 7);
	assert_int_equal(rec.nev, 4);
	/* Thresholds are per context. */
	assert_int_equal(rd32(THRESHOLD(1)), 0);
}

static void test_priority_0_never_interrupts(void **state)
{
	(void)state;
	source(12, 0, 0);
	enable(1, 12, 1);
	vplic_set_level(&plic, 12, 1);
	assert_true(is_pending(12));
	assert_int_equal(rec.nev, 0);
	assert_int_equal(claim(0), 0);
	assert_int_equal(claim(1), 0);
	assert_true(is_pending(12));
	wr32(PRIO(12), 1);
	assert_int_equal(rec.nev, 2);
	wr32(PRIO(12), 0); /* lowering the priority back to 0 masks it again */
	assert_int_equal(rec.nev, 4);
	assert_int_equal(rec.level[0], 0);
	assert_int_equal(rec.level[1], 0);
}

static void test_claim_order_priority_then_lowest_id(void **state)
{
	(void)state;
	const unsigned ids[] = { 40, 30, 20, 10, 64, 95 };
	const uint32_t prios[] = { 1, 5, 5, 2, 7, 7 };
	const unsigned order[] = { 64, 95, 20, 30, 10, 40 };

	for (unsigned i = 0; i < ARRAY_LEN(ids); i++) {
		source(ids[i], prios[i], 0);
		vplic_set_level(&plic, ids[i], 1);
	}
	assert_int_equal(rec.nev, 1);
	for (unsigned i = 0; i < ARRAY_LEN(order); i++) {
		assert_true(is_pending(order[i]));
		assert_int_equal(claim(0), order[i]);
		assert_false(is_pending(order[i])); /* a claim clears the pending bit */
		assert_int_equal(rec.level[0], i + 1 < ARRAY_LEN(order));
	}
	assert_int_equal(claim(0), 0);
	assert_int_equal(claim(0), 0);
	assert_int_equal(rec.nev, 2);
	for (unsigned w = 0; w < 3; w++)
		assert_int_equal(rd32(PENDING(w)), 0);
}

/* ---- the gateway: claim and complete ---- */

static void test_claimed_source_not_pending_while_line_high(void **state)
{
	(void)state;
	source(7, 1, 0);
	vplic_set_level(&plic, 7, 1);
	assert_int_equal(claim(0), 7);
	assert_int_equal(rec.level[0], 0);
	vplic_set_level(&plic, 7, 1); /* the device signals again */
	vplic_set_level(&plic, 7, 1);
	assert_false(is_pending(7));
	assert_int_equal(claim(0), 0);
	vplic_set_level(&plic, 7, 0);
	vplic_set_level(&plic, 7, 1);
	assert_false(is_pending(7));
	assert_int_equal(claim(0), 0);
	assert_int_equal(rec.nev, 2);
}

static void test_complete_with_line_high_pends_again(void **state)
{
	(void)state;
	source(7, 1, 0);
	vplic_set_level(&plic, 7, 1);
	assert_int_equal(claim(0), 7);
	complete(0, 7);
	assert_int_equal(rec.ncompleted, 1);
	assert_int_equal(rec.completed_ids[0], 7);
	assert_true(is_pending(7));
	assert_int_equal(rec.level[0], 1);
	assert_int_equal(claim(0), 7);
	assert_int_equal(rec.nev, 4);
	/* Completing twice: the second finds nothing claimed and is ignored. */
	complete(0, 7);
	assert_int_equal(rec.ncompleted, 2);
	complete(0, 7);
	assert_int_equal(rec.ncompleted, 2);
	assert_int_equal(claim(0), 7);
}

static void test_complete_with_line_low_does_not_pend(void **state)
{
	(void)state;
	source(7, 1, 0);
	vplic_set_level(&plic, 7, 1);
	assert_int_equal(claim(0), 7);
	vplic_set_level(&plic, 7, 0);
	complete(0, 7);
	assert_int_equal(rec.ncompleted, 1);
	assert_false(is_pending(7));
	assert_int_equal(rec.level[0], 0);
	assert_int_equal(claim(0), 0);
	vplic_set_level(&plic, 7, 1); /* released by the gateway: a new request gets through */
	assert_true(is_pending(7));
	assert_int_equal(claim(0), 7);
}

static void test_complete_not_enabled_for_context_ignored(void **state)
{
	(void)state;
	source(9, 1, 0);
	vplic_set_level(&plic, 9, 1);
	assert_int_equal(claim(0), 9);
	complete(1, 9); /* 9 is not enabled for context 1 */
	assert_int_equal(rec.ncompleted, 0);
	assert_false(is_pending(9)); /* still claimed: the line being high does not pend it */
	assert_int_equal(claim(0), 0);
	/* Ids that do not exist, and an enabled source that is not claimed. */
	source(10, 1, 0);
	complete(0, 0);
	complete(0, NSRC);
	complete(0, 1000);
	complete(0, 0xffffffff);
	complete(0, 10);
	assert_int_equal(rec.ncompleted, 0);
	assert_false(is_pending(10));
	complete(0, 9);
	assert_int_equal(rec.ncompleted, 1);
	assert_int_equal(rec.completed_ids[0], 9);
	assert_true(is_pending(9));
	/* Completing from another context that has the source enabled is accepted (PLIC spec 8). */
	enable(1, 9, 1);
	assert_int_equal(claim(0), 9);
	complete(1, 9);
	assert_int_equal(rec.ncompleted, 2);
	assert_true(is_pending(9));
}

static void test_completed_hook_drops_line(void **state)
{
	(void)state;
	source(21, 4, 1);
	source(22, 4, 1);
	vplic_set_level(&plic, 21, 1);
	vplic_set_level(&plic, 22, 1);
	assert_int_equal(claim(1), 21);
	rec.drop_line = 1;
	complete(1, 21);
	assert_int_equal(rec.ncompleted, 1);
	assert_int_equal(rec.completed_ids[0], 21);
	assert_false(is_pending(21)); /* the line counts as low now */
	assert_int_equal(claim(1), 22);
	assert_int_equal(claim(1), 0);
	rec.drop_line = 0;
	complete(1, 22);
	assert_int_equal(rec.ncompleted, 2);
	assert_int_equal(rec.completed_ids[1], 22);
	assert_true(is_pending(22)); /* hook said keep it: the line is still high */
	assert_int_equal(claim(1), 22);
	/* The host signals 21 again after its own completion. */
	vplic_set_level(&plic, 21, 1);
	assert_true(is_pending(21));
	assert_int_equal(claim(1), 21);
}

/* A VM reset: pass-through claims still in flight (claimed, or forwarded and pending) are completed. */
static void test_reset_completes_inflight_claims(void **state)
{
	(void)state;
	source(21, 4, 0);
	source(22, 4, 0);
	wr32(THRESHOLD(0), 1);
	vplic_set_level(&plic, 21, 1);
	vplic_set_level(&plic, 22, 1);
	assert_int_equal(claim(0), 21); /* claimed by the guest, not completed; 22 forwarded, pending */
	rec.drop_line = 1;
	vplic_reset(&plic);
	assert_int_equal(rec.ncompleted, 2);
	assert_int_equal(rec.completed_ids[0], 21);
	assert_int_equal(rec.completed_ids[1], 22);
	assert_int_equal(rec.level[0], 0);
	assert_false(is_pending(21));
	assert_false(is_pending(22));
	assert_int_equal(rd(4, PRIO(21)), 0);
	assert_int_equal(rd(4, ENABLE(0, 0)), 0);
	assert_int_equal(rd(4, THRESHOLD(0)), 0);
	/* The gateway holds nothing: the host's next signal gets through to the rebooted guest. */
	source(21, 4, 0);
	vplic_set_level(&plic, 21, 1);
	assert_true(is_pending(21));
	assert_int_equal(claim(0), 21);
}

/* An emulated device's line (completed() keeps it) is the device's: still raised, it pends after a reset. */
static void test_reset_keeps_device_lines(void **state)
{
	(void)state;
	source(10, 1, 0);
	vplic_set_level(&plic, 10, 1);
	assert_int_equal(claim(0), 10);
	rec.drop_line = 0;
	vplic_reset(&plic);
	assert_int_equal(rec.level[0], 0); /* nothing enabled after a reset */
	assert_true(is_pending(10));
	source(10, 1, 0);
	assert_int_equal(rec.level[0], 1);
	assert_int_equal(claim(0), 10);
}

/* Another hart inside the model (forwarding an interrupt) while the VM resets: the reset waits for it. */
static volatile int holder_inside, holder_done;

static void *hold_lock(void *arg)
{
	(void)arg;
	spin_lock(&plic.lock);
	holder_inside = 1;
	usleep(100 * 1000);
	holder_done = 1;
	spin_unlock(&plic.lock);
	return NULL;
}

static void test_reset_waits_for_lock_holder(void **state)
{
	pthread_t t;

	(void)state;
	holder_inside = holder_done = 0;
	assert_int_equal(pthread_create(&t, NULL, hold_lock, NULL), 0);
	while (!holder_inside)
		;
	vplic_reset(&plic);
	assert_true(holder_done); /* the reset took the lock after the holder, it did not wipe it */
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(plic.lock.locked, 0);
	assert_ptr_equal(plic.set_output, set_output);
	assert_ptr_equal(plic.completed, completed);
	assert_int_equal(plic.ncontexts, 2);
}

static void test_set_output_only_on_changes(void **state)
{
	(void)state;
	source(1, 2, 1);
	source(2, 3, 1);
	assert_int_equal(rec.nev, 0);
	vplic_set_level(&plic, 1, 1);
	assert_int_equal(rec.nev, 1);
	expect_event(0, 1, 1);
	/* Changes that leave context 1 with something to claim, and context 0 with nothing. */
	vplic_set_level(&plic, 2, 1);
	vplic_set_level(&plic, 1, 1);
	wr32(PRIO(1), 1);
	wr32(THRESHOLD(0), 5);
	wr32(THRESHOLD(1), 1);
	assert_int_equal(rec.nev, 1);
	assert_int_equal(claim(1), 2); /* 1 (priority 1) is left, at the threshold: the output drops */
	assert_int_equal(rec.nev, 2);
	expect_event(1, 1, 0);
	assert_int_equal(claim(1), 0);
	assert_int_equal(rec.nev, 2);
	wr32(THRESHOLD(1), 0);
	assert_int_equal(rec.nev, 3);
	expect_event(2, 1, 1);
	assert_int_equal(claim(1), 1);
	assert_int_equal(rec.nev, 4);
	expect_event(3, 1, 0);
	assert_int_equal(claim(1), 0);
	complete(1, 5);
	assert_int_equal(rec.nev, 4);
	complete(1, 2); /* line still high: pending again, the output rises */
	assert_int_equal(rec.nev, 5);
	expect_event(4, 1, 1);
	assert_int_equal(rec.level[0], 0);
}

/* ---- access widths ---- */

static void test_claim_register_refuses_other_widths(void **state)
{
	(void)state;
	uint64_t v;

	source(3, 1, 0);
	vplic_set_level(&plic, 3, 1);
	for (int ctx = 0; ctx < 2; ctx++) {
		for (unsigned b = 0; b < 4; b++) {
			v = 0;
			assert_int_equal(vplic_ops.read(&plic, CLAIM(ctx) + b, 1, &v), MMIO_FAULT);
			assert_int_equal(vplic_ops.write(&plic, CLAIM(ctx) + b, 1, 3), MMIO_FAULT);
		}
		for (unsigned b = 0; b < 4; b += 2) {
			assert_int_equal(vplic_ops.read(&plic, CLAIM(ctx) + b, 2, &v), MMIO_FAULT);
			assert_int_equal(vplic_ops.write(&plic, CLAIM(ctx) + b, 2, 3), MMIO_FAULT);
		}
		assert_int_equal(vplic_ops.read(&plic, CLAIM(ctx), 8, &v), MMIO_FAULT);
		assert_int_equal(vplic_ops.write(&plic, CLAIM(ctx), 8, 3), MMIO_FAULT);
	}
	assert_true(is_pending(3)); /* no refused read claimed it */
	assert_int_equal(claim(0), 3);
	for (unsigned b = 0; b < 4; b++)
		assert_int_equal(vplic_ops.write(&plic, CLAIM(0) + b, 1, 3), MMIO_FAULT);
	assert_int_equal(vplic_ops.write(&plic, CLAIM(0), 2, 3), MMIO_FAULT);
	assert_int_equal(rec.ncompleted, 0); /* no refused write completed it */
	complete(0, 3);
	assert_int_equal(rec.ncompleted, 1);
}

/*
 * The only naturally aligned 8-byte access that reaches a claim/complete register starts at the
 * context's threshold: it covers the claim register, which "takes 4-byte accesses only; anything
 * else there is refused" (vplic.c's header). Otherwise an ld reads 0 there without claiming and an
 * sd drops the completion in its upper half, leaving the source claimed for good.
 */
static void test_claim_register_refuses_8_byte_access_from_threshold(void **state)
{
	(void)state;
	uint64_t v = 0x1234;

	source(3, 1, 0);
	wr32(THRESHOLD(0), 0);
	vplic_set_level(&plic, 3, 1);
	assert_int_equal(vplic_ops.read(&plic, THRESHOLD(0), 8, &v), MMIO_FAULT);
	assert_int_equal(vplic_ops.write(&plic, THRESHOLD(0), 8, 0x0000000300000007UL), MMIO_FAULT);
	assert_int_equal(rd32(THRESHOLD(0)), 0); /* a refused write changes nothing */
	assert_true(is_pending(3));
}

static void test_8_byte_access_covers_two_registers(void **state)
{
	(void)state;
	wr(8, PRIO(2), 0x0000000500000003UL);
	assert_int_equal(rd32(PRIO(2)), 3);
	assert_int_equal(rd32(PRIO(3)), 5);
	assert_int_equal(rd(8, PRIO(2)), 0x0000000500000003UL);
	wr(8, PRIO(94), 0xffffffffffffffffUL);
	assert_int_equal(rd(8, PRIO(94)), 0x0000000700000007UL);
	wr(8, ENABLE(1, 0), 0xffffffffffffffffUL);
	assert_int_equal(rd32(ENABLE(1, 0)), 0xfffffffe);
	assert_int_equal(rd32(ENABLE(1, 1)), 0xffffffff);
	assert_int_equal(rd(8, ENABLE(1, 0)), 0xfffffffffffffffeUL);
	assert_int_equal(rd32(ENABLE(0, 0)), 0);
	/* Word 2 is the last enable word: the upper half names nothing. */
	wr(8, ENABLE(1, 2), 0x1234567880000001UL);
	assert_int_equal(rd(8, ENABLE(1, 2)), 0x0000000080000001UL);
	vplic_set_level(&plic, 1, 1);
	vplic_set_level(&plic, 63, 1);
	assert_int_equal(rd(8, PENDING(0)), 0x8000000000000002UL);
	assert_int_equal(rd(8, PENDING(2)), 0);
}

static void test_narrow_enable_access(void **state)
{
	(void)state;
	wr(1, ENABLE(0, 0) + 1, 0xa5);
	assert_int_equal(rd32(ENABLE(0, 0)), 0x0000a500);
	wr(2, ENABLE(0, 0) + 2, 0x1234);
	assert_int_equal(rd32(ENABLE(0, 0)), 0x1234a500);
	wr(1, ENABLE(0, 0) + 3, 0xffffff99); /* only the low byte of the value */
	assert_int_equal(rd32(ENABLE(0, 0)), 0x9934a500);
	wr(1, ENABLE(0, 0), 0xff);
	assert_int_equal(rd32(ENABLE(0, 0)), 0x9934a5fe);
	wr(2, ENABLE(0, 0), 0x0000);
	assert_int_equal(rd32(ENABLE(0, 0)), 0x99340000);
	assert_int_equal(rd(1, ENABLE(0, 0) + 0), 0x00);
	assert_int_equal(rd(1, ENABLE(0, 0) + 2), 0x34);
	assert_int_equal(rd(1, ENABLE(0, 0) + 3), 0x99);
	assert_int_equal(rd(2, ENABLE(0, 0) + 2), 0x9934);
	assert_int_equal(rd(2, ENABLE(0, 0)), 0);
	wr(1, ENABLE(1, 2) + 3, 0x80);
	assert_int_equal(rd32(ENABLE(1, 2)), 0x80000000);
	assert_int_equal(rd32(ENABLE(0, 2)), 0);
	/* A byte-enabled source routes like any other. */
	wr32(PRIO(95), 1);
	vplic_set_level(&plic, 95, 1);
	assert_int_equal(rec.nev, 1);
	expect_event(0, 1, 1);
	/* Narrow accesses of priority and threshold keep their 3-bit rule. */
	wr(1, PRIO(4), 0xff);
	assert_int_equal(rd32(PRIO(4)), 7);
	wr(1, PRIO(4) + 1, 0xff);
	assert_int_equal(rd32(PRIO(4)), 7);
	assert_int_equal(rd(1, PRIO(4) + 1), 0);
	wr(2, THRESHOLD(1), 0x0102);
	assert_int_equal(rd32(THRESHOLD(1)), 2);
	assert_int_equal(rd(2, THRESHOLD(1)), 2);
}

/* ---- offsets that name nothing ---- */

static void expect_no_register(uint64_t off)
{
	static const unsigned widths[] = { 1, 2, 4, 8 };
	struct vplic before = plic;

	for (unsigned i = 0; i < ARRAY_LEN(widths); i++) {
		unsigned w = widths[i];

		assert_int_equal(rd(w, off), 0);
		wr(w, off, 0xffffffffffffffffUL);
		assert_int_equal(rd(w, off), 0);
		wr(w, off, 0x0000000300000003UL);
		if (w == 8)
			continue;
		assert_int_equal(rd(w, off + 4 - w), 0);
		wr(w, off + 4 - w, 0xffffffffffffffffUL);
	}
	assert_memory_equal(&before, &plic, sizeof(plic));
}

static void test_out_of_range_offsets(void **state)
{
	(void)state;
	/* Some state, so "ignored" is visible. */
	source(5, 3, 0);
	source(6, 2, 1);
	vplic_set_level(&plic, 5, 1);
	vplic_set_level(&plic, 6, 1);
	wr32(THRESHOLD(1), 1);

	for (unsigned id = NSRC; id < 0x400; id += 2) /* priorities of sources >= 96 */
		expect_no_register(PRIO(id));
	for (unsigned w = 3; w < 0x3fe; w += 2) /* pending words past the last source */
		expect_no_register(PENDING(w));
	for (int ctx = 0; ctx < 2; ctx++)
		for (unsigned w = 3; w < 31; w++) /* enable words past the last source */
			expect_no_register(ENABLE(ctx, w));
	for (int ctx = 2; ctx < 0x3dfc; ctx += 7) /* enable blocks of contexts that do not exist */
		for (unsigned w = 0; w < 3; w++)
			expect_no_register(ENABLE(ctx, w));
	for (int ctx = 2; ctx < 0x400; ctx++) { /* threshold and claim of contexts that do not exist */
		expect_no_register(THRESHOLD(ctx));
		assert_int_equal(rd32(CLAIM(ctx)), 0);
		wr32(CLAIM(ctx), 5);
		wr32(CLAIM(ctx), 6);
	}
	for (int ctx = 0; ctx < 2; ctx++) /* the rest of a context's page */
		for (uint64_t off = 8; off < 0x1000; off += 0x38)
			expect_no_register(THRESHOLD(ctx) + off);
	expect_no_register(VPLIC_SIZE - 8);
	expect_no_register(0x1ffff8);

	/* Nothing claimed, completed or signalled on the way. */
	assert_int_equal(rec.ncompleted, 0);
	assert_true(is_pending(5));
	assert_true(is_pending(6));
	assert_int_equal(claim(0), 5);
	assert_int_equal(claim(1), 6);
}

static void test_ncontexts_clamped(void **state)
{
	(void)state;
	init(VPLIC_MAX_CONTEXTS + 12);
	assert_int_equal(plic.ncontexts, VPLIC_MAX_CONTEXTS);
	for (int ctx = 0; ctx < VPLIC_MAX_CONTEXTS; ctx++)
		source(11, 1, ctx);
	wr32(ENABLE(VPLIC_MAX_CONTEXTS, 0), 1U << 11);
	wr32(THRESHOLD(VPLIC_MAX_CONTEXTS), 0); /* absent: reads 0 regardless */
	assert_int_equal(rd32(ENABLE(VPLIC_MAX_CONTEXTS, 0)), 0);
	vplic_set_level(&plic, 11, 1);
	assert_int_equal(rec.nev, VPLIC_MAX_CONTEXTS); /* set_output() checks each context is < the limit */
	for (int ctx = 0; ctx < VPLIC_MAX_CONTEXTS; ctx++)
		assert_int_equal(rec.level[ctx], 1);
	assert_int_equal(rd32(CLAIM(VPLIC_MAX_CONTEXTS)), 0);
	assert_true(is_pending(11));
	assert_int_equal(claim(VPLIC_MAX_CONTEXTS - 1), 11);
	assert_int_equal(rec.nev, 2 * VPLIC_MAX_CONTEXTS);

	/* One context: context 1's registers are absent. */
	init(1);
	wr32(ENABLE(1, 0), 0xffffffff);
	wr32(THRESHOLD(1), 7);
	assert_int_equal(rd32(ENABLE(1, 0)), 0);
	assert_int_equal(rd32(THRESHOLD(1)), 0);
	source(2, 1, 0);
	vplic_set_level(&plic, 2, 1);
	assert_int_equal(rd32(CLAIM(1)), 0);
	assert_int_equal(claim(0), 2);
	assert_int_equal(rec.nev, 2);
}

/* ---- randomized accesses through the bus: invariants only ---- */

#define RAND_BASE 0x0c000000UL
#define RAND_CONTEXTS 3
#define RAND_STEPS 6000

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: fixed seed, same sequence everywhere. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dUL;
}

/* The source a claim by ctx must return now, from the registers (PLIC spec 5-7), or 0. */
static unsigned expected_claim(int ctx)
{
	uint32_t pend[3], en[3], thr = rd32(THRESHOLD(ctx)), best_prio = 0;
	unsigned best = 0;

	for (unsigned w = 0; w < 3; w++) {
		pend[w] = rd32(PENDING(w));
		en[w] = rd32(ENABLE(ctx, w));
	}
	for (unsigned id = 1; id < NSRC; id++) {
		uint32_t prio = rd32(PRIO(id));

		if ((pend[id / 32] >> (id % 32) & 1) && (en[id / 32] >> (id % 32) & 1) && prio > thr &&
		    prio > best_prio) {
			best = id;
			best_prio = prio;
		}
	}
	return best;
}

static uint64_t random_offset(void)
{
	uint64_t r = rnd();

	switch (r % 6) {
	case 0:
		return (r >> 8) % 0x200; /* priorities, a few past the last source */
	case 1:
		return PENDING(0) + (r >> 8) % 0x20;
	case 2:
		return ENABLE((r >> 8) % (RAND_CONTEXTS + 1), 0) + (r >> 16) % 0x10;
	case 3:
	case 4:
		return THRESHOLD((r >> 8) % (RAND_CONTEXTS + 1)) + (r >> 16) % 0x10;
	default:
		return (r >> 8) % VPLIC_SIZE;
	}
}

struct random_walk {
	struct mmio_bus bus;
	unsigned claimed[8]; /* recent claims, for completions that match */
	long claims, faults;
};

/* One random access of random width near a register; checks what a claim returns. */
static void random_access(struct random_walk *rw, uint64_t r)
{
	static const unsigned widths[] = { 1, 2, 4, 4, 4, 8, 3, 16 };
	uint64_t off = random_offset(), val;
	unsigned width = widths[r % ARRAY_LEN(widths)];
	int ctx = -1, ret;

	if ((r >> 24) % 8)
		off &= ~(uint64_t)(width - 1); /* mostly aligned */
	if (off >= THRESHOLD(0) && (off - THRESHOLD(0)) % 0x1000 == 4 && width == 4 &&
	    (off - THRESHOLD(0)) / 0x1000 < RAND_CONTEXTS)
		ctx = (int)((off - THRESHOLD(0)) / 0x1000); /* a 4-byte claim or complete */
	if ((r >> 8) & 1) {
		val = rnd();
		if (ctx >= 0 && (val & 1))
			val = rw->claimed[(val >> 1) % ARRAY_LEN(rw->claimed)];
		else if (ctx >= 0)
			val = (val >> 1) % 100;
		rec.drop_line = (r >> 40) & 1;
		ret = mmio_bus_write(&rw->bus, RAND_BASE + off, width, val);
	} else {
		unsigned want = ctx >= 0 ? expected_claim(ctx) : 0;

		val = 0x5a5a5a5a;
		ret = mmio_bus_read(&rw->bus, RAND_BASE + off, width, &val);
		if (ret != MMIO_OK)
			assert_int_equal(val, 0);
		if (ctx >= 0) {
			assert_int_equal(ret, MMIO_OK);
			assert_int_equal(val, want); /* 0, or pending, enabled, above threshold, the best */
			if (val) {
				assert_false(is_pending((unsigned)val)); /* the claim cleared it */
				rw->claimed[rw->claims++ % ARRAY_LEN(rw->claimed)] = (unsigned)val;
			}
		}
	}
	assert_true(ret == MMIO_OK || ret == MMIO_FAULT);
	rw->faults += ret == MMIO_FAULT;
}

/* The enable words' page, which the VM maps read-only for the guest: word for word what trapped reads return. */
static void check_enable_page(void)
{
	const uint32_t *page = (const uint32_t *)(const void *)plic.enable;

	assert_int_equal(sizeof(plic.enable), VPLIC_ENABLE_PAGE);
	assert_int_equal((uintptr_t)page % VPLIC_ENABLE_PAGE, 0);
	for (uint64_t off = 0; off < VPLIC_ENABLE_PAGE; off += 4)
		assert_int_equal(page[off / 4], rd32(VPLIC_ENABLE_BASE + off));
}

static void test_enable_page_is_what_reads_return(void **state)
{
	(void)state;
	check_enable_page();
	/* Every word of the page written with ones: only real contexts' source bits take them. */
	for (uint64_t off = 0; off < VPLIC_ENABLE_PAGE; off += 4)
		wr32(VPLIC_ENABLE_BASE + off, 0xffffffff);
	check_enable_page();
	assert_int_equal(rd32(ENABLE(0, 0)), 0xfffffffe); /* source 0 is hard-wired off */
	assert_int_equal(rd32(ENABLE(1, 2)), 0xffffffff);
	assert_int_equal(rd32(ENABLE(2, 0)), 0); /* no third context */
	assert_int_equal(rd32(ENABLE(0, 3)), 0); /* no sources past 95 */
	wr(1, ENABLE(1, 1) + 2, 0);
	wr(8, ENABLE(0, 0), 0x1234567812345679UL);
	check_enable_page();
	vplic_reset(&plic);
	check_enable_page();
	assert_int_equal(rd32(ENABLE(1, 2)), 0);
}

/* While context 0's line is low, its page is word for word what trapped reads return (the claim reads 0). */
static void check_idle_context_page(void)
{
	assert_int_equal(rec.level[0], 0);
	assert_int_equal((uintptr_t)plic.idle_context_page % VPLIC_CONTEXT_PAGE, 0);
	for (uint64_t off = 0; off < VPLIC_CONTEXT_PAGE; off += 4)
		assert_int_equal(plic.idle_context_page[off / 4], rd32(VPLIC_CONTEXT_BASE + off));
}

static void test_idle_context_page_is_what_reads_return(void **state)
{
	(void)state;
	check_idle_context_page();
	wr32(THRESHOLD(0), 0xffffffff);
	check_idle_context_page();
	assert_int_equal(plic.idle_context_page[0], 7);
	wr32(THRESHOLD(1), 5); /* another context's threshold is not on the page */
	wr32(THRESHOLD(0), 2);
	check_idle_context_page();
	wr32(PRIO(9), 3);
	wr32(ENABLE(0, 0), 1U << 9);
	vplic_set_level(&plic, 9, 1);
	assert_int_equal(rec.level[0], 1); /* claimable: the VM unmaps the page, reads trap */
	assert_int_equal(rd32(CLAIM(0)), 9);
	check_idle_context_page();
	vplic_set_level(&plic, 9, 0);
	wr32(CLAIM(0), 9);
	check_idle_context_page();
	wr(1, THRESHOLD(0), 1);
	check_idle_context_page();
	vplic_reset(&plic);
	check_idle_context_page();
	assert_int_equal(plic.idle_context_page[0], 0);
}

static void test_random_bus_accesses(void **state)
{
	(void)state;
	static struct random_walk rw;

	memset(&rw, 0, sizeof(rw));
	init(RAND_CONTEXTS);
	assert_int_equal(mmio_bus_add(&rw.bus, RAND_BASE, VPLIC_SIZE, &vplic_ops, &plic, "plic"), 0);
	rng_state = 0x9e3779b97f4a7c15UL;
	for (long step = 0; step < RAND_STEPS; step++) {
		uint64_t r = rnd();

		if ((r >> 16) % 4 == 0) /* a device line, ids 0 and >= 96 included */
			vplic_set_level(&plic, (unsigned)((r >> 20) % 100), (r >> 30) & 1);
		else
			random_access(&rw, r);
		/* Each output says whether its context has something to claim (set_output() checks alternation). */
		for (int c = 0; c < RAND_CONTEXTS; c++)
			assert_int_equal(rec.level[c], expected_claim(c) != 0);
	}
	/* The walk reached the interesting parts. */
	assert_true(rw.claims > 20);
	assert_true(rec.ncompleted > 5);
	assert_true(rec.nev > 20);
	assert_true(rw.faults > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_priority_warl_3_bits, setup),
		cmocka_unit_test_setup(test_priority_of_source_0, setup),
		cmocka_unit_test_setup(test_pending_reflects_lines_read_only, setup),
		cmocka_unit_test_setup(test_enable_bit_0_hardwired, setup),
		cmocka_unit_test_setup(test_enables_route_to_enabled_contexts_2, setup),
		cmocka_unit_test_setup(test_enables_route_to_enabled_contexts_3, setup),
		cmocka_unit_test_setup(test_threshold_strictly_greater, setup),
		cmocka_unit_test_setup(test_priority_0_never_interrupts, setup),
		cmocka_unit_test_setup(test_claim_order_priority_then_lowest_id, setup),
		cmocka_unit_test_setup(test_claimed_source_not_pending_while_line_high, setup),
		cmocka_unit_test_setup(test_complete_with_line_high_pends_again, setup),
		cmocka_unit_test_setup(test_complete_with_line_low_does_not_pend, setup),
		cmocka_unit_test_setup(test_complete_not_enabled_for_context_ignored, setup),
		cmocka_unit_test_setup(test_completed_hook_drops_line, setup),
		cmocka_unit_test_setup(test_reset_completes_inflight_claims, setup),
		cmocka_unit_test_setup(test_reset_keeps_device_lines, setup),
		cmocka_unit_test_setup(test_reset_waits_for_lock_holder, setup),
		cmocka_unit_test_setup(test_set_output_only_on_changes, setup),
		cmocka_unit_test_setup(test_claim_register_refuses_other_widths, setup),
		cmocka_unit_test_setup(test_claim_register_refuses_8_byte_access_from_threshold, setup),
		cmocka_unit_test_setup(test_8_byte_access_covers_two_registers, setup),
		cmocka_unit_test_setup(test_narrow_enable_access, setup),
		cmocka_unit_test_setup(test_out_of_range_offsets, setup),
		cmocka_unit_test_setup(test_ncontexts_clamped, setup),
		cmocka_unit_test_setup(test_enable_page_is_what_reads_return, setup),
		cmocka_unit_test_setup(test_idle_context_page_is_what_reads_return, setup),
		cmocka_unit_test_setup(test_random_bus_accesses, setup),
	};

	return run_unit_tests(tests);
}
