/*
 * World switch (the seed's _run_guest / _guest_exit).
 * _run_guest(struct vcpu_regs *regs): saves Keel's ra/sp/gp/tp, swaps in the guest's sstatus,
 * points stvec at _guest_exit and sscratch at regs, loads the guest GPRs and srets into
 * VS-mode. _guest_exit undoes all that and returns to _run_guest's caller.
 * Two departures from the seed, for a shorter exit path (issue: make bench):
 *  - s0-s11 are not saved here: the only caller (vcpu_run's run_guest()) declares them
 *    clobbered, so the compiler keeps just the ones live across the switch;
 *  - hstatus and scounteren are not swapped: Keel needs nothing of its own in them, so the
 *    guest's values stay in the CSRs while the vCPU is bound (vcpu_bind/vcpu_unbind move them).
 *    Only hstatus.SPV is set on entry, since a trap Keel takes itself clears it.
 * Offsets come from asm-offsets.h (generated).
 */
#include "arch/riscv/csr.h"
#include "asm-offsets.h"


	.section .text
	.globl _run_guest
	.align 2
_run_guest:
	/* Keel's ra/sp/gp/tp (everything else is declared clobbered by the caller). */
	sd ra, HYP_RA(a0)
	sd sp, HYP_SP(a0)
	sd gp, HYP_GP(a0)
	sd tp, HYP_TP(a0)

	/* Swap in the guest's sstatus; sret must land in VS-mode (hstatus.SPV). */
	ld t1, GUEST_SSTATUS(a0)
	csrrw t1, sstatus, t1
	sd t1, HYP_SSTATUS(a0)
	li t1, HSTATUS_SPV
	csrs hstatus, t1
	ld t0, GUEST_SEPC(a0)
	csrw sepc, t0

	/* Every trap from the guest lands in _guest_exit, with regs in sscratch. */
	la t1, _guest_exit
	csrrw t1, stvec, t1
	sd t1, HYP_STVEC(a0)
	csrrw t1, sscratch, a0
	sd t1, HYP_SSCRATCH(a0)

	/* Guest GPRs, a0 last. */
	ld ra, GUEST_RA(a0)
	ld sp, GUEST_SP(a0)
	ld gp, GUEST_GP(a0)
	ld tp, GUEST_TP(a0)
	ld t0, GUEST_T0(a0)
	ld t1, GUEST_T1(a0)
	ld t2, GUEST_T2(a0)
	ld s0, GUEST_S0(a0)
	ld s1, GUEST_S1(a0)
	ld a1, GUEST_A1(a0)
	ld a2, GUEST_A2(a0)
	ld a3, GUEST_A3(a0)
	ld a4, GUEST_A4(a0)
	ld a5, GUEST_A5(a0)
	ld a6, GUEST_A6(a0)
	ld a7, GUEST_A7(a0)
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
	ld t3, GUEST_T3(a0)
	ld t4, GUEST_T4(a0)
	ld t5, GUEST_T5(a0)
	ld t6, GUEST_T6(a0)
	ld a0, GUEST_A0(a0)
	sret

	/* stvec in direct mode needs 4-byte alignment. */
	.align 2
	.globl _guest_exit
_guest_exit:
	/* a0 <- regs, sscratch <- guest a0 */
	csrrw a0, sscratch, a0
	sd ra, GUEST_RA(a0)
	sd sp, GUEST_SP(a0)
	sd gp, GUEST_GP(a0)
	sd tp, GUEST_TP(a0)
	sd t0, GUEST_T0(a0)
	sd t1, GUEST_T1(a0)
	sd t2, GUEST_T2(a0)
	sd s0, GUEST_S0(a0)
	sd s1, GUEST_S1(a0)
	sd a1, GUEST_A1(a0)
	sd a2, GUEST_A2(a0)
	sd a3, GUEST_A3(a0)
	sd a4, GUEST_A4(a0)
	sd a5, GUEST_A5(a0)
	sd a6, GUEST_A6(a0)
	sd a7, GUEST_A7(a0)
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
	sd t3, GUEST_T3(a0)
	sd t4, GUEST_T4(a0)
	sd t5, GUEST_T5(a0)
	sd t6, GUEST_T6(a0)
	csrr t0, sscratch
	sd t0, GUEST_A0(a0)

	/* Restore Keel's CSRs, keeping the guest's. */
	ld t1, HYP_SSTATUS(a0)
	csrrw t1, sstatus, t1
	sd t1, GUEST_SSTATUS(a0)
	ld t1, HYP_STVEC(a0)
	csrw stvec, t1
	ld t1, HYP_SSCRATCH(a0)
	csrw sscratch, t1
	csrr t0, sepc
	sd t0, GUEST_SEPC(a0)

	/* Keel's registers, then back into C. */
	ld ra, HYP_RA(a0)
	ld sp, HYP_SP(a0)
	ld gp, HYP_GP(a0)
	ld tp, HYP_TP(a0)
	ret
