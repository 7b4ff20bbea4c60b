/*
 * What every libFuzzer target in tests/fuzz includes (only the target's main file: it defines functions).
 * The input is read front to back with the take_* helpers; past its end they return zeros, so every
 * input, even an empty one, is a complete test case. A broken invariant aborts with a message, which
 * libFuzzer reports as a crash and saves as a reproducer.
 */
#ifndef KEEL_TESTS_FUZZ_FUZZ_H
#define KEEL_TESTS_FUZZ_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Undefined behaviour is a crash, not a line in the log (UBSAN_OPTIONS still overrides). */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                                                        \
	do {                                                                                         \
		if (!(cond)) {                                                                       \
			fprintf(stderr, "%s:%d: invariant broken: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                                \
			fputc('\n', stderr);                                                         \
			abort();                                                                     \
		}                                                                                    \
	} while (0)

struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline struct fuzz_in fuzz_in(const uint8_t *data, size_t size)
{
	return (struct fuzz_in){ data, size };
}

static inline uint8_t take_u8(struct fuzz_in *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

/* Little-endian, so seeds written by make-seeds.py read naturally. */
static inline uint64_t take_bits(struct fuzz_in *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)take_u8(in) << (8 * i);
	return v;
}

static inline uint16_t take_u16(struct fuzz_in *in)
{
	return (uint16_t)take_bits(in, 2);
}
static inline uint32_t take_u32(struct fuzz_in *in)
{
	return (uint32_t)take_bits(in, 4);
}
static inline uint64_t take_u64(struct fuzz_in *in)
{
	return take_bits(in, 8);
}

/* Up to `max` bytes into out; returns how many were left in the input to copy. */
static inline size_t take_bytes(struct fuzz_in *in, void *out, size_t max)
{
	size_t n = max < in->left ? max : in->left;

	memcpy(out, in->p, n);
	in->p += n;
	in->left -= n;
	return n;
}

/* One of the interesting values, or any 64-bit value: byte 0xff picks "any", others index the table. */
static inline uint64_t take_pick(struct fuzz_in *in, const uint64_t *table, size_t n)
{
	uint8_t sel = take_u8(in);

	if (sel == 0xff || !n)
		return take_u64(in);
	return table[sel % n];
}

#endif
