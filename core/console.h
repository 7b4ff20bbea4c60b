/* Keel's console: formatted, line-locked output shared by every hart. */
#ifndef KEEL_CORE_CONSOLE_H
#define KEEL_CORE_CONSOLE_H
#include <stddef.h>

void console_init(void (*putc)(char), int (*getc)(void));
void console_putc(char c);
void console_write(const char *s, size_t n);
int console_getc(void);
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* For several prints that must stay together: console_lock(), kprintf_locked()..., console_unlock(). */
int kprintf_locked(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_lock(void);
void console_unlock(void);

#endif
