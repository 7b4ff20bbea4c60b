/* Guest floating-point state save/restore (Keel itself never touches FP registers). */
#include "arch/riscv/csr.h"
	.option push
	.option arch, +d
	.section .text
/* void vcpu_fp_save(uint64_t fp[32], uint64_t *fcsr) */
	.globl vcpu_fp_save
vcpu_fp_save:
	li t0, SSTATUS_FS_INITIAL	/* makes the FP registers reachable */
	csrs sstatus, t0
	.irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd f\n, \n*8(a0)
	.endr
	frcsr t1
	sd t1, 0(a1)
	li t0, SSTATUS_FS
	csrc sstatus, t0	/* back to Off: Keel never uses FP */
	ret
/* void vcpu_fp_restore(const uint64_t fp[32], const uint64_t *fcsr) */
	.globl vcpu_fp_restore
vcpu_fp_restore:
	li t0, SSTATUS_FS_INITIAL
	csrs sstatus, t0
	.irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fld f\n, \n*8(a0)
	.endr
	ld t1, 0(a1)
	fscsr t1
	li t0, SSTATUS_FS
	csrc sstatus, t0	/* back to Off: Keel never uses FP */
	ret
	.option pop
