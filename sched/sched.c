/*
 * The scheduler of a shared hart (sched/sched.h). Every vCPU has a home hart and runs only there,
 * so all scheduling state is the hart's own: other harts only post interrupts, requests and
 * fences to a vCPU and kick its hart (an IPI; the hart's own SSIP for itself).
 *
 * A vCPU is on its hart's run queue while it wants the hart: started and not halted, halted with
 * an interrupt it enabled pending, or with a request to act on. WFI and HSM suspend take it off
 * (vcpu->halted), HSM stop too. The vCPU with the least weighted runtime runs (sched/runq.c) for its
 * VM's slice; the host timer, which a guest cannot mask (HS interrupts are always on in VS-mode),
 * ends the slice. The same timer is armed for the earliest deadline of the halted vCPUs (SBI
 * timer, or vstimecmp on the Sstc path), and a vCPU that wakes ahead of the running one takes
 * over at once. With nothing to run the hart waits in WFI, the last vCPU still bound (so a vCPU
 * that only napped resumes without a switch).
 *
 * Switching saves the whole state of one vCPU and loads the other's (vcpu_unbind / vcpu_bind):
 * GPRs live in struct vcpu_regs, FP and V lazily by sstatus.FS / VS, every VS CSR, hvip, hgatp with its
 * VMID, henvcfg, hcounteren, htimedelta.
 */
#include "sched/sched.h"
#include "sched/runq.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "core/console.h"
#include "drivers/platform.h"
#include "arch/riscv/sbi_defs.h"
#include "core/hart.h"
#include "core/timer.h"
#include "sched/run.h"
#include "vm/vm.h"
#include <stddef.h>

#define USEC_PER_SEC 1000000UL
/* A vCPU that wakes rejoins at most half a slice behind the queue, and takes over at once when it is more than a quarter slice behind the running one. */
#define WAKE_BONUS_DIV 2
#define WAKE_GAP_DIV 4
_Static_assert(RUNQ_MAX >= MAX_VMS * MAX_VCPUS_PER_VM, "a run queue holds every vCPU");

/* What the scheduler keeps per vCPU (v->sched points here). */
struct sched_entity {
	struct vcpu *v;
	struct runq_entity rq;
	uint64_t slice_ticks;
};

struct hart_sched {
	struct vcpu *members[RUNQ_MAX]; /* every vCPU whose home this hart is */
	int n;
	int shared; /* several vCPUs live here: the scheduler runs this hart */
	int files; /* some have IMSIC guest files (keel,irqchip = "aia"): hgeie follows who waits */
	struct runq rq;
	uint64_t slice_start; /* when the running vCPU's slice began */
	uint64_t charged_at; /* the running vCPU is charged up to here */
	int resched; /* a vCPU woke well ahead of the running one */
	/* For make bench: instructions (instret) per switch, from the exit to the next vCPU's entry, and per tick that kept the vCPU. */
	uint64_t switch_from, switch_insns, tick_insns;
	unsigned long switches, ticks_kept;
};

static struct hart_sched hsched[MAX_HARTS];
static struct sched_entity entities[MAX_VMS * MAX_VCPUS_PER_VM];
static int nentities;

static inline struct vcpu *vcpu_of(struct runq_entity *e)
{
	return ((struct sched_entity *)((char *)e - offsetof(struct sched_entity, rq)))->v;
}

int sched_shared(const struct hart *h)
{
	return hsched[h->id].shared;
}

static void add_vcpu(struct vcpu *v)
{
	struct hart_sched *s = &hsched[v->hart];
	struct hart *h = &harts[v->hart];

	v->sched = &entities[nentities++];
	v->sched->v = v;
	v->sched->rq.weight = v->vm->cfg.weight;
	v->sched->slice_ticks = (uint64_t)v->vm->cfg.slice_us * platform.timebase / USEC_PER_SEC;
	if (!v->sched->slice_ticks)
		v->sched->slice_ticks = 1;
	s->members[s->n++] = v;
	s->files |= v->aia_file != 0;
	if (s->n == 1) {
		h->vcpu = v; /* alone: run as a pinned vCPU (sched/run.c) */
		return;
	}
	h->vcpu = NULL;
	s->shared = 1;
	for (int i = 0; i < s->n; i++) {
		s->members[i]->shared = 1;
		s->members[i]->irq_exit = EXIT_KICK;
		vcpu_wfi_policy(s->members[i]);
	}
}

void sched_add_vms(void)
{
	for (int i = 0; i < nvms; i++)
		for (int c = 0; c < vms[i].nvcpus; c++)
			add_vcpu(vms[i].vcpus[c]);
}

static int hsm_state(const struct vcpu *v)
{
	return __atomic_load_n(&v->hsm_state, __ATOMIC_ACQUIRE);
}

