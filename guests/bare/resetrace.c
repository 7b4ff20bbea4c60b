/*
 * VM resets racing each other (Keel only; 3 vCPUs). Each boot, vCPU 0 starts vCPU 1 and both
 * act at the same instant (time CSR): both reset the VM (SBI SRST reboot, or the syscon reset
 * value against SRST), or vCPU 1 reboots while vCPU 0 keeps starting vCPU 2 with HSM. A reset
 * is one operation per VM: it must come back every time. The last boot races a shutdown with a
 * reboot; if the reboot wins, the boot after it just shuts down.
 */
#include "guests/common/guest.h"

#define TICKS_PER_MS 10000UL /* QEMU virt timebase is 10 MHz */
#define SPIN_LIMIT 200000000UL
#define SYSCON_BASE 0x100000UL
#define SYSCON_RESET 0x7777
#define BOTH_RESET_BOOTS 12 /* boots 1..12: both reset; then vCPU 1 resets against HSM starts */
#define BOOTS 24 /* boot 24: shutdown against reboot */

enum role { ROLE_RESET = 1, ROLE_SPIN };

static volatile unsigned long boot, arrived, go;

static void srst(unsigned long type)
{
	SBI2(SBI_EXT_SRST, SBI_EXT_SRST_RESET, type, SBI_SRST_RESET_REASON_NONE);
}

static void wait_go(void)
{
	while (!go)
		mb();
	while (read_time() < go)
		;
}

/* What vCPU `id` does at the agreed instant. */
static void act(unsigned long id)
{
	wait_go();
	if (boot == BOOTS) {
		srst(id ? SBI_SRST_RESET_TYPE_COLD_REBOOT : SBI_SRST_RESET_TYPE_SHUTDOWN);
	} else if (boot > BOTH_RESET_BOOTS && id == 0) {
		/* Until Keel stops this vCPU for the reset: start vCPU 2 (it stays running when started). */
		for (;;)
			SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, 2, (unsigned long)secondary_start, ROLE_SPIN);
	} else if (id == 0 && boot % 2 == 0) {
		*(volatile uint32_t *)SYSCON_BASE = SYSCON_RESET;
	} else {
		srst(SBI_SRST_RESET_TYPE_COLD_REBOOT);
	}
	/* Never returns: a reset (ours or the other vCPU's) or a shutdown stops this vCPU. */
	tap_ok(0, "resetrace: vCPU %lu came back from its reset", id);
	for (;;)
		__asm__ volatile("wfi");
}

void guest_secondary(unsigned long hartid, unsigned long arg)
{
	if (arg == ROLE_SPIN) {
		for (;;)
			__asm__ volatile("wfi");
	}
	arrived = 1;
	mb();
	act(hartid);
}

void guest_main(unsigned long hartid)
{
	struct sbiret r = SBI0(SBI_EXT_KEEL_HVC, KEEL_HVC_BOOT_COUNT);

	boot = (unsigned long)r.value;
	if (boot > BOOTS)
		guest_shutdown(); /* the reboot won the last race */
	tap_ok(hartid == 0 && r.error == 0, "resetrace: boot %lu on vCPU 0", boot);
	r = SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, 1, (unsigned long)secondary_start, ROLE_RESET);
	for (unsigned long i = 0; i < SPIN_LIMIT && !arrived; i++)
		mb();
	tap_ok(r.error == 0 && arrived, "resetrace: boot %lu: vCPU 1 started (%ld)", boot, r.error);
	tap_plan();
	go = read_time() + TICKS_PER_MS;
	mb();
	act(0);
}
