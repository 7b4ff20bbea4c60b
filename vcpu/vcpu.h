/* The vCPU: the seed's register file plus what Keel tracks per virtual hart. */
#ifndef KEEL_VCPU_VCPU_H
#define KEEL_VCPU_VCPU_H
#include <stdint.h>
#include "arch/riscv/csr.h"
#include "core/hart.h"
#include "vcpu/insn.h"
#include "vcpu/regs.h"

/* Opaque here: vcpu/ never looks inside its VM or its device bus. */
struct vm;
struct mmio_bus;
struct sched_entity;

/* The seed's exit reasons, plus the ones Keel needs (vcpu_run returns one). */
enum exit_reason {
	EXIT_NOTHING,
	EXIT_HYPERCALL,
	EXIT_MMIO_READ,
	EXIT_MMIO_WRITE,
	EXIT_NESTED_PAGE_FAULT,
	EXIT_SYSTEM_DOWN,
	EXIT_CPU_DOWN,
	EXIT_HALT,
	/* Keel's own */
	EXIT_SYSTEM_REBOOT, /* SRST reboot of this VM */
	EXIT_GUEST_FATAL, /* the guest did something Keel cannot hand back to it: stop the VM */
	EXIT_REQUEST, /* another hart asked this vCPU to stop, start or fence */
	EXIT_KICK, /* on a shared hart: the host timer or an IPI, time for the scheduler to look */
	EXIT_VM_STOP, /* stop the VM with exit->stop.why (a device access asked for it, or could not be undone) */
	EXIT_REASON_COUNT
};

/* What the VM loop needs to act on an exit. */
struct vcpu_exit {
	union {
		struct {
			unsigned long nr, args[6];
		} hypercall;
		/* A load (EXIT_MMIO_READ) or store (EXIT_MMIO_WRITE) to the device `region` (struct mmio_region). */
		struct {
			uint64_t addr;
			const void *region;
			struct mmio_insn insn;
		} mmio;
		struct {
			uint64_t addr;
			unsigned long cause; /* the guest-page fault of the original access */
			int walk; /* taken on the VS-stage walk's own access to a PTE at addr */
		} nested_fault;
		struct {
			unsigned long cause, tval;
		} fatal;
		struct {
			const char *why;
		} stop;
	};
};

/* Counters by trap cause, for `make bench` and the boot report. */
enum exit_stat {
	STAT_ECALL,
	STAT_GUEST_PAGE_FAULT,
	STAT_VIRTUAL_INST,
	STAT_TIMER_IRQ,
	STAT_SOFT_IRQ,
	STAT_EXT_IRQ,
	STAT_INJECTED,
	STAT_OTHER,
	STAT_COUNT
};

/* Cross-hart requests, folded in by the vCPU's own hart before it enters the guest. */
#define BIT_REQ(n) (1UL << (n))
#define VCPU_REQ_START BIT_REQ(0)
#define VCPU_REQ_STOP BIT_REQ(1)
/* Fence kinds for vm_remote_request(); each is carried out with a ticket, not a bit. */
#define VCPU_REQ_HFENCE_VVMA BIT_REQ(2)
#define VCPU_REQ_FENCE_I BIT_REQ(3)
/* The VM's devices left work over their budget: this vCPU's hart does the next turn (board/devices.c). */
#define VCPU_REQ_DEVICES BIT_REQ(4)

enum timer_mode { TIMER_SSTC, TIMER_SBI };

struct vcpu {
	struct vcpu_regs regs; /* first: trap.S takes its address */
	struct vm *vm; /* its VM, for the rooms above (exit/, sbi/, sched/ reach it through vm/guest.h) */
	const struct mmio_bus *mmio; /* its VM's devices, for the exit path */
	unsigned long id; /* guest-visible hart id */
	unsigned long hart; /* physical hart it is pinned to */
	int hsm_state; /* SBI_HSM_STATE_*, changed with atomics */
	int vmid_shared; /* another VM has this VM's VMID: fence the G-stage when switched in */
	int wfi_exits; /* keel,wfi-exits: its WFI traps even alone on its hart */
	unsigned long gstage_fences; /* those fences, for the scheduler's report */
	unsigned long requests; /* VCPU_REQ_START / VCPU_REQ_STOP bits, atomic */
	unsigned long fence_asked, fence_done; /* remote fence tickets (atomic counters) */
	unsigned long pending_irqs; /* HVIP_* bits raised by other harts, atomic */
	int ext_level; /* the vPLIC's line to this vCPU (VSEIP), atomic */
	int ext_applied; /* what hvip.VSEIP was last set to (own hart only) */
	/* The interrupt controller maps a read-only page that must stop translating when the line rises. */
	int ext_raise_fences;
	uint64_t start_addr, start_arg;
	uint64_t hvip; /* saved while unbound */
	uint64_t henvcfg;
	uint64_t timer_deadline; /* SBI-timer path: guest's deadline, ~0 when none */
	enum timer_mode timer_mode;
	int suspend_non_retentive;
	uint64_t resume_addr, resume_arg;
	uint64_t hcounteren; /* saved while unbound */
	uint64_t senvcfg; /* not a VS CSR: the guest writes the real one (saved while unbound) */
	unsigned aia_file; /* its hart's VS guest interrupt file (hstatus.VGEIN), 0: none (vcpu/aia.h) */
	unsigned aia_ids; /* the identities the file has */
	uint64_t vsiselect; /* saved while unbound, with a file */
	uint64_t hstateen0; /* with a file: what VS-mode may reach, senvcfg and the AIA's CSRs */
	uint64_t fp[32];
	uint64_t fcsr;
	/* On a shared hart (sched/sched.c); a vCPU always runs on its home hart, `hart`. */
	int shared; /* its hart has other vCPUs: host timer and IPI exits go to the scheduler */
	enum exit_reason irq_exit; /* what a host timer or IPI exit returns: EXIT_NOTHING, or EXIT_KICK when shared */
	int halted; /* in WFI or HSM suspend, off the run queue until an interrupt it enabled */
	struct sched_entity *sched; /* the scheduler's own (sched/sched.c) */
	unsigned long stats[STAT_COUNT];
	unsigned long exits;
	/* The last device access: its region and its decoded instruction, tried first by the next one */
	const void *mmio_region_hint;
	uint32_t mmio_raw_hint;
	struct mmio_insn mmio_insn_hint;
	/* Set by vcpu_run for trap.S's vcpu_exit_fast(): where an exit that leaves the loop is described */
	struct vcpu_exit *exit_out;
	enum exit_reason exit_reason;
	/*
	 * Last: its 4 KiB would put every field after it beyond a load's 12-bit offset (an extra
	 * instruction on each access, the exit path's included).
	 */
	struct vcpu_vector vector; /* where the hart has V (cpu.vlenb); vcpu/vector.h */
};

