/*
 * Virtio block test guest (Keel only): a small modern virtio-mmio driver that finds its disks in
 * the device tree and checks Keel's virtio-blk devices. bootargs "keel blk=check" (the default):
 * disk 0 is a read-write slice, disk 1 a read-only one; writes and reads back sectors with several
 * requests in flight, FLUSH, GET_ID, sectors past the end, unsupported types, a refused write on
 * the read-only disk, and malformed requests and queues (each ending in IOERR or NEEDS_RESET,
 * after which the device works again once reset). The harness fills the image with a known
 * pattern and checks afterwards what reached the file.
 * bootargs "keel blk=hostile seed=N": random rings, descriptors and registers, then one sane read.
 * bootargs "keel blk=hostile-smp": two vCPUs, one refilling the available ring as fast as the device
 * empties it while the other notifies, so that the device always has work; the VM beside must go on.
 * bootargs "keel blk=stress seed=N": rounds of up to STRESS_INFLIGHT reads and writes in flight at once, of
 * random sectors and sizes, each split into random-length segments in scattered buffers, checked
 * against a shadow copy of the disk; at the end the whole disk is read back and its checksum
 * printed ("# stress checksum ..."), which the harness compares with the image file.
 * bootargs "keel blk=reboot" (Keel only): boot 1 offers every read its ring holds, each into the same
 * buffer in the image's .data, and reboots at once; boot 2 finds that buffer as the image has it
 * (no read landed in the reloaded image) and the disk working again.
 * bootargs "blk=bench" (under Keel or natively): 4 MiB of sequential 64 KiB reads, then writes, one
 * request at a time, each polled for (the polling taken out again); prints "bench: blk_read_64k N" and
 * "bench: blk_write_64k N", N = instructions retired (all harts, under -icount) per request.
 * Natively (bootargs "native start=S", QEMU's own virtio-blk over the whole image) the same driver
 * writes and reads the same host sectors and checks what the spec defines (the differential run).
 */
#include "guests/common/guest.h"
#include "lib/virtio_spec.h"
#include <libfdt.h>
#include <string.h>

#define QN 64 /* our queue size */
#define MAX_DISKS 4
#define SECTOR VIRTIO_BLK_SECTOR_SIZE
#define WAIT_TICKS 20000000UL /* 2 s at QEMU virt's 10 MHz timebase: a request that gets no answer */
#define WAIT_NONE_TICKS 1000000UL /* 100 ms: how long to wait for an answer that must not come */
#define NO_STATUS 0xee /* what the status byte holds until the device writes it */
#define PLIC_PRIORITY(id) (4UL * (id))
#define PLIC_ENABLE(ctx) (0x2000UL + 0x80UL * (ctx))
#define PLIC_THRESHOLD(ctx) (0x200000UL + 0x1000UL * (ctx))
#define PLIC_CLAIM(ctx) (PLIC_THRESHOLD(ctx) + 4)
#define OUTSIDE_RAM 0x1000UL /* no RAM there */
#define HUGE_SECTOR (1ULL << 62)
#define WRITE_SECTORS 16 /* written on disk 0 from sector 0; the harness checks them in the file */

struct ring {
	struct vring_desc desc[QN] __attribute__((aligned(16)));
	struct {
		uint16_t flags, idx, ring[QN], used_event;
	} avail __attribute__((aligned(2)));
	struct {
		uint16_t flags, idx;
		struct vring_used_elem ring[QN];
		uint16_t avail_event;
	} used __attribute__((aligned(4)));
};

struct disk {
	uintptr_t base;
	unsigned irq;
	uint64_t features, capacity;
	struct ring *vr;
	uint16_t avail_idx, used_seen;
	volatile unsigned irqs;
};

static struct ring rings[MAX_DISKS];
static struct disk disks[MAX_DISKS];
static int ndisks;
static uintptr_t plic;
static unsigned ctx;
static struct virtio_blk_outhdr hdrs[QN];
static volatile uint8_t status[QN];
static uint8_t buf[WRITE_SECTORS * SECTOR] __attribute__((aligned(SECTOR)));
static uint8_t rbuf[WRITE_SECTORS * SECTOR] __attribute__((aligned(SECTOR)));
static char idbuf[VIRTIO_BLK_ID_BYTES + 4];
/* Host sector where disk 0's test area starts, and the device sector that reaches it (0 under Keel, whose
 * disk 0 is a slice starting there; the same natively, where the disk is the whole image). */
static uint64_t slice_start, base;

static uint64_t host_of(uint64_t dev_sector)
{
	return under_keel ? slice_start + dev_sector : dev_sector;
}

static volatile uint32_t *reg(const struct disk *d, unsigned off)
{
	return (volatile uint32_t *)(d->base + off);
}

static volatile uint32_t *plic_reg(uintptr_t off)
{
	return (volatile uint32_t *)(plic + off);
}

/* The harness's pattern: each 8-byte word of host sector s at offset o holds s << 32 | o. */
static uint64_t host_word(uint64_t sector, unsigned off)
{
	return sector << 32 | off;
}

static uint64_t guest_word(uint64_t sector, unsigned off)
{
	return 0xb10c000000000000ULL | sector << 24 | off;
}

/* ---- finding the devices and the PLIC ---- */

static void find_devices(void)
{
	int node = -1, len;

	/* Device tree order is lowest address first; disk 0 is the highest (as QEMU places them). */
	while ((node = fdt_node_offset_by_compatible(guest_dtb, node, "virtio,mmio")) >= 0 && ndisks < MAX_DISKS) {
		const fdt32_t *r = fdt_getprop(guest_dtb, node, "reg", &len);
		const fdt32_t *irq = fdt_getprop(guest_dtb, node, "interrupts", NULL);
		struct disk d = { 0 };

		if (!r || len < 16 || !irq)
			continue;
		d.base = (uintptr_t)(((uint64_t)fdt32_to_cpu(r[0]) << 32) | fdt32_to_cpu(r[1]));
		d.irq = fdt32_to_cpu(*irq);
		if (*reg(&d, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC ||
		    *reg(&d, VIRTIO_MMIO_DEVICE_ID) != VIRTIO_ID_BLOCK)
			continue;
		for (int i = ndisks++; i >= 0; i--)
			disks[i] = i ? disks[i - 1] : d;
	}
	for (int i = 0; i < ndisks; i++)
		disks[i].vr = &rings[i];
	node = fdt_node_offset_by_compatible(guest_dtb, -1, "riscv,plic0");
	const fdt32_t *r = node < 0 ? NULL : fdt_getprop(guest_dtb, node, "reg", &len);

	if (r)
		plic = (uintptr_t)(((uint64_t)fdt32_to_cpu(r[0]) << 32) | fdt32_to_cpu(r[1]));
	/* This hart's S-mode context: the interrupts-extended pair naming its intc with IRQ_S_EXT. */
	const fdt32_t *ext = node < 0 ? NULL : fdt_getprop(guest_dtb, node, "interrupts-extended", &len);

	for (int i = 0; ext && (i + 1) * 8 <= len; i++) {
		int intc = fdt_node_offset_by_phandle(guest_dtb, fdt32_to_cpu(ext[2 * i]));
		const fdt32_t *hart =
			intc < 0 ? NULL : fdt_getprop(guest_dtb, fdt_parent_offset(guest_dtb, intc), "reg", NULL);

		if (hart && fdt32_to_cpu(*hart) == hart_id() && fdt32_to_cpu(ext[2 * i + 1]) == IRQ_S_EXT) {
			ctx = (unsigned)i;
			break;
		}
	}
}

static void arm_timer(uint64_t when)
{
	SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, when);
}

