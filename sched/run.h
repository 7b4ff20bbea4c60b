/* The steps of a hart's run loop that the scheduler's loop (sched/sched.c) shares with sched/run.c. */
#ifndef KEEL_SCHED_RUN_H
#define KEEL_SCHED_RUN_H
#include "vcpu/vcpu.h"

struct hart;

/* Take START/STOP requests; returns nonzero when the vCPU should (still) run (v bound). */
int vcpu_handle_requests(struct vcpu *v);
/* Act on what vcpu_run returned (v bound); EXIT_HALT parks a pinned vCPU until its wake-up. */
void vcpu_handle_exit(struct hart *h, struct vcpu *v, enum exit_reason reason, struct vcpu_exit *exit);
/* v leaves WFI / HSM suspend: SUSPENDED becomes STARTED, a non-retentive suspend resumes at its address. */
void vcpu_wake_from_halt(struct vcpu *v);

#endif
