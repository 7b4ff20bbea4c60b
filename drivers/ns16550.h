/* Host ns16550 console (polled). */
#ifndef KEEL_DRIVERS_NS16550_H
#define KEEL_DRIVERS_NS16550_H
#include <stdint.h>

void ns16550_init(uintptr_t base, unsigned reg_shift);
void ns16550_putc(char c);
int ns16550_getc(void); /* -1 when nothing is waiting */
void ns16550_enable_rx_irq(void);

#endif