static void on_irq(unsigned long irq)
{
	unsigned id;

	if (irq == IRQ_S_TIMER)
		arm_timer(~0UL);
	if (irq != IRQ_S_EXT)
		return;
	while ((id = *plic_reg(PLIC_CLAIM(ctx))) != 0) {
		for (int i = 0; i < ndisks; i++)
			if (disks[i].irq == id) {
				uint32_t isr = *reg(&disks[i], VIRTIO_MMIO_INTERRUPT_STATUS);

				*reg(&disks[i], VIRTIO_MMIO_INTERRUPT_ACK) = isr;
				disks[i].irqs++;
			}
		*plic_reg(PLIC_CLAIM(ctx)) = id;
	}
}

/* ---- the driver ---- */

/* Reset and negotiate `want`; returns the status read back. */
static uint32_t negotiate(struct disk *d, uint64_t want)
{
	*reg(d, VIRTIO_MMIO_STATUS) = 0;
	*reg(d, VIRTIO_MMIO_STATUS) = VIRTIO_CONFIG_S_ACKNOWLEDGE;
	*reg(d, VIRTIO_MMIO_STATUS) = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
	*reg(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL) = 1;
	d->features = (uint64_t)*reg(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	*reg(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL) = 0;
	d->features |= *reg(d, VIRTIO_MMIO_DEVICE_FEATURES);
	*reg(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL) = 1;
	*reg(d, VIRTIO_MMIO_DRIVER_FEATURES) = (uint32_t)(want >> 32);
	*reg(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL) = 0;
	*reg(d, VIRTIO_MMIO_DRIVER_FEATURES) = (uint32_t)want;
	*reg(d, VIRTIO_MMIO_STATUS) =
		VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK;
	return *reg(d, VIRTIO_MMIO_STATUS);
}

static void set_queue(struct disk *d, uint64_t desc, uint64_t avail, uint64_t used, uint32_t num)
{
	*reg(d, VIRTIO_MMIO_QUEUE_SEL) = 0;
	*reg(d, VIRTIO_MMIO_QUEUE_NUM) = num;
	*reg(d, VIRTIO_MMIO_QUEUE_DESC_LOW) = (uint32_t)desc;
	*reg(d, VIRTIO_MMIO_QUEUE_DESC_HIGH) = (uint32_t)(desc >> 32);
	*reg(d, VIRTIO_MMIO_QUEUE_AVAIL_LOW) = (uint32_t)avail;
	*reg(d, VIRTIO_MMIO_QUEUE_AVAIL_HIGH) = (uint32_t)(avail >> 32);
	*reg(d, VIRTIO_MMIO_QUEUE_USED_LOW) = (uint32_t)used;
	*reg(d, VIRTIO_MMIO_QUEUE_USED_HIGH) = (uint32_t)(used >> 32);
	*reg(d, VIRTIO_MMIO_QUEUE_READY) = 1;
}

/* Full initialization; returns the final status. */
static uint32_t setup(struct disk *d)
{
	uint64_t want = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | VIRTIO_BIT(VIRTIO_BLK_F_RO) |
			VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX);

	negotiate(d, want & d->features ? want & d->features : want);
	negotiate(d, want & d->features);
	memset(d->vr, 0, sizeof(*d->vr));
	d->avail_idx = d->used_seen = 0;
	set_queue(d, (uintptr_t)d->vr->desc, (uintptr_t)&d->vr->avail, (uintptr_t)&d->vr->used, QN);
	*reg(d, VIRTIO_MMIO_STATUS) |= VIRTIO_CONFIG_S_DRIVER_OK;
	d->capacity = *reg(d, VIRTIO_MMIO_CFG(blk, capacity));
	d->capacity |= (uint64_t)*reg(d, VIRTIO_MMIO_CFG(blk, capacity) + 4) << 32;
	*plic_reg(PLIC_PRIORITY(d->irq)) = 1;
	*plic_reg(PLIC_ENABLE(ctx) + 4 * (d->irq / 32)) |= 1U << (d->irq % 32);
	return *reg(d, VIRTIO_MMIO_STATUS);
}

static void set_desc(struct disk *d, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	d->vr->desc[i] = (struct vring_desc){ addr, len, flags, next };
}

/* A well-formed request in descriptors 3*slot..3*slot+2; not yet notified. */
static void queue_req(struct disk *d, unsigned slot, uint32_t type, uint64_t sector, void *data, uint32_t len)
{
	unsigned h = 3 * slot, n = h + 1;
	int to_mem = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;

	hdrs[slot] = (struct virtio_blk_outhdr){ .type = type, .sector = sector };
	status[slot] = NO_STATUS;
	set_desc(d, h, (uintptr_t)&hdrs[slot], sizeof(hdrs[slot]), VRING_DESC_F_NEXT, (uint16_t)n);
	if (len) {
		set_desc(d, n, (uintptr_t)data, len, VRING_DESC_F_NEXT | (to_mem ? VRING_DESC_F_WRITE : 0),
			 (uint16_t)(n + 1));
		n++;
	}
	set_desc(d, n, (uintptr_t)&status[slot], 1, VRING_DESC_F_WRITE, 0);
	d->vr->avail.ring[d->avail_idx % QN] = (uint16_t)h;
	mb();
	d->avail_idx++;
	d->vr->avail.idx = d->avail_idx;
}

static void notify(struct disk *d)
{
	mb();
	*reg(d, VIRTIO_MMIO_QUEUE_NOTIFY) = 0;
}

