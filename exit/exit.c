/*
 * The exit path: vcpu_exit_fast (every exit, from trap.S), the vmexit dispatcher (seed:
 * vmexit_handler) that reads the trap CSRs and routes each exit but the ecall, and the emulation
 * of device accesses.
 */
#include "exit/exit.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "core/irq.h"
#include "core/timer.h"
#include "sbi/sbi.h"
#include "vcpu/insn.h"
#include "vcpu/irqs.h"
#include "vcpu/timer.h"
#include "vcpu/vcpu.h"
#include "vcpu/vswalk.h"
#include "vdev/mmio.h"
#include "vm/guest.h"

enum exit_reason vmexit_handler(struct vcpu *v, struct vcpu_exit *exit);

static enum exit_reason inject_or_stop(struct vcpu *v, unsigned long cause, unsigned long tval, struct vcpu_exit *exit)
{
	if (!vcpu_inject_exception(v, cause, tval))
		return EXIT_NOTHING;
	exit->fatal.cause = cause;
	exit->fatal.tval = tval;
	return EXIT_GUEST_FATAL;
}

/* Fetch the instruction at the guest's sepc (hlvx_insn: 16 bits, or 32 when its low bits say so). */
static inline unsigned long fetch_insn(struct vcpu *v, unsigned long *insn)
{
	return hlvx_insn(v->regs.guest_regs.sepc, insn);
}

/* A fault while Keel reads guest memory on the guest's behalf becomes the guest's own fault. */
static enum exit_reason reflect_fetch_fault(struct vcpu *v, unsigned long cause, struct vcpu_exit *exit)
{
	switch (cause) {
	case EXC_INST_PAGE_FAULT:
	case EXC_INST_ACCESS:
		return inject_or_stop(v, cause, v->regs.guest_regs.sepc, exit);
	case EXC_LOAD_PAGE_FAULT:
		return inject_or_stop(v, EXC_INST_PAGE_FAULT, v->regs.guest_regs.sepc, exit);
	default:
		/* Stage-2 fault or access fault on our own fetch: the VM's memory map is broken. */
		exit->fatal.cause = cause;
		exit->fatal.tval = v->regs.guest_regs.sepc;
		return EXIT_GUEST_FATAL;
	}
}

static enum exit_reason virtual_instruction(struct vcpu *v, struct vcpu_exit *exit)
{
	unsigned long insn, err;

	/*
	 * QEMU 7.2 fills stval for this exception from the last instruction it translated,
	 * not the one that trapped (seen with WFI), so the instruction is always fetched.
	 */
	err = fetch_insn(v, &insn);
	if (err)
		return reflect_fetch_fault(v, err, exit);
	if (insn == INSN_WFI) {
		/* Priv spec 3.3.3: WFI from U-mode is illegal (hstatus.SPVP is the mode that trapped). */
		if (!(csr_read(hstatus) & HSTATUS_SPVP))
			return inject_or_stop(v, EXC_ILLEGAL_INST, insn, exit);
		vcpu_advance_pc(v, insn_length(insn));
		return EXIT_HALT;
	}
	if (insn == INSN_WRS_NTO) {
		/*
		 * Zawrs: under hstatus.VTW a WRS.NTO that would wait traps here. Its wait may end at
		 * any time (the spec allows it), so it ends now; on a shared hart the scheduler looks
		 * first, as for a WFI it lets others run.
		 */
		vcpu_advance_pc(v, insn_length(insn));
		return v->irq_exit;
	}
	/* Everything else VS-mode may not do is, to the guest, an illegal instruction. */
	return inject_or_stop(v, EXC_ILLEGAL_INST, insn, exit);
}

/* s0-s11: trap.S saves them only for exits that leave the loop. */
#define GPR_BIT(r) (1UL << (r))
#define GPRS_CALLEE_SAVED                                                                                            \
	(GPR_BIT(GPR_S0) | GPR_BIT(GPR_S1) | GPR_BIT(GPR_S2) | GPR_BIT(GPR_S3) | GPR_BIT(GPR_S4) | GPR_BIT(GPR_S5) | \
	 GPR_BIT(GPR_S6) | GPR_BIT(GPR_S7) | GPR_BIT(GPR_S8) | GPR_BIT(GPR_S9) | GPR_BIT(GPR_S10) | GPR_BIT(GPR_S11))

