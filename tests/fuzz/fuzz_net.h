/*
 * Oracles shared by the network fuzz targets (fuzz_switch, fuzz_vnet), written from the virtio
 * spec rather than from net/offload.c, so that a check there that is wrong is caught.
 */
#ifndef KEEL_TESTS_FUZZ_FUZZ_NET_H
#define KEEL_TESTS_FUZZ_FUZZ_NET_H
#include <stdint.h>
#include "net/offload.h"

/* virtio 1.1, 5.1.6.2: the checksum goes at csum_start + csum_offset, two bytes that must lie inside the frame. */
static inline int csum_field_fits(const struct net_offload *o, unsigned len)
{
	return !o || !(o->flags & NET_OFF_CSUM) || (uint64_t)o->csum_start + o->csum_offset + 2 <= len;
}

#endif
