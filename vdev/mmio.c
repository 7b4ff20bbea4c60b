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

int mmio_bus_read(const struct mmio_bus *bus, uint64_t addr, unsigned width, uint64_t *val)
{
	return mmio_region_read(mmio_bus_find(bus, addr), addr, width, val);
}

int mmio_bus_write(const struct mmio_bus *bus, uint64_t addr, unsigned width, uint64_t val)
{
	return mmio_region_write(mmio_bus_find(bus, addr), addr, width, val);
}
