/* MMIO region table and dispatch. */
#include "vdev/mmio.h"
#include <stddef.h>

int mmio_bus_add(struct mmio_bus *bus, uint64_t base, uint64_t size, const struct mmio_ops *ops, void *dev,
		 const char *name)
{
	if (bus->n == MAX_MMIO_REGIONS || !size || base + size < base)
		return -1;
	for (int i = 0; i < bus->n; i++)
		if (base < bus->regions[i].base + bus->regions[i].size && bus->regions[i].base < base + size)
			return -1;
	bus->regions[bus->n++] = (struct mmio_region){ base, size, ops, dev, name };
	return 0;
}

const struct mmio_region *mmio_bus_find(const struct mmio_bus *bus, uint64_t addr)
{
	for (int i = 0; i < bus->n; i++)
		if (addr >= bus->regions[i].base && addr - bus->regions[i].base < bus->regions[i].size)
			return &bus->regions[i];
	return NULL;
}

/* The access lies in the region, is naturally aligned and of a width the bus carries (1, 2, 4, 8). */
static inline __attribute__((always_inline)) int access_ok(const struct mmio_region *r, uint64_t addr, unsigned width)
{
	uint64_t offset = addr - (r ? r->base : 0);

	return r && width - 1 < sizeof(uint64_t) && !(width & (width - 1)) && !(addr & (width - 1)) &&
	       addr >= r->base && offset < r->size && offset + width <= r->size;
}

int mmio_region_read(const struct mmio_region *r, uint64_t addr, unsigned width, uint64_t *val)
{
	*val = 0;
	return access_ok(r, addr, width) ? r->ops->read(r->dev, addr - r->base, width, val) : MMIO_FAULT;
}

int mmio_region_write(const struct mmio_region *r, uint64_t addr, unsigned width, uint64_t val)
{
	return access_ok(r, addr, width) ? r->ops->write(r->dev, addr - r->base, width, val) : MMIO_FAULT;
}

int mmio_bus_read(const struct mmio_bus *bus, uint64_t addr, unsigned width, uint64_t *val)
{
	return mmio_region_read(mmio_bus_find(bus, addr), addr, width, val);
}

int mmio_bus_write(const struct mmio_bus *bus, uint64_t addr, unsigned width, uint64_t val)
{
	return mmio_region_write(mmio_bus_find(bus, addr), addr, width, val);
}
