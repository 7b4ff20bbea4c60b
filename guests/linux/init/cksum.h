/* POSIX cksum (the CRC of cksum(1)): the guest's checksums can be compared with the host's cksum. */
#ifndef KEEL_INIT_CKSUM_H
#define KEEL_INIT_CKSUM_H
#include <stddef.h>
#include <stdint.h>

struct cksum {
	uint32_t crc;
	uint64_t len;
};

void cksum_init(struct cksum *c);
void cksum_update(struct cksum *c, const void *data, size_t len);
/* The value cksum(1) prints; call once, after the last update. */
uint32_t cksum_final(struct cksum *c);

/*
 * The disk checks' test pattern: the successive states of a xorshift32 generator (13, 17, 5)
 * started at PATTERN_SEED, each stored little-endian. Fills buf with the next `len` bytes (a
 * multiple of 4 but for the last piece) and returns the state to continue from.
 */
#define PATTERN_SEED 0x6b65656cu /* "keel" */
uint32_t pattern_fill(uint32_t state, void *buf, size_t len);

#endif
