/*
 * Isolation guest (Keel only): it reaches for memory that is not its own by guest-physical
 * address: below and above its RAM, where host RAM of Keel and other VMs lives, the host's own
 * devices (CLINT, PCIe), and the top of the guest-physical space. Every load and store must end
 * in an access fault at that address; none may return data or change anything.
 */
#include "guests/common/guest.h"

static const unsigned long probes[] = {
	0x0UL, /* below everything */
	0x1000UL, /* the host's boot ROM */
	0x2000000UL, /* the host's CLINT (msip) */
	0x200bff8UL, /* the host's CLINT (mtime) */
	0x30000000UL, /* the host's PCIe ECAM */
	0x7ffff000UL, /* just below guest RAM */
	0x90400000UL, /* where the host RAM of other VMs lives on a 1 GiB machine */
	0xa0000000UL, /* host RAM of a 1 GiB machine */
	0xbffff000UL, /* the top of such a machine's RAM */
	0x100000000UL, /* 4 GiB */
	0x10000000000UL, /* 1 TiB */
	0x1fffffff000UL, /* the last page of the Sv39x4 guest-physical space */
};

#define LOAD_MARKER 0x5a5a5a5a

static unsigned long traps_before;
static void expect_begin(void)
{
	traps_before = MY_TRAP->count;
}
static int trapped_with(unsigned long cause, unsigned long addr)
{
	return MY_TRAP->count == traps_before + 1 && MY_TRAP->cause == cause && MY_TRAP->tval == addr;
}

void guest_main(unsigned long hartid)
{
	uint64_t ram_end = 0x80000000UL + dtb_memory_size();
	unsigned long extra[] = { ram_end, ram_end + 0x200000UL };

	(void)hartid;
	for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]) + 2; i++) {
		unsigned long a = i < sizeof(probes) / sizeof(probes[0])
					  ? probes[i]
					  : extra[i - sizeof(probes) / sizeof(probes[0])];
		volatile unsigned long *p = (volatile unsigned long *)a;
		unsigned long v;

		/* The load's target register keeps its marker when the load is refused. */
		expect_begin();
		__asm__ volatile("li t0, %2\n ld t0, 0(%1)\n mv %0, t0"
				 : "=r"(v)
				 : "r"(a), "i"(LOAD_MARKER)
				 : "t0", "memory");
		tap_ok(trapped_with(EXC_LOAD_ACCESS, a) && v == LOAD_MARKER,
		       "isolation: load from 0x%lx -> access fault, no data", a);
		expect_begin();
		*p = 0xdeadbeefdeadbeefUL;
		tap_ok(trapped_with(EXC_STORE_ACCESS, a), "isolation: store to 0x%lx -> access fault", a);
	}
}
