/* SRST reboot of one VM: the image is reloaded and the VM boots again (Keel only). */
#include "guests/common/guest.h"

#define MARK_INITIAL 0x1111UL
#define MARK_CHANGED 0x2222UL

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
	tap_ok(r.value == 2, "reboot: second boot counted (%ld)", r.value);
	tap_ok(hartid == 0, "reboot: boots again on vCPU 0 with a0 = 0");
	tap_ok(mark == MARK_INITIAL, "reboot: the image was reloaded (.data back to its initial value)");
	tap_ok(dtb_memory_size() > 0, "reboot: the device tree is there again");
}
