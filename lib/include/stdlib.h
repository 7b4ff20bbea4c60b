/* Keel is freestanding: libfdt includes this, but needs nothing from it. */
#ifndef KEEL_STDLIB_H
#define KEEL_STDLIB_H
#include <stddef.h>
unsigned long strtoul(const char *s, char **end, int base);
#endif
