/* Host virtio-mmio transport, version 2 (virtio 1.1, 4.2.2 and the driver's side of 3.1). */
#ifndef KEEL_DRIVERS_VIRTIO_MMIO_H
#define KEEL_DRIVERS_VIRTIO_MMIO_H
#include <stdint.h>
#include "drivers/virtio/ring.h"

/* The device ID behind a transport (VIRTIO_ID_NONE for an empty slot), or -1 when it is no virtio-mmio. */
int virtio_host_probe(uintptr_t base, uint32_t *version);
/* Reset, acknowledge and negotiate: accept the features in `wanted` that the device offers. */
int virtio_host_negotiate(uintptr_t base, uint64_t wanted, uint64_t *accepted);
/* Set up queue `idx` with up to HVQ_MAX entries; returns the size used, or 0. */
uint16_t virtio_host_queue(uintptr_t base, unsigned idx, struct hvq *q);
void virtio_host_driver_ok(uintptr_t base);
void virtio_host_fail(uintptr_t base);
void virtio_host_notify(uintptr_t base, unsigned idx);
/* Read and acknowledge the interrupt status. */
uint32_t virtio_host_irq_ack(uintptr_t base);
uint32_t virtio_host_config32(uintptr_t base, unsigned off);
uint64_t virtio_host_config64(uintptr_t base, unsigned off);

#endif
