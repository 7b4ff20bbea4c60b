/* Host virtio-mmio transport (modern interface only): device initialization per virtio 1.1, 3.1.1. */
#include "drivers/virtio/mmio.h"

#define RESET_POLLS 1000000 /* reads of Status before a device that does not finish its reset is given up */

static uint32_t rd(uintptr_t base, unsigned off)
{
	return *(volatile uint32_t *)(base + off);
}

static void wr(uintptr_t base, unsigned off, uint32_t val)
{
	*(volatile uint32_t *)(base + off) = val;
}

int virtio_host_probe(uintptr_t base, uint32_t *version)
{
	if (rd(base, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC)
		return -1;
	*version = rd(base, VIRTIO_MMIO_VERSION);
	return (int)rd(base, VIRTIO_MMIO_DEVICE_ID);
}

int virtio_host_negotiate(uintptr_t base, int legacy, uint64_t wanted, uint64_t *accepted)
{
	uint64_t offered;
	unsigned long polls = 0;

	wr(base, VIRTIO_MMIO_STATUS, 0);
	/* 4.2.3.1: the reset is done when Status reads 0 (at once on QEMU); boot time only. */
	while (rd(base, VIRTIO_MMIO_STATUS))
		if (++polls == RESET_POLLS)
			return -1;
	wr(base, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(base, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	wr(base, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	offered = rd(base, VIRTIO_MMIO_DEVICE_FEATURES);
	if (legacy) {
		*accepted = offered & wanted & 0xffffffffULL; /* 32 feature bits, accepted as they stand */
		wr(base, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
		wr(base, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)*accepted);
		return 0;
	}
	wr(base, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	offered |= (uint64_t)rd(base, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	/* Keel has no IOMMU: accepting ACCESS_PLATFORM changes nothing, refusing it may fail FEATURES_OK. */
	*accepted = offered & (wanted | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM));
	if (!(*accepted & VIRTIO_BIT(VIRTIO_F_VERSION_1)))
		return -1;
	wr(base, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(base, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(*accepted >> 32));
	wr(base, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(base, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)*accepted);
	wr(base, VIRTIO_MMIO_STATUS,
	   VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	return rd(base, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK ? 0 : -1;
}

uint16_t virtio_host_queue(uintptr_t base, int legacy, unsigned idx, struct hvq *q)
{
	uint32_t max, num = HVQ_MAX;

	if (legacy) {
		wr(base, VIRTIO_MMIO_GUEST_PAGE_SIZE, VIRTIO_MMIO_LEGACY_PAGE_SIZE);
		wr(base, VIRTIO_MMIO_QUEUE_SEL, idx);
		/* The ring's layout is fixed for HVQ_MAX entries (see struct hvq). */
		if (rd(base, VIRTIO_MMIO_QUEUE_PFN) || rd(base, VIRTIO_MMIO_QUEUE_NUM_MAX) < HVQ_MAX)
			return 0;
		hvq_init(q, HVQ_MAX);
		wr(base, VIRTIO_MMIO_QUEUE_NUM, HVQ_MAX);
		wr(base, VIRTIO_MMIO_QUEUE_ALIGN, VIRTIO_MMIO_LEGACY_PAGE_SIZE);
		wr(base, VIRTIO_MMIO_QUEUE_PFN, (uint32_t)((uintptr_t)q->desc / VIRTIO_MMIO_LEGACY_PAGE_SIZE));
		return HVQ_MAX;
	}
	wr(base, VIRTIO_MMIO_QUEUE_SEL, idx);
	if (rd(base, VIRTIO_MMIO_QUEUE_READY))
		return 0;
	max = rd(base, VIRTIO_MMIO_QUEUE_NUM_MAX);
	while (num > max)
		num >>= 1;
	if (!num)
		return 0;
	hvq_init(q, (uint16_t)num);
	wr(base, VIRTIO_MMIO_QUEUE_NUM, num);
	wr(base, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)(uintptr_t)q->desc);
	wr(base, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)((uint64_t)(uintptr_t)q->desc >> 32));
	wr(base, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)(uintptr_t)&q->avail);
	wr(base, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)((uint64_t)(uintptr_t)&q->avail >> 32));
	wr(base, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)(uintptr_t)&q->used);
	wr(base, VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)((uint64_t)(uintptr_t)&q->used >> 32));
	wr(base, VIRTIO_MMIO_QUEUE_READY, 1);
	return (uint16_t)num;
}

void virtio_host_driver_ok(uintptr_t base)
{
	wr(base, VIRTIO_MMIO_STATUS, rd(base, VIRTIO_MMIO_STATUS) | VIRTIO_CONFIG_S_DRIVER_OK);
}

void virtio_host_fail(uintptr_t base)
{
	wr(base, VIRTIO_MMIO_STATUS, rd(base, VIRTIO_MMIO_STATUS) | VIRTIO_CONFIG_S_FAILED);
}

void virtio_host_notify(uintptr_t base, unsigned idx)
{
	/* The ring writes reach memory before the device hears of them. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	wr(base, VIRTIO_MMIO_QUEUE_NOTIFY, idx);
}

uint32_t virtio_host_irq_ack(uintptr_t base)
{
	uint32_t isr = rd(base, VIRTIO_MMIO_INTERRUPT_STATUS);

	wr(base, VIRTIO_MMIO_INTERRUPT_ACK, isr);
	return isr;
}

uint32_t virtio_host_config32(uintptr_t base, unsigned off)
{
	return rd(base, VIRTIO_MMIO_CONFIG + off);
}

uint64_t virtio_host_config64(uintptr_t base, int legacy, unsigned off)
{
	uint32_t gen, lo, hi;

	if (legacy) /* no ConfigGeneration register */
		return ((uint64_t)rd(base, VIRTIO_MMIO_CONFIG + off + 4) << 32) | rd(base, VIRTIO_MMIO_CONFIG + off);

	/* 4.2.2: read again if the configuration changed between the two halves. */
	do {
		gen = rd(base, VIRTIO_MMIO_CONFIG_GENERATION);
		lo = rd(base, VIRTIO_MMIO_CONFIG + off);
		hi = rd(base, VIRTIO_MMIO_CONFIG + off + 4);
	} while (gen != rd(base, VIRTIO_MMIO_CONFIG_GENERATION));
	return ((uint64_t)hi << 32) | lo;
}