/* What only v's hart may do for an unbound v: fences (its next vcpu_bind flushes) and STOP. */
static void service_unbound(struct vcpu *v)
{
	unsigned long asked = __atomic_load_n(&v->fence_asked, __ATOMIC_ACQUIRE);

	if (asked != __atomic_load_n(&v->fence_done, __ATOMIC_RELAXED))
		__atomic_store_n(&v->fence_done, asked, __ATOMIC_RELEASE);
	if (!(__atomic_load_n(&v->requests, __ATOMIC_ACQUIRE) & VCPU_REQ_STOP))
		return;
	/* As vcpu_handle_requests does: a STOP wins over a START posted with it. */
	__atomic_exchange_n(&v->requests, 0, __ATOMIC_ACQ_REL);
	v->halted = 0;
	__atomic_store_n(&v->hsm_state, SBI_HSM_STATE_STOPPED, __ATOMIC_RELEASE);
}

void sched_service(struct hart *h)
{
	struct hart_sched *s = &hsched[h->id];

	if (!s->shared)
		return;
	for (int i = 0; i < s->n; i++)
		if (s->members[i] != h->vcpu)
			service_unbound(s->members[i]);
}

static int wants_hart(struct hart *h, struct vcpu *v, uint64_t now)
{
	int state;

	if (__atomic_load_n(&v->requests, __ATOMIC_ACQUIRE))
		return 1;
	state = hsm_state(v);
	if (state != SBI_HSM_STATE_STARTED && state != SBI_HSM_STATE_SUSPENDED)
		return 0;
	if (!v->halted)
		return 1;
	return v == h->vcpu ? vcpu_irq_pending(v) : vcpu_irq_pending_saved(v, now);
}

/*
 * The guest interrupt files whose interrupt is to wake their vCPU (SGEI): those of the vCPUs
 * waiting for one they enabled, not queued, other than `running` (about to enter the guest: there
 * its file is its VSEIP, through hstatus.VGEIN). The bound vCPU's file is among them while it
 * waits: QEMU wakes a hart from WFI for its VGEIN file only while V=1, and for hgeie always.
 */
static unsigned long file_wakers(struct hart *h, const struct hart_sched *s, const struct vcpu *running)
{
	unsigned long files = 0;

	for (int i = 0; i < s->n; i++) {
		const struct vcpu *v = s->members[i];
		unsigned long vsie = v == h->vcpu ? csr_read(vsie) : v->regs.vs_csrs.vsie;

		if (v != running && v->aia_file && v->halted && !v->sched->rq.queued && (vsie & SIE_SEIE))
			files |= BIT(v->aia_file);
	}
	return files;
}

/* Each vCPU joins or leaves the run queue as it now wants the hart or not. */
static void update(struct hart *h, struct hart_sched *s, uint64_t now)
{
	struct vcpu *cur = h->vcpu;

	for (int i = 0; i < s->n; i++) {
		struct vcpu *v = s->members[i];
		struct sched_entity *e = v->sched;
		int want;

		if (v == cur) {
			vcpu_process_fences(v);
		} else {
			service_unbound(v);
			vcpu_timer_expire_saved(v, now);
		}
		want = wants_hart(h, v, now);
		if (want && !e->rq.queued) {
			runq_enqueue(&s->rq, &e->rq, runq_scaled(e->slice_ticks, e->rq.weight) / WAKE_BONUS_DIV);
			if (cur && !cur->halted && cur->sched->rq.queued &&
			    runq_wakeup_preempts(&cur->sched->rq, &e->rq,
						 runq_scaled(cur->sched->slice_ticks, cur->sched->rq.weight) /
							 WAKE_GAP_DIV))
				s->resched = 1;
		} else if (!want && e->rq.queued) {
			runq_dequeue(&s->rq, &e->rq);
		}
	}
	if (s->files)
		csr_write(CSR_HGEIE, file_wakers(h, s, NULL));
}

/* When a halted vCPU's timer fires (only those still ahead: a past one has woken it or is masked). */
static uint64_t sleeper_deadline(struct hart *h, const struct vcpu *v, uint64_t now)
{
	uint64_t d;

	if (!v->halted || v->sched->rq.queued)
		return -1UL;
	if (v != h->vcpu)
		d = vcpu_deadline_saved(v);
	else if (v->timer_mode == TIMER_SSTC && cpu.has_sstc)
		d = csr_read(CSR_VSTIMECMP) - csr_read(htimedelta);
	else
		return -1UL; /* bound, SBI timer: the hart's guest deadline has it */
	return d > now ? d : -1UL;
}

