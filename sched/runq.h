/*
 * A hart's run queue: the vCPUs that want the hart, ordered by virtual runtime. Pure logic (no
 * CSRs, no locks: only the hart that owns the queue touches it), unit-tested on the host.
 *
 * Each entity's vruntime grows by the time it ran divided by its weight, so equal weights share
 * the hart equally and a weight-3 vCPU gets three times a weight-1 one. The one with the least
 * vruntime runs. A vCPU that slept rejoins at no less than the queue's minimum less a small
 * bonus: it runs soon after its wake-up, but cannot bank the time it slept.
 */
#ifndef KEEL_SCHED_RUNQ_H
#define KEEL_SCHED_RUNQ_H
#include <stdint.h>

#define RUNQ_MAX 32 /* MAX_VMS x MAX_VCPUS_PER_VM: every vCPU on one hart */
#define RUNQ_WEIGHT_UNIT 64 /* vruntime += ticks * RUNQ_WEIGHT_UNIT / weight */

struct runq_entity {
	uint64_t vruntime;
	unsigned weight; /* >= 1 */
	int queued;
};

struct runq {
	struct runq_entity *e[RUNQ_MAX]; /* in the order they joined: ties go to the earliest */
	int n;
	uint64_t min_vruntime; /* the least vruntime in the queue so far; never goes back */
};

void runq_init(struct runq *q);
/* The vruntime units `ticks` of running are worth to an entity of this weight. */
uint64_t runq_scaled(uint64_t ticks, unsigned weight);
/*
 * e wants the hart: it joins at vruntime max(its own, min_vruntime - bonus), bonus in vruntime
 * units. Returns 0, or -1 if e is queued already or the queue is full.
 */
int runq_enqueue(struct runq *q, struct runq_entity *e, uint64_t bonus);
/* e leaves (it sleeps or stopped); no-op if it is not queued. */
void runq_dequeue(struct runq *q, struct runq_entity *e);
/* The entity to run: least vruntime, the earliest to join on a tie; NULL when empty. */
struct runq_entity *runq_pick(const struct runq *q);
/* e ran `ticks` (of the hart's timer): its vruntime grows by them over its weight. */
void runq_charge(struct runq *q, struct runq_entity *e, uint64_t ticks);
/*
 * Whether cur, running for `ran` ticks of its `slice`, gives way now: once its slice is over, to
 * any other queued entity with no more vruntime than cur.
 */
int runq_should_preempt(const struct runq *q, const struct runq_entity *cur, uint64_t ran, uint64_t slice);
/* Whether `woken`, which just joined, takes over from cur at once: it is more than `gap` behind. */
int runq_wakeup_preempts(const struct runq_entity *cur, const struct runq_entity *woken, uint64_t gap);
/* Another queued entity than cur (a slice end needs arming only then). */
int runq_has_other(const struct runq *q, const struct runq_entity *cur);

#endif
