/* Host virtio-blk driver (virtio 1.1, 5.2) over the modern virtio-mmio transport. */
#include "drivers/virtio/blk.h"
#include "core/console.h"
#include "core/errno.h"
#include "drivers/platform.h"
#include "drivers/virtio/mmio.h"
#include "lib/printf.h"
#include "mm/palloc.h"
#include <string.h>
#include <stddef.h>

#define HOST_BLK_QUEUE 0
#define HOST_DISK_BYTES ((sizeof(struct host_disk) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define HOST_BLK_BATCH 32 /* completions taken per lock hold */
#define HOST_BLK_STATUS_UNSET 0xff /* not a VIRTIO_BLK_S_*: the device did not answer */
#define HOST_BLK_FEATURES                                                                                           \
	(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | VIRTIO_BIT(VIRTIO_BLK_F_RO) |            \
	 VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX) | \
	 VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC))

struct host_disk *host_disks[HOST_DISKS_MAX];
int nhost_disks;
static void (*done_cb)(void *cookie, uint8_t status);
static void (*room_cb)(struct host_disk *d);

static int setup(struct host_disk *d)
{
	uint32_t blk_size = VIRTIO_BLK_SECTOR_SIZE;

	if (virtio_host_negotiate(d->base, d->legacy, HOST_BLK_FEATURES, &d->features))
		return -1;
	if (!virtio_host_queue(d->base, d->legacy, HOST_BLK_QUEUE, &d->vq))
		return -1;
	d->nsectors = virtio_host_config64(d->base, d->legacy, offsetof(struct virtio_blk_config, capacity));
	d->ro = !!(d->features & VIRTIO_BIT(VIRTIO_BLK_F_RO));
	d->flush = !!(d->features & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH));
	d->indirect = !!(d->features & VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC));
	if (d->features & VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX))
		d->seg_max = virtio_host_config32(d->base, offsetof(struct virtio_blk_config, seg_max));
	if (d->features & VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX))
		d->size_max = virtio_host_config32(d->base, offsetof(struct virtio_blk_config, size_max));
	if (d->features & VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE))
		blk_size = virtio_host_config32(d->base, offsetof(struct virtio_blk_config, blk_size));
	/* Sector arithmetic for guests is in 512-byte units; a bigger logical block would need more checks. */
	if (blk_size != VIRTIO_BLK_SECTOR_SIZE)
		return -1;
	virtio_host_driver_ok(d->base);
	return 0;
}

void host_blk_init(void (*done)(void *cookie, uint8_t status), void (*room)(struct host_disk *d))
{
	done_cb = done;
	room_cb = room;
	/* From the highest address down: the order of QEMU's -device options. */
	for (int i = platform.nvirtio - 1; i >= 0 && nhost_disks < HOST_DISKS_MAX; i--) {
		const struct virtio_slot *s = &platform.virtio[i];
		struct host_disk *d;
		uint32_t version;
		int id = virtio_host_probe(s->base, &version);

		if (id != VIRTIO_ID_BLOCK)
			continue;
		if (version != VIRTIO_MMIO_VERSION_MODERN && version != VIRTIO_MMIO_VERSION_LEGACY) {
			kprintf("keel: virtio-blk at 0x%lx: unknown transport version %u, not used\n",
				(unsigned long)s->base, version);
			continue;
		}
		/* From Keel's pool rather than .bss: a machine without disks pays nothing for them. */
		d = (struct host_disk *)(uintptr_t)page_alloc(HOST_DISK_BYTES, PAGE_SIZE);
		if (!d) {
			kprintf("keel: virtio-blk at 0x%lx: no memory for its driver, not used\n",
				(unsigned long)s->base);
			break;
		}
		memset(d, 0, sizeof(*d));
		d->index = nhost_disks;
		d->base = s->base;
		d->legacy = version == VIRTIO_MMIO_VERSION_LEGACY;
		d->irq = s->irq;
		if (setup(d)) {
			virtio_host_fail(d->base);
			kprintf("keel: virtio-blk at 0x%lx: feature or queue setup failed, not used\n",
				(unsigned long)s->base);
			page_free((uint64_t)(uintptr_t)d, HOST_DISK_BYTES);
			continue;
		}
		kprintf("keel: disk %d: virtio-blk at 0x%lx irq %u, %lu sectors (%lu MiB), queue %u%s%s%s%s\n",
			d->index, (unsigned long)d->base, d->irq, (unsigned long)d->nsectors,
			(unsigned long)(d->nsectors >> 11), d->vq.num, d->flush ? ", flush" : "",
			d->ro ? ", read-only" : "", d->legacy ? ", legacy transport" : "",
			d->indirect ? ", indirect" : "");
		host_disks[nhost_disks++] = d;
	}
}

/* Data buffers the device takes in one request. */
static unsigned part_max(const struct host_disk *d)
{
	return d->seg_max && d->seg_max < HOST_BLK_MAX_SEGS ? d->seg_max : HOST_BLK_MAX_SEGS;
}

/* Buffers of the part starting at segs[0]: as many as the device takes, ending on a sector boundary; 0 if none does. */
static unsigned part_len(const struct host_disk *d, const struct host_blk_seg *segs, unsigned nseg)
{
	unsigned max = part_max(d), cut = 0;
	uint64_t bytes = 0;

	if (nseg <= max)
		return nseg;
	for (unsigned k = 0; k < max; k++) {
		bytes += segs[k].len;
		if (bytes % VIRTIO_BLK_SECTOR_SIZE == 0)
			cut = k + 1;
	}
	return cut;
}