/* Arm the hart's timer for the running vCPU's slice end (if another wants the hart) and the sleepers. */
static void arm(struct hart *h, struct hart_sched *s, const struct vcpu *running, uint64_t now)
{
	uint64_t d = -1UL;

	for (int i = 0; i < s->n; i++) {
		uint64_t sd = sleeper_deadline(h, s->members[i], now);

		if (sd < d)
			d = sd;
	}
	if (running) {
		const struct sched_entity *e = running->sched;

		if (runq_has_other(&s->rq, &e->rq) && s->slice_start + e->slice_ticks < d)
			d = s->slice_start + e->slice_ticks;
	}
	hart_timer_set(h, HART_TIMER_SLICE, d);
}

static void charge(struct hart_sched *s, struct vcpu *v, uint64_t now)
{
	runq_charge(&s->rq, &v->sched->rq, now - s->charged_at);
	s->charged_at = now;
}

/* The host timer or an IPI ended a guest run: returns nonzero when v gives way. */
static int tick(struct hart *h, struct hart_sched *s, struct vcpu *v)
{
	uint64_t now = read_time(), from = csr_read(instret);
	struct sched_entity *e = v->sched;

	charge(s, v, now);
	update(h, s, now);
	if (s->resched || runq_should_preempt(&s->rq, &e->rq, now - s->slice_start, e->slice_ticks)) {
		s->switch_from = from;
		return 1;
	}
	/* Still the one to run (its weight, or nobody else): a new slice. */
	if (now - s->slice_start >= e->slice_ticks)
		s->slice_start = now;
	arm(h, s, v, now);
	s->tick_insns += csr_read(instret) - from;
	s->ticks_kept++;
	return 0;
}

static void run_slice(struct hart *h, struct hart_sched *s, struct vcpu *v)
{
	struct vcpu_exit exit;
	uint64_t now = read_time();

	s->slice_start = s->charged_at = now;
	s->resched = 0;
	arm(h, s, v, now);
	if (s->switch_from) {
		s->switch_insns += csr_read(instret) - s->switch_from;
		s->switches++;
		s->switch_from = 0;
	}
	for (;;) {
		enum exit_reason reason;

		if (v->halted)
			vcpu_wake_from_halt(v);
		if ((__atomic_load_n(&v->requests, __ATOMIC_ACQUIRE) || hsm_state(v) != SBI_HSM_STATE_STARTED) &&
		    !vcpu_handle_requests(v))
			break;
		reason = vcpu_run(v, &exit);
		if (reason == EXIT_HALT) {
			if (vcpu_irq_pending(v) || __atomic_load_n(&v->requests, __ATOMIC_ACQUIRE)) {
				vcpu_wake_from_halt(v);
				continue;
			}
			v->halted = 1; /* off the queue (update) until its wake-up */
			break;
		}
		vcpu_handle_exit(h, v, reason, &exit);
		if ((reason == EXIT_KICK || reason == EXIT_REQUEST) && tick(h, s, v))
			break;
	}
	charge(s, v, read_time());
}

void sched_report(void)
{
	for (int i = 0; i < MAX_HARTS; i++) {
		const struct hart_sched *s = &hsched[i];

		if (!s->shared)
			continue;
		unsigned long fences = 0;

		for (int m = 0; m < s->n; m++)
			fences += s->members[m]->gstage_fences;
		kprintf("keel: hart %d scheduler: %lu switches, %lu instret each (exit to the next vCPU's entry); "
			"%lu ticks kept the vCPU, %lu instret each (instructions under -icount); %lu G-stage fences "
			"(shared VMIDs)\n",
			i, s->switches, s->switches ? (unsigned long)(s->switch_insns / s->switches) : 0, s->ticks_kept,
			s->ticks_kept ? (unsigned long)(s->tick_insns / s->ticks_kept) : 0, fences);
	}
}

void sched_run_loop(struct hart *h)
{
	struct hart_sched *s = &hsched[h->id];

	for (;;) {
		uint64_t now = read_time();
		struct runq_entity *e;
		struct vcpu *v;

		update(h, s, now);
		e = runq_pick(&s->rq);
		if (!e) {
			/* Nothing wants the hart: sleep until a sleeper's deadline, an IPI or a device. */
			arm(h, s, NULL, now);
			hart_wait(h);
			continue;
		}
		v = vcpu_of(e);
		if (v != h->vcpu) {
			if (h->vcpu)
				vcpu_unbind(h->vcpu);
			vcpu_bind(v);
			/* The vCPU switched out may be waiting on its file: it wakes through SGEI now. */
			if (s->files)
				csr_write(CSR_HGEIE, file_wakers(h, s, v));
		} else {
			s->switch_from = 0; /* preempted, but picked again: no switch to count */
		}
		run_slice(h, s, v);
	}
}
