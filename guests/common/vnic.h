/* The test guests' virtio-net basics: a split virtqueue's layout and the card's set-up (virtio 1.1, 2.6, 4.2). */
#ifndef KEEL_GUEST_VNIC_H
#define KEEL_GUEST_VNIC_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "lib/virtio_spec.h"
#include "guests/common/guest.h"

#define GUEST_VNIC_QUEUES 2 /* receive (0) and transmit (1) */

/* The rings: GUEST_VRING (guests/common/guest.h), a split virtqueue with its used ring on a page of its own. */

static inline void guest_vnic_reg(uintptr_t base, unsigned off, uint32_t val)
{
	*(volatile uint32_t *)(base + off) = val;
}

/*
 * Reset the virtio-mmio device at base and set it up with VERSION_1 and the feature bits 31:0 in
 * low, and each of its first GUEST_VNIC_QUEUES queues that it has with n entries: queue q's ring at
 * rings + q * ring_bytes, emptied first (use GUEST_VNIC_SETUP). The flood guest sets up its
 * console and disk this way too.
 */
static inline void guest_vnic_setup(uintptr_t base, uint32_t low, unsigned n, uint8_t *rings, size_t ring_bytes,
				    size_t avail_off, size_t used_off)
{
	guest_vnic_reg(base, VIRTIO_MMIO_STATUS, 0);
	guest_vnic_reg(base, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	guest_vnic_reg(base, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	guest_vnic_reg(base, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(VIRTIO_BIT(VIRTIO_F_VERSION_1) >> 32));
	guest_vnic_reg(base, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	guest_vnic_reg(base, VIRTIO_MMIO_DRIVER_FEATURES, low);
	guest_vnic_reg(base, VIRTIO_MMIO_STATUS,
		       VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	for (unsigned q = 0; q < GUEST_VNIC_QUEUES; q++) {
		uint8_t *r = rings + q * ring_bytes;

		memset(r, 0, ring_bytes);
		guest_vnic_reg(base, VIRTIO_MMIO_QUEUE_SEL, q);
		if (!*(volatile uint32_t *)(base + VIRTIO_MMIO_QUEUE_NUM_MAX))
			continue; /* no such queue (a disk has one) */
		guest_vnic_reg(base, VIRTIO_MMIO_QUEUE_NUM, n);
		guest_vnic_reg(base, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)(uintptr_t)r);
		guest_vnic_reg(base, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
		guest_vnic_reg(base, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)(uintptr_t)(r + avail_off));
		guest_vnic_reg(base, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
		guest_vnic_reg(base, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)(uintptr_t)(r + used_off));
		guest_vnic_reg(base, VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
		guest_vnic_reg(base, VIRTIO_MMIO_QUEUE_READY, 1);
	}
	guest_vnic_reg(base, VIRTIO_MMIO_STATUS,
		       VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK |
			       VIRTIO_CONFIG_S_DRIVER_OK);
}

/* rings: an array of GUEST_VNIC_QUEUES GUEST_VRING(n). */
#define GUEST_VNIC_SETUP(base, low, rings, n)                                  \
	guest_vnic_setup(base, low, n, (uint8_t *)(rings), sizeof((rings)[0]), \
			 offsetof(__typeof__((rings)[0]), avail), offsetof(__typeof__((rings)[0]), used))

#endif
