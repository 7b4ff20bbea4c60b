/*
 * Two VMs on one hart with one VMID (Keel only, keel,vmid-bits = <0>): each keeps writing its own
 * mark to the same guest-physical pages and reading it back over many scheduler slices. With a
 * stale G-stage translation of the other VM's, a read would see the other VM's RAM.
 */
#include "guests/common/guest.h"
#include <stdlib.h>

#define PAGES 16
#define WORDS_PER_PAGE (PAGE_SIZE / sizeof(unsigned long))
#define TICKS_PER_MS 10000UL /* QEMU virt timebase is 10 MHz */
#define RUN_MS 40 /* many 1 ms slices of the other VM in between */
#define MARK_SHIFT 32

static volatile unsigned long pages[PAGES][WORDS_PER_PAGE] __attribute__((aligned(PAGE_SIZE)));

void guest_main(unsigned long hartid)
{
	char buf[8];
	unsigned long mark = bootarg("mark", buf, sizeof(buf)) ? strtoul(buf, NULL, 0) : 0, bad = 0, rounds = 0;
	uint64_t end = read_time() + RUN_MS * TICKS_PER_MS;

	(void)hartid;
	tap_ok(mark != 0, "vmidiso: mark %lu from the bootargs", mark);
	while (read_time() < end) {
		for (unsigned p = 0; p < PAGES; p++)
			pages[p][rounds % WORDS_PER_PAGE] = mark << MARK_SHIFT | rounds;
		for (unsigned p = 0; p < PAGES; p++)
			bad += pages[p][rounds % WORDS_PER_PAGE] != (mark << MARK_SHIFT | rounds);
		rounds++;
	}
	tap_ok(bad == 0, "vmidiso: %lu rounds over %d pages, %lu reads saw another VM's RAM", rounds, PAGES, bad);
	tap_done();
}
