/* Host tests for sched/runq.c: the run queue's weighted fair policy, simulated slice by slice. */
#include "unit.h"
#include <string.h>
#include "sched/runq.h"

#define SLICE 40000 /* 4 ms of a 10 MHz timebase */
#define BONUS(w) (runq_scaled(SLICE, (w)) / 2)
#define GAP(w) (runq_scaled(SLICE, (w)) / 4)

static struct runq q;
static struct runq_entity ent[4];

static int setup(void **state)
{
	(void)state;
	runq_init(&q);
	memset(ent, 0, sizeof(ent));
	for (unsigned i = 0; i < ARRAY_LEN(ent); i++)
		ent[i].weight = 1;
	return 0;
}

/*
 * What a hart does with busy entities: run the pick until the policy says to give way, checking
 * every `step` ticks (the timer's granularity), for `total` ticks; returns each one's ticks.
 */
static void simulate(int n, uint64_t total, uint64_t step, uint64_t *got)
{
	uint64_t t = 0;

	for (int i = 0; i < n; i++)
		got[i] = 0;
	while (t < total) {
		struct runq_entity *cur = runq_pick(&q);
		uint64_t ran = 0;

		assert_non_null(cur);
		do {
			runq_charge(&q, cur, step);
			got[cur - ent] += step;
			ran += step;
			t += step;
		} while (t < total && !runq_should_preempt(&q, cur, ran, SLICE));
	}
}

static void test_empty_and_single(void **state)
{
	(void)state;
	assert_null(runq_pick(&q));
	assert_int_equal(runq_enqueue(&q, &ent[0], 0), 0);
	assert_int_equal(runq_enqueue(&q, &ent[0], 0), -1); /* queued once only */
	assert_ptr_equal(runq_pick(&q), &ent[0]);
	assert_false(runq_has_other(&q, &ent[0]));
	runq_charge(&q, &ent[0], 10 * SLICE);
	/* Alone it never gives way, however long it ran. */
	assert_false(runq_should_preempt(&q, &ent[0], 10 * SLICE, SLICE));
	runq_dequeue(&q, &ent[0]);
	assert_false(ent[0].queued);
	assert_null(runq_pick(&q));
	runq_dequeue(&q, &ent[0]); /* not queued: nothing happens */
	assert_int_equal(q.n, 0);
}

static void test_equal_weights_share_evenly(void **state)
{
	uint64_t got[2];

	(void)state;
	runq_enqueue(&q, &ent[0], 0);
	runq_enqueue(&q, &ent[1], 0);
	simulate(2, 100 * SLICE, SLICE / 8, got);
	assert_int_equal(got[0], 50 * SLICE);
	assert_int_equal(got[1], 50 * SLICE);
}

static void test_slices_alternate(void **state)
{
	(void)state;
	runq_enqueue(&q, &ent[0], 0);
	runq_enqueue(&q, &ent[1], 0);
	/* The first to join runs first; at its slice's end the other (behind or level) takes over. */
	assert_ptr_equal(runq_pick(&q), &ent[0]);
	runq_charge(&q, &ent[0], SLICE / 2);
	assert_false(runq_should_preempt(&q, &ent[0], SLICE / 2, SLICE));
	runq_charge(&q, &ent[0], SLICE / 2);
	assert_true(runq_should_preempt(&q, &ent[0], SLICE, SLICE));
	assert_ptr_equal(runq_pick(&q), &ent[1]);
	runq_charge(&q, &ent[1], SLICE);
	/* Level again: a tie at the slice's end switches, so neither runs two slices in a row. */
	assert_true(runq_should_preempt(&q, &ent[1], SLICE, SLICE));
	assert_ptr_equal(runq_pick(&q), &ent[0]);
}

static void test_weights_set_the_shares(void **state)
{
	uint64_t got[3];

	(void)state;
	ent[0].weight = 3;
	ent[1].weight = 1;
	runq_enqueue(&q, &ent[0], 0);
	runq_enqueue(&q, &ent[1], 0);
	simulate(2, 400 * SLICE, SLICE / 8, got);
	/* 3:1, within one slice */
	assert_in_range(got[0], 300 * SLICE - SLICE, 300 * SLICE + SLICE);
	assert_in_range(got[1], 100 * SLICE - SLICE, 100 * SLICE + SLICE);

	setup(NULL);
	ent[0].weight = 1;
	ent[1].weight = 2;
	ent[2].weight = 5;
	for (int i = 0; i < 3; i++)
		runq_enqueue(&q, &ent[i], 0);
	simulate(3, 800 * SLICE, SLICE / 8, got);
	assert_in_range(got[0], 100 * SLICE - SLICE, 100 * SLICE + SLICE);
	assert_in_range(got[1], 200 * SLICE - SLICE, 200 * SLICE + SLICE);
	assert_in_range(got[2], 500 * SLICE - SLICE, 500 * SLICE + SLICE);
}

