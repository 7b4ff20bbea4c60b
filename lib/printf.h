/* Minimal formatted output: %s %c %d %i %u %x %p with l/ll/z, width and '0' padding. */
#ifndef KEEL_PRINTF_H
#define KEEL_PRINTF_H
#include <stdarg.h>
#include <stddef.h>

typedef void (*putc_fn)(void *ctx, char c);

int vformat(putc_fn out, void *ctx, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