/* Wait (WFI) until `n` more used entries arrived or `ticks` passed; returns how many did. */
static unsigned wait_used_for(struct disk *d, unsigned n, uint64_t ticks)
{
	uint16_t want = (uint16_t)(d->used_seen + n);
	uint64_t deadline = read_time() + ticks;

	arm_timer(deadline);
	while (*(volatile uint16_t *)&d->vr->used.idx != want && read_time() < deadline) {
		csr_clear(sstatus, SSTATUS_SIE);
		if (*(volatile uint16_t *)&d->vr->used.idx != want)
			__asm__ volatile("wfi");
		csr_set(sstatus, SSTATUS_SIE);
	}
	arm_timer(~0UL);
	unsigned got = (uint16_t)(*(volatile uint16_t *)&d->vr->used.idx - d->used_seen);

	d->used_seen = *(volatile uint16_t *)&d->vr->used.idx;
	return got;
}

static unsigned wait_used(struct disk *d, unsigned n)
{
	return wait_used_for(d, n, WAIT_TICKS);
}

/* Nothing may come back: a short wait. */
static int no_answer(struct disk *d)
{
	return wait_used_for(d, 1, WAIT_NONE_TICKS) == 0;
}

/* One request, waited for; returns its status (NO_STATUS: none came). */
static uint8_t do_req(struct disk *d, uint32_t type, uint64_t sector, void *data, uint32_t len)
{
	queue_req(d, 0, type, sector, data, len);
	notify(d);
	return wait_used(d, 1) == 1 ? status[0] : NO_STATUS;
}

static int needs_reset(struct disk *d)
{
	return (*reg(d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET) != 0;
}

/* ---- the checks ---- */

static void check_setup(struct disk *d, int n, int ro)
{
	uint32_t st;

	tap_ok(*reg(d, VIRTIO_MMIO_VERSION) == VIRTIO_MMIO_VERSION_MODERN,
	       "disk %d: modern virtio-mmio at 0x%lx irq %u", n, (unsigned long)d->base, d->irq);
	if (under_keel) {
		st = negotiate(d, VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX));
		tap_ok(!(st & VIRTIO_CONFIG_S_FEATURES_OK), "disk %d: FEATURES_OK refused for a feature not offered",
		       n);
		st = negotiate(d, VIRTIO_BIT(VIRTIO_BLK_F_FLUSH));
		tap_ok(!(st & VIRTIO_CONFIG_S_FEATURES_OK), "disk %d: FEATURES_OK refused without VERSION_1", n);
	} else {
		negotiate(d, VIRTIO_BIT(VIRTIO_F_VERSION_1));
	}
	tap_ok((d->features & VIRTIO_BIT(VIRTIO_F_VERSION_1)) && (d->features & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH)) &&
		       (d->features & VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE)) &&
		       (d->features & VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX)) &&
		       (!under_keel || !(d->features & VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX))) &&
		       !!(d->features & VIRTIO_BIT(VIRTIO_BLK_F_RO)) == ro,
	       "disk %d: offers VERSION_1 FLUSH BLK_SIZE SEG_MAX%s (features 0x%lx)", n, ro ? " RO" : ", not RO",
	       (unsigned long)d->features);
	st = setup(d);
	tap_ok(st == (VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK |
		      VIRTIO_CONFIG_S_DRIVER_OK),
	       "disk %d: status sequence reaches DRIVER_OK (0x%x)", n, st);
	tap_ok(*reg(d, VIRTIO_MMIO_CFG(blk, blk_size)) == SECTOR && *reg(d, VIRTIO_MMIO_CFG(blk, seg_max)) >= 1,
	       "disk %d: config blk_size 512, seg_max %u", n, *reg(d, VIRTIO_MMIO_CFG(blk, seg_max)));
}

static int pattern_ok(const uint8_t *p, uint64_t sector, unsigned nsect, int guest)
{
	for (unsigned s = 0; s < nsect; s++)
		for (unsigned o = 0; o < SECTOR; o += 8) {
			uint64_t w;

			memcpy(&w, p + s * SECTOR + o, 8);
			if (w != (guest ? guest_word(sector + s, o) : host_word(sector + s, o)))
				return 0;
		}
	return 1;
}

static void check_io(struct disk *d)
{
	unsigned irqs = d->irqs, got;
	int ok = 1;

	/* Four writes in flight at once, one notify. */
	for (unsigned s = 0; s < WRITE_SECTORS; s++)
		for (unsigned o = 0; o < SECTOR; o += 8) {
			uint64_t w = guest_word(s, o);

			memcpy(buf + s * SECTOR + o, &w, 8);
		}
	for (unsigned i = 0; i < 4; i++)
		queue_req(d, i, VIRTIO_BLK_T_OUT, base + 4 * i, buf + 4 * i * SECTOR, 4 * SECTOR);
	notify(d);
	got = wait_used(d, 4);
	for (unsigned i = 0; i < 4; i++)
		ok &= status[i] == VIRTIO_BLK_S_OK;
	tap_ok(got == 4 && ok, "disk 0: four 2 KiB writes in flight together all OK (%u completed)", got);
	tap_ok(d->irqs > irqs, "disk 0: completions raised the interrupt (%u)", d->irqs - irqs);
	tap_ok(d->vr->used.ring[(d->used_seen - 1) % QN].len == 1, "disk 0: used length of a write is 1 (status)");

	memset(rbuf, 0, sizeof(rbuf));
	tap_ok(do_req(d, VIRTIO_BLK_T_IN, base, rbuf, sizeof(rbuf)) == VIRTIO_BLK_S_OK &&
		       pattern_ok(rbuf, 0, WRITE_SECTORS, 1),
	       "disk 0: read back the %u sectors written", WRITE_SECTORS);
	tap_ok(d->vr->used.ring[(d->used_seen - 1) % QN].len == sizeof(rbuf) + 1,
	       "disk 0: used length of a read is data + status");
	tap_ok(do_req(d, VIRTIO_BLK_T_IN, base + WRITE_SECTORS, rbuf, SECTOR) == VIRTIO_BLK_S_OK &&
		       pattern_ok(rbuf, host_of(base + WRITE_SECTORS), 1, 0),
	       "disk 0: sector %lu is host sector %lu", (unsigned long)(base + WRITE_SECTORS),
	       (unsigned long)host_of(base + WRITE_SECTORS));
	tap_ok(do_req(d, VIRTIO_BLK_T_IN, d->capacity - 1, rbuf, SECTOR) == VIRTIO_BLK_S_OK &&
		       pattern_ok(rbuf, host_of(d->capacity - 1), 1, 0),
	       "disk 0: the last sector reads");
	tap_ok(do_req(d, VIRTIO_BLK_T_FLUSH, 0, NULL, 0) == VIRTIO_BLK_S_OK, "disk 0: FLUSH OK");
	memset(idbuf, 'x', sizeof(idbuf));
	tap_ok(do_req(d, VIRTIO_BLK_T_GET_ID, 0, idbuf, VIRTIO_BLK_ID_BYTES) == VIRTIO_BLK_S_OK &&
		       (!under_keel || (!strncmp(idbuf, "keel-", 5) && !idbuf[VIRTIO_BLK_ID_BYTES - 1])) &&
		       idbuf[VIRTIO_BLK_ID_BYTES] == 'x',
	       "disk 0: GET_ID \"%s\" NUL padded within its 20 bytes", idbuf[VIRTIO_BLK_ID_BYTES - 1] ? "?" : idbuf);
}

