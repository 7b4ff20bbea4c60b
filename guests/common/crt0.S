/* Test guest entry: a0 = hart id, a1 = DTB (boot hart); HSM-started harts enter at secondary_start. */
#define GUEST_MAX_HARTS 8
#define GUEST_STACK 8192
#define FRAME_SIZE (32 * 8)

	.section .text.entry
	.globl _start
_start:
	la t0, __bss_start
	la t1, __bss_end
1:	bgeu t0, t1, 2f
	sd zero, 0(t0)
	addi t0, t0, 8
	j 1b
2:	call setup_hart
	call guest_boot
3:	wfi
	j 3b

	.globl secondary_start
secondary_start:
	call setup_hart
	call guest_secondary_entry
	j 3b

/* sp = this hart's stack (by a0; clamped), tp = a0, stvec = trap entry. */
setup_hart:
	li t0, GUEST_MAX_HARTS - 1
	mv t1, a0
	bleu t1, t0, 1f
	mv t1, t0
1:	addi t1, t1, 1
	li t0, GUEST_STACK
	mul t1, t1, t0
	la sp, guest_stacks
	add sp, sp, t1
	mv tp, a0
	la t0, guest_trap_entry
	csrw stvec, t0
	ret

	.align 2
guest_trap_entry:
	addi sp, sp, -FRAME_SIZE
	.irp n,1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd x\n, \n*8(sp)
	.endr
	addi t0, sp, FRAME_SIZE
	sd t0, 2*8(sp)
	mv a0, sp
	call guest_trap
	.irp n,1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld x\n, \n*8(sp)
	.endr
	addi sp, sp, FRAME_SIZE
	sret

	.bss
	.align 4
guest_stacks:
	.space GUEST_STACK * (GUEST_MAX_HARTS + 1)
