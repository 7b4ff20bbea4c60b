/*
 * The guest's board as its device tree describes it: every virtio-mmio node answers at its window
 * as a modern virtio device, no two nodes share a window or an interrupt, and the guest has as
 * many network cards, disks and consoles as the bootargs say (nets=, blks=, consoles=).
 */
#include "guests/common/guest.h"
#include "lib/virtio_spec.h"
#include <libfdt.h>

#define MAX_NODES 16

static uint32_t mmio_read32(uint64_t base, unsigned off)
{
	return *(volatile uint32_t *)(uintptr_t)(base + off);
}

void guest_main(unsigned long hartid)
{
	uint64_t base[MAX_NODES];
	uint32_t irq[MAX_NODES];
	int n = 0, nets = 0, blks = 0, consoles = 0, bad = 0, shared = 0;

	(void)hartid;
	for (int node = fdt_node_offset_by_compatible(guest_dtb, -1, "virtio,mmio"); node >= 0 && n < MAX_NODES;
	     node = fdt_node_offset_by_compatible(guest_dtb, node, "virtio,mmio")) {
		int len;
		const fdt32_t *reg = fdt_getprop(guest_dtb, node, "reg", &len);
		const fdt32_t *in = fdt_getprop(guest_dtb, node, "interrupts", NULL);

		if (!reg || len < 16 || !in) {
			bad++;
			continue;
		}
		base[n] = ((uint64_t)fdt32_to_cpu(reg[0]) << 32) | fdt32_to_cpu(reg[1]);
		irq[n] = fdt32_to_cpu(in[0]);
		uint32_t magic = mmio_read32(base[n], VIRTIO_MMIO_MAGIC_VALUE);
		uint32_t version = mmio_read32(base[n], VIRTIO_MMIO_VERSION);
		uint32_t id = mmio_read32(base[n], VIRTIO_MMIO_DEVICE_ID);

		tap_ok(magic == VIRTIO_MMIO_MAGIC && version == 2 && id, "virtio-mmio at 0x%lx irq %u: device %u",
		       (unsigned long)base[n], irq[n], id);
		nets += id == VIRTIO_ID_NET;
		blks += id == VIRTIO_ID_BLOCK;
		consoles += id == VIRTIO_ID_CONSOLE;
		for (int j = 0; j < n; j++)
			shared += base[j] == base[n] || irq[j] == irq[n];
		n++;
	}
	tap_ok(!bad && !shared, "every node has a window and an interrupt of its own (%d malformed, %d shared)", bad,
	       shared);
	tap_ok(nets == bootarg_num("nets", -1) && blks == bootarg_num("blks", -1) &&
		       consoles == bootarg_num("consoles", -1),
	       "%d network cards, %d disks, %d consoles", nets, blks, consoles);
}
