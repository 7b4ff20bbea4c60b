/*
 * The device-model interface: a small per-VM table of MMIO regions, each with read and
 * write handlers by offset and width. An access that is not naturally aligned, or that
 * crosses the end of a region, never reaches a handler: the guest gets an access fault.
 */
#ifndef KEEL_VDEV_MMIO_H
#define KEEL_VDEV_MMIO_H
#include <stdint.h>

/* Regions of one bus: a VM's whole board (board/devices.c checks it fits). */
#define MAX_MMIO_REGIONS 12

/* Results of a device access (handlers return these). */
enum mmio_result {
	MMIO_OK = 0,
	MMIO_FAULT = -1, /* the device refuses this offset/width: access fault in the guest */
	MMIO_POWEROFF = 1, /* the access asks to stop the VM */
	MMIO_RESET = 2, /* the access asks to restart the VM */
};

struct mmio_ops {
	int (*read)(void *dev, uint64_t offset, unsigned width, uint64_t *val);
	int (*write)(void *dev, uint64_t offset, unsigned width, uint64_t val);
};

struct mmio_region {
	uint64_t base, size;
	const struct mmio_ops *ops;
	void *dev;
	const char *name;
};

struct mmio_bus {
	struct mmio_region regions[MAX_MMIO_REGIONS];
	int n;
};

int mmio_bus_add(struct mmio_bus *bus, uint64_t base, uint64_t size, const struct mmio_ops *ops, void *dev,
		 const char *name);
/* The region holding addr, or NULL. */
const struct mmio_region *mmio_bus_find(const struct mmio_bus *bus, uint64_t addr);
/*
 * An access of a width the bus carries (1, 2, 4 or 8: what a decoded load or store has) at addr
 * inside r (r was found for addr): it is naturally aligned and does not cross r's end.
 */
static inline int mmio_found_access_ok(const struct mmio_region *r, uint64_t addr, unsigned width)
{
	return !(addr & (width - 1)) && addr - r->base + width <= r->size;
}

/* Any access: the region exists, holds addr, and the width is one the bus carries, then as above. */
static inline int mmio_access_ok(const struct mmio_region *r, uint64_t addr, unsigned width)
{
	return r && width - 1 < sizeof(uint64_t) && !(width & (width - 1)) && addr - r->base < r->size &&
	       mmio_found_access_ok(r, addr, width);
}

/*
 * One access by a decoded instruction to the region found for addr (the exit path: the width
 * and the region are known good, so only mmio_found_access_ok is left). Inline: every device exit.
 */
static inline int mmio_found_read(const struct mmio_region *r, uint64_t addr, unsigned width, uint64_t *val)
{
	*val = 0;
	return mmio_found_access_ok(r, addr, width) ? r->ops->read(r->dev, addr - r->base, width, val) : MMIO_FAULT;
}

static inline int mmio_found_write(const struct mmio_region *r, uint64_t addr, unsigned width, uint64_t val)
{
	return mmio_found_access_ok(r, addr, width) ? r->ops->write(r->dev, addr - r->base, width, val) : MMIO_FAULT;
}

/* Any access to a region (or NULL), every check made. */
static inline int mmio_region_read(const struct mmio_region *r, uint64_t addr, unsigned width, uint64_t *val)
{
	if (!mmio_access_ok(r, addr, width)) {
		*val = 0;
		return MMIO_FAULT;
	}
	return mmio_found_read(r, addr, width, val);
}

static inline int mmio_region_write(const struct mmio_region *r, uint64_t addr, unsigned width, uint64_t val)
{
	return mmio_access_ok(r, addr, width) ? mmio_found_write(r, addr, width, val) : MMIO_FAULT;
}
/* Find the region and dispatch one access. */
int mmio_bus_read(const struct mmio_bus *bus, uint64_t addr, unsigned width, uint64_t *val);
int mmio_bus_write(const struct mmio_bus *bus, uint64_t addr, unsigned width, uint64_t val);

#endif
