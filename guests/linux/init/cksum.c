/* POSIX cksum: CRC-32 with polynomial 0x04c11db7, MSB first, over the data and then its length. */
#include "cksum.h"
#include <endian.h>
#include <string.h>

#define CKSUM_POLY 0x04c11db7u

static uint32_t table[256];

static uint32_t crc_byte(uint32_t crc, uint8_t b)
{
	return (crc << 8) ^ table[(crc >> 24) ^ b];
}

void cksum_init(struct cksum *c)
{
	for (uint32_t i = table[1] ? 256 : 0; i < 256; i++) { /* the table, on first use */
		uint32_t crc = i << 24;

		for (int bit = 0; bit < 8; bit++)
			crc = crc & 0x80000000u ? (crc << 1) ^ CKSUM_POLY : crc << 1;
		table[i] = crc;
	}
	c->crc = 0;
	c->len = 0;
}

void cksum_update(struct cksum *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t crc = c->crc; /* in a local: a store through p could alias c->crc */

	for (size_t i = 0; i < len; i++)
		crc = crc_byte(crc, p[i]);
	c->crc = crc;
	c->len += len;
}

uint32_t cksum_final(struct cksum *c)
{
	/* The length follows the data, least significant byte first, without leading zero bytes. */
	for (uint64_t n = c->len; n; n >>= 8)
		c->crc = crc_byte(c->crc, (uint8_t)n);
	return ~c->crc;
}

static uint32_t xorshift32(uint32_t state)
{
	state ^= state << 13;
	state ^= state >> 17;
	state ^= state << 5;
	return state;
}

uint32_t pattern_fill(uint32_t state, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t i = 0;

	/* Each state gives 4 bytes, least significant first: whole words where the buffer is aligned. */
	if (!((uintptr_t)p % sizeof(uint32_t)))
		for (; len - i >= sizeof(uint32_t); i += sizeof(uint32_t)) {
			state = xorshift32(state);
			*(uint32_t *)__builtin_assume_aligned(p + i, sizeof(uint32_t)) = htole32(state);
		}
	for (; i < len; i += sizeof(uint32_t)) {
		state = xorshift32(state);
		for (size_t b = 0; b < sizeof(uint32_t) && i + b < len; b++)
			p[i + b] = (uint8_t)(state >> (8 * b));
	}
	return state;
}
