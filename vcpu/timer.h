/*
 * The vCPU's timer. Sstc: the guest's deadline lives in vstimecmp and never exits. SBI timer: Keel
 * keeps the deadline, the hart's timer is armed for it (core/timer.h, its guest deadline), and
 * hvip.VSTIP rises when it passes.
 */
#ifndef KEEL_VCPU_TIMER_H
#define KEEL_VCPU_TIMER_H
#include <stdint.h>
#include "vcpu/vcpu.h"

struct hart;

/* SBI set_timer (and the legacy call). */
void vcpu_timer_set(struct vcpu *v, uint64_t deadline);
/* The bound vCPU's SBI deadline passed on hart h (core/timer.c's guest expiry). */
void vcpu_timer_expired(struct hart *h, uint64_t now);
/* Bind / unbind: htimedelta, vstimecmp, and the SBI deadline on the hart's timer. */
void vcpu_timer_load(struct vcpu *v);
void vcpu_timer_put(struct vcpu *v);

#endif
