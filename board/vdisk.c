/*
 * Guest disks: each is a vdev/virtio/blk device on the VM's MMIO bus and vPLIC whose requests go
 * to a host disk (drivers/virtio/blk) with the sector moved by the slice's start and the data
 * buffers left where they are in guest RAM: no copy. Completions arrive on the host disk's
 * interrupt, on whichever hart takes it.
 */
#include "board/vdisk.h"
#include "core/console.h"
#include "core/errno.h"
#include "drivers/platform.h"
#include "core/irq.h"
#include "lib/printf.h"
#include "mm/palloc.h"
#include <stddef.h>
#include <string.h>

#define MAX_VDISKS 8 /* guest disks over all VMs */

static struct vdisk *vdisk_pool[MAX_VDISKS]; /* from Keel's pool, as VMs get disks */
#define VDISK_BYTES ((sizeof(struct vdisk) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
static int nvdisks;
static unsigned host_users[HOST_DISKS_MAX]; /* guest disks on each host disk */

/*
 * A guest disk's share of its host disk's queue, so that one guest filling it cannot keep the
 * others out: an equal part. A disk with nothing in flight may always go (see be_submit).
 */
static unsigned quota(const struct vdisk *vd)
{
	return vd->host->vq.num / host_users[vd->host->index];
}

static int be_submit(void *ctx, struct vblk_req *r)
{
	struct vdisk *vd = ctx;
	struct vdisk_out *o = &vd->out[r - vd->blk.req];
	struct host_blk_seg segs[VBLK_SEG_MAX];
	unsigned descs, held = __atomic_load_n(&vd->descs, __ATOMIC_ACQUIRE);
	int parts;

	if (r->type == VIRTIO_BLK_T_FLUSH && !vd->host->flush)
		return VBLK_BACKEND_DONE; /* a disk without FLUSH has no volatile cache */
	for (unsigned k = 0; k < r->nseg; k++)
		segs[k] = (struct host_blk_seg){ (uint64_t)(uintptr_t)r->seg[k].host, r->seg[k].len };
	parts = host_blk_plan(vd->host, segs, r->nseg, &descs);
	/* Buffers that cannot be cut on sector boundaries, or more than the host's queue ever holds. */
	if (parts < 0 || descs > vd->host->vq.num)
		return -EIO;
	/* Over its share: wait for one of its own completions (it has requests in flight then). */
	if (held && held + descs > quota(vd))
		return VBLK_BACKEND_BUSY;
	/* Counted before the host has it: its completions (on any hart) may come at once. */
	o->parts = (unsigned)parts;
	o->descs = descs;
	o->status = VIRTIO_BLK_S_OK;
	__atomic_add_fetch(&vd->descs, descs, __ATOMIC_ACQ_REL);
	parts = host_blk_submit(vd->host, r->type, r->type == VIRTIO_BLK_T_FLUSH ? 0 : vd->start + r->sector, segs,
				r->nseg, r->to_guest, r);
	if (parts < 0)
		__atomic_sub_fetch(&vd->descs, descs, __ATOMIC_ACQ_REL);
	return parts == -EBUSY ? VBLK_BACKEND_BUSY : parts < 0 ? parts : 0;
}

static void be_kick(void *ctx)
{
	struct vdisk *vd = ctx;

	host_blk_kick(vd->host);
}

/* One part of a request done; the request is answered with its last part, failed if any part failed. */
static void host_done(void *cookie, uint8_t status)
{
	struct vblk_req *r = cookie;
	struct vdisk *vd = (struct vdisk *)((char *)r->owner - offsetof(struct vdisk, blk));
	struct vdisk_out *o = &vd->out[r - vd->blk.req];

	if (status != VIRTIO_BLK_S_OK)
		__atomic_store_n(&o->status, status == VIRTIO_BLK_S_UNSUPP ? status : VIRTIO_BLK_S_IOERR,
				 __ATOMIC_RELEASE);
	if (__atomic_sub_fetch(&o->parts, 1, __ATOMIC_ACQ_REL))
		return;
	__atomic_sub_fetch(&vd->descs, o->descs, __ATOMIC_ACQ_REL);
	vblk_complete(cookie, __atomic_load_n(&o->status, __ATOMIC_ACQUIRE));
}