/* One decoded device access, carried out: the register gets the value (load) or gives it (store). */
static inline __attribute__((always_inline)) enum exit_reason mmio_do(struct vcpu *v, const struct mmio_region *region,
								      uint64_t gpa, const struct mmio_insn *mi,
								      int store, struct vcpu_exit *exit)
{
	int r;

	if (store) {
		uint64_t data = vcpu_gpr(v, mi->reg);

		if (mi->width < sizeof(data))
			data &= (1UL << (8 * mi->width)) - 1;
		r = mmio_found_write(region, gpa, mi->width, data);
	} else {
		uint64_t val;

		r = mmio_found_read(region, gpa, mi->width, &val);
		if (r != MMIO_FAULT)
			vcpu_set_gpr(v, mi->reg, insn_extend_load(mi, val));
	}
	if (r == MMIO_OK) {
		vcpu_advance_pc(v, mi->len);
		return EXIT_NOTHING;
	}
	if (r == MMIO_FAULT) {
		/* Refused by the device (width, offset): an access fault at the instruction. */
		if (!vcpu_inject_exception(v, store ? EXC_STORE_ACCESS : EXC_LOAD_ACCESS, v->regs.trap_csrs.stval))
			return EXIT_NOTHING;
		exit->stop.why = "device access fault inside the guest's own trap handler";
		return EXIT_VM_STOP;
	}
	vcpu_advance_pc(v, mi->len);
	if (r == MMIO_POWEROFF) {
		exit->stop.why = "guest wrote power-off to its syscon";
		return EXIT_VM_STOP;
	}
	return r == MMIO_RESET ? EXIT_SYSTEM_REBOOT : EXIT_NOTHING;
}

enum exit_reason vcpu_mmio_complete(struct vcpu *v, enum exit_reason kind, struct vcpu_exit *exit)
{
	return mmio_do(v, exit->mmio.region, exit->mmio.addr, &exit->mmio.insn, kind == EXIT_MMIO_WRITE, exit);
}

/* The access fault a device access turns into when it cannot be emulated. */
static enum exit_reason device_fault(struct vcpu *v, struct vcpu_exit *exit)
{
	unsigned long cause =
		v->regs.trap_csrs.scause == EXC_LOAD_GUEST_PAGE_FAULT ? EXC_LOAD_ACCESS : EXC_STORE_ACCESS;

	return inject_or_stop(v, cause, v->regs.trap_csrs.stval, exit);
}

/*
 * The instruction behind a device access: htinst when the hardware transformed it (QEMU 9.2 and
 * later), else fetched and decoded. A driver's accesses come from a few instructions, so the last
 * decoding is kept by its bits (the key is the instruction itself, so a changed one is never taken
 * for the old). A transformed instruction is a key of its own: a 32-bit one decodes as the raw
 * instruction with the same bits would, and one of a compressed instruction (low bits 01, above
 * 16 bits) equals no raw instruction. Returns the decoding, or NULL with *err the fault of the fetch.
 */
static inline const struct mmio_insn *mmio_decode(struct vcpu *v, unsigned long *err)
{
	unsigned long raw, htinst = v->regs.trap_csrs.htinst;

	if (htinst & HTINST_TRANSFORMED) {
		if (htinst == v->mmio_raw_hint && v->mmio_insn_hint.kind != MMIO_INSN_INVALID)
			return &v->mmio_insn_hint;
		if (!insn_decode_htinst(htinst, &v->mmio_insn_hint)) {
			v->mmio_raw_hint = (uint32_t)htinst; /* insn_decode_htinst took only 32 bits */
			return &v->mmio_insn_hint;
		}
	}
	*err = fetch_insn(v, &raw);
	if (*err)
		return NULL;
	if (raw != v->mmio_raw_hint || v->mmio_insn_hint.kind == MMIO_INSN_INVALID) {
		insn_decode_mmio((uint32_t)raw, &v->mmio_insn_hint);
		v->mmio_raw_hint = (uint32_t)raw;
	}
	return &v->mmio_insn_hint;
}

/*
 * A load or store to a device: decode it and carry it out here, in the loop; an access naming
 * s0-s11 leaves the loop as an MMIO exit (those registers are not saved yet).
 */
