/*
 * Host tests for vdev/vuart.c: the virtual 16550 as a guest driver sees it, through vuart_ops at register
 * offsets (and the MMIO bus for wide accesses), plus the console side (vuart_receive, vuart_take_byte).
 * tx() and set_irq() are recorded; set_irq() checks on every call that the line changes.
 */
#include "unit.h"
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include "vdev/mmio.h"
#include "vdev/vuart.h"

/* 16550 registers (reg-shift 0) and bits, from the datasheet, independent of vuart.c's names. */
#define RBR 0 /* read, DLAB=0 */
#define THR 0 /* write, DLAB=0 */
#define DLL 0 /* DLAB=1 */
#define IER 1 /* DLAB=0 */
#define DLM 1 /* DLAB=1 */
#define IIR 2 /* read */
#define FCR 2 /* write */
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

#define IER_ERBFI 0x01
#define IER_ETBEI 0x02
#define IIR_NONE 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_FIFOS 0xc0
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04
#define LCR_DLAB 0x80
#define LCR_8N1 0x03
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_DCD 0x80

#define MAX_TX 256

static struct {
	unsigned char tx[MAX_TX];
	int ntx;
	int level; /* last level set_irq() gave */
	int nirq; /* set_irq() calls */
} rec;

static struct vuart uart;

static void tx(void *ctx, char c)
{
	assert_ptr_equal(ctx, &rec);
	assert_true(rec.ntx < MAX_TX);
	rec.tx[rec.ntx++] = (unsigned char)c;
}

static void set_irq(void *ctx, int level)
{
	assert_ptr_equal(ctx, &rec);
	assert_true(level == 0 || level == 1);
	assert_int_not_equal(level, rec.level); /* only on changes */
	rec.level = level;
	rec.nirq++;
}

static int setup(void **state)
{
	(void)state;
	memset(&rec, 0, sizeof(rec));
	memset(&uart, 0xa5, sizeof(uart));
	vuart_init(&uart, tx, set_irq, &rec);
	return 0;
}

static uint64_t rdw(unsigned width, uint64_t off)
{
	uint64_t v = 0xdeadbeefdeadbeefUL;

	assert_int_equal(vuart_ops.read(&uart, off, width, &v), MMIO_OK);
	return v;
}

static void wrw(unsigned width, uint64_t off, uint64_t v)
{
	assert_int_equal(vuart_ops.write(&uart, off, width, v), MMIO_OK);
}

static unsigned rd(uint64_t off)
{
	uint64_t v = rdw(1, off);

	assert_true(v <= 0xff);
	return (unsigned)v;
}

static void wr(uint64_t off, unsigned v)
{
	wrw(1, off, v);
}

static unsigned receive(const char *s)
{
	return vuart_receive(&uart, s, (unsigned)strlen(s));
}

/* ---- reset state, transmit ---- */

