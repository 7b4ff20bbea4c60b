/*
 * HS-mode entry. OpenSBI jumps here at 0x80200000 with a0 = hart id, a1 = DTB.
 * Secondary harts arrive at secondary_entry through SBI HSM hart_start.
 */
#include "arch-offsets.h"

	.section .text.entry
	.globl _start
_start:
	csrw sie, zero
	csrw sscratch, zero
	la t0, trap_vector
	csrw stvec, t0
	li t0, MAX_HARTS_ASM
	bgeu a0, t0, hart_id_too_big

	/*
	 * Boot lottery: only the first hart here sets Keel up. OpenSBI 1.1's hart_start marks a
	 * hart START_PENDING before it stores the start address, so a hart that wakes in between
	 * jumps to the previous one, _start: such a hart waits for the boot to finish and then
	 * continues as the secondary it was meant to be.
	 */
	la t0, boot_lottery
	li t1, 1
	amoswap.w t1, t1, (t0)
	bnez t1, late_hart

	/*
	 * Clear BSS (stacks included: nothing is on one yet), 64 bytes a turn, then the rest (it
	 * is 8-byte aligned) 8 at a time: about a third of the instructions of a word loop.
	 */
	la t0, __bss_start
	la t1, __bss_end
	addi t2, t1, -64
1:	bgtu t0, t2, 2f
	sd zero, 0(t0)
	sd zero, 8(t0)
	sd zero, 16(t0)
	sd zero, 24(t0)
	sd zero, 32(t0)
	sd zero, 40(t0)
	sd zero, 48(t0)
	sd zero, 56(t0)
	addi t0, t0, 64
	j 1b
2:	bgeu t0, t1, 3f
	sd zero, 0(t0)
	addi t0, t0, 8
	j 2b
3:
	call set_hart_context
	call keel_main
	j hang

late_hart:
	la t0, boot_done
1:	lw t1, 0(t0)
	fence r, rw
	beqz t1, 1b
	j secondary_entry

	.globl secondary_entry
secondary_entry:
	csrw sie, zero
	csrw sscratch, zero
	la t0, trap_vector
	csrw stvec, t0
	li t0, MAX_HARTS_ASM
	bgeu a0, t0, hang
	call set_hart_context
	call keel_secondary
	j hang

/* sp = top of this hart's stack, tp = &harts[a0]; keeps a0/a1. */
set_hart_context:
	la sp, hart_stacks
	li t0, HART_STACK_SIZE_ASM
	addi t1, a0, 1
	mul t1, t1, t0
	add sp, sp, t1
	la tp, harts
	li t0, HART_SIZE
	mul t1, a0, t0
	add tp, tp, t1
	ret

hart_id_too_big:
	/* No stack for this hart: nothing sensible to print with. */
hang:
	wfi
	j hang

	/* In .data, not .bss: the boot hart clears .bss after winning. */
	.section .data
	.align 2
boot_lottery:
	.word 0
	.globl boot_done
boot_done:
	.word 0

	.section .bss.stacks
	.align 12
	.globl hart_stacks
hart_stacks:
	.space HART_STACK_SIZE_ASM * MAX_HARTS_ASM
