/* vCPU lifecycle after the seed: create, setup, set entry, set stage-2 root, bind, run, unbind. */
#include "vcpu/vcpu.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/sbi_defs.h"
#include "vcpu/aia.h"
#include "vcpu/fp.h"
#include "vcpu/vector.h"
#include "vcpu/irqs.h"
#include "core/timer.h"
#include "vcpu/timer.h"
#include <string.h>

void _run_guest(struct vcpu_regs *regs);

/*
 * The world switch (vcpu/trap.S). Everything but sp, gp and tp is declared clobbered, so
 * _run_guest saves only those and ra: the compiler keeps whatever it needs across the call.
 */
static inline void run_guest(struct vcpu_regs *regs)
{
	register struct vcpu_regs *a0 __asm__("a0") = regs;

	__asm__ volatile("call _run_guest"
			 : "+r"(a0)
			 :
			 : "ra", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a1", "a2", "a3", "a4", "a5", "a6", "a7",
			   "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "memory");
}

/* hstatus and scounteren stay in the CSRs while the vCPU is bound (vcpu/trap.S). */
static void load_hs_state(const struct vcpu *v)
{
	csr_write(hstatus, v->regs.guest_regs.hstatus);
	csr_write(scounteren, v->regs.guest_regs.scounteren);
}

void vcpu_create(struct vcpu *v, struct vm *vm, unsigned long vcpu_id, unsigned long hart_id, uint64_t dtb_addr)
{
	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->id = vcpu_id;
	v->hart = hart_id;
	v->hsm_state = SBI_HSM_STATE_STOPPED;
	v->timer_deadline = -1UL;
	v->hcounteren = COUNTEREN_CY | COUNTEREN_TM | COUNTEREN_IR;
	v->regs.guest_regs.gprs[GPR_A0] = vcpu_id;
	v->regs.guest_regs.gprs[GPR_A1] = dtb_addr;
	vcpu_aia_attach(v, 0, 0);
	vcpu_vector_reset(v);
}

void vcpu_setup(struct vcpu *v, enum timer_mode timer, int wfi_exits, uint64_t henvcfg)
{
	v->wfi_exits = wfi_exits;
	/* sret lands in VS-mode (SPV) at supervisor level (SPP); FP and V allowed as far as vsstatus says. */
	v->regs.guest_regs.sstatus = SSTATUS_SPP | SSTATUS_FS_INITIAL | (cpu.vlenb ? SSTATUS_VS_INITIAL : 0);
	/* HLV from Keel acts as VS (SPVP); whether a guest WFI traps (VTW): vcpu_wfi_policy. */
	v->regs.guest_regs.hstatus =
		HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_VSXL_64 | (uint64_t)v->aia_file << HSTATUS_VGEIN_SHIFT;
	vcpu_wfi_policy(v);
	/* As OpenSBI does for its payload: U-mode may read cycle, time and instret (Linux's vDSO needs time). */
	v->regs.guest_regs.scounteren = COUNTEREN_CY | COUNTEREN_TM | COUNTEREN_IR;
	v->regs.vs_csrs.vsstatus = 0;
	v->regs.vs_csrs.vstimecmp = -1UL;
	/* SGEIE: a file of a vCPU waiting off its hart wakes it (sched/sched.c sets hgeie for those). */
	v->regs.virtual_hs_csrs.hie = HIP_VS_MASK | (cpu.geilen ? HIE_SGEIE : 0);
	v->timer_mode = timer;
	v->henvcfg = (henvcfg & ~HENVCFG_STCE) | (timer == TIMER_SSTC ? HENVCFG_STCE : 0);
}

void vcpu_wfi_policy(struct vcpu *v)
{
	/*
	 * On a shared hart a guest WFI must trap: the scheduler runs another vCPU meanwhile. A vCPU
	 * alone on its hart has nothing to give way to, so its WFI stays in the guest and the hart
	 * waits there (like KVM, which stops trapping WFI for a vCPU alone on its CPU): the wake-up
	 * is the interrupt itself, with no exit and no re-entry. Keel's own interrupts (timers,
	 * IPIs, devices) still end the wait: they trap to HS-mode as always.
	 */
	if (v->shared || v->wfi_exits)
		v->regs.guest_regs.hstatus |= HSTATUS_VTW;
	else
		v->regs.guest_regs.hstatus &= ~HSTATUS_VTW;
}

void vcpu_set_entry(struct vcpu *v, uint64_t entry)
{
	v->regs.guest_regs.sepc = entry;
}

void vcpu_set_stage2_root(struct vcpu *v, uint64_t hgatp)
{
	v->regs.virtual_hs_csrs.hgatp = hgatp;
}

/*
 * Bind and unbind: the VS CSRs and the hypervisor CSRs that are per vCPU here, then each subsystem's
 * load / put in its own header (timer: vcpu/timer.h, FP: vcpu/fp.h, V: vcpu/vector.h). A new per-vCPU state adds its
 * pair there and one line to each of the two functions below.
 */
void vcpu_bind(struct vcpu *v)
{
	const struct guest_vs_csrs *vs = &v->regs.vs_csrs;

	load_hs_state(v);
	csr_write(hgatp, v->regs.virtual_hs_csrs.hgatp);
	csr_write(hie, v->regs.virtual_hs_csrs.hie);
	csr_write(CSR_HENVCFG, v->henvcfg);
	csr_write(hcounteren, v->hcounteren);
	if (cpu.has_senvcfg)
		csr_write(CSR_SENVCFG, v->senvcfg);
	csr_write(vsstatus, vs->vsstatus);
	csr_write(vsie, vs->vsie);
	csr_write(vstvec, vs->vstvec);
	csr_write(vsscratch, vs->vsscratch);
	csr_write(vsepc, vs->vsepc);
	csr_write(vscause, vs->vscause);
	csr_write(vstval, vs->vstval);
	csr_write(vsatp, vs->vsatp);
	/* Before hvip: QEMU clears VSTIP (the bit hvip shares) when vstimecmp is written with a later deadline. */
	vcpu_timer_load(v);
	csr_write(hvip, v->hvip);
	/*
	 * Another VMID may have run here, or this one on another hart: drop stale VS translations,
	 * and the instructions another VM left in the cache. That also completes any remote fence
	 * asked of v while it was unbound (sched/sched.c marks those done).
	 */
	hfence_vvma_all();
	__asm__ volatile("fence.i" ::: "memory");
	/* Another VM with the same VMID may have run here: none of its G-stage translations may serve v. */
	if (v->vmid_shared) {
		hfence_gvma_vmid(vcpu_vmid(v));
		v->gstage_fences++;
	}
	vcpu_fp_load(v);
	vcpu_vector_load(v);
	vcpu_aia_load(v);
	this_hart()->vcpu = v;
}

void vcpu_unbind(struct vcpu *v)
{
	struct guest_vs_csrs *vs = &v->regs.vs_csrs;

	vs->vsstatus = csr_read(vsstatus);
	vs->vsie = csr_read(vsie);
	vs->vstvec = csr_read(vstvec);
	vs->vsscratch = csr_read(vsscratch);
	vs->vsepc = csr_read(vsepc);
	vs->vscause = csr_read(vscause);
	vs->vstval = csr_read(vstval);
	vs->vsatp = csr_read(vsatp);
	vcpu_timer_put(v);
	v->regs.guest_regs.hstatus = csr_read(hstatus);
	v->regs.guest_regs.scounteren = csr_read(scounteren);
	v->regs.virtual_hs_csrs.hie = csr_read(hie);
	v->regs.virtual_hs_csrs.hgatp = csr_read(hgatp);
	v->hvip = csr_read(hvip);
	v->hcounteren = csr_read(hcounteren);
	if (cpu.has_senvcfg)
		v->senvcfg = csr_swap(CSR_SENVCFG, 0);
	vcpu_fp_put(v);
	vcpu_vector_put(v);
	vcpu_aia_put(v);
	csr_write(hgatp, 0);
	csr_write(hvip, 0);
	this_hart()->vcpu = NULL;
}

void vcpu_reset_for_start(struct vcpu *v, uint64_t entry, uint64_t arg)
{
	uint64_t hgatp = v->regs.virtual_hs_csrs.hgatp;

	memset(v->regs.guest_regs.gprs, 0, sizeof(v->regs.guest_regs.gprs));
	vcpu_setup(v, v->timer_mode, v->wfi_exits, v->henvcfg);
	/*
	 * Bound: the hart's registers may hold what the guest wrote since its last save (vcpu_setup
	 * just dropped sstatus.VS = Dirty): they get the reset image now, or another vCPU that never
	 * used V would find them.
	 */
	if (cpu.vlenb) {
		vcpu_vector_reset(v);
		this_hart()->vector_held = 0; /* what the hart holds is no image: the load below copies */
		vcpu_vector_load(v);
	}
	load_hs_state(v);
	vcpu_set_stage2_root(v, hgatp);
	vcpu_set_entry(v, entry);
	v->regs.guest_regs.gprs[GPR_A0] = v->id;
	v->regs.guest_regs.gprs[GPR_A1] = arg;
	/* SBI spec 9.1: the hart starts with satp = 0 and sstatus.SIE = 0. */
	csr_write(vsatp, 0);
	csr_write(vsstatus, 0);
	csr_write(vsie, 0);
	csr_write(hvip, 0);
	if (cpu.has_senvcfg)
		csr_write(CSR_SENVCFG, 0);
	v->ext_applied = 0; /* sync_ext_irq puts VSEIP back if the vPLIC still drives it */
	vcpu_aia_reset(v);
	if (cpu.has_sstc)
		csr_write(CSR_VSTIMECMP, -1UL);
	v->timer_deadline = -1UL;
	this_hart()->timer_guest = HART_TIMER_OFF;
	v->suspend_non_retentive = 0;
	__atomic_store_n(&v->pending_irqs, 0, __ATOMIC_RELAXED);
	hfence_vvma_all();
}

void vcpu_resume_at(struct vcpu *v, uint64_t entry, uint64_t arg)
{
	/* SBI v2.0 9: only pc, a0, a1, satp = 0 and sstatus.SIE = 0; interrupts and timers stay (6.1). */
	vcpu_set_entry(v, entry);
	v->regs.guest_regs.gprs[GPR_A0] = v->id;
	v->regs.guest_regs.gprs[GPR_A1] = arg;
	csr_write(vsatp, 0);
	csr_clear(vsstatus, SSTATUS_SIE | SSTATUS_VS); /* it resumes with V off, as after a start */
	v->suspend_non_retentive = 0;
	hfence_vvma_all();
}

void vcpu_set_ext_irq(struct vcpu *v, int level)
{
	__atomic_store_n(&v->ext_level, level, __ATOMIC_RELEASE);
	if (this_hart()->vcpu == v)
		vcpu_sync_ext_irq(v);
	else
		hart_kick(v->hart);
}

int vcpu_irq_pending(struct vcpu *v)
{
	unsigned long pending;

	vcpu_apply_irqs(v);
	/* With Sstc, hip.VSTIP follows vstimecmp; a host wfi wakes on it too (hie.VSTIE). */
	pending = csr_read(hip) & HIP_VS_MASK;
	/* vsie holds the guest's enables at S-level bit positions. */
	return (pending & (csr_read(vsie) << VSIP_TO_HVIP_SHIFT)) != 0;
}

uint64_t vcpu_deadline_saved(const struct vcpu *v)
{
	const struct guest_vs_csrs *vs = &v->regs.vs_csrs;

	if (v->timer_mode == TIMER_SBI)
		return v->timer_deadline;
	/* Sstc: vstimecmp compares with time + htimedelta (priv spec 8.2.7). */
	if (!cpu.has_sstc || vs->vstimecmp == -1UL)
		return -1UL;
	return vs->vstimecmp - vs->htimedelta;
}

void vcpu_timer_expire_saved(struct vcpu *v, uint64_t now)
{
	if (v->timer_mode == TIMER_SBI && v->timer_deadline <= now) {
		v->hvip |= HVIP_VSTIP;
		v->timer_deadline = -1UL;
	}
}

int vcpu_irq_pending_saved(struct vcpu *v, uint64_t now)
{
	unsigned long pending = v->hvip | __atomic_load_n(&v->pending_irqs, __ATOMIC_ACQUIRE);

	if (__atomic_load_n(&v->ext_level, __ATOMIC_ACQUIRE) || vcpu_aia_pending(v))
		pending |= HVIP_VSEIP;
	if (vcpu_deadline_saved(v) <= now)
		pending |= HVIP_VSTIP;
	return (pending & (v->regs.vs_csrs.vsie << VSIP_TO_HVIP_SHIFT)) != 0;
}

__attribute__((hot)) void vcpu_raise_irq(struct vcpu *v, unsigned long hvip_bits)
{
	if (this_hart()->vcpu == v) {
		csr_set(hvip, hvip_bits);
		return;
	}
	__atomic_or_fetch(&v->pending_irqs, hvip_bits, __ATOMIC_RELEASE);
	hart_kick(v->hart);
}

void vcpu_clear_irq(struct vcpu *v, unsigned long hvip_bits)
{
	__atomic_and_fetch(&v->pending_irqs, ~hvip_bits, __ATOMIC_RELEASE);
	if (this_hart()->vcpu == v)
		csr_clear(hvip, hvip_bits);
}

void vcpu_request(struct vcpu *v, unsigned long req)
{
	__atomic_or_fetch(&v->requests, req, __ATOMIC_RELEASE);
	if (this_hart()->vcpu != v)
		hart_kick(v->hart);
}

void vcpu_process_fences(struct vcpu *v)
{
	unsigned long asked = __atomic_load_n(&v->fence_asked, __ATOMIC_ACQUIRE);

	if (asked == __atomic_load_n(&v->fence_done, __ATOMIC_RELAXED))
		return;
	hfence_vvma_all();
	__asm__ volatile("fence.i" ::: "memory");
	__atomic_store_n(&v->fence_done, asked, __ATOMIC_RELEASE);
}

unsigned long vcpu_process_requests(struct vcpu *v)
{
	vcpu_process_fences(v);
	return __atomic_exchange_n(&v->requests, 0, __ATOMIC_ACQ_REL);
}

enum exit_reason vcpu_run(struct vcpu *v, struct vcpu_exit *exit)
{
	v->exit_out = exit;
	for (;;) {
		if (__atomic_load_n(&v->requests, __ATOMIC_RELAXED))
			return EXIT_REQUEST;
		if (__atomic_load_n(&v->fence_asked, __ATOMIC_RELAXED) != v->fence_done)
			vcpu_process_fences(v);
		vcpu_apply_irqs(v);
		run_guest(&v->regs);
		if (v->exit_reason != EXIT_NOTHING)
			return v->exit_reason;
	}
}

int vcpu_inject_exception(struct vcpu *v, unsigned long cause, unsigned long tval)
{
	unsigned long vsstatus = csr_read(vsstatus), vstvec = csr_read(vstvec) & ~3UL;
	int from_s = (v->regs.guest_regs.sstatus & SSTATUS_SPP) != 0;

	/* A fault on the first instruction of the guest's own handler would recur forever. */
	if (v->regs.guest_regs.sepc == vstvec)
		return -1;
	/* What the hardware does on a trap into VS-mode (priv spec 4.1.1, 8.6.4). */
	vsstatus &= ~(SSTATUS_SPP | SSTATUS_SPIE);
	if (vsstatus & SSTATUS_SIE)
		vsstatus |= SSTATUS_SPIE;
	if (from_s)
		vsstatus |= SSTATUS_SPP;
	vsstatus &= ~SSTATUS_SIE;
	csr_write(vsstatus, vsstatus);
	csr_write(vsepc, v->regs.guest_regs.sepc);
	csr_write(vscause, cause);
	csr_write(vstval, tval);
	v->regs.guest_regs.sepc = vstvec;
	v->regs.guest_regs.sstatus |= SSTATUS_SPP;
	v->stats[STAT_INJECTED]++;
	return 0;
}

unsigned long guest_read_ulong_va(struct vcpu *v, unsigned long gva, unsigned long *out)
{
	(void)v;
	return hlv_d(gva, out);
}
