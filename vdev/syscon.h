/* The virt machine's "sifive,test" power-off / reset device, per VM. */
#ifndef KEEL_VDEV_SYSCON_H
#define KEEL_VDEV_SYSCON_H
#include "vdev/mmio.h"

#define SYSCON_SIZE 0x1000UL

extern const struct mmio_ops syscon_ops;

#endif
