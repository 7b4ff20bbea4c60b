/*
 * Guest vector state save/restore (Keel itself never uses V): v0-v31 as four groups of eight
 * whole registers, which depend on neither vtype nor vl, then the CSRs. sstatus.VS is on only
 * for the copy.
 */
#include "arch/riscv/csr.h"
#include "vcpu-offsets.h"
	.option push
	.option arch, +v
	.section .text
/* op (vs8r.v or vl8re8.v) on v0, v8, v16, v24 at vec->v (a0), groups of eight registers of t2 bytes */
.macro VECTOR_GROUPS op
	addi a1, a0, VECTOR_V
	\op v0, (a1)
	add a1, a1, t2
	\op v8, (a1)
	add a1, a1, t2
	\op v16, (a1)
	add a1, a1, t2
	\op v24, (a1)
.endm
/* void vcpu_vector_save(struct vcpu_vector *vec) */
	.globl vcpu_vector_save
vcpu_vector_save:
	li t0, SSTATUS_VS_INITIAL
	csrs sstatus, t0
	csrr t1, CSR_VSTART
	sd t1, VECTOR_VSTART(a0)
	csrr t1, CSR_VCSR
	sd t1, VECTOR_VCSR(a0)
	csrr t1, CSR_VL
	sd t1, VECTOR_VL(a0)
	csrr t1, CSR_VTYPE
	sd t1, VECTOR_VTYPE(a0)
	csrw CSR_VSTART, zero	/* whole-register stores start at vstart */
	csrr t2, CSR_VLENB
	slli t2, t2, 3		/* one group of eight registers */
	VECTOR_GROUPS vs8r.v
	li t0, SSTATUS_VS
	csrc sstatus, t0	/* back to Off */
	ret
/* void vcpu_vector_restore(const struct vcpu_vector *vec) */
	.globl vcpu_vector_restore
vcpu_vector_restore:
	li t0, SSTATUS_VS_INITIAL
	csrs sstatus, t0
	csrw CSR_VSTART, zero
	csrr t2, CSR_VLENB
	slli t2, t2, 3
	VECTOR_GROUPS vl8re8.v
	/* vl and vtype together: an AVL at most VLMAX gives vl = AVL; an illegal vtype gives vill and vl 0 */
	ld t1, VECTOR_VL(a0)
	ld t2, VECTOR_VTYPE(a0)
	vsetvl zero, t1, t2
	ld t1, VECTOR_VCSR(a0)
	csrw CSR_VCSR, t1
	ld t1, VECTOR_VSTART(a0)	/* last: every vector instruction resets it */
	csrw CSR_VSTART, t1
	li t0, SSTATUS_VS
	csrc sstatus, t0
	ret
	.option pop
