/* The run queue's policy (sched/runq.h): weighted virtual runtime, least runs first. */
#include "sched/runq.h"
#include <stddef.h>

void runq_init(struct runq *q)
{
	q->n = 0;
	q->min_vruntime = 0;
}

uint64_t runq_scaled(uint64_t ticks, unsigned weight)
{
	return ticks * RUNQ_WEIGHT_UNIT / (weight ? weight : 1);
}

static void update_min(struct runq *q)
{
	struct runq_entity *least = runq_pick(q);

	if (least && least->vruntime > q->min_vruntime)
		q->min_vruntime = least->vruntime;
}

int runq_enqueue(struct runq *q, struct runq_entity *e, uint64_t bonus)
{
	uint64_t floor = q->min_vruntime > bonus ? q->min_vruntime - bonus : 0;

	if (e->queued || q->n == RUNQ_MAX)
		return -1;
	if (e->vruntime < floor)
		e->vruntime = floor;
	e->queued = 1;
	q->e[q->n++] = e;
	return 0;
}

void runq_dequeue(struct runq *q, struct runq_entity *e)
{
	for (int i = 0; i < q->n; i++) {
		if (q->e[i] != e)
			continue;
		for (int j = i + 1; j < q->n; j++)
			q->e[j - 1] = q->e[j];
		q->n--;
		e->queued = 0;
		update_min(q);
		return;
	}
}

struct runq_entity *runq_pick(const struct runq *q)
{
	struct runq_entity *best = NULL;

	for (int i = 0; i < q->n; i++)
		if (!best || q->e[i]->vruntime < best->vruntime)
			best = q->e[i];
	return best;
}

void runq_charge(struct runq *q, struct runq_entity *e, uint64_t ticks)
{
	e->vruntime += runq_scaled(ticks, e->weight);
	update_min(q);
}

int runq_should_preempt(const struct runq *q, const struct runq_entity *cur, uint64_t ran, uint64_t slice)
{
	if (ran < slice)
		return 0;
	for (int i = 0; i < q->n; i++)
		if (q->e[i] != cur && q->e[i]->vruntime <= cur->vruntime)
			return 1;
	return 0;
}

int runq_wakeup_preempts(const struct runq_entity *cur, const struct runq_entity *woken, uint64_t gap)
{
	return woken != cur && woken->vruntime + gap < cur->vruntime;
}

int runq_has_other(const struct runq *q, const struct runq_entity *cur)
{
	return q->n > 1 || (q->n == 1 && q->e[0] != cur);
}
