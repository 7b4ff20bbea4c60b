/* Keel's console: one lock so that lines from different harts do not interleave. */
#include "core/console.h"
#include "core/spinlock.h"
#include "lib/printf.h"

static void (*out_fn)(char);
static int (*in_fn)(void);
static spinlock_t lock;

void console_init(void (*putc)(char), int (*getc)(void))
{
	out_fn = putc;
	in_fn = getc;
}

void console_putc(char c)
{
	if (!out_fn)
		return;
	if (c == '\n')
		out_fn('\r');
	out_fn(c);
}

void console_write(const char *s, size_t n)
{
	while (n--)
		console_putc(*s++);
}

int console_getc(void)
{
	return in_fn ? in_fn() : -1;
}

void console_lock(void)
{
	spin_lock(&lock);
}
void console_unlock(void)
{
	spin_unlock(&lock);
}

static void kputc(void *ctx, char c)
{
	(void)ctx;
	console_putc(c);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	spin_lock(&lock);
	int n = vformat(kputc, NULL, fmt, ap);
	spin_unlock(&lock);
	va_end(ap);
	return n;
}

int kprintf_locked(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vformat(kputc, NULL, fmt, ap);
	va_end(ap);
	return n;
}
