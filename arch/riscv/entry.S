/*
 * Host (HS-mode) trap vector, reached from trap_vector (vcpu/trap.S) for a trap Keel took
 * itself. Keel runs with sstatus.SIE = 0, so only exceptions arrive here. An exception at an instruction that armed a fixup (hart->fixup_pc)
 * is expected: record scause/stval and resume at the fixup. Anything else is a
 * Keel bug: save the registers and report.
 */
#include "arch/riscv/csr.h"
#include "arch-offsets.h"
#include "arch/riscv/insn_len.h"

	.section .text
	.align 2
	.globl host_trap_vector
host_trap_vector:
	sd t0, HART_SCRATCH(tp)
	ld t0, HART_FIXUP_PC(tp)
	beqz t0, unexpected_trap
	csrw sepc, t0
	sd zero, HART_FIXUP_PC(tp)
	csrr t0, scause
	sd t0, HART_FIXUP_CAUSE(tp)
	csrr t0, stval
	sd t0, HART_FIXUP_TVAL(tp)
	ld t0, HART_SCRATCH(tp)
	sret

unexpected_trap:
	ld t0, HART_SCRATCH(tp)
	addi sp, sp, -256
	sd x1, 8(sp)
	sd x3, 24(sp)
	sd x4, 32(sp)
	sd x5, 40(sp)
	sd x6, 48(sp)
	sd x7, 56(sp)
	sd x8, 64(sp)
	sd x9, 72(sp)
	sd x10, 80(sp)
	sd x11, 88(sp)
	sd x12, 96(sp)
	sd x13, 104(sp)
	sd x14, 112(sp)
	sd x15, 120(sp)
	sd x16, 128(sp)
	sd x17, 136(sp)
	sd x18, 144(sp)
	sd x19, 152(sp)
	sd x20, 160(sp)
	sd x21, 168(sp)
	sd x22, 176(sp)
	sd x23, 184(sp)
	sd x24, 192(sp)
	sd x25, 200(sp)
	sd x26, 208(sp)
	sd x27, 216(sp)
	sd x28, 224(sp)
	sd x29, 232(sp)
	sd x30, 240(sp)
	sd x31, 248(sp)
	addi t0, sp, 256
	sd t0, 16(sp)
	mv a0, sp
	call host_trap_report

/*
 * Guarded hypervisor loads: each returns 0 and stores the value, or returns the
 * scause of the fault it took (the value is then untouched). On the exit path (the
 * instruction fetch of a device access): in the hot section, beside trap.S.
 * unsigned long hlv_d(unsigned long gva, unsigned long *out)
 */
	.section .text.hot.guarded, "ax", @progbits
.macro GUARDED_LOAD name, insn
	.globl \name
\name:
	la t0, 1f
	sd t0, HART_FIXUP_PC(tp)
	.option push
	.option arch, +h
	\insn t1, (a0)
	.option pop
	sd zero, HART_FIXUP_PC(tp)
	sd t1, 0(a1)
	li a0, 0
	ret
1:	ld a0, HART_FIXUP_CAUSE(tp)
	ret
.endm

	GUARDED_LOAD hlv_d, hlv.d

/*
 * unsigned long hlvx_insn(unsigned long gva, unsigned long *out): the guest instruction at gva,
 * read as the guest would fetch it (HLVX) under one fixup: at a 4-byte aligned address one 32-bit
 * read holds it whole; else 16 bits, then 16 more when the low bits say 32 (the second half may be
 * on the next page). Stores it (a 16-bit one zero-extended) and returns 0, or returns the scause
 * of the fault. The instruction fetch of every emulated device access.
 */
	.globl hlvx_insn
hlvx_insn:
	la t0, 3f
	sd t0, HART_FIXUP_PC(tp)
	li t3, INSN_LOW_BITS_32
	.option push
	.option arch, +h
	andi t2, a0, 3
	bnez t2, 1f
	hlvx.wu t1, (a0)
	and t2, t1, t3
	beq t2, t3, 2f
	slli t1, t1, 64 - INSN_HALF_BITS
	srli t1, t1, 64 - INSN_HALF_BITS
	j 2f
1:	hlvx.hu t1, (a0)
	and t2, t1, t3
	bne t2, t3, 2f
	addi t4, a0, INSN_HALF_BITS / 8
	hlvx.hu t2, (t4)
	slli t2, t2, INSN_HALF_BITS
	or t1, t1, t2
	.option pop
2:	sd zero, HART_FIXUP_PC(tp)
	sd t1, 0(a1)
	li a0, 0
	ret
3:	ld a0, HART_FIXUP_CAUSE(tp)
	ret

	.section .text

/*
 * Read a CSR that may not exist: csr_probe_hstatus / csr_probe_stimecmp(unsigned long *out)
 * return 0 and the value, or the scause (illegal instruction) it raised.
 */
.macro CSR_PROBE name, csr
	.globl \name
\name:
	mv a1, a0
	la t0, 1f
	sd t0, HART_FIXUP_PC(tp)
	csrr t1, \csr
	sd zero, HART_FIXUP_PC(tp)
	sd t1, 0(a1)
	li a0, 0
	ret
1:	ld a0, HART_FIXUP_CAUSE(tp)
	ret
.endm

	CSR_PROBE csr_probe_hstatus, hstatus
	CSR_PROBE csr_probe_stimecmp, CSR_STIMECMP
	CSR_PROBE csr_probe_senvcfg, CSR_SENVCFG
	CSR_PROBE csr_probe_hstateen0, CSR_HSTATEEN0
	CSR_PROBE csr_probe_vlenb, CSR_VLENB	/* needs sstatus.VS on: cpu_probe sets it */
	CSR_PROBE csr_probe_stopi, CSR_STOPI	/* Ssaia */