#define SHADOW_ROUNDS 1000 /* rounds of register and configuration reads that must not exit */
#define SHADOW_READS_PER_ROUND 6
#define SHADOW_MAX_EXITS 8 /* the hypercalls themselves and a stray interrupt, not one per read */
#define SHADOW_JUNK 0x5a5a5a5aU

static unsigned long vcpu_exits(void)
{
	return (unsigned long)SBI0(SBI_EXT_KEEL_HVC, KEEL_HVC_VCPU_EXITS).value;
}

/*
 * Under Keel: the register page is a read-only shadow, so reads (of every width in the
 * configuration space) take no exit, while every write still traps and is emulated: to read-only
 * registers and anywhere in the configuration space it changes nothing.
 */
static void check_shadow(struct disk *d)
{
	volatile uint8_t *cfg8 = (volatile uint8_t *)(d->base + VIRTIO_MMIO_CONFIG);
	volatile uint64_t *cap = (volatile uint64_t *)(d->base + VIRTIO_MMIO_CFG(blk, capacity));
	/* a word of the configuration space past the fields: where the time says */
	unsigned past = VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_SIZE, room = VIRTIO_MMIO_WINDOW - past;
	unsigned junk_off = (past + (unsigned)(csr_read(time) % room)) & ~(unsigned)(sizeof(uint32_t) - 1);
	uint32_t magic = *reg(d, VIRTIO_MMIO_MAGIC_VALUE), id = *reg(d, VIRTIO_MMIO_DEVICE_ID);
	uint32_t status = *reg(d, VIRTIO_MMIO_STATUS), junk = *reg(d, junk_off);
	uint64_t sum = 0, capacity = *cap;
	unsigned long exits = vcpu_exits();

	for (unsigned i = 0; i < SHADOW_ROUNDS; i++)
		sum += *reg(d, VIRTIO_MMIO_INTERRUPT_STATUS) + *reg(d, VIRTIO_MMIO_STATUS) +
		       *reg(d, VIRTIO_MMIO_QUEUE_READY) + *reg(d, VIRTIO_MMIO_DEVICE_FEATURES) +
		       cfg8[offsetof(struct virtio_blk_config, blk_size) + 1] + *cap;
	exits = vcpu_exits() - exits;
	tap_ok(exits <= SHADOW_MAX_EXITS &&
		       sum == SHADOW_ROUNDS * (status + 1 + (uint32_t)d->features + (SECTOR >> 8) + capacity),
	       "disk 0: %u register and configuration reads take %lu exits", SHADOW_ROUNDS * SHADOW_READS_PER_ROUND,
	       exits);
	exits = vcpu_exits();
	*reg(d, VIRTIO_MMIO_MAGIC_VALUE) = SHADOW_JUNK;
	*reg(d, VIRTIO_MMIO_DEVICE_ID) = SHADOW_JUNK;
	*reg(d, VIRTIO_MMIO_CFG(blk, capacity)) = SHADOW_JUNK;
	*reg(d, junk_off) = SHADOW_JUNK;
	exits = vcpu_exits() - exits;
	tap_ok(exits >= 4 && *reg(d, VIRTIO_MMIO_MAGIC_VALUE) == magic && *reg(d, VIRTIO_MMIO_DEVICE_ID) == id &&
		       *cap == capacity && *reg(d, junk_off) == junk && *reg(d, VIRTIO_MMIO_STATUS) == status,
	       "disk 0: writes to read-only registers and the configuration space (0x%x) trap and change nothing (%lu "
	       "exits)",
	       junk_off, exits);
}

