/*
 * Virtio 1.x layouts and constants, written from the OASIS virtio 1.1 specification (the names
 * are the spec's): the split virtqueue (2.6), the virtio-mmio register map (4.2.2), device status
 * (2.1), reserved feature bits (6) and the block device (5.2). Shared by the host drivers
 * (drivers/virtio/) and the device models guests see (vdev/virtio/). Little-endian only, as is RISC-V.
 */
#ifndef KEEL_DRIVERS_VIRTIO_VIRTIO_SPEC_H
#define KEEL_DRIVERS_VIRTIO_VIRTIO_SPEC_H
#include <stdint.h>

/* 2.1 Device status field */
#define VIRTIO_STATUS_ACKNOWLEDGE 1U
#define VIRTIO_STATUS_DRIVER 2U
#define VIRTIO_STATUS_DRIVER_OK 4U
#define VIRTIO_STATUS_FEATURES_OK 8U
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64U
#define VIRTIO_STATUS_FAILED 128U

/* 6 Reserved feature bits */
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_F_RING_PACKED 34
#define VIRTIO_BIT(f) (1ULL << (f))

/* 2.6.5 The virtqueue descriptor table */
#define VIRTQ_DESC_F_NEXT 1U
#define VIRTQ_DESC_F_WRITE 2U
#define VIRTQ_DESC_F_INDIRECT 4U

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* 2.6.6 The virtqueue available ring (ring[] has queue-size entries, then used_event) */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1U
struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

/* 2.6.8 The virtqueue used ring */
#define VIRTQ_USED_F_NO_NOTIFY 1U
struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

/* 2.6 Alignment and sizes of the three parts of a split virtqueue of `num` entries */
#define VIRTQ_DESC_ALIGN 16
#define VIRTQ_AVAIL_ALIGN 2
#define VIRTQ_USED_ALIGN 4
#define VIRTQ_MAX_SIZE 32768
#define VIRTQ_DESC_SIZE(num) (16UL * (num))
#define VIRTQ_AVAIL_SIZE(num) (6UL + 2UL * (num))
#define VIRTQ_USED_SIZE(num) (6UL + 8UL * (num))

/* 4.2.2 MMIO device register layout (version 2, "modern") */
#define VIRTIO_MMIO_MAGIC_VALUE 0x000
#define VIRTIO_MMIO_VERSION 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_VENDOR_ID 0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_READY 0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VIRTIO_MMIO_SHM_SEL 0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW 0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH 0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW 0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH 0x0bc
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fc
/* 4.2.4 Legacy interface (version 1): the queue is one guest-page-aligned block found by its PFN */
#define VIRTIO_MMIO_LEGACY_GUEST_PAGE_SIZE 0x028
#define VIRTIO_MMIO_LEGACY_QUEUE_ALIGN 0x03c
#define VIRTIO_MMIO_LEGACY_QUEUE_PFN 0x040
#define VIRTIO_MMIO_LEGACY_PAGE_SIZE 4096
#define VIRTIO_MMIO_CONFIG 0x100
#define VIRTIO_MMIO_WINDOW 0x1000

#define VIRTIO_MMIO_MAGIC 0x74726976U /* "virt" */
#define VIRTIO_MMIO_VERSION_LEGACY 1
#define VIRTIO_MMIO_VERSION_MODERN 2
#define VIRTIO_MMIO_INT_VRING 1U /* used buffer notification */
#define VIRTIO_MMIO_INT_CONFIG 2U /* configuration change notification */

/* 5 Device types */
#define VIRTIO_ID_NONE 0
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3

/* 5.2.3 Block device feature bits */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_GEOMETRY 4
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_TOPOLOGY 10
#define VIRTIO_BLK_F_CONFIG_WCE 11

/* 5.2.4 Block device configuration layout (the fields Keel uses; offsets are the spec's) */
#define VIRTIO_BLK_CFG_CAPACITY 0 /* le64, in 512-byte sectors */
#define VIRTIO_BLK_CFG_SIZE_MAX 8 /* le32 */
#define VIRTIO_BLK_CFG_SEG_MAX 12 /* le32 */
#define VIRTIO_BLK_CFG_GEOMETRY 16 /* cylinders le16, heads u8, sectors u8 */
#define VIRTIO_BLK_CFG_BLK_SIZE 20 /* le32 */
#define VIRTIO_BLK_CFG_SIZE 24 /* bytes up to and including blk_size */

/* 5.2.6 Block device requests */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2
#define VIRTIO_BLK_ID_BYTES 20
#define VIRTIO_BLK_SECTOR_SIZE 512

struct virtio_blk_req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* 5.1.3 Network device feature bits */
#define VIRTIO_NET_F_CSUM 0 /* the device takes partial checksums */
#define VIRTIO_NET_F_GUEST_CSUM 1 /* the driver takes partial checksums */
#define VIRTIO_NET_F_GUEST_TSO4 7 /* the driver takes TSOv4 */
#define VIRTIO_NET_F_HOST_TSO4 11 /* the device takes TSOv4 */
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_STATUS 16

/* 5.1.4 Network device configuration layout */
#define VIRTIO_NET_CFG_MAC 0 /* u8[6] */
#define VIRTIO_NET_CFG_STATUS 6 /* le16 */
#define VIRTIO_NET_CFG_SIZE 8 /* bytes up to and including status */
#define VIRTIO_NET_S_LINK_UP 1U

/* 5.1.2 Virtqueues */
#define VIRTIO_NET_RXQ 0
#define VIRTIO_NET_TXQ 1

/* 5.3.3 Console device feature bits (Keel offers none of them: port 0 only, no size) */
#define VIRTIO_CONSOLE_F_SIZE 0
#define VIRTIO_CONSOLE_F_MULTIPORT 1
#define VIRTIO_CONSOLE_F_EMERG_WRITE 2

/* 5.3.4 Console device configuration layout (each field only with its feature) */
#define VIRTIO_CONSOLE_CFG_COLS 0 /* le16, F_SIZE */
#define VIRTIO_CONSOLE_CFG_ROWS 2 /* le16, F_SIZE */
#define VIRTIO_CONSOLE_CFG_MAX_NR_PORTS 4 /* le32, F_MULTIPORT */
#define VIRTIO_CONSOLE_CFG_EMERG_WR 8 /* le32, F_EMERG_WRITE */
#define VIRTIO_CONSOLE_CFG_SIZE 12

/* 5.3.2 Virtqueues: port 0's receiveq and transmitq */
#define VIRTIO_CONSOLE_RXQ 0
#define VIRTIO_CONSOLE_TXQ 1

/*
 * 5.1.6 struct virtio_net_hdr: 12 bytes with VIRTIO_F_VERSION_1 (num_buffers is always there),
 * 10 bytes on a legacy device without VIRTIO_NET_F_MRG_RXBUF (5.1.6.1 legacy interface).
 */
struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};
#define VIRTIO_NET_HDR_LEN sizeof(struct virtio_net_hdr)
#define VIRTIO_NET_HDR_LEN_LEGACY 10
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_F_DATA_VALID 2
#define VIRTIO_NET_HDR_GSO_NONE 0
#define VIRTIO_NET_HDR_GSO_TCPV4 1

_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc layout (spec 2.6.5)");
_Static_assert(sizeof(struct virtq_used_elem) == 8, "virtq_used_elem layout (spec 2.6.8)");
_Static_assert(sizeof(struct virtio_blk_req_hdr) == 16, "virtio_blk_req header layout (spec 5.2.6)");

_Static_assert(sizeof(struct virtio_net_hdr) == 12, "virtio_net_hdr layout (spec 5.1.6)");

#endif
