/*
 * Restarting one VM (Keel only): boot 1 asks for an SBI SRST cold reboot, boot 2 writes the
 * reset value to the sifive,test device, boot 3 checks it got there and powers off.
 */
#include "guests/common/guest.h"

#define MARK_INITIAL 0x1111UL
#define MARK_CHANGED 0x2222UL
#define SYSCON_BASE 0x100000UL
#define SYSCON_RESET 0x7777

static volatile unsigned long mark = MARK_INITIAL; /* .data: reloaded with the image */

void guest_main(unsigned long hartid)
{
	struct sbiret r = SBI0(SBI_EXT_KEEL_HVC, KEEL_HVC_BOOT_COUNT);

	tap_ok(r.error == 0, "reboot: boot count readable by hypercall");
	if (r.value == 1) {
		tap_ok(hartid == 0 && mark == MARK_INITIAL, "reboot: first boot on hart 0");
		mark = MARK_CHANGED;
		tap_plan();
		r = SBI2(SBI_EXT_SRST, SBI_EXT_SRST_RESET, SBI_SRST_RESET_TYPE_COLD_REBOOT, SBI_SRST_RESET_REASON_NONE);
		tap_ok(0, "reboot: SRST reboot returned (%ld)", r.error);
		return;
	}
	tap_ok(r.value == 2 || r.value == 3, "reboot: boot %ld counted", r.value);
	tap_ok(hartid == 0, "reboot: boots again on vCPU 0 with a0 = 0");
	tap_ok(mark == MARK_INITIAL, "reboot: the image was reloaded (.data back to its initial value)");
	tap_ok(dtb_memory_size() > 0, "reboot: the device tree is there again");
	if (r.value == 2) {
		mark = MARK_CHANGED;
		tap_plan();
		*(volatile uint32_t *)SYSCON_BASE = SYSCON_RESET;
		tap_ok(0, "reboot: the syscon reset write returned");
	}
}