unsigned host_blk_seg_max(const struct host_disk *d)
{
	/* Two requests at once, each with its header and status descriptors (at least one buffer on tiny rings). */
	unsigned half = d->vq.num / 2 > 3 ? d->vq.num / 2 - 2 : 1;

	if (d->indirect)
		return HOST_BLK_SPLIT_SEGS;
	return part_max(d) < half ? part_max(d) : half;
}

int host_blk_plan(const struct host_disk *d, const struct host_blk_seg *segs, unsigned nseg, unsigned *descs)
{
	int parts = 0;

	*descs = 0;
	do {
		unsigned n = part_len(d, segs, nseg);

		if (!n && nseg)
			return -EINVAL;
		*descs += d->indirect ? 1 : n + 2;
		segs += n;
		nseg -= n;
		parts++;
	} while (nseg);
	return parts;
}

/* With the lock held and room checked: one device request of n data buffers. */
static void add_part(struct host_disk *d, uint32_t type, uint64_t sector, const struct host_blk_seg *segs, unsigned n,
		     int to_memory, void *cookie)
{
	/* The head descriptor the chain will get is the free list's first: its slot holds the header. */
	uint16_t h = d->vq.free_head;
	uint64_t hdr = (uint64_t)(uintptr_t)&d->slot[h].hdr, status = (uint64_t)(uintptr_t)&d->slot[h].status;

	d->slot[h].hdr = (struct virtio_blk_outhdr){ .type = type, .sector = sector };
	d->slot[h].status = HOST_BLK_STATUS_UNSET;
	d->slot[h].cookie = cookie;
	d->requests++;
	if (d->indirect) {
		/* 2.6.5.3: the chain in the slot's table, numbered from 0; the ring holds one descriptor for it. */
		struct vring_desc *t = d->slot[h].table;
		struct hvq_buf table = { (uint64_t)(uintptr_t)t, (uint32_t)((n + 2) * sizeof(*t)), 0, 1 };

		t[0] = (struct vring_desc){ hdr, sizeof(d->slot[h].hdr), VRING_DESC_F_NEXT, 1 };
		for (unsigned k = 0; k < n; k++)
			t[k + 1] = (struct vring_desc){
				segs[k].addr, segs[k].len,
				(uint16_t)(VRING_DESC_F_NEXT | (to_memory ? VRING_DESC_F_WRITE : 0)), (uint16_t)(k + 2)
			};
		t[n + 1] = (struct vring_desc){ status, 1, VRING_DESC_F_WRITE, 0 };
		hvq_add(&d->vq, &table, 1);
		return;
	}
	struct hvq_buf bufs[HOST_BLK_MAX_SEGS + 2];

	bufs[0] = (struct hvq_buf){ hdr, sizeof(d->slot[h].hdr), 0, 0 };
	for (unsigned k = 0; k < n; k++)
		bufs[k + 1] = (struct hvq_buf){ segs[k].addr, segs[k].len, to_memory, 0 };
	bufs[n + 1] = (struct hvq_buf){ status, 1, 1, 0 };
	hvq_add(&d->vq, bufs, n + 2);
}

int host_blk_submit(struct host_disk *d, uint32_t type, uint64_t sector, const struct host_blk_seg *segs, unsigned nseg,
		    int to_memory, void *cookie)
{
	unsigned descs;
	int parts = host_blk_plan(d, segs, nseg, &descs);

	if (parts < 0)
		return parts;
	spin_lock(&d->lock);
	/* All parts or none: a request is never half queued. */
	if (descs > d->vq.nfree) {
		spin_unlock(&d->lock);
		return -EBUSY;
	}
	do {
		unsigned n = part_len(d, segs, nseg);
		uint64_t bytes = 0;

		for (unsigned k = 0; k < n; k++)
			bytes += segs[k].len;
		add_part(d, type, sector, segs, n, to_memory, cookie);
		sector += bytes / VIRTIO_BLK_SECTOR_SIZE;
		segs += n;
		nseg -= n;
	} while (nseg);
	spin_unlock(&d->lock);
	return parts;
}

void host_blk_kick(struct host_disk *d)
{
	virtio_host_notify(d->base, HOST_BLK_QUEUE);
}

static void drain(struct host_disk *d)
{
	for (;;) {
		struct {
			void *cookie;
			uint8_t status;
		} batch[HOST_BLK_BATCH];
		int n = 0, head;
		uint32_t len;

		spin_lock(&d->lock);
		while (n < HOST_BLK_BATCH && (head = hvq_pop_used(&d->vq, &len)) != -1) {
			if (head < 0)
				continue;
			batch[n].cookie = d->slot[head].cookie;
			batch[n].status = d->slot[head].status;
			if (batch[n].status != VIRTIO_BLK_S_OK)
				d->errors++;
			n++;
		}
		spin_unlock(&d->lock);
		for (int i = 0; i < n; i++)
			done_cb(batch[i].cookie, batch[i].status);
		if (n < HOST_BLK_BATCH)
			break;
	}
	room_cb(d);
}

void host_blk_interrupt(struct host_disk *d)
{
	/* Acknowledge first: completions after this raise the interrupt again. */
	virtio_host_irq_ack(d->base);
	drain(d);
}