static void test_reset_state(void **state)
{
	(void)state;
	assert_int_equal(rd(IER), 0);
	assert_int_equal(rd(IIR), IIR_NONE);
	assert_int_equal(rd(LCR), 0);
	assert_int_equal(rd(MCR), 0);
	assert_int_equal(rd(LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(rd(SCR), 0);
	assert_int_equal(rd(RBR), 0); /* nothing received */
	assert_int_equal(rec.nirq, 0);
	assert_int_equal(rec.ntx, 0);
}

static void test_thr_write_transmits(void **state)
{
	(void)state;
	const unsigned char bytes[] = { 'K', 'e', 'e', 'l', '\n', 0x00, 0x80, 0xff };

	for (unsigned i = 0; i < ARRAY_LEN(bytes); i++) {
		wr(THR, bytes[i]);
		assert_int_equal(rd(LSR) & (LSR_THRE | LSR_TEMT), LSR_THRE | LSR_TEMT);
	}
	assert_int_equal(rec.ntx, ARRAY_LEN(bytes));
	assert_memory_equal(rec.tx, bytes, sizeof(bytes));
	assert_int_equal(rd(LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(rec.nirq, 0); /* IER is 0: no interrupt */
}

static void test_dlab_selects_divisor_latch(void **state)
{
	(void)state;
	wr(IER, IER_ERBFI);
	wr(LCR, LCR_DLAB | LCR_8N1);
	assert_int_equal(rd(LCR), LCR_DLAB | LCR_8N1);
	wr(DLL, 0x12); /* not a transmission */
	wr(DLM, 0x34); /* not IER */
	assert_int_equal(rec.ntx, 0);
	assert_int_equal(rd(DLL), 0x12);
	assert_int_equal(rd(DLM), 0x34);
	/* With DLAB set, offset 0 reads the latch and leaves received data alone. */
	assert_int_equal(receive("z"), 1);
	assert_int_equal(rd(DLL), 0x12);
	assert_int_equal(rd(LSR) & LSR_DR, LSR_DR);
	wr(LCR, LCR_8N1);
	assert_int_equal(rd(IER), IER_ERBFI);
	assert_int_equal(rd(RBR), 'z');
	wr(THR, 'a');
	assert_int_equal(rec.ntx, 1);
	assert_int_equal(rec.tx[0], 'a');
	wr(LCR, LCR_DLAB);
	assert_int_equal(rd(DLL), 0x12);
	assert_int_equal(rd(DLM), 0x34);
}

static void test_ier_masked_to_4_bits(void **state)
{
	(void)state;
	wr(IER, 0xff);
	assert_int_equal(rd(IER), 0x0f);
	wr(IER, 0xf0);
	assert_int_equal(rd(IER), 0);
	wr(IER, 0x05);
	assert_int_equal(rd(IER), 0x05);
}

/* ---- interrupts ---- */

static void test_thri_raise_acknowledge_rearm(void **state)
{
	(void)state;
	wr(IER, IER_ETBEI); /* THR is empty: the interrupt is there at once */
	assert_int_equal(rec.nirq, 1);
	assert_int_equal(rec.level, 1);
	assert_int_equal(rd(IIR), IIR_THRI);
	assert_int_equal(rec.nirq, 2); /* reading IIR acknowledged it */
	assert_int_equal(rec.level, 0);
	assert_int_equal(rd(IIR), IIR_NONE);
	assert_int_equal(rd(LSR), LSR_THRE | LSR_TEMT); /* still empty, only the interrupt is gone */
	wr(THR, 'x');
	assert_int_equal(rec.level, 1);
	assert_int_equal(rec.nirq, 3);
	wr(THR, 'y'); /* already up: no call */
	assert_int_equal(rec.nirq, 3);
	assert_int_equal(rd(IIR), IIR_THRI);
	assert_int_equal(rec.level, 0);
	/* Turning ETBEI off and on again re-arms it; writing IER with ETBEI kept does not. */
	wr(IER, IER_ETBEI);
	assert_int_equal(rec.level, 0);
	wr(IER, 0);
	wr(IER, IER_ETBEI);
	assert_int_equal(rec.level, 1);
	/* Masking drops the line; the interrupt stays pending behind the mask. */
	wr(IER, 0);
	assert_int_equal(rec.level, 0);
	assert_int_equal(rd(IIR), IIR_NONE);
	assert_int_equal(rec.nirq, 6);
}

static void test_rdi_has_priority_over_thri(void **state)
{
	(void)state;
	wr(IER, IER_ERBFI | IER_ETBEI);
	assert_int_equal(rec.level, 1);
	assert_int_equal(receive("ab"), 2);
	assert_int_equal(rd(IIR), IIR_RDI);
	assert_int_equal(rd(IIR), IIR_RDI); /* reading IIR does not acknowledge received data */
	assert_int_equal(rd(RBR), 'a');
	assert_int_equal(rd(IIR), IIR_RDI);
	assert_int_equal(rd(RBR), 'b');
	assert_int_equal(rec.level, 1); /* THRI was not acknowledged behind RDI */
	assert_int_equal(rd(IIR), IIR_THRI);
	assert_int_equal(rec.level, 0);
	assert_int_equal(rd(IIR), IIR_NONE);
	assert_int_equal(rec.nirq, 2);
	/* ERBFI alone. */
	wr(IER, IER_ERBFI);
	assert_int_equal(receive("c"), 1);
	assert_int_equal(rec.level, 1);
	assert_int_equal(rd(IIR), IIR_RDI);
	assert_int_equal(rd(RBR), 'c');
	assert_int_equal(rec.level, 0);
	assert_int_equal(rd(IIR), IIR_NONE);
	/* Data with ERBFI off: no interrupt, but LSR.DR. */
	wr(IER, 0);
	assert_int_equal(receive("d"), 1);
	assert_int_equal(rec.level, 0);
	assert_int_equal(rd(IIR), IIR_NONE);
	assert_int_equal(rd(LSR), LSR_DR | LSR_THRE | LSR_TEMT);
	wr(IER, IER_ERBFI); /* unmasking raises it */
	assert_int_equal(rec.level, 1);
	assert_int_equal(rec.nirq, 5);
}

/* ---- receive ---- */

static void test_receive_fifo_order_and_dr(void **state)
{
	(void)state;
	const char in[] = { 'h', 'i', 0, (char)0xff, '\r' };

	assert_int_equal(vuart_receive(&uart, in, sizeof(in)), sizeof(in));
	for (unsigned i = 0; i < sizeof(in); i++) {
		assert_int_equal(rd(LSR), LSR_DR | LSR_THRE | LSR_TEMT);
		assert_int_equal(rd(RBR), (unsigned char)in[i]);
	}
	assert_int_equal(rd(LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(rd(RBR), 0);
	assert_int_equal(vuart_receive(&uart, in, 0), 0);
	assert_int_equal(rd(LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(rec.nirq, 0);
}

/* A byte stream for the FIFO tests: byte k of it. */
static char stream(unsigned k)
{
	return (char)(k * 37 + 11);
}

/* Offer n bytes of the stream from *sent on; the FIFO takes what fits. */
static unsigned offer(unsigned *sent, unsigned n)
{
	char buf[VUART_FIFO * 2];
	unsigned took;

	assert_true(n <= sizeof(buf));
	for (unsigned i = 0; i < n; i++)
		buf[i] = stream(*sent + i);
	took = vuart_receive(&uart, buf, n);
	*sent += took;
	return took;
}

static void test_receive_fifo_holds_1024(void **state)
{
	(void)state;
	unsigned sent = 0, got = 0;

	assert_int_equal(VUART_FIFO, 1024);
	assert_int_equal(offer(&sent, 10), 10);
	assert_int_equal(offer(&sent, VUART_FIFO + 80), VUART_FIFO - 10); /* the count that fitted */
	assert_int_equal(offer(&sent, 5), 0); /* full */
	assert_int_equal(offer(&sent, 1), 0);
	/* Pop a few, offer more than fits; round the ring many times. */
	for (unsigned round = 0; round < 50; round++) {
		unsigned n = 1 + round % 9;

		for (unsigned i = 0; i < n; i++, got++)
			assert_int_equal(rd(RBR), (unsigned char)stream(got));
		assert_int_equal(offer(&sent, n + 3), n);
		assert_int_equal(sent - got, VUART_FIFO);
	}
	while (got < sent) {
		assert_int_equal(rd(LSR) & LSR_DR, LSR_DR);
		assert_int_equal(rd(RBR), (unsigned char)stream(got++));
	}
	assert_int_equal(rd(LSR) & LSR_DR, 0);
	assert_int_equal(offer(&sent, VUART_FIFO * 2), VUART_FIFO);
}

static void test_fcr_clear_receiver(void **state)
{
	(void)state;
	char in[VUART_FIFO + 1];

	wr(IER, IER_ERBFI);
	assert_int_equal(receive("hello"), 5);
	assert_int_equal(rec.level, 1);
	wr(FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
	assert_int_equal(rd(LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(rec.level, 0);
	assert_int_equal(rd(IIR), IIR_FIFOS | IIR_NONE);
	assert_int_equal(rd(RBR), 0);
	/* The FIFO works as before after a clear, and takes 64 again. */
	memset(in, 'q', sizeof(in));
	in[0] = 'p';
	assert_int_equal(vuart_receive(&uart, in, sizeof(in)), VUART_FIFO);
	assert_int_equal(rd(RBR), 'p');
	assert_int_equal(rd(RBR), 'q');
	wr(FCR, FCR_CLEAR_RX); /* clears and turns the FIFOs off */
	assert_int_equal(rd(LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(rd(IIR), IIR_NONE);
	/* FCR without the clear bit keeps the data. */
	assert_int_equal(receive("r"), 1);
	wr(FCR, FCR_ENABLE);
	assert_int_equal(rd(LSR) & LSR_DR, LSR_DR);
	assert_int_equal(rd(RBR), 'r');
	assert_int_equal(rec.nirq, 6);
}

static void test_iir_fifo_bits(void **state)
{
	(void)state;
	wr(FCR, FCR_ENABLE);
	assert_int_equal(rd(IIR), IIR_FIFOS | IIR_NONE);
	wr(IER, IER_ETBEI | IER_ERBFI);
	assert_int_equal(rec.level, 1);
	assert_int_equal(receive("x"), 1);
	assert_int_equal(rd(IIR), IIR_FIFOS | IIR_RDI);
	assert_int_equal(rd(RBR), 'x');
	assert_int_equal(rd(IIR), IIR_FIFOS | IIR_THRI); /* acknowledged with the FIFO bits set too */
	assert_int_equal(rec.level, 0);
	assert_int_equal(rd(IIR), IIR_FIFOS | IIR_NONE);
	wr(FCR, 0);
	assert_int_equal(rd(IIR), IIR_NONE);
	/* FCR is write-only: offset 2 still reads IIR. */
	wr(FCR, FCR_ENABLE | 0xc0);
	assert_int_equal(rd(IIR), IIR_FIFOS | IIR_NONE);
}

/* ---- the other registers ---- */

static void test_scr_read_write(void **state)
{
	(void)state;
	const unsigned vals[] = { 0x5a, 0xa5, 0xff, 0x00, 0x81 };

	for (unsigned i = 0; i < ARRAY_LEN(vals); i++) {
		wr(SCR, vals[i]);
		assert_int_equal(rd(SCR), vals[i]);
	}
	wr(LCR, LCR_DLAB); /* DLAB does not move SCR */
	wr(SCR, 0x42);
	assert_int_equal(rd(SCR), 0x42);
	assert_int_equal(rec.ntx, 0);
}

static void test_lcr_mcr(void **state)
{
	(void)state;
	wr(LCR, 0x7f);
	assert_int_equal(rd(LCR), 0x7f);
	wr(LCR, LCR_8N1);
	assert_int_equal(rd(LCR), LCR_8N1);
	wr(MCR, 0xff);
	assert_int_equal(rd(MCR), 0x1f);
	wr(MCR, 0x0b);
	assert_int_equal(rd(MCR), 0x0b);
}

static void test_msr_value_and_read_only_lsr_msr(void **state)
{
	(void)state;
	assert_int_equal(rd(MSR), MSR_DCD | MSR_DSR | MSR_CTS);
	assert_int_equal(receive("k"), 1);
	wr(LSR, 0x00);
	wr(LSR, 0xff);
	wr(MSR, 0x00);
	wr(MSR, 0xff);
	assert_int_equal(rd(LSR), LSR_DR | LSR_THRE | LSR_TEMT);
	assert_int_equal(rd(MSR), MSR_DCD | MSR_DSR | MSR_CTS);
	assert_int_equal(rd(RBR), 'k');
	assert_int_equal(rd(LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(rec.ntx, 0);
}

/* ---- console side ---- */

static void test_take_byte(void **state)
{
	(void)state;
	const char in[] = { 'h', (char)0xff, 'i' };

	assert_int_equal(vuart_take_byte(&uart), -1);
	wr(IER, IER_ERBFI);
	assert_int_equal(vuart_receive(&uart, in, sizeof(in)), 3);
	assert_int_equal(rec.level, 1);
	assert_int_equal(vuart_take_byte(&uart), 'h');
	assert_int_equal(rec.level, 1);
	assert_int_equal(vuart_take_byte(&uart), 0xff); /* a byte, not -1 */
	assert_int_equal(rd(RBR), 'i'); /* the guest and the console share one FIFO */
	assert_int_equal(rec.level, 0);
	assert_int_equal(receive("j"), 1);
	assert_int_equal(rec.level, 1);
	assert_int_equal(vuart_take_byte(&uart), 'j');
	assert_int_equal(rec.level, 0); /* taking the last byte drops the line */
	assert_int_equal(rd(LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(vuart_take_byte(&uart), -1);
	assert_int_equal(vuart_take_byte(&uart), -1);
	assert_int_equal(rec.nirq, 4);
}

/* ---- widths and offsets ---- */

static void test_wide_accesses(void **state)
{
	(void)state;
	wrw(2, THR, 0x1241);
	wrw(4, THR, 0xffffff42);
	wrw(8, THR, 0x1234567890abcd43UL);
	assert_int_equal(rec.ntx, 3);
	assert_memory_equal(rec.tx, "ABC", 3);
	wrw(4, MCR, 0xffffff03); /* low byte only */
	assert_int_equal(rd(MCR), 0x03);
	assert_int_equal(rdw(4, MCR), 0x03);
	assert_int_equal(rdw(2, MSR), MSR_DCD | MSR_DSR | MSR_CTS);
	wrw(2, LCR - 1, 0xff00 | FCR_ENABLE); /* offset 2: FCR gets the low byte */
	assert_int_equal(rdw(2, IIR), IIR_FIFOS | IIR_NONE);
	assert_int_equal(rd(LCR), 0); /* the byte above went nowhere */
	assert_int_equal(receive("\xff\x80"), 2);
	assert_int_equal(rdw(8, RBR), 0xff); /* zero-extended */
	assert_int_equal(rdw(4, RBR), 0x80);
	assert_int_equal(rdw(2, MCR), 0x03);
}

/* The same through the bus: aligned wider accesses reach the register at their address. */
static void test_wide_accesses_through_bus(void **state)
{
	(void)state;
	const uint64_t base = 0x10000000;
	struct mmio_bus bus = { 0 };
	uint64_t v;

	assert_int_equal(mmio_bus_add(&bus, base, VUART_SIZE, &vuart_ops, &uart, "uart"), 0);
	assert_int_equal(mmio_bus_write(&bus, base + THR, 8, 0x7e), MMIO_OK);
	assert_int_equal(rec.ntx, 1);
	assert_int_equal(rec.tx[0], 0x7e);
	assert_int_equal(mmio_bus_write(&bus, base + SCR, 1, 0x99), MMIO_OK);
	assert_int_equal(mmio_bus_read(&bus, base + SCR, 1, &v), MMIO_OK);
	assert_int_equal(v, 0x99);
	assert_int_equal(mmio_bus_read(&bus, base + LSR - 1, 4, &v), MMIO_OK); /* offset 4: MCR */
	assert_int_equal(v, 0);
	assert_int_equal(mmio_bus_read(&bus, base + MSR, 2, &v), MMIO_OK);
	assert_int_equal(v, MSR_DCD | MSR_DSR | MSR_CTS);
	assert_int_equal(mmio_bus_read(&bus, base + LSR, 2, &v), MMIO_FAULT); /* misaligned */
	assert_int_equal(v, 0);
	assert_int_equal(mmio_bus_read(&bus, base + VUART_SIZE - 8, 8, &v), MMIO_OK);
	assert_int_equal(v, 0);
}

static void test_offsets_past_the_registers(void **state)
{
	(void)state;
	static const unsigned widths[] = { 1, 2, 4, 8 };
	struct vuart before;
	int nirq;

	wr(IER, IER_ETBEI | IER_ERBFI);
	assert_int_equal(receive("data"), 4);
	wr(SCR, 0x77);
	wr(LCR, LCR_8N1);
	before = uart;
	nirq = rec.nirq;

	for (uint64_t off = 8; off < VUART_SIZE; off++)
		for (unsigned i = 0; i < ARRAY_LEN(widths); i++) {
			if (off & (widths[i] - 1))
				continue;
			assert_int_equal(rdw(widths[i], off), 0);
			wrw(widths[i], off, 0xffffffffffffffffUL);
			wrw(widths[i], off, 0);
		}
	assert_memory_equal(&before, &uart, sizeof(uart));
	assert_int_equal(rec.ntx, 0);
	assert_int_equal(rec.nirq, nirq);
	assert_int_equal(rd(RBR), 'd');
}

static void test_set_irq_only_on_changes(void **state)
{
	(void)state;
	/* set_irq() fails the test on a call that does not change the level; count the calls too. */
	wr(IER, IER_ERBFI);
	assert_int_equal(rec.nirq, 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(receive("x"), 1);
	assert_int_equal(rec.nirq, 1);
	for (int i = 0; i < 4; i++) {
		rd(RBR);
		rd(IIR);
		rd(LSR);
		wr(SCR, (unsigned)i);
	}
	assert_int_equal(rec.nirq, 1);
	wr(IER, IER_ERBFI | IER_ETBEI); /* already up */
	assert_int_equal(rec.nirq, 1);
	rd(RBR);
	assert_int_equal(rec.nirq, 1); /* RDI gone, THRI still there */
	rd(IIR);
	assert_int_equal(rec.nirq, 2);
	assert_int_equal(rec.level, 0);
	wr(THR, '.');
	wr(THR, '.');
	assert_int_equal(rec.nirq, 3);
	assert_int_equal(receive("y"), 1);
	assert_int_equal(rec.nirq, 3);
	wr(IER, 0);
	assert_int_equal(rec.nirq, 4);
	assert_int_equal(rec.level, 0);
}

static void test_no_callbacks(void **state)
{
	(void)state;
	vuart_init(&uart, NULL, NULL, NULL);
	wr(IER, IER_ETBEI | IER_ERBFI);
	wr(THR, 'n');
	assert_int_equal(vuart_receive(&uart, "ab", 2), 2);
	assert_int_equal(rd(IIR), IIR_RDI);
	assert_int_equal(vuart_take_byte(&uart), 'a');
	assert_int_equal(rd(RBR), 'b');
	assert_int_equal(rd(IIR), IIR_THRI);
	assert_int_equal(rd(IIR), IIR_NONE);
}

/* A VM reset: registers and FIFO back to power-on, the interrupt line dropped through set_irq(). */
static void test_vuart_reset(void **state)
{
	(void)state;
	wr(LCR, LCR_8N1);
	wr(SCR, 0x5a);
	wr(IER, IER_ERBFI);
	receive("abc");
	assert_int_equal(rec.level, 1);
	vuart_reset(&uart);
	assert_int_equal(rec.level, 0);
	assert_int_equal(rd(IER), 0);
	assert_int_equal(rd(LCR), 0);
	assert_int_equal(rd(SCR), 0);
	assert_int_equal(rd(LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(rd(IIR), IIR_NONE);
	/* Still wired to its VM: new input and a transmitted byte reach it. */
	wr(IER, IER_ERBFI);
	receive("x");
	assert_int_equal(rec.level, 1);
	assert_int_equal(rd(RBR), 'x');
	wr(THR, 'k');
	assert_int_equal(rec.ntx, 1);
	assert_int_equal(rec.tx[0], 'k');
}

/* Console input arriving on another hart while the VM resets: the reset waits for it, never wipes the lock. */
static volatile int holder_inside, holder_done;

static void *hold_lock(void *arg)
{
	(void)arg;
	spin_lock(&uart.lock);
	holder_inside = 1;
	usleep(100 * 1000);
	holder_done = 1;
	spin_unlock(&uart.lock);
	return NULL;
}

static void test_vuart_reset_waits_for_lock_holder(void **state)
{
	pthread_t t;

	(void)state;
	holder_inside = holder_done = 0;
	assert_int_equal(pthread_create(&t, NULL, hold_lock, NULL), 0);
	while (!holder_inside)
		;
	vuart_reset(&uart);
	assert_true(holder_done);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(uart.lock.locked, 0);
	assert_ptr_equal(uart.ctx, &rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_state, setup),
		cmocka_unit_test_setup(test_thr_write_transmits, setup),
		cmocka_unit_test_setup(test_dlab_selects_divisor_latch, setup),
		cmocka_unit_test_setup(test_ier_masked_to_4_bits, setup),
		cmocka_unit_test_setup(test_thri_raise_acknowledge_rearm, setup),
		cmocka_unit_test_setup(test_rdi_has_priority_over_thri, setup),
		cmocka_unit_test_setup(test_receive_fifo_order_and_dr, setup),
		cmocka_unit_test_setup(test_receive_fifo_holds_1024, setup),
		cmocka_unit_test_setup(test_fcr_clear_receiver, setup),
		cmocka_unit_test_setup(test_iir_fifo_bits, setup),
		cmocka_unit_test_setup(test_scr_read_write, setup),
		cmocka_unit_test_setup(test_lcr_mcr, setup),
		cmocka_unit_test_setup(test_msr_value_and_read_only_lsr_msr, setup),
		cmocka_unit_test_setup(test_take_byte, setup),
		cmocka_unit_test_setup(test_wide_accesses, setup),
		cmocka_unit_test_setup(test_wide_accesses_through_bus, setup),
		cmocka_unit_test_setup(test_offsets_past_the_registers, setup),
		cmocka_unit_test_setup(test_set_irq_only_on_changes, setup),
		cmocka_unit_test_setup(test_no_callbacks, setup),
		cmocka_unit_test_setup(test_vuart_reset, setup),
		cmocka_unit_test_setup(test_vuart_reset_waits_for_lock_holder, setup),
	};

	return run_unit_tests(tests);
}