static void check_errors(struct disk *d)
{
	tap_ok(do_req(d, VIRTIO_BLK_T_IN, d->capacity, rbuf, SECTOR) == VIRTIO_BLK_S_IOERR,
	       "disk 0: read at the capacity: IOERR");
	tap_ok(do_req(d, VIRTIO_BLK_T_IN, d->capacity - 1, rbuf, 2 * SECTOR) == VIRTIO_BLK_S_IOERR,
	       "disk 0: read across the end: IOERR");
	tap_ok(do_req(d, VIRTIO_BLK_T_OUT, HUGE_SECTOR, buf, SECTOR) == VIRTIO_BLK_S_IOERR,
	       "disk 0: write at sector 2^62: IOERR");
	tap_ok(do_req(d, VIRTIO_BLK_T_IN, base, rbuf, SECTOR / 2) == VIRTIO_BLK_S_IOERR,
	       "disk 0: read of half a sector: IOERR");
	if (!under_keel)
		return; /* what follows is Keel's choice where the spec leaves it to the device */
	tap_ok(do_req(d, VIRTIO_BLK_T_DISCARD, 0, buf, 16) == VIRTIO_BLK_S_UNSUPP, "disk 0: DISCARD: UNSUPP");
	tap_ok(do_req(d, VIRTIO_BLK_T_IN, 0, (void *)OUTSIDE_RAM, SECTOR) == VIRTIO_BLK_S_IOERR,
	       "disk 0: read into a buffer outside RAM: IOERR");
	tap_ok(do_req(d, VIRTIO_BLK_T_IN, 0, (void *)(uintptr_t)(0x80000000UL + dtb_memory_size() - SECTOR / 2),
		      SECTOR) == VIRTIO_BLK_S_IOERR,
	       "disk 0: read into a buffer crossing the end of RAM: IOERR");
	/* A write whose data descriptor says device-writable. */
	queue_req(d, 0, VIRTIO_BLK_T_OUT, 0, buf, SECTOR);
	d->vr->desc[1].flags |= VRING_DESC_F_WRITE;
	notify(d);
	tap_ok(wait_used(d, 1) == 1 && status[0] == VIRTIO_BLK_S_IOERR,
	       "disk 0: write with a device-writable buffer: IOERR");
	/* A zero-length data descriptor. */
	queue_req(d, 0, VIRTIO_BLK_T_IN, 0, rbuf, SECTOR);
	d->vr->desc[1].len = 0;
	notify(d);
	tap_ok(wait_used(d, 1) == 1 && status[0] == VIRTIO_BLK_S_IOERR, "disk 0: zero-length descriptor: IOERR");
	/* A huge length. */
	queue_req(d, 0, VIRTIO_BLK_T_IN, 0, rbuf, SECTOR);
	d->vr->desc[1].len = 0xfffffe00U;
	notify(d);
	tap_ok(wait_used(d, 1) == 1 && status[0] == VIRTIO_BLK_S_IOERR, "disk 0: 4 GiB descriptor: IOERR");
	/* An indirect descriptor (offered, not negotiated). */
	queue_req(d, 0, VIRTIO_BLK_T_IN, 0, rbuf, SECTOR);
	d->vr->desc[1].flags |= VRING_DESC_F_INDIRECT;
	notify(d);
	tap_ok(no_answer(d) && needs_reset(d), "disk 0: indirect descriptor not negotiated: NEEDS_RESET");
	setup(d);
	/* The status descriptor device-readable: nowhere to answer. */
	queue_req(d, 0, VIRTIO_BLK_T_IN, 0, rbuf, SECTOR);
	d->vr->desc[2].flags = 0;
	notify(d);
	tap_ok(no_answer(d) && needs_reset(d), "disk 0: read-only status byte: NEEDS_RESET");
	queue_req(d, 0, VIRTIO_BLK_T_IN, 0, rbuf, SECTOR);
	notify(d);
	tap_ok(no_answer(d), "disk 0: ignores requests until reset");
	setup(d);
	tap_ok(do_req(d, VIRTIO_BLK_T_IN, 0, rbuf, SECTOR) == VIRTIO_BLK_S_OK, "disk 0: works again after reset");
	/* A descriptor loop. */
	queue_req(d, 0, VIRTIO_BLK_T_IN, 0, rbuf, SECTOR);
	d->vr->desc[2].flags = VRING_DESC_F_WRITE | VRING_DESC_F_NEXT;
	d->vr->desc[2].next = 1;
	notify(d);
	tap_ok(no_answer(d) && needs_reset(d), "disk 0: descriptor loop: NEEDS_RESET");
	setup(d);
	/* A next index beyond the table. */
	queue_req(d, 0, VIRTIO_BLK_T_IN, 0, rbuf, SECTOR);
	d->vr->desc[1].next = QN + 3;
	notify(d);
	tap_ok(no_answer(d) && needs_reset(d), "disk 0: next beyond the table: NEEDS_RESET");
	setup(d);
	/* The available index runs more than a queue ahead. */
	queue_req(d, 0, VIRTIO_BLK_T_IN, 0, rbuf, SECTOR);
	d->vr->avail.idx = QN + 5;
	notify(d);
	tap_ok(needs_reset(d), "disk 0: available index a queue ahead: NEEDS_RESET");
	setup(d);
	/* A head beyond the table. */
	queue_req(d, 0, VIRTIO_BLK_T_IN, 0, rbuf, SECTOR);
	d->vr->avail.ring[0] = QN + 1;
	notify(d);
	tap_ok(needs_reset(d), "disk 0: head beyond the table: NEEDS_RESET");
	setup(d);
	/* Queues the device cannot use. */
	negotiate(d, VIRTIO_BIT(VIRTIO_F_VERSION_1));
	set_queue(d, OUTSIDE_RAM, (uintptr_t)&d->vr->avail, (uintptr_t)&d->vr->used, QN);
	tap_ok(needs_reset(d) && !*reg(d, VIRTIO_MMIO_QUEUE_READY),
	       "disk 0: descriptor table outside RAM: NEEDS_RESET");
	negotiate(d, VIRTIO_BIT(VIRTIO_F_VERSION_1));
	set_queue(d, (uintptr_t)d->vr->desc, (uintptr_t)&d->vr->avail, (uintptr_t)&d->vr->used, QN - 1);
	tap_ok(needs_reset(d), "disk 0: queue size not a power of 2: NEEDS_RESET");
	negotiate(d, VIRTIO_BIT(VIRTIO_F_VERSION_1));
	set_queue(d, (uintptr_t)d->vr->desc, (uintptr_t)&d->vr->avail, (uintptr_t)&d->vr->used, 4096);
	tap_ok(needs_reset(d), "disk 0: queue size above QueueNumMax: NEEDS_RESET");
	*reg(d, VIRTIO_MMIO_STATUS) = 0;
	*reg(d, VIRTIO_MMIO_STATUS) = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_DRIVER_OK;
	tap_ok(needs_reset(d), "disk 0: DRIVER_OK without FEATURES_OK: NEEDS_RESET");
	setup(d);
	tap_ok(do_req(d, VIRTIO_BLK_T_IN, 0, rbuf, SECTOR) == VIRTIO_BLK_S_OK && pattern_ok(rbuf, 0, 1, 1),
	       "disk 0: after all that, reads its data");
}

static void check_ro(struct disk *d, uint64_t host_start)
{
	tap_ok(do_req(d, VIRTIO_BLK_T_OUT, 0, buf, SECTOR) == VIRTIO_BLK_S_IOERR, "disk 1 (read-only): write: IOERR");
	tap_ok(do_req(d, VIRTIO_BLK_T_IN, 0, rbuf, 2 * SECTOR) == VIRTIO_BLK_S_OK && pattern_ok(rbuf, host_start, 2, 0),
	       "disk 1 (read-only): reads host sectors %lu.. unchanged", (unsigned long)host_start);
	tap_ok(do_req(d, VIRTIO_BLK_T_FLUSH, 0, NULL, 0) == VIRTIO_BLK_S_OK, "disk 1 (read-only): FLUSH OK");
}

/* ---- bench mode ---- */

#define BENCH_REQS 64
#define BENCH_BYTES (64 * 1024)
static uint8_t bench_buf[BENCH_BYTES] __attribute__((aligned(4096)));

static inline unsigned long rdinstret(void)
{
	unsigned long v;

	__asm__ volatile("rdinstret %0" : "=r"(v)::"memory");
	return v;
}

/* Poll *p until it reads `want` or `limit` polls were made; returns the polls. One loop for both uses. */
static __attribute__((noinline)) unsigned long poll_until(const volatile uint16_t *p, uint16_t want,
							  unsigned long limit)
{
	unsigned long n = 0;

	while (*p != want && n < limit)
		n++;
	return n;
}

/* Instructions per poll, exactly: two calibration runs differ only in their number of polls. */
static unsigned long poll_cost(void)
{
	static volatile uint16_t never;
	unsigned long t0, t1, t2;

	t0 = rdinstret();
	poll_until(&never, 1, 1000);
	t1 = rdinstret();
	poll_until(&never, 1, 11000);
	t2 = rdinstret();
	return ((t2 - t1) - (t1 - t0)) / 10000;
}

