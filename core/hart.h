/* What one hart does for another, and how it waits: kick, wait, pause. */
#ifndef KEEL_CORE_HART_H
#define KEEL_CORE_HART_H
#include "arch/riscv/hart.h"

/* Make hart `hart` look at its vCPUs: an IPI, or for this hart its own SSIP (taken on guest entry). */
void hart_kick(unsigned long hart);
/* Sleep until something arrives for this hart (IPI, timer, device), then take it in. */
void hart_wait(struct hart *h);
/*
 * Wait a little (a timer, or any interrupt, ends it) in a loop that waits for another hart:
 * a busy loop would keep a single-threaded QEMU (-icount) from ever running the other hart.
 * First it does what this hart owes others meanwhile (hart_on_pause: the scheduler's unbound vCPUs).
 */
#define HART_PAUSE_TICKS 100 /* 10 us at QEMU virt's 10 MHz timebase */
void hart_pause(void);
void hart_on_pause(void (*fn)(struct hart *h));

#endif
