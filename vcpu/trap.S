/*
 * World switch (the seed's _run_guest / _guest_exit), with a fast exit path: most exits are
 * handled in C without saving s0-s11.
 *
 * One trap vector for everything (stvec never changes): sscratch holds the bound vCPU's
 * register file while its guest runs and 0 while Keel does, so the first instruction tells a
 * guest exit from a trap Keel took itself (those go on to host_trap_vector, arch/riscv/entry.S).
 *
 * An exit saves only what C may clobber (ra, sp, gp, tp, t0-t6, a0-a7), sepc and sstatus, then
 * calls vcpu_exit_fast() on Keel's stack. The guest's s0-s11 stay in their registers meanwhile:
 * C code saves and restores whatever callee-saved register it uses. vcpu_exit_fast() returns:
 *  - the register file, when the exit was handled in the loop: reload and sret (no s0-s11 work);
 *  - NULL, when the exit has to leave the loop: s0-s11 go into the register file too, Keel's
 *    sstatus comes back, and _run_guest returns to its caller (vcpu_run) with the reason in the vCPU.
 * vcpu_exit_fast() never reads or writes s0-s11 in the register file (exit/exit.c says where
 * the line is); only code after the return from _run_guest may.
 *
 * _run_guest(struct vcpu_regs *regs) is the way in from C: it saves Keel's ra/sp/gp/tp and
 * sstatus, loads s0-s11 and joins the resume path. hstatus and scounteren are not swapped (the
 * guest's values stay in the CSRs while the vCPU is bound: vcpu_bind/vcpu_unbind move them);
 * hstatus.SPV is set on every entry, since a trap Keel takes itself clears it.
 * Offsets come from vcpu-offsets.h (generated from vcpu/asm-offsets.c).
 */
#include "arch/riscv/csr.h"
#include "vcpu-offsets.h"

	/* The exit path's code: one section, laid out beside the hot C (linker.ld). */
	.section .text.hot.trap, "ax", @progbits

	/* stvec in direct mode needs 4-byte alignment. */
	.align 2
	.globl trap_vector
trap_vector:
	/* a0 <- regs (0: a trap in Keel itself), sscratch <- guest a0 */
	csrrw a0, sscratch, a0
	beqz a0, keel_trap

	.globl _guest_exit
_guest_exit:
	sd ra, GUEST_RA(a0)
	sd sp, GUEST_SP(a0)
	sd gp, GUEST_GP(a0)
	sd tp, GUEST_TP(a0)
	sd t0, GUEST_T0(a0)
	sd t1, GUEST_T1(a0)
	sd t2, GUEST_T2(a0)
	sd a1, GUEST_A1(a0)
	sd a2, GUEST_A2(a0)
	sd a3, GUEST_A3(a0)
	sd a4, GUEST_A4(a0)
	sd a5, GUEST_A5(a0)
	sd a6, GUEST_A6(a0)
	sd a7, GUEST_A7(a0)
	sd t3, GUEST_T3(a0)
	sd t4, GUEST_T4(a0)
	sd t5, GUEST_T5(a0)
	sd t6, GUEST_T6(a0)
	/* The guest's a0; sscratch = 0 from here on: Keel runs. */
	csrrw t0, sscratch, zero
	sd t0, GUEST_A0(a0)
	csrr t0, sepc
	sd t0, GUEST_SEPC(a0)
	csrr t0, sstatus
	sd t0, GUEST_SSTATUS(a0)

	/* Keel's stack and hart; the register file is the start of struct vcpu. */
	ld sp, HYP_SP(a0)
	ld gp, HYP_GP(a0)
	ld tp, HYP_TP(a0)
	call vcpu_exit_fast
	beqz a0, leave_loop

	/* a0 = regs: back into the guest. */
resume_guest:
	ld t0, GUEST_SSTATUS(a0)
	csrw sstatus, t0
	ld t0, GUEST_SEPC(a0)
	csrw sepc, t0
	li t0, HSTATUS_SPV
	csrs hstatus, t0
	csrw sscratch, a0
	ld ra, GUEST_RA(a0)
	ld sp, GUEST_SP(a0)
	ld gp, GUEST_GP(a0)
	ld tp, GUEST_TP(a0)
	ld t0, GUEST_T0(a0)
	ld t1, GUEST_T1(a0)
	ld t2, GUEST_T2(a0)
	ld a1, GUEST_A1(a0)
	ld a2, GUEST_A2(a0)
	ld a3, GUEST_A3(a0)
	ld a4, GUEST_A4(a0)
	ld a5, GUEST_A5(a0)
	ld a6, GUEST_A6(a0)
	ld a7, GUEST_A7(a0)
	ld t3, GUEST_T3(a0)
	ld t4, GUEST_T4(a0)
	ld t5, GUEST_T5(a0)
	ld t6, GUEST_T6(a0)
	ld a0, GUEST_A0(a0)
	sret

	/* The exit leaves the loop: the rest of the guest's registers, then back to vcpu_run. */
leave_loop:
	ld a0, HART_VCPU(tp)
	sd s0, GUEST_S0(a0)
	sd s1, GUEST_S1(a0)
	sd s2, GUEST_S2(a0)
	sd s3, GUEST_S3(a0)
	sd s4, GUEST_S4(a0)
	sd s5, GUEST_S5(a0)
	sd s6, GUEST_S6(a0)
	sd s7, GUEST_S7(a0)
	sd s8, GUEST_S8(a0)
	sd s9, GUEST_S9(a0)
	sd s10, GUEST_S10(a0)
	sd s11, GUEST_S11(a0)
	ld t0, HYP_SSTATUS(a0)
	csrw sstatus, t0
	ld ra, HYP_RA(a0)
	ret

	/* A trap taken in HS-mode: a0 back as it was, sscratch = 0 again. */
keel_trap:
	csrrw a0, sscratch, a0
	j host_trap_vector

	/*
	 * _run_guest(struct vcpu_regs *regs): from vcpu_run. Everything but sp, gp and tp is
	 * declared clobbered by the caller (vcpu/vcpu.c run_guest()).
	 */
	.globl _run_guest
	.align 2
_run_guest:
	sd ra, HYP_RA(a0)
	sd sp, HYP_SP(a0)
	sd gp, HYP_GP(a0)
	sd tp, HYP_TP(a0)
	csrr t0, sstatus
	sd t0, HYP_SSTATUS(a0)
	ld s0, GUEST_S0(a0)
	ld s1, GUEST_S1(a0)
	ld s2, GUEST_S2(a0)
	ld s3, GUEST_S3(a0)
	ld s4, GUEST_S4(a0)
	ld s5, GUEST_S5(a0)
	ld s6, GUEST_S6(a0)
	ld s7, GUEST_S7(a0)
	ld s8, GUEST_S8(a0)
	ld s9, GUEST_S9(a0)
	ld s10, GUEST_S10(a0)
	ld s11, GUEST_S11(a0)
	j resume_guest
