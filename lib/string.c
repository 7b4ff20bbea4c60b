/* Freestanding string functions for Keel and the libfdt it links. */
#include <stdint.h>
#include <string.h>

#define WORD sizeof(unsigned long)
#define UNROLL 4

static int word_aligned(const void *a, const void *b)
{
	return !(((uintptr_t)a | (uintptr_t)b) & (WORD - 1));
}

/*
 * Word copies: the destination is brought to a word boundary first; a source that is then still
 * misaligned is read in aligned words shifted together (little-endian), never past the aligned
 * word holding its last byte. Loading guest kernels and the network path (frames behind 12-byte
 * virtio headers) are the big users.
 */
void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	for (; n && ((uintptr_t)d & (WORD - 1)); n--)
		*d++ = *s++;
	if (n >= WORD) {
		unsigned long *dw = (unsigned long *)d;
		unsigned shift = (unsigned)((uintptr_t)s & (WORD - 1)) * 8;

		if (!shift) {
			const unsigned long *sw = (const unsigned long *)s;

			for (; n >= UNROLL * WORD; n -= UNROLL * WORD, dw += UNROLL, sw += UNROLL) {
				unsigned long a = sw[0], b = sw[1], c = sw[2], e = sw[3];

				dw[0] = a;
				dw[1] = b;
				dw[2] = c;
				dw[3] = e;
			}
			for (; n >= WORD; n -= WORD)
				*dw++ = *sw++;
			s = (const unsigned char *)sw;
		} else {
			const unsigned long *sw = (const unsigned long *)(s - shift / 8);
			unsigned rshift = 8 * WORD - shift;
			unsigned long prev = *sw++;
			size_t words = n / WORD;

			s += words * WORD;
			n -= words * WORD;
			for (; words >= UNROLL; words -= UNROLL, dw += UNROLL, sw += UNROLL) {
				unsigned long a = sw[0], b = sw[1], c = sw[2], e = sw[3];

				dw[0] = (prev >> shift) | (a << rshift);
				dw[1] = (a >> shift) | (b << rshift);
				dw[2] = (b >> shift) | (c << rshift);
				dw[3] = (c >> shift) | (e << rshift);
				prev = e;
			}
			for (; words; words--) {
				unsigned long next = *sw++;

				*dw++ = (prev >> shift) | (next << rshift);
				prev = next;
			}
		}
		d = (unsigned char *)dw;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	if (word_aligned(d, d)) {
		unsigned long w = (unsigned char)c * (~0UL / 0xff), *dw = (unsigned long *)d;

		for (; n >= WORD; n -= WORD)
			*dw++ = w;
		d = (unsigned char *)dw;
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, (size_t)-1);
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

unsigned long strtoul(const char *s, char **end, int base)
{
	unsigned long v = 0;
	int d;

	if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		base = 16;
	}
	if (base == 0)
		base = 10;
	while ((d = digit_value(*s)) < base) {
		v = v * (unsigned long)base + (unsigned long)d;
		s++;
	}
	if (end)
		*end = (char *)s;
	return v;
}
