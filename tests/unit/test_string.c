/*
 * Host tests for lib/string.c's memcpy and memmove (Keel's own; the network path copies frames
 * through them at every alignment). The file is compiled here under other names, beside libc's.
 */
#include "unit.h"
#include <string.h>

#define memcpy keel_memcpy
#define memmove keel_memmove
#define memset keel_memset
#define memcmp keel_memcmp
#define memchr keel_memchr
#define strlen keel_strlen
#define strnlen keel_strnlen
#define strncmp keel_strncmp
#define strcmp keel_strcmp
#define strchr keel_strchr
#define strrchr keel_strrchr
#define strtoul keel_strtoul
#include "lib/string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp

#define SPAN 600 /* longer than a few unrolled turns at every alignment */
#define GUARD 64 /* bytes either side that a copy must leave alone (and the word reads stay inside) */

static uint8_t src[SPAN + 2 * GUARD], dst[SPAN + 2 * GUARD], want[SPAN + 2 * GUARD];

static void fill(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 131 + (i >> 8));
}

/* Every source and destination alignment within a word, every length up to SPAN: byte-exact, and
 * nothing outside the destination range changes. */
static void memcpy_every_alignment(void **state)
{
	(void)state;
	fill(src, sizeof(src), 7);
	for (size_t so = 0; so < 8; so++)
		for (size_t dof = 0; dof < 8; dof++)
			for (size_t n = 0; n <= SPAN; n += n < 80 ? 1 : 37) {
				fill(dst, sizeof(dst), 200);
				memcpy(want, dst, sizeof(want));
				memcpy(want + GUARD + dof, src + GUARD + so, n);
				assert_ptr_equal(keel_memcpy(dst + GUARD + dof, src + GUARD + so, n),
						 dst + GUARD + dof);
				assert_memory_equal(dst, want, sizeof(dst));
			}
}

/* memmove to a lower address uses memcpy forwards; to a higher one it copies backwards. */
static void memmove_overlaps(void **state)
{
	(void)state;
	for (size_t shift = 1; shift < 20; shift++)
		for (size_t n = 1; n < 200; n += 13) {
			fill(dst, sizeof(dst), 3);
			memcpy(want, dst, sizeof(want));
			memmove(want + GUARD, want + GUARD + shift, n);
			keel_memmove(dst + GUARD, dst + GUARD + shift, n);
			assert_memory_equal(dst, want, sizeof(dst));
			fill(dst, sizeof(dst), 3);
			memcpy(want, dst, sizeof(want));
			memmove(want + GUARD + shift, want + GUARD, n);
			keel_memmove(dst + GUARD + shift, dst + GUARD, n);
			assert_memory_equal(dst, want, sizeof(dst));
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(memcpy_every_alignment),
		cmocka_unit_test(memmove_overlaps),
	};

	return run_unit_tests(tests);
}
