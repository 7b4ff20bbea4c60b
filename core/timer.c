/* Named per-hart deadlines on the one host timer (core/timer.h). */
#include "core/timer.h"
#include "arch/riscv/csr.h"

uint64_t hart_deadlines[MAX_HARTS][HART_TIMER_COUNT];
static void (*on_expiry[HART_TIMER_COUNT])(struct hart *h, uint64_t now);
static void (*on_guest_expiry)(struct hart *h, uint64_t now);

void hart_timer_recompute(struct hart *h)
{
	uint64_t earliest = HART_TIMER_OFF;

	for (int i = 0; i < HART_TIMER_COUNT; i++)
		if (hart_deadlines[h->id][i] < earliest)
			earliest = hart_deadlines[h->id][i];
	h->timer_keel = earliest;
}

uint64_t hart_timer_get(const struct hart *h, enum hart_timer which)
{
	return hart_deadlines[h->id][which];
}

void hart_timer_on_expiry(enum hart_timer which, void (*fn)(struct hart *h, uint64_t now))
{
	on_expiry[which] = fn;
}

void hart_timer_on_guest_expiry(void (*fn)(struct hart *h, uint64_t now))
{
	on_guest_expiry = fn;
}

/* A guest deadline on a hart whose vCPU nobody registered for (before boot registers it). */
static void no_guest_expiry(struct hart *h, uint64_t now)
{
	(void)h;
	(void)now;
}

__attribute__((hot)) void hart_timer_expire(struct hart *h, uint64_t now)
{
	uint64_t *d = hart_deadlines[h->id], earliest = HART_TIMER_OFF;
	unsigned expired = 0;

	/* Switched off and the earliest of the others found first: the handlers may set deadlines again. */
	for (int i = 0; i < HART_TIMER_COUNT; i++) {
		if (d[i] <= now) {
			expired |= 1u << i;
			d[i] = HART_TIMER_OFF;
		} else if (d[i] < earliest) {
			earliest = d[i];
		}
	}
	h->timer_keel = earliest;
	for (int i = 0; expired; i++, expired >>= 1)
		if ((expired & 1) && on_expiry[i])
			on_expiry[i](h, now);
}

void hart_timer_irq(struct hart *h)
{
	hart_timer_run(h, on_guest_expiry ? on_guest_expiry : no_guest_expiry);
}

/* Every hart starts with nothing armed. */
void hart_timers_init(struct hart *h)
{
	for (int i = 0; i < HART_TIMER_COUNT; i++)
		hart_deadlines[h->id][i] = HART_TIMER_OFF;
	h->timer_keel = h->timer_guest = HART_TIMER_OFF;
}
