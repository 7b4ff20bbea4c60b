/* Host IMSIC (drivers/imsic.h). */
#include "drivers/imsic.h"
#include "arch/riscv/csr.h"
#include "drivers/platform.h"

#define IMSIC_SETEIPNUM_LE 0x0 /* a file's page: writing an identity makes it pending (AIA 3.5) */

static void ireg_write(unsigned long sel, unsigned long val)
{
	csr_write(CSR_SISELECT, sel);
	csr_write(CSR_SIREG, val);
}

void imsic_hart_init(unsigned ids)
{
	/* Every identity enabled: which ones arrive is the APLIC's targets' and the senders' choice. */
	for (unsigned id = 0; id <= ids; id += IMSIC_EIREG_BITS)
		ireg_write(IMSIC_EIE(id), ~0UL);
	ireg_write(IMSIC_EITHRESHOLD, 0);
	ireg_write(IMSIC_EIDELIVERY, IMSIC_EIDELIVERY_ON);
}

int imsic_take(unsigned id)
{
	unsigned long bit = 1UL << (id % IMSIC_EIREG_BITS);

	csr_write(CSR_SISELECT, IMSIC_EIP(id));
	return (csr_swap(CSR_SIREG, csr_read(CSR_SIREG) & ~bit) & bit) != 0;
}

unsigned imsic_claim(void)
{
	return (unsigned)((csr_swap(CSR_STOPEI, 0) >> TOPEI_ID_SHIFT) & TOPEI_ID_MASK);
}

uint64_t imsic_file_page(unsigned long hart, unsigned file)
{
	uint64_t base = hart < MAX_HARTS ? platform.imsic_file[hart] : 0;

	return base && file < (1U << platform.imsic_guest_bits) ? base + (uint64_t)file * PAGE_SIZE : 0;
}

void imsic_send(unsigned long hart, unsigned id)
{
	imsic_send_file(hart, 0, id);
}

void imsic_send_file(unsigned long hart, unsigned file_index, unsigned id)
{
	uint64_t file = imsic_file_page(hart, file_index);

	if (!file)
		return;
	/* What the sender wrote before is visible to the hart the interrupt wakes. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*(volatile uint32_t *)(uintptr_t)(file + IMSIC_SETEIPNUM_LE) = id;
}
