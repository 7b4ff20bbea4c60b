/* Virtual 16550 UART: what Linux's 8250 driver and U-Boot's ns16550 driver use. */
#ifndef KEEL_VDEV_VUART_H
#define KEEL_VDEV_VUART_H
#include <stdint.h>
#include "core/spinlock.h"
#include "vdev/mmio.h"

#define VUART_SIZE 0x100UL
/* Deeper than a 16550's 16 bytes: it also holds console input pasted faster than the guest reads. */
#define VUART_FIFO 1024

struct vuart {
	spinlock_t lock;
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	int thre_pending; /* the transmit-empty interrupt, until IIR reports it or THR is written */
	uint8_t rx[VUART_FIFO];
	unsigned rx_head, rx_count;
	int irq_level;
	void (*tx)(void *ctx, char c); /* a transmitted byte */
	void (*set_irq)(void *ctx, int level); /* the interrupt line */
	void *ctx;
};

extern const struct mmio_ops vuart_ops;

void vuart_init(struct vuart *u, void (*tx)(void *, char), void (*set_irq)(void *, int), void *ctx);
/* Registers and FIFO back to power-on, under the lock (console input may arrive on another hart). */
void vuart_reset(struct vuart *u);
/* Bytes arriving on the line; returns how many fitted in the receive FIFO. */
unsigned vuart_receive(struct vuart *u, const char *buf, unsigned n);
/* Take one received byte as the VM's console would (SBI getchar): -1 when none. */
int vuart_take_byte(struct vuart *u);

#endif
