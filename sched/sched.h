/*
 * The scheduler of a shared hart: a hart with one vCPU runs it as before (sched/run.c, no tick,
 * no switching); a hart with several runs them from a run queue (sched/runq.h), preempting on a
 * time slice from the host timer.
 */
#ifndef KEEL_SCHED_SCHED_H
#define KEEL_SCHED_SCHED_H

struct hart;
struct vcpu;

/* At VM creation, on the boot hart before the others run: v lives on hart v->hart from now on. */
void sched_add_vcpu(struct vcpu *v);
/* The loop of a hart with several vCPUs; never returns. */
void __attribute__((noreturn)) sched_run_loop(struct hart *h);
/*
 * While this hart waits for another (a remote fence, a VM stopping), do for its unbound vCPUs
 * what only their own hart may: complete their remote fences and take their STOP requests.
 */
void sched_service(struct hart *h);
/* One line per shared hart: switches and ticks, with their cost in instructions (make bench). */
void sched_report(void);

#endif