static void test_sleeper_cannot_bank_time(void **state)
{
	uint64_t got[2];

	(void)state;
	runq_enqueue(&q, &ent[0], 0);
	simulate(1, 1000 * SLICE, SLICE, got); /* ent[0] alone for a long time */
	runq_enqueue(&q, &ent[1], BONUS(1)); /* ent[1] wakes after sleeping all along */
	assert_true(ent[1].vruntime >= ent[0].vruntime - BONUS(1));
	/* It runs first (it woke behind by the bonus), then they share evenly: no catching up. */
	assert_ptr_equal(runq_pick(&q), &ent[1]);
	simulate(2, 100 * SLICE, SLICE / 8, got);
	assert_in_range(got[1], 50 * SLICE, 51 * SLICE);
}

static void test_wakeup_preempts_before_slice_end(void **state)
{
	(void)state;
	runq_enqueue(&q, &ent[0], 0);
	runq_charge(&q, &ent[0], 10 * SLICE);
	/* A vCPU that wakes (its timer or an IPI) takes over at once, well before the slice's end. */
	runq_enqueue(&q, &ent[1], BONUS(1));
	assert_false(runq_should_preempt(&q, &ent[0], SLICE / 100, SLICE));
	assert_true(runq_wakeup_preempts(&ent[0], &ent[1], GAP(1)));
	assert_false(runq_wakeup_preempts(&ent[0], &ent[0], GAP(1)));
	/* One level with the runner does not: it waits for the slice's end. */
	setup(NULL);
	runq_enqueue(&q, &ent[0], 0);
	runq_enqueue(&q, &ent[1], 0);
	assert_false(runq_wakeup_preempts(&ent[0], &ent[1], GAP(1)));
	assert_true(runq_should_preempt(&q, &ent[0], SLICE, SLICE));
}

static void test_dequeue_keeps_order_and_min(void **state)
{
	(void)state;
	for (int i = 0; i < 4; i++)
		runq_enqueue(&q, &ent[i], 0);
	runq_charge(&q, &ent[0], SLICE);
	runq_dequeue(&q, &ent[1]);
	assert_int_equal(q.n, 3);
	assert_ptr_equal(q.e[0], &ent[0]);
	assert_ptr_equal(q.e[1], &ent[2]);
	assert_ptr_equal(q.e[2], &ent[3]);
	assert_ptr_equal(runq_pick(&q), &ent[2]); /* tie between 2 and 3: the earlier to join */
	assert_true(runq_has_other(&q, &ent[2]));
	runq_charge(&q, &ent[2], SLICE);
	runq_charge(&q, &ent[3], SLICE);
	assert_int_equal(q.min_vruntime, runq_scaled(SLICE, 1));
	/* min_vruntime never goes back, even when the queue empties. */
	for (int i = 0; i < 4; i++)
		runq_dequeue(&q, &ent[i]);
	assert_int_equal(q.min_vruntime, runq_scaled(SLICE, 1));
}

static void test_full_queue_refuses(void **state)
{
	static struct runq_entity many[RUNQ_MAX + 1];

	(void)state;
	for (int i = 0; i < RUNQ_MAX; i++) {
		many[i].weight = 1;
		assert_int_equal(runq_enqueue(&q, &many[i], 0), 0);
	}
	assert_int_equal(runq_enqueue(&q, &many[RUNQ_MAX], 0), -1);
	assert_false(many[RUNQ_MAX].queued);
	assert_int_equal(runq_scaled(SLICE, 0), runq_scaled(SLICE, 1)); /* weight 0 counts as 1 */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_empty_and_single),
		T(test_equal_weights_share_evenly),
		T(test_slices_alternate),
		T(test_weights_set_the_shares),
		T(test_sleeper_cannot_bank_time),
		T(test_wakeup_preempts_before_slice_end),
		T(test_dequeue_keeps_order_and_min),
		T(test_full_queue_refuses),
	};

	return run_unit_tests(tests);
}
