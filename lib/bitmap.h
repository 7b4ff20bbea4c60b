/* Bitmaps of 32-bit words, as interrupt controllers keep their pending and enable bits. */
#ifndef KEEL_LIB_BITMAP_H
#define KEEL_LIB_BITMAP_H
#include <stdint.h>

static inline int bitmap_test(const uint32_t *w, unsigned id)
{
	return (w[id / 32] >> (id % 32)) & 1;
}

static inline void bitmap_assign(uint32_t *w, unsigned id, int v)
{
	if (v)
		w[id / 32] |= 1U << (id % 32);
	else
		w[id / 32] &= ~(1U << (id % 32));
}

/* Index of the lowest set bit of a nonzero word (no libgcc helpers in Keel's freestanding link). */
static inline unsigned bitmap_lowest(uint32_t w)
{
	unsigned n = 0;

	for (; !(w & 1); w >>= 1)
		n++;
	return n;
}

#endif
