/*
 * A hart's timer, shared by name: each of Keel's uses (the scheduler's slice, the console's flush,
 * a pause, a parked vCPU's wake-up) has its own deadline per hart, and the bound vCPU's SBI timer
 * has one more; the host timer is armed for the earliest. An expired deadline is switched off
 * and its handler, if one is registered, runs on that hart.
 */
#ifndef KEEL_CORE_TIMER_H
#define KEEL_CORE_TIMER_H
#include <stdint.h>
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"

#define HART_TIMER_OFF (~0UL)

enum hart_timer {
	HART_TIMER_SLICE, /* the scheduler: a slice end or a sleeping vCPU's wake-up (sched/sched.c) */
	HART_TIMER_HALT, /* a pinned vCPU parked in WFI: its vstimecmp (sched/run.c) */
	HART_TIMER_PAUSE, /* a short wait for another hart (core/hart.c) */
	HART_TIMER_CONSOLE, /* a VM's unfinished console line (board/vconsole.c) */
	HART_TIMER_COUNT
};

uint64_t hart_timer_get(const struct hart *h, enum hart_timer which);
/* What runs when `which` expires on a hart (set once at boot, the same for every hart). */
void hart_timer_on_expiry(enum hart_timer which, void (*fn)(struct hart *h, uint64_t now));
/* The bound vCPU's SBI deadline (vcpu/timer.c), and what runs when it passes. */
void hart_timer_on_guest_expiry(void (*fn)(struct hart *h, uint64_t now));
/* The host timer interrupt (or its pending bit seen in a wait): run what expired, re-arm. */
void hart_timer_irq(struct hart *h);
/* Run Keel's deadlines on h that `now` has passed (hart_timer_run's out-of-line half). */
void hart_timer_expire(struct hart *h, uint64_t now);
/* At a hart's start, before its first deadline. */
void hart_timers_init(struct hart *h);

static inline __attribute__((always_inline)) void hart_timer_program(struct hart *h)
{
	host_timer_set(h->timer_guest < h->timer_keel ? h->timer_guest : h->timer_keel);
}

/* Every hart's deadlines (core/timer.c; only hart_timer_set below and that file touch them). */
extern uint64_t hart_deadlines[MAX_HARTS][HART_TIMER_COUNT];
/* h->timer_keel = the earliest of h's deadlines, found again. */
void hart_timer_recompute(struct hart *h);

/*
 * Set (or with HART_TIMER_OFF clear) one of h's deadlines, on h itself; re-arms the host timer.
 * Inline: the scheduler sets its slice on every tick and switch. h->timer_keel is the earliest
 * deadline, so only the earliest one moving later needs a look at all of them.
 */
static inline __attribute__((always_inline)) void hart_timer_set(struct hart *h, enum hart_timer which, uint64_t when)
{
	uint64_t *d = &hart_deadlines[h->id][which], old = *d;

	*d = when;
	if (when <= h->timer_keel)
		h->timer_keel = when;
	else if (old == h->timer_keel)
		hart_timer_recompute(h);
	hart_timer_program(h);
}

/* On the exit path (an SBI set_timer): only the guest's deadline moves. */
static inline __attribute__((always_inline)) void hart_timer_set_guest(struct hart *h, uint64_t when)
{
	h->timer_guest = when;
	hart_timer_program(h);
}

/*
 * hart_timer_irq with the guest's expiry named at compile time: the exit path's timer interrupt
 * (exit/exit.c) calls its vCPU's directly instead of through the registered pointer.
 */
static inline __attribute__((always_inline)) void hart_timer_run(struct hart *h,
								 void (*guest_expired)(struct hart *h, uint64_t now))
{
	uint64_t now = read_time();

	if (h->timer_guest <= now) {
		h->timer_guest = HART_TIMER_OFF;
		guest_expired(h, now);
	}
	if (h->timer_keel <= now)
		hart_timer_expire(h, now);
	hart_timer_program(h);
}

#endif
