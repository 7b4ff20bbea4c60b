/* A small printf engine shared by Keel's console and the test guests. */
#include "printf.h"
#include <stdint.h>

static int emit_num(putc_fn out, void *ctx, unsigned long long v, unsigned base, int neg, int width, char pad)
{
	char buf[24];
	int n = 0, count = 0;

	do {
		unsigned d = (unsigned)(v % base);
		buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	if (neg)
		width--;
	if (neg && pad == '0') {
		out(ctx, '-');
		count++;
	}
	for (; width > n; width--, count++)
		out(ctx, pad);
	if (neg && pad != '0') {
		out(ctx, '-');
		count++;
	}
	while (n) {
		out(ctx, buf[--n]);
		count++;
	}
	return count;
}

int vformat(putc_fn out, void *ctx, const char *fmt, va_list ap)
{
	int count = 0;

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			out(ctx, *fmt);
			count++;
			continue;
		}
		fmt++;
		char pad = ' ';
		int width = 0, longs = 0;

		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			int len = 0;

			if (!s)
				s = "(null)";
			for (const char *p = s; *p; p++)
				len++;
			for (; width > len; width--, count++)
				out(ctx, ' ');
			for (; *s; s++, count++)
				out(ctx, *s);
			break;
		}
		case 'c':
			out(ctx, (char)va_arg(ap, int));
			count++;
			break;
		case 'd':
		case 'i': {
			long long v = longs ? va_arg(ap, long long) : va_arg(ap, int);
			unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

			count += emit_num(out, ctx, mag, 10, v < 0, width, pad);
			break;
		}
		case 'u':
		case 'x': {
			unsigned long long v = longs ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned);

			count += emit_num(out, ctx, v, *fmt == 'u' ? 10 : 16, 0, width, pad);
			break;
		}
		case 'p':
			out(ctx, '0');
			out(ctx, 'x');
			count += 2 + emit_num(out, ctx, (uintptr_t)va_arg(ap, void *), 16, 0, width, pad);
			break;
		case '%':
			out(ctx, '%');
			count++;
			break;
		case '\0':
			return count;
		default:
			out(ctx, '%');
			out(ctx, *fmt);
			count += 2;
		}
	}
	return count;
}

struct bufctx {
	char *buf;
	size_t size, pos;
};

static void buf_putc(void *ctx, char c)
{
	struct bufctx *b = ctx;

	if (b->pos + 1 < b->size)
		b->buf[b->pos] = c;
	b->pos++;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	struct bufctx b = { buf, size, 0 };
	va_list ap;

	va_start(ap, fmt);
	int n = vformat(buf_putc, &b, fmt, ap);
	va_end(ap);
	if (size)
		buf[b.pos < size ? b.pos : size - 1] = '\0';
	return n;
}
