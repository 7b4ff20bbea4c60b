/*
 * The scheduler of a shared hart: a hart with one vCPU runs it as before (sched/run.c, no tick,
 * no switching); a hart with several runs them from a run queue (sched/runq.h), preempting on a
 * time slice from the host timer.
 */
#ifndef KEEL_SCHED_SCHED_H
#define KEEL_SCHED_SCHED_H

struct hart;
struct vcpu;

/* Once the VMs are built, on the boot hart before the others run: each vCPU lives on v->hart from now on. */
void sched_add_vms(void);
/* Whether hart h has several vCPUs (and runs the scheduler's loop). */
int sched_shared(const struct hart *h);
/* The loop of a hart with several vCPUs; never returns. */
void __attribute__((noreturn)) sched_run_loop(struct hart *h);
/*
 * While this hart waits for another (a remote fence, a VM stopping), do for its unbound vCPUs
 * what only their own hart may: complete their remote fences and take their STOP requests.
 */
void sched_service(struct hart *h);
/* One line per shared hart: switches and ticks, with their cost in instructions (make bench). */
void sched_report(void);
/* The loop each hart runs for its vCPUs (sched/run.c); never returns. */
void hart_run_loop(void);

#endif
