/*
 * The shadow page of a guest-facing virtio transport (vdev/virtio/transport.h) against the trapped
 * reads it stands in for, for the unit tests and fuzz targets of the virtio devices. Static
 * functions: only a test's main file includes it.
 */
#ifndef KEEL_TESTS_UNIT_VIRTIO_SHADOW_H
#define KEEL_TESTS_UNIT_VIRTIO_SHADOW_H
#include <stdint.h>
#include <string.h>
#include "vdev/virtio/transport.h"

#define VSHADOW_REGS 0 /* the registers, 4 bytes wide (the only width a trapped read takes) */
#define VSHADOW_ALL 1 /* and every configuration offset at every width, 1 to 8 bytes */

/*
 * The first offset where the page's bytes differ from a trapped read of the same width, or -1.
 * The page is what the guest loads (little-endian, as both RISC-V and the test host are).
 */
static long vshadow_mismatch(struct virtio_mmio *t, int what, unsigned *width)
{
	const uint8_t *page = (const uint8_t *)t->shadow;
	unsigned end = what == VSHADOW_ALL ? VIRTIO_MMIO_WINDOW : VIRTIO_MMIO_CONFIG;

	for (unsigned off = 0; off < end; off++)
		for (unsigned w = 1; w <= sizeof(uint64_t); w <<= 1) {
			uint64_t trapped, seen = 0;

			if (off % w || (off < VIRTIO_MMIO_CONFIG && w != sizeof(uint32_t)))
				continue;
			*width = w;
			if (virtio_mmio_ops.read(t, off, w, &trapped) != MMIO_OK)
				return (long)off;
			memcpy(&seen, page + off, w);
			if (seen != trapped)
				return (long)off;
		}
	return -1;
}

#endif
