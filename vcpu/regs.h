/* The vCPU register file: the seed's VmCpuRegisters, five parts in the seed's order. */
#ifndef KEEL_VCPU_REGS_H
#define KEEL_VCPU_REGS_H
#include <stddef.h>
#include <stdint.h>
#include "arch/riscv/cpu.h"

/* Indexed by x-register number; gprs[0] (zero) is never loaded. */
enum gpr_index {
	GPR_ZERO,
	GPR_RA,
	GPR_SP,
	GPR_GP,
	GPR_TP,
	GPR_T0,
	GPR_T1,
	GPR_T2,
	GPR_S0,
	GPR_S1,
	GPR_A0,
	GPR_A1,
	GPR_A2,
	GPR_A3,
	GPR_A4,
	GPR_A5,
	GPR_A6,
	GPR_A7,
	GPR_S2,
	GPR_S3,
	GPR_S4,
	GPR_S5,
	GPR_S6,
	GPR_S7,
	GPR_S8,
	GPR_S9,
	GPR_S10,
	GPR_S11,
	GPR_T3,
	GPR_T4,
	GPR_T5,
	GPR_T6,
	GPR_COUNT
};

struct hyp_cpu_state {
	uint64_t gprs[GPR_COUNT];
	uint64_t sstatus, hstatus, scounteren, stvec, sscratch;
};

struct guest_cpu_state {
	uint64_t gprs[GPR_COUNT];
	uint64_t sstatus, hstatus, scounteren, sepc;
};

struct guest_vs_csrs {
	uint64_t htimedelta, vsstatus, vsie, vstvec, vsscratch, vsepc, vscause, vstval, vsatp, vstimecmp;
};

struct guest_virtual_hs_csrs {
	uint64_t hie, hgeie, hgatp;
};

struct vcpu_trap_state {
	uint64_t scause, stval, htval, htinst;
};

struct vcpu_regs {
	struct hyp_cpu_state hyp_regs;
	struct guest_cpu_state guest_regs;
	struct guest_vs_csrs vs_csrs;
	struct guest_virtual_hs_csrs virtual_hs_csrs;
	struct vcpu_trap_state trap_csrs;
};

/* The seed's layout, checked so that trap.S and the seed agree (720 bytes: the seed's VmCpuRegisters). */
_Static_assert(sizeof(struct hyp_cpu_state) == 37 * 8, "hyp_regs layout");
_Static_assert(sizeof(struct guest_cpu_state) == 36 * 8, "guest_regs layout");
_Static_assert(sizeof(struct guest_vs_csrs) == 10 * 8, "vs_csrs layout");
_Static_assert(sizeof(struct guest_virtual_hs_csrs) == 3 * 8, "virtual_hs_csrs layout");
_Static_assert(sizeof(struct vcpu_trap_state) == 4 * 8, "trap_csrs layout");
_Static_assert(sizeof(struct vcpu_regs) == 720, "VmCpuRegisters is 720 bytes");
_Static_assert(offsetof(struct vcpu_regs, guest_regs) == 296, "guest_regs follows hyp_regs");
_Static_assert(offsetof(struct vcpu_regs, vs_csrs) == 584, "vs_csrs follows guest_regs");
_Static_assert(offsetof(struct vcpu_regs, virtual_hs_csrs) == 664, "virtual_hs_csrs follows vs_csrs");
_Static_assert(offsetof(struct vcpu_regs, trap_csrs) == 688, "trap_csrs is last");

/*
 * A vCPU's vector unit (V extension 1.0): its CSRs, then v0-v31 at the hart's vlenb (the image is
 * sized for VLENB_MAX). `gen` names this image's contents: a hart whose registers still hold
 * that generation need not load them again (vcpu/vector.h).
 */
#define VCPU_VECTOR_BYTES (32 * VLENB_MAX)
struct vcpu_vector {
	uint64_t vstart, vcsr, vl, vtype;
	unsigned long gen;
	uint8_t v[VCPU_VECTOR_BYTES] __attribute__((aligned(16)));
};

#endif