/*
 * Requests one at a time, each polled for (under -icount a WFI with no timer never wakes for the
 * disk): the polling's instructions are taken out again, so what remains is the work per request.
 */
static unsigned long bench_run(struct disk *d, uint32_t type, unsigned long per_poll)
{
	unsigned long t0 = rdinstret(), npolls = 0, spent;
	int ok = 1;

	for (unsigned i = 0; i < BENCH_REQS; i++) {
		uint16_t want = (uint16_t)(d->used_seen + 1);

		queue_req(d, 0, type, base + i * (BENCH_BYTES / SECTOR), bench_buf, BENCH_BYTES);
		notify(d);
		npolls += poll_until(&d->vr->used.idx, want, ~0UL);
		d->used_seen = want;
		ok &= status[0] == VIRTIO_BLK_S_OK;
	}
	spent = rdinstret() - t0 - npolls * per_poll;
	tap_ok(ok, "bench: %u %s of 64 KiB OK (%lu polls of %lu instructions taken out)", BENCH_REQS,
	       type == VIRTIO_BLK_T_IN ? "reads" : "writes", npolls, per_poll);
	return spent / BENCH_REQS;
}

static void bench(struct disk *d)
{
	unsigned long rd, wr;

	tap_ok(setup(d) & VIRTIO_CONFIG_S_DRIVER_OK, "bench: disk 0 set up");
	tap_ok(d->capacity >= base + BENCH_REQS * (BENCH_BYTES / SECTOR), "bench: disk holds 4 MiB from sector %lu",
	       (unsigned long)base);
	unsigned long per_poll = poll_cost();

	rd = bench_run(d, VIRTIO_BLK_T_IN, per_poll);
	wr = bench_run(d, VIRTIO_BLK_T_OUT, per_poll);
	gprintf("bench: blk_read_64k %lu\nbench: blk_write_64k %lu\n", rd, wr);
}

/* ---- hostile mode ---- */

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Where the hostile guest points buffers: its scratch area (so the disk's writes land there and
 * not on its own code or stack), or places that are not its RAM. */
static uint8_t scratch[64 * 1024] __attribute__((aligned(SECTOR)));

static uint64_t rnd_addr(void)
{
	static const uint64_t outside[] = { 0, 0x10000000UL, ~0UL - 16, 0x80000000UL + (16UL << 20) };

	return rnd() % 3 ? (uintptr_t)scratch + rnd() % (sizeof(scratch) / 2) : outside[rnd() % 4] + rnd() % 64;
}

/* A length that either fits the scratch area or is far larger than RAM. */
static uint32_t rnd_len(void)
{
	return (uint32_t)(rnd() % 4 ? rnd() % 4096 : rnd() | 0x80000000UL);
}

static void hostile(struct disk *d, unsigned rounds)
{
	static const unsigned regs[] = { VIRTIO_MMIO_STATUS,	      VIRTIO_MMIO_QUEUE_NUM,
					 VIRTIO_MMIO_QUEUE_READY,     VIRTIO_MMIO_QUEUE_DESC_LOW,
					 VIRTIO_MMIO_QUEUE_AVAIL_LOW, VIRTIO_MMIO_QUEUE_USED_LOW,
					 VIRTIO_MMIO_QUEUE_SEL,	      VIRTIO_MMIO_DRIVER_FEATURES,
					 VIRTIO_MMIO_INTERRUPT_ACK,   VIRTIO_MMIO_QUEUE_NOTIFY };

	for (unsigned r = 0; r < rounds; r++) {
		unsigned kind = (unsigned)(rnd() % 4), n = 1 + (unsigned)(rnd() % 4);

		if (r % 16 == 0 || needs_reset(d))
			setup(d);
		if (kind == 0) {
			/* Garbage everywhere. */
			for (unsigned i = 0; i < QN; i++)
				set_desc(d, i, rnd_addr(), rnd_len(), (uint16_t)rnd(), (uint16_t)(rnd() % (QN + 2)));
			for (unsigned i = 0; i < QN; i++)
				d->vr->avail.ring[i] = (uint16_t)(rnd() % 8 ? rnd() % QN : rnd());
			d->vr->avail.idx = (uint16_t)(rnd() % 8 ? d->vr->avail.idx + 1 + rnd() % 4 : rnd());
			d->vr->avail.flags = (uint16_t)rnd();
		} else {
			/* Plausible requests with random types, sectors, buffers and one field spoilt. */
			for (unsigned i = 0; i < n; i++)
				queue_req(d, i, (uint32_t)(rnd() % 12), rnd() % 4 ? rnd() % 2100 : rnd(),
					  (void *)(uintptr_t)rnd_addr(),
					  rnd() % 2 ? 512 * (uint32_t)(rnd() % 8) : rnd_len());
			if (kind == 1)
				set_desc(d, (unsigned)(rnd() % QN), rnd_addr(), rnd_len(), (uint16_t)rnd(),
					 (uint16_t)rnd());
		}
		if (kind == 3)
			*reg(d, regs[rnd() % (sizeof(regs) / sizeof(regs[0]))]) =
				(uint32_t)(rnd() % 4 ? rnd() % 64 : rnd());
		notify(d);
		/* Scribble the rings while requests are in flight too. */
		if (kind == 2) {
			d->vr->used.idx = (uint16_t)rnd();
			set_desc(d, (unsigned)(rnd() % QN), rnd_addr(), rnd_len(), (uint16_t)rnd(), (uint16_t)rnd());
			d->vr->avail.idx = (uint16_t)rnd();
		}
	}
	/* Give in-flight requests time to land, then behave. */
	for (unsigned long i = 0; i < 200000; i++)
		__asm__ volatile("nop");
	setup(d);
	tap_ok(do_req(d, VIRTIO_BLK_T_IN, 0, rbuf, SECTOR) == VIRTIO_BLK_S_OK,
	       "hostile: after %u rounds of garbage and a reset the disk serves a read", rounds);
}

/* ---- stress mode ---- */

#define STRESS_ROUNDS 300
#define STRESS_INFLIGHT 4
#define STRESS_MAX_SECTORS 32
#define STRESS_MAX_SEGS 8
#define STRESS_DESCS (STRESS_MAX_SEGS + 2)
#define STRESS_SHADOW_SECTORS 2048
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint8_t shadow[STRESS_SHADOW_SECTORS * SECTOR];
static uint8_t sbuf[STRESS_INFLIGHT][STRESS_MAX_SECTORS * SECTOR + 4096] __attribute__((aligned(8)));

struct stress_req {
	uint32_t type;
	uint64_t sector;
	unsigned nsect;
	uint8_t *data;
};

static uint64_t rnd(void);

