/* Polled ns16550 driver for Keel's console. */
#include "drivers/ns16550.h"

#define UART_RBR 0
#define UART_THR 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_LSR 5
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20
#define UART_FCR_ENABLE 0x01
#define UART_LCR_8N1 0x03
#define UART_IER_ERBFI 0x01
#define UART_MCR_OUT2 0x08 /* gates the interrupt line on PC-style 16550s */
#define UART_MCR 4

static volatile uint8_t *uart_base;
static unsigned uart_shift;

static inline uint8_t reg_read(unsigned reg)
{
	return uart_base[reg << uart_shift];
}
static inline void reg_write(unsigned reg, uint8_t v)
{
	uart_base[reg << uart_shift] = v;
}

void ns16550_init(uintptr_t base, unsigned reg_shift)
{
	uart_base = (volatile uint8_t *)base;
	uart_shift = reg_shift;
	/* OpenSBI already set the baud rate; keep it, just make sure the FIFO is on and IRQs off. */
	reg_write(UART_IER, 0);
	reg_write(UART_LCR, UART_LCR_8N1);
	reg_write(UART_FCR, UART_FCR_ENABLE);
}

void ns16550_putc(char c)
{
	if (!uart_base)
		return;
	while (!(reg_read(UART_LSR) & UART_LSR_THRE))
		;
	reg_write(UART_THR, (uint8_t)c);
}

int ns16550_getc(void)
{
	if (!uart_base || !(reg_read(UART_LSR) & UART_LSR_DR))
		return -1;
	return reg_read(UART_RBR);
}

void ns16550_enable_rx_irq(void)
{
	if (!uart_base)
		return;
	reg_write(UART_MCR, UART_MCR_OUT2);
	reg_write(UART_IER, UART_IER_ERBFI);
}
