/* POSIX cksum: CRC-32 with polynomial 0x04c11db7, MSB first, over the data and then its length. */
#include "cksum.h"
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

	for (size_t i = 0; i < len; i++)
		c->crc = crc_byte(c->crc, p[i]);
	c->len += len;
}

uint32_t cksum_final(struct cksum *c)
{
	/* The length follows the data, least significant byte first, without leading zero bytes. */
	for (uint64_t n = c->len; n; n >>= 8)
		c->crc = crc_byte(c->crc, (uint8_t)n);
	return ~c->crc;
}

uint32_t pattern_fill(uint32_t state, void *buf, size_t len)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i += 4) {
		uint8_t word[4];

		state ^= state << 13;
		state ^= state >> 17;
		state ^= state << 5;
		for (int b = 0; b < 4; b++)
			word[b] = (uint8_t)(state >> (8 * b));
		memcpy(p + i, word, len - i < 4 ? len - i : 4);
	}
	return state;
}
