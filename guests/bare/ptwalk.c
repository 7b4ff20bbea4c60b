/*
 * A VS-stage page table whose table page lies in a device window (Keel only): the hardware's
 * own read of that PTE is an implicit access to a device, which the guest sees as an access
 * fault of its original access (priv spec 3.6.1, 4.3.2: a PTE must be in memory that supports
 * page-table walks), with no side effect on the device. Explicit accesses to the same device
 * through the same tables still reach it.
 *
 * Sv39, root[0] points at a "table" in the vPLIC's priority page, so the second-level PTE of
 * VA (1 << 21) | x is priority word 2; root[1] maps guest-physical 0..1G 1:1 at VA 1G (the vPLIC
 * seen through translation); root[2] maps guest RAM 1:1 (the code, the stack, the trap vector).
 */
#include "guests/common/guest.h"

#define PLIC_BASE 0xc000000UL
#define PLIC_PRIORITY(src) (PLIC_BASE + 4UL * (src))
#define PTE_SRC 2 /* the priority word the walk reads as the second-level PTE of BAD_VA */
#define PRIO_SET 3 /* a priority the explicit accesses set and read back */
#define PRIO_STORED 5 /* what the store through BAD_VA would write there */

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_PPN_SHIFT 10
#define SATP_MODE_SHIFT 60
#define SATP_MODE_SV39 8UL
#define GIGAPAGE_SHIFT 30
#define LEVEL1_SHIFT 21
#define PTE_LEAF (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

#define PTES_PER_TABLE 512
#define IDENTITY_VA (1UL << GIGAPAGE_SHIFT) /* root[1]: guest-physical 0..1G */
#define RAM_GIGAPAGE 2 /* root[2]: 0x80000000..0xbfffffff, 1:1 */
/*
 * The second-level index 1 reads PTE_SRC's priority word. BAD_VA's page offset differs from
 * that word's offset, BAD_VA_SAME_OFFSET's equals it (an implicit access that looks explicit).
 */
#define BAD_VA (1UL << LEVEL1_SHIFT)
#define BAD_VA_SAME_OFFSET (BAD_VA + 4UL * PTE_SRC)

static uint64_t root[PTES_PER_TABLE] __attribute__((aligned(4096)));
static unsigned long traps_before;

static void expect_begin(void)
{
	traps_before = MY_TRAP->count;
}

static int faulted(unsigned long cause, unsigned long tval)
{
	return MY_TRAP->count == traps_before + 1 && MY_TRAP->cause == cause && MY_TRAP->tval == tval;
}

/* A load from va must end in a load access fault at va, its register untouched. */
static void load_faults(unsigned long va, const char *what)
{
	uint32_t val = 0xdead;

	expect_begin();
	__asm__ volatile("lw %0, 0(%1)" : "+r"(val) : "r"(va) : "memory");
	tap_ok(faulted(EXC_LOAD_ACCESS, va) && val == 0xdead,
	       "ptwalk: %s -> load access fault at its VA (cause %lu tval 0x%lx, rd 0x%x)", what, MY_TRAP->cause,
	       MY_TRAP->tval, val);
}

static void paging(int on)
{
	csr_write(satp, on ? (SATP_MODE_SV39 << SATP_MODE_SHIFT) | ((unsigned long)root >> PAGE_SHIFT) : 0);
	__asm__ volatile("sfence.vma" ::: "memory");
}

static uint32_t priority(unsigned src)
{
	return *(volatile uint32_t *)PLIC_PRIORITY(src);
}

void guest_main(unsigned long hartid)
{
	(void)hartid;
	root[0] = ((PLIC_BASE >> PAGE_SHIFT) << PTE_PPN_SHIFT) | PTE_V; /* a table in the vPLIC */
	root[1] = PTE_LEAF; /* PPN 0 */
	root[RAM_GIGAPAGE] =
		(((unsigned long)RAM_GIGAPAGE << GIGAPAGE_SHIFT) >> PAGE_SHIFT) << PTE_PPN_SHIFT | PTE_LEAF;
	*(volatile uint32_t *)PLIC_PRIORITY(PTE_SRC) = 0;
	paging(1);

	/* Explicit accesses through the tables: one offset that is also a walk index, one that is not. */
	*(volatile uint32_t *)(IDENTITY_VA + PLIC_PRIORITY(PTE_SRC)) = PRIO_SET;
	*(volatile uint32_t *)(IDENTITY_VA + PLIC_PRIORITY(PTE_SRC + 2)) = PRIO_SET;
	tap_ok(*(volatile uint32_t *)(IDENTITY_VA + PLIC_PRIORITY(PTE_SRC)) == PRIO_SET &&
		       *(volatile uint32_t *)(IDENTITY_VA + PLIC_PRIORITY(PTE_SRC + 2)) == PRIO_SET,
	       "ptwalk: the vPLIC through VS-stage translation is emulated");

	load_faults(BAD_VA, "a load whose PTE is in a device");
	load_faults(BAD_VA_SAME_OFFSET, "the same with the PTE's page offset equal to the VA's");

	expect_begin();
	__asm__ volatile("sw %0, 0(%1)" ::"r"(PRIO_STORED), "r"(BAD_VA_SAME_OFFSET) : "memory");
	tap_ok(faulted(EXC_STORE_ACCESS, BAD_VA_SAME_OFFSET),
	       "ptwalk: a store whose PTE is in a device -> store access fault at its VA (cause %lu tval 0x%lx)",
	       MY_TRAP->cause, MY_TRAP->tval);

	expect_begin();
	((void (*)(void))BAD_VA)();
	tap_ok(faulted(EXC_INST_ACCESS, BAD_VA),
	       "ptwalk: a fetch whose PTE is in a device -> instruction access fault (cause %lu tval 0x%lx)",
	       MY_TRAP->cause, MY_TRAP->tval);

	paging(0);
	tap_ok(priority(PTE_SRC) == PRIO_SET, "ptwalk: the device saw none of those accesses (priority %u, want %u)",
	       priority(PTE_SRC), PRIO_SET);
	tap_done();
}
