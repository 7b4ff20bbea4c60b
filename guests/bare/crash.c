/*
 * A guest that breaks itself beyond repair: its trap vector points outside its RAM and it
 * then traps. Keel must stop this VM with a one-line report and keep the others running.
 */
#include "guests/common/guest.h"

#define UNMAPPED_VECTOR 0x2800000UL

void guest_main(unsigned long hartid)
{
	(void)hartid;
	tap_diag("crash: pointing stvec outside RAM, then trapping");
	csr_write(stvec, UNMAPPED_VECTOR);
	__asm__ volatile("ebreak");
	tap_ok(0, "crash: this guest should have been stopped");
}