/* A chain at descriptors slot*STRESS_DESCS..: header, the data cut at random points, status. */
static void stress_queue(struct disk *d, unsigned slot, const struct stress_req *r)
{
	unsigned h = slot * STRESS_DESCS, i = h + 1, nseg = 1 + (unsigned)(rnd() % STRESS_MAX_SEGS);
	uint32_t left = r->nsect * SECTOR, off = 0;
	uint16_t wflag = r->type == VIRTIO_BLK_T_IN ? VRING_DESC_F_WRITE : 0;

	hdrs[slot] = (struct virtio_blk_outhdr){ .type = r->type, .sector = r->sector };
	status[slot] = NO_STATUS;
	set_desc(d, h, (uintptr_t)&hdrs[slot], sizeof(hdrs[slot]), VRING_DESC_F_NEXT, (uint16_t)i);
	for (unsigned k = 0; k < nseg && left; k++, i++) {
		uint32_t len = k + 1 == nseg ? left : 1 + (uint32_t)(rnd() % left);

		set_desc(d, i, (uintptr_t)(r->data + off), len, VRING_DESC_F_NEXT | wflag, (uint16_t)(i + 1));
		off += len;
		left -= len;
	}
	set_desc(d, i, (uintptr_t)&status[slot], 1, VRING_DESC_F_WRITE, 0);
	d->vr->avail.ring[d->avail_idx % QN] = (uint16_t)h;
	mb();
	d->avail_idx++;
	d->vr->avail.idx = d->avail_idx;
}

static uint64_t fnv(uint64_t h, const uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		h = (h ^ p[i]) * FNV_PRIME;
	return h;
}

static void stress(struct disk *d)
{
	struct stress_req req[STRESS_INFLIGHT];
	unsigned long reads = 0, writes = 0, bad_status = 0, bad_data = 0;
	uint64_t cap, h = FNV_OFFSET;

	setup(d);
	cap = d->capacity < STRESS_SHADOW_SECTORS ? d->capacity : STRESS_SHADOW_SECTORS;
	tap_ok(d->capacity >= STRESS_MAX_SECTORS * STRESS_INFLIGHT, "stress: disk of %lu sectors",
	       (unsigned long)d->capacity);
	/* The slice starts out holding the harness's pattern. */
	for (uint64_t s = 0; s < cap; s++)
		for (unsigned o = 0; o < SECTOR; o += 8) {
			uint64_t w = host_word(slice_start + s, o);

			memcpy(shadow + s * SECTOR + o, &w, 8);
		}
	for (unsigned round = 0; round < STRESS_ROUNDS; round++) {
		unsigned n = 1 + (unsigned)(rnd() % STRESS_INFLIGHT);

		/* Disjoint ranges: request k lives in the k-th quarter of the disk. */
		for (unsigned k = 0; k < n; k++) {
			struct stress_req *r = &req[k];
			uint64_t quarter = cap / STRESS_INFLIGHT;

			r->nsect = 1 + (unsigned)(rnd() % STRESS_MAX_SECTORS);
			r->sector = k * quarter + rnd() % (quarter - r->nsect + 1);
			r->type = rnd() % 2 ? VIRTIO_BLK_T_IN : VIRTIO_BLK_T_OUT;
			r->data = sbuf[k] + rnd() % 4096;
			if (r->type == VIRTIO_BLK_T_OUT) {
				for (unsigned b = 0; b < r->nsect * SECTOR; b++)
					r->data[b] = (uint8_t)rnd();
				memcpy(shadow + r->sector * SECTOR, r->data, r->nsect * SECTOR);
				writes++;
			} else {
				memset(r->data, 0, r->nsect * SECTOR);
				reads++;
			}
			stress_queue(d, k, r);
		}
		notify(d);
		if (wait_used(d, n) != n) {
			bad_status++;
			break;
		}
		for (unsigned k = 0; k < n; k++) {
			bad_status += status[k] != VIRTIO_BLK_S_OK;
			if (req[k].type == VIRTIO_BLK_T_IN &&
			    memcmp(req[k].data, shadow + req[k].sector * SECTOR, req[k].nsect * SECTOR))
				bad_data++;
		}
	}
	tap_ok(!bad_status && !bad_data,
	       "stress: %lu reads and %lu writes, up to %d in flight, %d segments: %lu bad "
	       "statuses, %lu reads that differ from what was written",
	       reads, writes, STRESS_INFLIGHT, STRESS_MAX_SEGS, bad_status, bad_data);
	/* The whole disk, read back in 16 KiB pieces, against the shadow. */
	bad_data = 0;
	for (uint64_t s = 0; s < cap; s += WRITE_SECTORS) {
		if (do_req(d, VIRTIO_BLK_T_IN, s, rbuf, sizeof(rbuf)) != VIRTIO_BLK_S_OK ||
		    memcmp(rbuf, shadow + s * SECTOR, sizeof(rbuf)))
			bad_data++;
		h = fnv(h, rbuf, sizeof(rbuf));
	}
	tap_ok(!bad_data, "stress: the whole disk reads back as written (%lu pieces differ)", bad_data);
	tap_ok(do_req(d, VIRTIO_BLK_T_FLUSH, 0, NULL, 0) == VIRTIO_BLK_S_OK, "stress: FLUSH OK");
	tap_diag("stress checksum 0x%016lx over %lu sectors from host sector %lu", (unsigned long)h, (unsigned long)cap,
		 (unsigned long)slice_start);
}

/* ---- hostile-smp mode ---- */

#define SMP_NOTIFIES 20000
static volatile int smp_stop, smp_done;
static volatile unsigned long smp_offered;

#define SMP_CHAINS (QN / 2) /* two descriptors each: header, status */

/*
 * vCPU 1: keep the ring full of requests the device answers at once (UNSUPP, no disk access),
 * each entry its own chain, offered again only once used (a head offered twice before it is used
 * is a driver bug the device refuses).
 */
void guest_secondary(unsigned long hartid, unsigned long arg)
{
	struct disk *d = &disks[0];

	(void)hartid;
	(void)arg;
	while (!smp_stop) {
		uint16_t avail = d->vr->avail.idx, used = *(volatile uint16_t *)&d->vr->used.idx;

		if ((uint16_t)(avail - used) >= SMP_CHAINS)
			continue;
		d->vr->avail.ring[avail % QN] = (uint16_t)(2 * (avail % SMP_CHAINS));
		mb();
		d->vr->avail.idx = (uint16_t)(avail + 1);
		smp_offered++;
	}
	mb();
	smp_done = 1;
}

