/* Offsets of the register file for trap.S, generated from the C structs at build time (never kept by hand). */
#include <stddef.h>
#include "arch/riscv/hart.h"
#include "vcpu/regs.h"

#define DEFINE(sym, val) __asm__ volatile("\n.ascii \"->" #sym " %0\"" ::"i"(val))
#define HYP_GPR(n) offsetof(struct vcpu_regs, hyp_regs.gprs[n])
#define GUEST_GPR(n) offsetof(struct vcpu_regs, guest_regs.gprs[n])

void asm_offsets(void);
void asm_offsets(void)
{
	DEFINE(HART_VCPU, offsetof(struct hart, vcpu));
	DEFINE(VECTOR_VSTART, offsetof(struct vcpu_vector, vstart));
	DEFINE(VECTOR_VCSR, offsetof(struct vcpu_vector, vcsr));
	DEFINE(VECTOR_VL, offsetof(struct vcpu_vector, vl));
	DEFINE(VECTOR_VTYPE, offsetof(struct vcpu_vector, vtype));
	DEFINE(VECTOR_V, offsetof(struct vcpu_vector, v));
	DEFINE(HYP_SSTATUS, offsetof(struct vcpu_regs, hyp_regs.sstatus));
	DEFINE(GUEST_SSTATUS, offsetof(struct vcpu_regs, guest_regs.sstatus));
	DEFINE(GUEST_SEPC, offsetof(struct vcpu_regs, guest_regs.sepc));
	DEFINE(HYP_RA, HYP_GPR(GPR_RA));
	DEFINE(HYP_SP, HYP_GPR(GPR_SP));
	DEFINE(HYP_GP, HYP_GPR(GPR_GP));
	DEFINE(HYP_TP, HYP_GPR(GPR_TP));
	DEFINE(GUEST_RA, GUEST_GPR(GPR_RA));
	DEFINE(GUEST_SP, GUEST_GPR(GPR_SP));
	DEFINE(GUEST_GP, GUEST_GPR(GPR_GP));
	DEFINE(GUEST_TP, GUEST_GPR(GPR_TP));
	DEFINE(GUEST_T0, GUEST_GPR(GPR_T0));
	DEFINE(GUEST_T1, GUEST_GPR(GPR_T1));
	DEFINE(GUEST_T2, GUEST_GPR(GPR_T2));
	DEFINE(GUEST_S0, GUEST_GPR(GPR_S0));
	DEFINE(GUEST_S1, GUEST_GPR(GPR_S1));
	DEFINE(GUEST_A0, GUEST_GPR(GPR_A0));
	DEFINE(GUEST_A1, GUEST_GPR(GPR_A1));
	DEFINE(GUEST_A2, GUEST_GPR(GPR_A2));
	DEFINE(GUEST_A3, GUEST_GPR(GPR_A3));
	DEFINE(GUEST_A4, GUEST_GPR(GPR_A4));
	DEFINE(GUEST_A5, GUEST_GPR(GPR_A5));
	DEFINE(GUEST_A6, GUEST_GPR(GPR_A6));
	DEFINE(GUEST_A7, GUEST_GPR(GPR_A7));
	DEFINE(GUEST_S2, GUEST_GPR(GPR_S2));
	DEFINE(GUEST_S3, GUEST_GPR(GPR_S3));
	DEFINE(GUEST_S4, GUEST_GPR(GPR_S4));
	DEFINE(GUEST_S5, GUEST_GPR(GPR_S5));
	DEFINE(GUEST_S6, GUEST_GPR(GPR_S6));
	DEFINE(GUEST_S7, GUEST_GPR(GPR_S7));
	DEFINE(GUEST_S8, GUEST_GPR(GPR_S8));
	DEFINE(GUEST_S9, GUEST_GPR(GPR_S9));
	DEFINE(GUEST_S10, GUEST_GPR(GPR_S10));
	DEFINE(GUEST_S11, GUEST_GPR(GPR_S11));
	DEFINE(GUEST_T3, GUEST_GPR(GPR_T3));
	DEFINE(GUEST_T4, GUEST_GPR(GPR_T4));
	DEFINE(GUEST_T5, GUEST_GPR(GPR_T5));
	DEFINE(GUEST_T6, GUEST_GPR(GPR_T6));
}
