/*
 * Virtual 16550 UART (register offsets 0-7, reg-shift 0). Transmission is instant: THR
 * bytes go to the VM's console, so LSR always shows THRE|TEMT. A 1024-byte receive FIFO holds
 * input. IIR reports, by priority, received data (if IER.ERBFI) then THR empty (if
 * IER.ETBEI); the interrupt line is raised whenever IIR has something to report.
 * Widths: registers are 8-bit. A wider aligned access reaches the register at its address:
 * reads return it zero-extended, writes use the low byte.
 */
#include "vdev/vuart.h"
#include <string.h>

/* Register offsets (DLAB = LCR bit 7 switches 0 and 1 to the divisor latch). */
#define UART_RBR_THR_DLL 0
#define UART_IER_DLM 1
#define UART_IIR_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_ERBFI 0x01 /* received data available */
#define UART_IER_ETBEI 0x02 /* transmitter holding register empty */
#define UART_IER_MASK 0x0f
#define UART_IIR_NO_INT 0x01
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI 0x04
#define UART_IIR_FIFO_ENABLED 0xc0
#define UART_FCR_FIFO_ENABLE 0x01
#define UART_FCR_CLEAR_RCVR 0x02
#define UART_LCR_DLAB 0x80
#define UART_MCR_MASK 0x1f
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_MSR_DCD 0x80
#define UART_MSR_DSR 0x20
#define UART_MSR_CTS 0x10

__attribute__((hot)) static uint8_t iir(const struct vuart *u)
{
	uint8_t fifo = u->fcr & UART_FCR_FIFO_ENABLE ? UART_IIR_FIFO_ENABLED : 0;

	if ((u->ier & UART_IER_ERBFI) && u->rx_count)
		return fifo | UART_IIR_RDI;
	if ((u->ier & UART_IER_ETBEI) && u->thre_pending)
		return fifo | UART_IIR_THRI;
	return fifo | UART_IIR_NO_INT;
}

__attribute__((hot)) static void update_irq(struct vuart *u)
{
	int level = !(iir(u) & UART_IIR_NO_INT);

	if (level != u->irq_level) {
		u->irq_level = level;
		if (u->set_irq)
			u->set_irq(u->ctx, level);
	}
}

void vuart_init(struct vuart *u, void (*tx)(void *, char), void (*set_irq)(void *, int), void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->tx = tx;
	u->set_irq = set_irq;
	u->ctx = ctx;
	u->thre_pending = 1;
}

void vuart_reset(struct vuart *u)
{
	spin_lock(&u->lock);
	u->ier = u->lcr = u->mcr = u->scr = u->dll = u->dlm = u->fcr = 0;
	u->rx_head = u->rx_count = 0;
	u->thre_pending = 1;
	update_irq(u); /* IER is 0: the line goes down if it was up */
	spin_unlock(&u->lock);
}

unsigned vuart_receive(struct vuart *u, const char *buf, unsigned n)
{
	unsigned done = 0;

	spin_lock(&u->lock);
	for (; done < n && u->rx_count < VUART_FIFO; done++) {
		u->rx[(u->rx_head + u->rx_count) % VUART_FIFO] = (uint8_t)buf[done];
		u->rx_count++;
	}
	update_irq(u);
	spin_unlock(&u->lock);
	return done;
}

int vuart_take_byte(struct vuart *u)
{
	int c = -1;

	spin_lock(&u->lock);
	if (u->rx_count) {
		c = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % VUART_FIFO;
		u->rx_count--;
	}
	update_irq(u);
	spin_unlock(&u->lock);
	return c;
}

__attribute__((hot)) static uint8_t reg_read(struct vuart *u, unsigned reg)
{
	uint8_t v = 0;

	switch (reg) {
	case UART_RBR_THR_DLL:
		if (u->lcr & UART_LCR_DLAB)
			return u->dll;
		if (u->rx_count) {
			v = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % VUART_FIFO;
			u->rx_count--;
		}
		return v;
	case UART_IER_DLM:
		return u->lcr & UART_LCR_DLAB ? u->dlm : u->ier;
	case UART_IIR_FCR:
		v = iir(u);
		/* Reading IIR while it reports THR empty acknowledges that interrupt. */
		if ((v & ~UART_IIR_FIFO_ENABLED) == UART_IIR_THRI)
			u->thre_pending = 0;
		return v;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return (u->rx_count ? UART_LSR_DR : 0) | UART_LSR_THRE | UART_LSR_TEMT;
	case UART_MSR:
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	default:
		return u->scr;
	}
}

__attribute__((hot)) static void reg_write(struct vuart *u, unsigned reg, uint8_t v)
{
	switch (reg) {
	case UART_RBR_THR_DLL:
		if (u->lcr & UART_LCR_DLAB) {
			u->dll = v;
			break;
		}
		if (u->tx)
			u->tx(u->ctx, (char)v);
		/* Sent at once: the holding register is empty again. */
		u->thre_pending = 1;
		break;
	case UART_IER_DLM:
		if (u->lcr & UART_LCR_DLAB) {
			u->dlm = v;
			break;
		}
		/* Enabling ETBEI with THR empty raises the interrupt (as a 16550 does). */
		if ((v & UART_IER_ETBEI) && !(u->ier & UART_IER_ETBEI))
			u->thre_pending = 1;
		u->ier = v & UART_IER_MASK;
		break;
	case UART_IIR_FCR:
		u->fcr = v & UART_FCR_FIFO_ENABLE;
		if (v & UART_FCR_CLEAR_RCVR)
			u->rx_count = 0;
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		u->mcr = v & UART_MCR_MASK;
		break;
	case UART_SCR:
		u->scr = v;
		break;
	default:
		break; /* LSR and MSR are read-only */
	}
}

__attribute__((hot)) static int vuart_read(void *dev, uint64_t off, unsigned width, uint64_t *val)
{
	struct vuart *u = dev;

	(void)width;
	spin_lock(&u->lock);
	*val = off < 8 ? reg_read(u, (unsigned)off) : 0;
	update_irq(u);
	spin_unlock(&u->lock);
	return MMIO_OK;
}

__attribute__((hot)) static int vuart_write(void *dev, uint64_t off, unsigned width, uint64_t val)
{
	struct vuart *u = dev;

	(void)width;
	spin_lock(&u->lock);
	if (off < 8)
		reg_write(u, (unsigned)off, (uint8_t)val);
	update_irq(u);
	spin_unlock(&u->lock);
	return MMIO_OK;
}

const struct mmio_ops vuart_ops = { .read = vuart_read, .write = vuart_write };
