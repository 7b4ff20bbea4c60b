/* The smallest guest: says hello through SBI, checks its device tree, and powers off. */
#include "guests/common/guest.h"

void guest_main(unsigned long hartid)
{
	tap_ok(hartid == 0, "boot hart id in a0 is 0 (got %lu)", hartid);
	tap_ok(dtb_memory_size() > 0, "device tree has a memory node (%lu MiB)",
	       (unsigned long)(dtb_memory_size() >> 20));
	tap_ok(dtb_cpu_count() > 0, "device tree lists %d cpu(s)", dtb_cpu_count());
}