/* A disk made room: devices that were waiting for it go on, starting with a different one each time. */
static void host_room(struct host_disk *d)
{
	static unsigned next;
	unsigned first = __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED);

	for (int k = 0; k < nvdisks; k++) {
		struct vdisk *vd = vdisk_pool[(first + (unsigned)k) % (unsigned)nvdisks];

		/* blocked is read under the device's lock (vblk_retry): one set just now is not missed. */
		if (vd->host == d)
			vblk_retry(&vd->blk);
	}
}

static void disk_irq(void *ctx, int level)
{
	struct vdisk *vd = ctx;

	irqchip_set_level(&vd->vm->irqchip, VM_DISK_IRQ(vd->index), level);
}

void vdisks_host_init(void)
{
	host_blk_init(host_done, host_room);
}

static int overlap(const struct vm_disk_cfg *a, const struct vm_disk_cfg *b)
{
	return a->host == b->host && a->start < b->start + b->nsectors && b->start < a->start + a->nsectors;
}

static int check_disk(struct vm *vm, int i, char *err, unsigned long errlen)
{
	struct vm_disk_cfg *d = &vm->cfg.disks[i];
	const struct host_disk *h;

	if (d->host >= (unsigned)nhost_disks) {
		snprintf(err, errlen, "field keel,disks: host disk %u does not exist (%d found)", d->host, nhost_disks);
		return -1;
	}
	h = host_disks[d->host];
	if (!d->nsectors && d->start < h->nsectors)
		d->nsectors = h->nsectors - d->start;
	if (!d->nsectors || d->start >= h->nsectors || d->nsectors > h->nsectors - d->start) {
		snprintf(err, errlen, "field keel,disks: sectors %lu+%lu are not inside host disk %u (%lu sectors)",
			 (unsigned long)d->start, (unsigned long)d->nsectors, d->host, (unsigned long)h->nsectors);
		return -1;
	}
	if (h->ro)
		d->flags |= VM_DISK_RO;
	for (int j = 0; j < i; j++)
		if (overlap(d, &vm->cfg.disks[j])) {
			snprintf(err, errlen, "field keel,disks: disks %d and %d of vm '%s' overlap on host disk %u", j,
				 i, vm->cfg.name, d->host);
			return -1;
		}
	for (int v = 0; v < nvms; v++)
		for (int j = 0; &vms[v] != vm && j < vms[v].cfg.ndisks; j++)
			if (overlap(d, &vms[v].cfg.disks[j])) {
				snprintf(err, errlen,
					 "field keel,disks: sectors %lu+%lu of host disk %u overlap vm '%s' (its disk "
					 "%d)",
					 (unsigned long)d->start, (unsigned long)d->nsectors, d->host, vms[v].cfg.name,
					 j);
				return -1;
			}
	return 0;
}

