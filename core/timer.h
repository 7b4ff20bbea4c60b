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
#include "arch/riscv/hart.h"

#define HART_TIMER_OFF (~0UL)

enum hart_timer {
	HART_TIMER_SLICE, /* the scheduler: a slice end or a sleeping vCPU's wake-up (sched/sched.c) */
	HART_TIMER_HALT, /* a pinned vCPU parked in WFI: its vstimecmp (sched/run.c) */
	HART_TIMER_PAUSE, /* a short wait for another hart (core/hart.c) */
	HART_TIMER_CONSOLE, /* a VM's unfinished console line (board/vconsole.c) */
	HART_TIMER_COUNT
};

/* Set (or with HART_TIMER_OFF clear) one of h's deadlines, on h itself; re-arms the host timer. */
void hart_timer_set(struct hart *h, enum hart_timer which, uint64_t when);
uint64_t hart_timer_get(const struct hart *h, enum hart_timer which);
/* What runs when `which` expires on a hart (set once at boot, the same for every hart). */
void hart_timer_on_expiry(enum hart_timer which, void (*fn)(struct hart *h, uint64_t now));
/* The bound vCPU's SBI deadline (vcpu/timer.c), and what runs when it passes. */
void hart_timer_on_guest_expiry(void (*fn)(struct hart *h, uint64_t now));
/* The host timer interrupt (or its pending bit seen in a wait): run what expired, re-arm. */
void hart_timer_irq(struct hart *h);
/* At a hart's start, before its first deadline. */
void hart_timers_init(struct hart *h);

static inline __attribute__((always_inline)) void hart_timer_program(struct hart *h)
{
	host_timer_set(h->timer_guest < h->timer_keel ? h->timer_guest : h->timer_keel);
}

/* On the exit path (an SBI set_timer): only the guest's deadline moves. */
static inline __attribute__((always_inline)) void hart_timer_set_guest(struct hart *h, uint64_t when)
{
	h->timer_guest = when;
	hart_timer_program(h);
}

#endif
