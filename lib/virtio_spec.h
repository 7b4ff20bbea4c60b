/*
 * Virtio 1.x layouts and constants. The spec's structures and numbers come from the Linux UAPI
 * headers (linux-libc-dev-riscv64-cross, as kvmtool takes them; build.mk links them in): the split
 * virtqueue (virtio_ring.h), the virtio-mmio register map (virtio_mmio.h), device status and
 * reserved feature bits (virtio_config.h), device IDs and the block, network and console devices.
 * Below them, only what those headers lack. Shared by the host drivers (drivers/virtio/) and the
 * device models guests see (vdev/virtio/). Little-endian only, as is RISC-V: __le16 and __virtio16
 * are plain integers here.
 */
#ifndef KEEL_LIB_VIRTIO_SPEC_H
#define KEEL_LIB_VIRTIO_SPEC_H
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_net.h>
#include <linux/virtio_console.h>

#define VIRTIO_BIT(f) (1ULL << (f))

/* 2.6 Sizes of the three parts of a split virtqueue of `num` entries (each ring ends in an event index) */
#define VIRTQ_MAX_SIZE 32768
#define VIRTQ_DESC_SIZE(num) (sizeof(struct vring_desc) * (num))
#define VIRTQ_AVAIL_SIZE(num) (sizeof(struct vring_avail) + sizeof(__virtio16) * (num) + sizeof(__virtio16))
#define VIRTQ_USED_SIZE(num) (sizeof(struct vring_used) + sizeof(struct vring_used_elem) * (num) + sizeof(__virtio16))

/* 4.2.2 MMIO device register layout: the values, and the window the registers and configuration fill */
#define VIRTIO_MMIO_MAGIC 0x74726976U /* "virt" */
#define VIRTIO_MMIO_VERSION_LEGACY 1
#define VIRTIO_MMIO_VERSION_MODERN 2
#define VIRTIO_MMIO_LEGACY_PAGE_SIZE 4096 /* 4.2.4: the legacy queue is one page-aligned block, found by its PFN */
#define VIRTIO_MMIO_WINDOW 0x1000
/* The register offset of a field of a device's configuration, struct virtio_<dev>_config */
#define VIRTIO_MMIO_CFG(dev, field) (VIRTIO_MMIO_CONFIG + offsetof(struct virtio_##dev##_config, field))

/* 4.2.2 DeviceID 0: a placeholder, no device behind the transport */
#define VIRTIO_ID_NONE 0

/* 5.2.4, 5.2.6 The block device: its configuration up to and including blk_size, and the unit of sector */
#define VIRTIO_BLK_CFG_SIZE offsetof(struct virtio_blk_config, physical_block_exp)
#define VIRTIO_BLK_SECTOR_SIZE 512

/* 5.1.2, 5.1.4 The network device: its queues, and its configuration up to and including status */
#define VIRTIO_NET_RXQ 0
#define VIRTIO_NET_TXQ 1
#define VIRTIO_NET_CFG_SIZE offsetof(struct virtio_net_config, max_virtqueue_pairs)
/* 5.1.6: the header is struct virtio_net_hdr_v1 with VIRTIO_F_VERSION_1, struct virtio_net_hdr (legacy) without */
#define VIRTIO_NET_HDR_LEN sizeof(struct virtio_net_hdr_v1)

/* 5.3.2 The console device: port 0's receiveq and transmitq */
#define VIRTIO_CONSOLE_RXQ 0
#define VIRTIO_CONSOLE_TXQ 1

_Static_assert(sizeof(struct vring_desc) == 16, "vring_desc layout (spec 2.6.5)");
_Static_assert(sizeof(struct vring_used_elem) == 8, "vring_used_elem layout (spec 2.6.8)");
_Static_assert(sizeof(struct virtio_blk_outhdr) == 16, "virtio_blk_req header layout (spec 5.2.6)");
_Static_assert(VIRTIO_BLK_CFG_SIZE == 24, "virtio_blk_config up to blk_size (spec 5.2.4)");
_Static_assert(VIRTIO_NET_CFG_SIZE == 8, "virtio_net_config up to status (spec 5.1.4)");
_Static_assert(sizeof(struct virtio_net_hdr_v1) == 12, "virtio_net_hdr layout (spec 5.1.6)");
_Static_assert(sizeof(struct virtio_net_hdr) == 10, "legacy virtio_net_hdr layout (spec 5.1.6.1)");

#endif
