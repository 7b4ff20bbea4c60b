/* Offsets of struct hart for the boot path and host trap vector, generated at build time (never kept by hand). */
#include <stddef.h>
#include "arch/riscv/hart.h"

#define DEFINE(sym, val) __asm__ volatile("\n.ascii \"->" #sym " %0\"" ::"i"(val))

void asm_offsets(void);
void asm_offsets(void)
{
	DEFINE(HART_FIXUP_PC, offsetof(struct hart, fixup_pc));
	DEFINE(HART_FIXUP_CAUSE, offsetof(struct hart, fixup_cause));
	DEFINE(HART_FIXUP_TVAL, offsetof(struct hart, fixup_tval));
	DEFINE(HART_SCRATCH, offsetof(struct hart, scratch));
	DEFINE(HART_SIZE, sizeof(struct hart));
	DEFINE(HART_STACK_SIZE_ASM, HART_STACK_SIZE);
	DEFINE(MAX_HARTS_ASM, MAX_HARTS);
}