static inline __attribute__((always_inline)) enum exit_reason
mmio_access(struct vcpu *v, uint64_t gpa, const struct mmio_region *region, struct vcpu_exit *exit)
{
	int store = v->regs.trap_csrs.scause == EXC_STORE_GUEST_PAGE_FAULT;
	unsigned long err = 0;
	const struct mmio_insn *mi = mmio_decode(v, &err);

	if (!mi)
		return reflect_fetch_fault(v, err, exit);
	/* FP, AMO, or an instruction that no longer matches the fault: not emulated. */
	if (mi->kind != (store ? MMIO_INSN_STORE : MMIO_INSN_LOAD))
		return device_fault(v, exit);
	if (GPRS_CALLEE_SAVED & GPR_BIT(mi->reg)) {
		exit->mmio.addr = gpa;
		exit->mmio.region = region;
		exit->mmio.insn = *mi;
		return store ? EXIT_MMIO_WRITE : EXIT_MMIO_READ;
	}
	return mmio_do(v, region, gpa, mi, store, exit);
}

/* The device at gpa: the last one this vCPU used, else a search of the VM's bus. */
static inline const struct mmio_region *mmio_region_at(struct vcpu *v, uint64_t gpa)
{
	const struct mmio_region *r = v->mmio_region_hint;

	if (r && gpa - r->base < r->size)
		return r;
	r = mmio_bus_find(v->mmio, gpa);
	if (r)
		v->mmio_region_hint = r;
	return r;
}

static const uint64_t *guest_pte(void *vm, uint64_t gpa)
{
	return vm_gpa_to_host(vm, gpa, VS_PTE_SIZE);
}

/*
 * Whether the fault was taken on the hardware's own access to a VS-stage PTE, not on the access
 * itself: htinst says so with a pseudo-instruction; QEMU 7.2 leaves it 0, and then the guest's
 * tables tell (vcpu/vswalk.h: without translation, or with another page offset, no walk is needed).
 */
static inline int walk_access(struct vcpu *v, uint64_t gpa)
{
	const struct vcpu_trap_state *t = &v->regs.trap_csrs;

	unsigned long vsatp;

	if (t->htinst)
		return htinst_is_pseudo(t->htinst);
	vsatp = csr_read(vsatp);
	/* Bare first: the one check every device access of a guest without translation pays. */
	if (!(vsatp & VSATP_MODE_PAGED))
		return 0;
	return (csr_read(hstatus) & HSTATUS_GVA) && vs_fault_is_implicit(vsatp, t->stval, gpa, guest_pte, v->vm);
}

/*
 * The guest-page fault of the access whose walk faulted: QEMU reports every walk fault as a load,
 * so the instruction says which it was (a fetch when it cannot be read itself).
 */
static unsigned long walk_original_access(struct vcpu *v)
{
	unsigned long raw;
	int writes;

	if (v->regs.trap_csrs.scause == EXC_INST_GUEST_PAGE_FAULT || fetch_insn(v, &raw))
		return EXC_INST_GUEST_PAGE_FAULT;
	writes = insn_mem_writes((uint32_t)raw);
	if (writes < 0)
		return EXC_INST_GUEST_PAGE_FAULT;
	return writes ? EXC_STORE_GUEST_PAGE_FAULT : EXC_LOAD_GUEST_PAGE_FAULT;
}

static enum exit_reason guest_page_fault(struct vcpu *v, struct vcpu_exit *exit)
{
	const struct vcpu_trap_state *t = &v->regs.trap_csrs;
	/* Priv spec 8.6.4: htval holds the GPA shifted right by 2; its low bits are those of stval. */
	uint64_t gpa = (t->htval << 2) | (t->stval & 3);

	const struct mmio_region *region;
	int walk = walk_access(v, gpa);

	if (!walk && t->scause != EXC_INST_GUEST_PAGE_FAULT && (region = mmio_region_at(v, gpa)))
		return mmio_access(v, gpa, region, exit);
	/* Priv spec 4.3.2: a PTE outside memory is an access fault of the original access, as is a hole. */
	exit->nested_fault.walk = walk;
	exit->nested_fault.addr = gpa;
	exit->nested_fault.cause = walk ? walk_original_access(v) : t->scause;
	return EXIT_NESTED_PAGE_FAULT;
}

