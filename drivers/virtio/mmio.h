/* Host virtio-mmio transport, version 2 (virtio 1.1, 4.2.2 and the driver's side of 3.1). */
#ifndef KEEL_DRIVERS_VIRTIO_MMIO_H
#define KEEL_DRIVERS_VIRTIO_MMIO_H
#include <stdint.h>
#include "drivers/virtio/ring.h"

/* The device ID behind a transport (VIRTIO_ID_NONE for an empty slot), or -1 when it is no virtio-mmio. */
int virtio_host_probe(uintptr_t base, uint32_t *version);
/*
 * Reset, acknowledge and negotiate: accept the features in `wanted` that the device offers. A
 * legacy (version 1) device has 32 feature bits and no FEATURES_OK step (4.2.4).
 */
int virtio_host_negotiate(uintptr_t base, int legacy, uint64_t wanted, uint64_t *accepted);
/* Set up queue `idx` with up to HVQ_MAX entries (exactly HVQ_MAX on a legacy device); returns the size, or 0. */
uint16_t virtio_host_queue(uintptr_t base, int legacy, unsigned idx, struct hvq *q);
void virtio_host_driver_ok(uintptr_t base);
void virtio_host_fail(uintptr_t base);
void virtio_host_notify(uintptr_t base, unsigned idx);
/* Read and acknowledge the interrupt status. */
uint32_t virtio_host_irq_ack(uintptr_t base);
uint32_t virtio_host_config32(uintptr_t base, unsigned off);
uint64_t virtio_host_config64(uintptr_t base, int legacy, unsigned off);

#endif