/* Lifecycle, after the seed: create -> setup -> set_entry -> set_stage2_root -> bind -> run -> unbind. */
void vcpu_create(struct vcpu *v, struct vm *vm, unsigned long vcpu_id, unsigned long hart_id, uint64_t dtb_addr);
/* henvcfg: what the guest's ISA needs (board/guest_isa.h); STCE follows the timer. */
void vcpu_setup(struct vcpu *v, enum timer_mode timer, int wfi_exits, uint64_t henvcfg);
void vcpu_set_entry(struct vcpu *v, uint64_t entry);
/* Set hstatus.VTW from where v runs (shared hart or not) and keel,wfi-exits. */
void vcpu_wfi_policy(struct vcpu *v);
void vcpu_set_stage2_root(struct vcpu *v, uint64_t hgatp);
void vcpu_bind(struct vcpu *v);
void vcpu_unbind(struct vcpu *v);
enum exit_reason vcpu_run(struct vcpu *v, struct vcpu_exit *exit);

/* Reset to the state a hart has when SBI HSM starts it: pc = entry, a0 = id, a1 = arg. */
void vcpu_reset_for_start(struct vcpu *v, uint64_t entry, uint64_t arg);
/* Resume from a non-retentive HSM suspend at entry (a0 = id, a1 = arg), keeping pending interrupts and timers. */
void vcpu_resume_at(struct vcpu *v, uint64_t entry, uint64_t arg);

static inline unsigned long vcpu_gpr(const struct vcpu *v, unsigned r)
{
	return v->regs.guest_regs.gprs[r];
}
static inline void vcpu_set_gpr(struct vcpu *v, unsigned r, unsigned long val)
{
	if (r)
		v->regs.guest_regs.gprs[r] = val;
}
/* The VMID of its G-stage (hgatp, priv spec 8.2.10). */
static inline unsigned long vcpu_vmid(const struct vcpu *v)
{
	return (v->regs.virtual_hs_csrs.hgatp >> HGATP_VMID_SHIFT) & HGATP_VMID_MASK;
}
static inline void vcpu_advance_pc(struct vcpu *v, unsigned len)
{
	v->regs.guest_regs.sepc += len;
}

/*
 * Put an exception into the guest as if the hardware had delegated it (needs the vCPU bound).
 * Returns -1, injecting nothing, when the fault is at the guest's own handler entry.
 */
int vcpu_inject_exception(struct vcpu *v, unsigned long cause, unsigned long tval);
/* Read a doubleword at a guest virtual address as the guest would (HLV): 0, or the fault's cause. */
unsigned long guest_read_ulong_va(struct vcpu *v, unsigned long gva, unsigned long *out);
/* True when an interrupt the guest has enabled in vsie is pending (the WFI wake-up condition). */
int vcpu_irq_pending(struct vcpu *v);
/* The same for an unbound vCPU, from its saved state, at host time `now` (on its own hart). */
int vcpu_irq_pending_saved(struct vcpu *v, uint64_t now);
/* An unbound vCPU's SBI-timer deadline passed: VSTIP goes into its saved hvip (on its own hart). */
void vcpu_timer_expire_saved(struct vcpu *v, uint64_t now);
/* When an unbound vCPU's timer fires, in host time (~0: none). */
uint64_t vcpu_deadline_saved(const struct vcpu *v);
/* Another hart raises a VS interrupt (HVIP_* bits) on v and kicks v's hart. */
void vcpu_raise_irq(struct vcpu *v, unsigned long hvip_bits);
/* The virtual PLIC drives this vCPU's external interrupt line (any hart may call). */
void vcpu_set_ext_irq(struct vcpu *v, int level);
/* Withdraw a pending VS interrupt (legacy clear_ipi). */
void vcpu_clear_irq(struct vcpu *v, unsigned long hvip_bits);
/* Post a request to v's hart and kick it. */
void vcpu_request(struct vcpu *v, unsigned long req);
/* Carry out the remote fences asked of v so far (on v's own hart). */
void vcpu_process_fences(struct vcpu *v);
/* Act on posted requests (called on v's own hart). Returns the VCPU_REQ_* bits taken. */
unsigned long vcpu_process_requests(struct vcpu *v);

#endif