static enum exit_reason interrupt(struct vcpu *v, unsigned long code)
{
	switch (code) {
	case IRQ_S_TIMER:
		v->stats[STAT_TIMER_IRQ]++;
		hart_timer_run(this_hart(), vcpu_timer_expired);
		return v->irq_exit;
	case IRQ_S_SOFT:
		v->stats[STAT_SOFT_IRQ]++;
		csr_clear(sip, SIP_SSIP);
		return v->irq_exit;
	case IRQ_S_EXT:
		v->stats[STAT_EXT_IRQ]++;
		irq_handle();
		return v->irq_exit;
	case IRQ_S_GEXT:
		/* A waiting vCPU's file has an interrupt: stop asking (the scheduler wakes it). */
		v->stats[STAT_EXT_IRQ]++;
		csr_clear(CSR_HGEIE, csr_read(CSR_HGEIP));
		return v->irq_exit;
	default:
		v->stats[STAT_OTHER]++;
		return EXIT_NOTHING;
	}
}

__attribute__((hot)) enum exit_reason vmexit_handler(struct vcpu *v, struct vcpu_exit *exit)
{
	struct vcpu_trap_state *t = &v->regs.trap_csrs;

	/* t->scause was read by vcpu_exit_fast. */
	t->stval = csr_read(stval);
	/* Device accesses first: the most frequent exit after the ecall. */
	if (t->scause == EXC_LOAD_GUEST_PAGE_FAULT || t->scause == EXC_STORE_GUEST_PAGE_FAULT ||
	    t->scause == EXC_INST_GUEST_PAGE_FAULT) {
		v->stats[STAT_GUEST_PAGE_FAULT]++;
		t->htval = csr_read(htval);
		t->htinst = csr_read(htinst);
		return guest_page_fault(v, exit);
	}
	if (t->scause & CAUSE_IRQ_FLAG)
		return interrupt(v, t->scause & ~CAUSE_IRQ_FLAG);

	switch (t->scause) {
	case EXC_VIRTUAL_INST:
		v->stats[STAT_VIRTUAL_INST]++;
		return virtual_instruction(v, exit);
	case EXC_INST_MISALIGNED:
	case EXC_INST_ACCESS:
	case EXC_ILLEGAL_INST:
	case EXC_BREAKPOINT:
	case EXC_LOAD_MISALIGNED:
	case EXC_LOAD_ACCESS:
	case EXC_STORE_MISALIGNED:
	case EXC_STORE_ACCESS:
	case EXC_ECALL_U:
	case EXC_INST_PAGE_FAULT:
	case EXC_LOAD_PAGE_FAULT:
	case EXC_STORE_PAGE_FAULT:
		/* Not delegated, or raised on the guest's behalf: hand it to the guest. */
		v->stats[STAT_OTHER]++;
		return inject_or_stop(v, t->scause, t->stval, exit);
	default:
		v->stats[STAT_OTHER]++;
		exit->fatal.cause = t->scause;
		exit->fatal.tval = t->stval;
		return EXIT_GUEST_FATAL;
	}
}

/*
 * Every exit, called by trap.S on Keel's stack with the guest's s0-s11 still in their registers.
 * This is the line between the loop and vcpu_run's caller (the seed's shape: run returns an exit
 * reason). Handled here, without leaving the loop: SBI calls Keel answers itself, accesses to
 * Keel's devices (unless the instruction names s0-s11), host interrupts and timers, and
 * exceptions handed back to the guest. Everything else leaves: WFI and suspend, HSM stop,
 * shutdown and reboot, hypercalls, accesses with neither RAM nor device, fatal traps, requests
 * from other harts, and on a shared hart every host timer and IPI (the scheduler's turn).
 * Returns the register file to go back into the guest, or NULL to leave.
 */
__attribute__((hot)) struct vcpu_regs *vcpu_exit_fast(struct vcpu *v)
{
	struct vcpu_trap_state *t = &v->regs.trap_csrs;
	enum exit_reason reason;

	v->exits++;
	t->scause = csr_read(scause);
	if (t->scause == EXC_ECALL_VS) {
		/* The hottest exit: straight to the SBI dispatcher, with no other trap CSR to read. */
		v->stats[STAT_ECALL]++;
		reason = sbi_dispatch(v, v->exit_out);
	} else {
		reason = vmexit_handler(v, v->exit_out);
	}
	if (reason == EXIT_NOTHING && !__atomic_load_n(&v->requests, __ATOMIC_RELAXED) &&
	    __atomic_load_n(&v->fence_asked, __ATOMIC_RELAXED) == v->fence_done) {
		vcpu_apply_irqs(v);
		return &v->regs;
	}
	v->exit_reason = reason;
	return NULL;
}
