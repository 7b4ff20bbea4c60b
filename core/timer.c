/* Named per-hart deadlines on the one host timer (core/timer.h). */
#include "core/timer.h"
#include "arch/riscv/csr.h"

static uint64_t deadline[MAX_HARTS][HART_TIMER_COUNT];
static void (*on_expiry[HART_TIMER_COUNT])(struct hart *h, uint64_t now);
static void (*on_guest_expiry)(struct hart *h, uint64_t now);

static void recompute(struct hart *h)
{
	uint64_t earliest = HART_TIMER_OFF;

	for (int i = 0; i < HART_TIMER_COUNT; i++)
		if (deadline[h->id][i] < earliest)
			earliest = deadline[h->id][i];
	h->timer_keel = earliest;
}

void hart_timer_set(struct hart *h, enum hart_timer which, uint64_t when)
{
	deadline[h->id][which] = when;
	recompute(h);
	hart_timer_program(h);
}

uint64_t hart_timer_get(const struct hart *h, enum hart_timer which)
{
	return deadline[h->id][which];
}

void hart_timer_on_expiry(enum hart_timer which, void (*fn)(struct hart *h, uint64_t now))
{
	on_expiry[which] = fn;
}

void hart_timer_on_guest_expiry(void (*fn)(struct hart *h, uint64_t now))
{
	on_guest_expiry = fn;
}

__attribute__((hot)) void hart_timer_irq(struct hart *h)
{
	uint64_t now = read_time();

	if (h->timer_guest <= now) {
		h->timer_guest = HART_TIMER_OFF;
		if (on_guest_expiry)
			on_guest_expiry(h, now);
	}
	if (h->timer_keel <= now) {
		for (int i = 0; i < HART_TIMER_COUNT; i++) {
			if (deadline[h->id][i] > now)
				continue;
			deadline[h->id][i] = HART_TIMER_OFF;
			if (on_expiry[i])
				on_expiry[i](h, now);
		}
		recompute(h);
	}
	hart_timer_program(h);
}

/* Every hart starts with nothing armed. */
void hart_timers_init(struct hart *h)
{
	for (int i = 0; i < HART_TIMER_COUNT; i++)
		deadline[h->id][i] = HART_TIMER_OFF;
	h->timer_keel = h->timer_guest = HART_TIMER_OFF;
}
