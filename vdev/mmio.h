/*
 * The device-model interface: a small per-VM table of MMIO regions, each with read and
 * write handlers by offset and width. An access that is not naturally aligned, or that
 * crosses the end of a region, never reaches a handler: the guest gets an access fault.
 */
#ifndef KEEL_VDEV_MMIO_H
#define KEEL_VDEV_MMIO_H
#include <stdint.h>

#define MAX_MMIO_REGIONS 8

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
/* The access lies in the region, is naturally aligned and of a width the bus carries (1, 2, 4, 8). */
static inline int mmio_access_ok(const struct mmio_region *r, uint64_t addr, unsigned width)
{
	uint64_t offset = addr - (r ? r->base : 0);

	return r && width - 1 < sizeof(uint64_t) && !(width & (width - 1)) && !(addr & (width - 1)) &&
	       addr >= r->base && offset < r->size && offset + width <= r->size;
}

/* One access to a region already found (checks alignment and bounds first). Inline: every device exit. */
static inline int mmio_region_read(const struct mmio_region *r, uint64_t addr, unsigned width, uint64_t *val)
{
	*val = 0;
	return mmio_access_ok(r, addr, width) ? r->ops->read(r->dev, addr - r->base, width, val) : MMIO_FAULT;
}

static inline int mmio_region_write(const struct mmio_region *r, uint64_t addr, unsigned width, uint64_t val)
{
	return mmio_access_ok(r, addr, width) ? r->ops->write(r->dev, addr - r->base, width, val) : MMIO_FAULT;
}
/* Find the region and dispatch one access. */
int mmio_bus_read(const struct mmio_bus *bus, uint64_t addr, unsigned width, uint64_t *val);
int mmio_bus_write(const struct mmio_bus *bus, uint64_t addr, unsigned width, uint64_t val);

#endif