int vm_disks_init(struct vm *vm, char *err, unsigned long errlen)
{
	struct vq_mem mem = { vm->cfg.ram_base, vm->cfg.ram_size, (uint8_t *)(uintptr_t)vm->ram_hpa };

	for (int i = 0; i < vm->cfg.ndisks; i++) {
		if (check_disk(vm, i, err, errlen))
			return -1;
		if (vm_window_passed_through(vm, VM_DISK_BASE(i), VIRTIO_MMIO_WINDOW)) {
			snprintf(err, errlen, "field keel,disks: disk %d's window 0x%lx is a passed-through device", i,
				 VM_DISK_BASE(i));
			return -1;
		}
	}
	if (nvdisks + vm->cfg.ndisks > MAX_VDISKS) {
		snprintf(err, errlen, "field keel,disks: Keel serves at most %d guest disks in all", MAX_VDISKS);
		return -1;
	}
	for (int i = 0; i < vm->cfg.ndisks; i++) {
		const struct vm_disk_cfg *d = &vm->cfg.disks[i];
		struct vdisk *vd = (struct vdisk *)(uintptr_t)page_alloc(VDISK_BYTES, PAGE_SIZE);
		struct vblk_disk disk = { .nsectors = d->nsectors, .ro = !!(d->flags & VM_DISK_RO) };
		struct vblk_backend be = { be_submit, be_kick, vd };

		if (!vd) {
			snprintf(err, errlen, "field keel,disks: no memory left for disk %d", i);
			return -1;
		}
		memset(vd, 0, sizeof(*vd));
		vm->disks[i] = vd; /* vm_disks_exit gives it back from here on */
		vd->vm = vm;
		vd->index = i;
		vd->host = host_disks[d->host];
		vd->start = d->start;
		vd->descs = 0;
		disk.size_max = vd->host->size_max;
		disk.seg_max = host_blk_seg_max(vd->host) < VBLK_SEG_MAX ? host_blk_seg_max(vd->host) : VBLK_SEG_MAX;
		snprintf(disk.id, sizeof(disk.id), "keel-%s-%d", vm->cfg.name, i);
		vblk_init(&vd->blk, &disk, &be, &mem, &vd->chain, disk_irq, vd);
		if (vm_virtio_attach(vm, VM_DISK_BASE(i), &vd->blk.t, "virtio-blk")) {
			snprintf(err, errlen,
				 "field keel,disks: no room for disk %d on the VM's bus or in its stage-2 tables", i);
			return -1;
		}
	}
	/* Nothing fails from here: the disks join the pool the host disks' completions search. */
	for (int i = 0; i < vm->cfg.ndisks; i++) {
		const struct vm_disk_cfg *d = &vm->cfg.disks[i];

		vdisk_pool[nvdisks + i] = vm->disks[i];
		host_users[d->host]++;
		kprintf("keel: vm '%s': disk %d at 0x%lx irq %lu: host disk %u sectors %lu-%lu (%lu KiB)%s\n",
			vm->cfg.name, i, VM_DISK_BASE(i), (unsigned long)VM_DISK_IRQ(i), d->host,
			(unsigned long)d->start, (unsigned long)(d->start + d->nsectors - 1),
			(unsigned long)(d->nsectors >> 1), d->flags & VM_DISK_RO ? ", read-only" : "");
	}
	nvdisks += vm->cfg.ndisks;
	return 0;
}

void vm_disks_exit(struct vm *vm)
{
	for (int i = 0; i < MAX_VM_DISKS; i++)
		if (vm->disks[i]) {
			page_free((uint64_t)(uintptr_t)vm->disks[i], VDISK_BYTES);
			vm->disks[i] = NULL;
		}
}

void vm_disks_reset(struct vm *vm)
{
	for (int i = 0; i < vm->cfg.ndisks; i++)
		if (vm->disks[i])
			virtio_mmio_reset(&vm->disks[i]->blk.t);
}

int vm_disks_idle(const struct vm *vm)
{
	for (int i = 0; i < vm->cfg.ndisks; i++)
		if (vm->disks[i] && __atomic_load_n(&vm->disks[i]->descs, __ATOMIC_ACQUIRE))
			return 0;
	return 1;
}

void vdisks_route_irqs(unsigned long hart)
{
	for (int h = 0; h < nhost_disks; h++) {
		int first = -1;

		for (int v = 0; v < nvms && first < 0; v++)
			for (int i = 0; i < vms[v].cfg.ndisks; i++)
				if (vms[v].cfg.disks[i].host == (unsigned)h)
					first = v;
		if (first >= 0 && vms[first].cfg.harts[0] == hart)
			irq_route(host_disks[h]->irq, hart);
	}
}

void vm_disks_report(struct vm *vm)
{
	for (int i = 0; i < vm->cfg.ndisks; i++) {
		struct vdisk *vd = vm->disks[i];

		if (vd)
			kprintf("keel: vm '%s' disk %d: %lu requests answered (%lu with an error status), %lu protocol "
				"errors (NEEDS_RESET)\n",
				vm->cfg.name, i, vd->blk.served, vd->blk.errors, vd->blk.t.protocol_errors);
	}
}