static void discard_chains(struct disk *d)
{
	hdrs[0] = (struct virtio_blk_outhdr){ .type = VIRTIO_BLK_T_DISCARD }; /* not served by Keel */
	for (unsigned k = 0; k < SMP_CHAINS; k++) {
		set_desc(d, 2 * k, (uintptr_t)&hdrs[0], sizeof(hdrs[0]), VRING_DESC_F_NEXT, (uint16_t)(2 * k + 1));
		set_desc(d, 2 * k + 1, (uintptr_t)&status[0], 1, VRING_DESC_F_WRITE, 0);
	}
}

static void hostile_smp(struct disk *d)
{
	unsigned resets = 0;
	struct sbiret r;

	setup(d);
	discard_chains(d);
	r = SBI3(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, 1, (unsigned long)secondary_start, 0);
	tap_ok(r.error == SBI_SUCCESS, "hostile-smp: vCPU 1 started (%ld)", r.error);
	for (unsigned i = 0; i < SMP_NOTIFIES; i++) {
		notify(d);
		if (needs_reset(d)) {
			resets++;
			setup(d);
			discard_chains(d);
		}
	}
	smp_stop = 1;
	for (unsigned long i = 0; i < 100000000UL && !smp_done; i++)
		mb();
	tap_diag("hostile-smp: %lu requests offered by vCPU 1, %u resets", smp_offered, resets);
	setup(d);
	tap_ok(smp_done && do_req(d, VIRTIO_BLK_T_IN, 0, rbuf, SECTOR) == VIRTIO_BLK_S_OK,
	       "hostile-smp: after %d notifies against a ring kept full, the disk serves a read", SMP_NOTIFIES);
}

/* ---- reboot with reads in flight ---- */

#define CANARY_BYTES (64 * 1024)
#define CANARY_WORD 0xc0ffee01U
#define CANARY_WORDS (CANARY_BYTES / sizeof(uint32_t))
#define REBOOT_READS (QN / 3) /* three descriptors each */
static volatile uint32_t canary[CANARY_WORDS]
	__attribute__((aligned(SECTOR))) = { [0 ... CANARY_WORDS - 1] = CANARY_WORD };

static void reboot_in_flight(struct disk *d)
{
	struct sbiret r = SBI0(SBI_EXT_KEEL_HVC, KEEL_HVC_BOOT_COUNT);
	unsigned long changed = 0;

	tap_ok(setup(d) & VIRTIO_CONFIG_S_DRIVER_OK, "reboot: disk 0 set up on boot %ld", r.value);
	if (r.value == 1) {
		for (unsigned i = 0; i < REBOOT_READS; i++)
			queue_req(d, i, VIRTIO_BLK_T_IN, 0, (void *)(uintptr_t)canary, CANARY_BYTES);
		notify(d);
		tap_plan();
		SBI2(SBI_EXT_SRST, SBI_EXT_SRST_RESET, SBI_SRST_RESET_TYPE_COLD_REBOOT, SBI_SRST_RESET_REASON_NONE);
		tap_ok(0, "reboot: SRST reboot returned");
		tap_done();
	}
	for (unsigned i = 0; i < CANARY_WORDS; i++)
		changed += canary[i] != CANARY_WORD;
	tap_ok(changed == 0,
	       "reboot: %d reads in flight at the reboot left the reloaded image alone (%lu of %lu words changed)",
	       REBOOT_READS, changed, (unsigned long)CANARY_WORDS);
	tap_ok(do_req(d, VIRTIO_BLK_T_IN, 0, rbuf, SECTOR) == VIRTIO_BLK_S_OK && pattern_ok(rbuf, slice_start, 1, 0),
	       "reboot: the disk serves a read after the reboot");
	tap_done();
}

void guest_main(unsigned long hartid)
{
	char mode_buf[32], seed_buf[32], start_buf[32];
	const char *mode = bootarg("blk", mode_buf, sizeof(mode_buf)),
		   *seed = bootarg("seed", seed_buf, sizeof(seed_buf));
	const char *start = bootarg("start", start_buf, sizeof(start_buf));

	(void)hartid;
	find_devices();
	irq_hook = on_irq;
	*plic_reg(PLIC_THRESHOLD(ctx)) = 0;
	arm_timer(~0UL);
	csr_set(sie, SIE_SEIE | SIE_STIE);
	csr_set(sstatus, SSTATUS_SIE);
	if (mode && !strcmp(mode, "bench")) {
		slice_start = start ? strtoul(start, NULL, 0) : 0;
		base = under_keel ? 0 : slice_start;
		tap_ok(ndisks >= 1 && plic, "bench: found %d disk(s)", ndisks);
		if (ndisks >= 1)
			bench(&disks[0]);
		tap_done();
	}
	if (mode && !strcmp(mode, "stress")) {
		slice_start = start ? strtoul(start, NULL, 0) : 0;
		rng = 0x9e3779b97f4a7c15ULL ^ (seed ? strtoul(seed, NULL, 0) : 1);
		tap_ok(ndisks >= 1 && plic, "stress: found %d disk(s)", ndisks);
		if (ndisks >= 1)
			stress(&disks[0]);
		tap_done();
	}
	if (mode && !strcmp(mode, "reboot")) {
		tap_ok(ndisks >= 1 && plic, "reboot: found %d disk(s)", ndisks);
		if (ndisks >= 1)
			reboot_in_flight(&disks[0]);
		tap_done();
	}
	if (mode && !strcmp(mode, "hostile-smp")) {
		tap_ok(ndisks >= 1 && plic, "hostile-smp: found %d disk(s)", ndisks);
		if (ndisks >= 1)
			hostile_smp(&disks[0]);
		tap_done();
	}
	if (mode && !strcmp(mode, "hostile")) {
		tap_ok(ndisks >= 1 && plic, "hostile: found %d disk(s)", ndisks);
		if (ndisks < 1)
			tap_done();
		rng = 0x9e3779b97f4a7c15ULL ^ (seed ? strtoul(seed, NULL, 0) : 1);
		hostile(&disks[0], 2000);
		tap_done();
	}
	slice_start = start ? strtoul(start, NULL, 0) : 0;
	base = under_keel ? 0 : slice_start;
	tap_ok(ndisks == (under_keel ? 2 : 1) && plic, "found %d virtio-blk devices in the device tree (want %d)",
	       ndisks, under_keel ? 2 : 1);
	if (ndisks != (under_keel ? 2 : 1))
		tap_done();
	check_setup(&disks[0], 0, 0);
	tap_ok(disks[0].capacity >= base + 64, "disk 0: capacity %lu sectors", (unsigned long)disks[0].capacity);
	check_io(&disks[0]);
	if (under_keel)
		check_shadow(&disks[0]);
	check_errors(&disks[0]);
	if (under_keel) {
		check_setup(&disks[1], 1, 1);
		check_ro(&disks[1], slice_start + disks[0].capacity);
	}
	tap_done();
}
