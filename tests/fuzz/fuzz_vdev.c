/*
 * Fuzz target: the device models a guest drives with loads and stores (vdev/): the MMIO bus
 * (vdev/mmio.c), the virtual PLIC, the virtual 16550 and the sifive,test syscon, wired as
 * board/devices.c wires them (the UART's interrupt line is vPLIC source 10), with the host side's
 * calls (vplic_set_level for pass-through lines, vuart_receive and vuart_take_byte for the console)
 * interleaved.
 *
 * Input: the number of vPLIC contexts (-2..9, vplic_init clamps), which sources are pass-through
 * (their completion lowers the line, as board/devices.c's plic_completed does), then a list of
 * operations: bus reads and writes of any width at addresses aimed at each register class or raw,
 * set_level, receive, take_byte, extra bus regions, claim/complete pairs, write/read-back pairs.
 *
 * Checked after every operation: the bus refuses exactly the accesses it documents (no region,
 * width not 1/2/4/8, misaligned, crossing the region's end; the vPLIC's claim register at any width
 * but 4) and reads 0 then; syscon results; the vPLIC's WARL fields, its output lines (each equals
 * "a pending, enabled source above the threshold", and set_output fires only on a change), claims
 * (the highest priority, lowest id) and completions; the UART's receive FIFO against a shadow queue,
 * its interrupt line against IIR, and transmitted bytes.
 */
#include "fuzz.h"
#include "vdev/mmio.h"
#include "vdev/syscon.h"
#include "vdev/vplic.h"
#include "vdev/vuart.h"
#include "vm/vm.h"

#define MAX_OPS 512
#define PLIC_CONTEXT_BASE 0x200000UL
#define PLIC_CONTEXT_STRIDE 0x1000UL

static struct mmio_bus bus;
static struct vplic plic;
static struct vuart uart;
static int out_level[VPLIC_MAX_CONTEXTS]; /* as set_output last said */
static int uart_line; /* as the UART's set_irq last said */
static uint32_t pass_through[VPLIC_WORDS];
static int ntx;
static uint8_t last_tx;
static int poweroff_seen;

/* The UART's receive FIFO as the guest and the console should see it. */
static struct {
	uint8_t q[VUART_FIFO];
	unsigned head, count;
} shadow;

/* Extra regions this input added, and what their dummy device last saw. */
static struct {
	uint64_t base, size;
} extra[MAX_MMIO_REGIONS];
static int nextra;
static int dummy_dev;

static int bit(const uint32_t *w, unsigned id)
{
	return (w[id / 32] >> (id % 32)) & 1;
}

/* ---- callbacks, wired as board/devices.c wires them ---- */

static void plic_output(void *ctx, int context, int level)
{
	FUZZ_CHECK(ctx == &plic, "set_output ctx %p", ctx);
	FUZZ_CHECK(context >= 0 && context < plic.ncontexts, "set_output for context %d of %d", context,
		   plic.ncontexts);
	FUZZ_CHECK(level == 0 || level == 1, "set_output level %d", level);
	FUZZ_CHECK(level != out_level[context], "set_output(%d, %d) without a change", context, level);
	out_level[context] = level;
}

static int plic_completed(void *ctx, unsigned source)
{
	FUZZ_CHECK(ctx == &plic, "completed ctx %p", ctx);
	FUZZ_CHECK(source >= 1 && source < VPLIC_SOURCES, "completed source %u", source);
	FUZZ_CHECK(plic.lock.locked, "completed called without the vPLIC lock");
	return bit(pass_through, source);
}

static void uart_tx(void *ctx, char c)
{
	FUZZ_CHECK(ctx == &uart, "tx ctx %p", ctx);
	ntx++;
	last_tx = (uint8_t)c;
}

static void uart_irq(void *ctx, int level)
{
	FUZZ_CHECK(ctx == &uart, "set_irq ctx %p", ctx);
	FUZZ_CHECK(level == 0 || level == 1, "uart irq level %d", level);
	FUZZ_CHECK(level != uart_line, "uart set_irq(%d) without a change", level);
	uart_line = level;
	vplic_set_level(&plic, VM_UART_IRQ, level);
}

static int dummy_read(void *dev, uint64_t off, unsigned width, uint64_t *val)
{
	FUZZ_CHECK(dev == &dummy_dev, "dummy dev %p", dev);
	FUZZ_CHECK(!(off & (width - 1)), "dummy read at %#llx width %u", (unsigned long long)off, width);
	*val = 0x5a;
	return MMIO_OK;
}

static int dummy_write(void *dev, uint64_t off, unsigned width, uint64_t val)
{
	(void)val;
	FUZZ_CHECK(dev == &dummy_dev, "dummy dev %p", dev);
	FUZZ_CHECK(!(off & (width - 1)), "dummy write at %#llx width %u", (unsigned long long)off, width);
	return MMIO_OK;
}

static const struct mmio_ops dummy_ops = { .read = dummy_read, .write = dummy_write };

/* ---- what the documentation says should happen ---- */

static uint64_t region_size(uint64_t addr, uint64_t *base)
{
	static const struct {
		uint64_t base, size;
	} fixed[] = { { VM_SYSCON_BASE, SYSCON_SIZE }, { VM_PLIC_BASE, VPLIC_SIZE }, { VM_UART_BASE, VUART_SIZE } };

	for (unsigned i = 0; i < ARRAY_LEN(fixed); i++)
		if (addr >= fixed[i].base && addr - fixed[i].base < fixed[i].size) {
			*base = fixed[i].base;
			return fixed[i].size;
		}
	for (int i = 0; i < nextra; i++)
		if (addr >= extra[i].base && addr - extra[i].base < extra[i].size) {
			*base = extra[i].base;
			return extra[i].size;
		}
	return 0;
}

/* mmio.h: an access not naturally aligned, of an odd width, or crossing a region's end faults. */
static int bus_accepts(uint64_t addr, unsigned width)
{
	uint64_t base, size = region_size(addr, &base);

	return size && (width == 1 || width == 2 || width == 4 || width == 8) && !(addr & (width - 1)) &&
	       addr - base + width <= size;
}

static int is_claim(uint64_t off, int *ctx)
{
	if (off < PLIC_CONTEXT_BASE || (off - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE != 4)
		return 0;
	*ctx = (int)((off - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE);
	return *ctx < plic.ncontexts;
}

/* Does a (valid) access to the vPLIC at off cover a context's claim/complete register? */
static int covers_claim(uint64_t off, unsigned width, int *ctx)
{
	for (uint64_t reg = off & ~3UL; reg < off + width; reg += 4)
		if (is_claim(reg, ctx))
			return 1;
	return 0;
}

/* The PLIC spec's choice: pending, enabled, priority above the threshold; highest priority, lowest id. */
static unsigned expected_claim(int ctx)
{
	unsigned best = 0, prio = plic.threshold[ctx];

	for (unsigned id = 1; id < VPLIC_SOURCES; id++)
		if (bit(plic.pending, id) && bit(plic.enable[ctx], id) && plic.priority[id] > prio) {
			best = id;
			prio = plic.priority[id];
		}
	return best;
}

static void shadow_push(uint8_t c)
{
	if (shadow.count < VUART_FIFO)
		shadow.q[(shadow.head + shadow.count++) % VUART_FIFO] = c;
}

static int shadow_pop(void)
{
	int c;

	if (!shadow.count)
		return -1;
	c = shadow.q[shadow.head];
	shadow.head = (shadow.head + 1) % VUART_FIFO;
	shadow.count--;
	return c;
}

static void check_state(void)
{
	FUZZ_CHECK(plic.priority[0] == 0, "priority[0] = %u", plic.priority[0]);
	for (unsigned id = 0; id < VPLIC_SOURCES; id++)
		FUZZ_CHECK(plic.priority[id] <= VPLIC_PRIORITY_MASK, "priority[%u] = %u", id, plic.priority[id]);
	FUZZ_CHECK(!bit(plic.pending, 0) && !bit(plic.claimed, 0), "source 0 pending or claimed");
	for (int w = 0; w < VPLIC_WORDS; w++)
		FUZZ_CHECK(!(plic.pending[w] & plic.claimed[w]), "sources both pending and claimed: %#x",
			   plic.pending[w] & plic.claimed[w]);
	for (int c = 0; c < VPLIC_MAX_CONTEXTS; c++) {
		int want = c < plic.ncontexts && expected_claim(c) != 0;

		if (c < plic.ncontexts) {
			FUZZ_CHECK(plic.threshold[c] <= VPLIC_PRIORITY_MASK, "threshold[%d] = %u", c,
				   plic.threshold[c]);
			FUZZ_CHECK(!(plic.enable[c][0] & 1), "context %d enables source 0", c);
		}
		FUZZ_CHECK(plic.output[c] == want && out_level[c] == want,
			   "context %d: output %d, line %d, should be %d", c, plic.output[c], out_level[c], want);
	}
	/* The pages a VM maps read-only: context 0's idle page holds its threshold and zeros, the enable
	 * page's words outside real contexts and sources stay 0. */
	for (unsigned i = 0; i < VPLIC_CONTEXT_PAGE / sizeof(uint32_t); i++)
		FUZZ_CHECK(plic.idle_context_page[i] == (i ? 0 : plic.threshold[0]), "idle context page word %u = %u",
			   i, plic.idle_context_page[i]);
	for (unsigned c = 0; c < VPLIC_ENABLE_PAGE / VPLIC_ENABLE_STRIDE; c++)
		for (unsigned w = 0; w < VPLIC_ENABLE_STRIDE / sizeof(uint32_t); w++)
			FUZZ_CHECK(c < (unsigned)plic.ncontexts && w < VPLIC_WORDS ? 1 : !plic.enable[c][w],
				   "enable page word %u of context %u = %#x", w, c, plic.enable[c][w]);
	FUZZ_CHECK(bit(plic.level, VM_UART_IRQ) == uart.irq_level && uart_line == uart.irq_level,
		   "uart line %d, vplic level %d, uart says %d", uart_line, bit(plic.level, VM_UART_IRQ),
		   uart.irq_level);
	FUZZ_CHECK(uart.rx_count <= VUART_FIFO && uart.rx_head < VUART_FIFO, "rx fifo head %u count %u", uart.rx_head,
		   uart.rx_count);
	FUZZ_CHECK(uart.rx_count == shadow.count, "rx fifo holds %u bytes, %u were received and not read",
		   uart.rx_count, shadow.count);
	for (unsigned i = 0; i < shadow.count; i++)
		FUZZ_CHECK(uart.rx[(uart.rx_head + i) % VUART_FIFO] == shadow.q[(shadow.head + i) % VUART_FIFO],
			   "rx fifo byte %u differs", i);
	int irq = ((uart.ier & 1) && uart.rx_count) || ((uart.ier & 2) && uart.thre_pending);

	FUZZ_CHECK(uart.irq_level == irq, "uart irq level %d, IIR says %d", uart.irq_level, irq);
	FUZZ_CHECK(plic.lock.locked == 0 && uart.lock.locked == 0, "a lock was left held");
}

/* ---- operations ---- */

static uint64_t take_addr(struct fuzz_in *in)
{
	uint64_t ctx, w;

	switch (take_u8(in) % 8) {
	case 0: /* priorities */
		return VM_PLIC_BASE + 4 * (take_u8(in) % (VPLIC_SOURCES + 4));
	case 1: /* pending words */
		return VM_PLIC_BASE + 0x1000 + 4 * (take_u8(in) % 8);
	case 2: /* enable words, for contexts past ncontexts too */
		ctx = take_u8(in) % (VPLIC_MAX_CONTEXTS + 2);
		w = take_u8(in) % 34;
		return VM_PLIC_BASE + 0x2000 + 0x80 * ctx + 4 * w;
	case 3: /* threshold, claim/complete and what follows them */
		ctx = take_u8(in) % (VPLIC_MAX_CONTEXTS + 2);
		return VM_PLIC_BASE + PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * ctx + 4 * (take_u8(in) % 4);
	case 4:
		return VM_UART_BASE + take_u16(in) % (VUART_SIZE + 16);
	case 5:
		return VM_SYSCON_BASE + take_u16(in) % (SYSCON_SIZE + 16);
	case 6:
		return VM_PLIC_BASE + take_u32(in) % (VPLIC_SIZE + 16);
	default:
		return take_u64(in);
	}
}

/* Width 1/2/4/8 mostly; with bit 7 set any of 0-15. Bit 6 misaligns the address by bits 5:3. */
static unsigned take_width(struct fuzz_in *in, uint64_t *addr)
{
	uint8_t w = take_u8(in);

	if (w & 0x40)
		*addr += (w >> 3) & 7;
	return w & 0x80 ? (w >> 2) & 0xf : 1u << (w & 3);
}

/* Returns what the read gave (0 when it faulted). */
static uint64_t do_read(uint64_t addr, unsigned width)
{
	uint64_t val = 0xdeadbeef, base = 0, off;
	int ok = bus_accepts(addr, width), ctx = -1, claim = 0, ret;
	unsigned want_claim = 0;
	uint8_t lcr = uart.lcr;

	region_size(addr, &base);
	off = addr - base;
	if (ok && base == VM_PLIC_BASE && covers_claim(off, width, &ctx)) {
		claim = 1;
		if (width == 4)
			want_claim = expected_claim(ctx);
	}
	ret = mmio_bus_read(&bus, addr, width, &val);
	if (!ok || (claim && width != 4)) {
		FUZZ_CHECK(ret == MMIO_FAULT && val == 0, "read %#llx/%u: ret %d val %#llx, should fault",
			   (unsigned long long)addr, width, ret, (unsigned long long)val);
		return 0;
	}
	FUZZ_CHECK(ret == MMIO_OK, "read %#llx/%u: ret %d", (unsigned long long)addr, width, ret);
	FUZZ_CHECK(width == 8 || val >> (8 * width) == 0, "read %#llx/%u: %#llx is wider than the access",
		   (unsigned long long)addr, width, (unsigned long long)val);
	if (claim) {
		FUZZ_CHECK(val == want_claim, "claim on context %d: %llu, the PLIC spec says %u", ctx,
			   (unsigned long long)val, want_claim);
		FUZZ_CHECK(!val || (!bit(plic.pending, (unsigned)val) && bit(plic.claimed, (unsigned)val)),
			   "claimed %llu is still pending or not held", (unsigned long long)val);
	} else if (base == VM_UART_BASE) {
		FUZZ_CHECK(val < 256, "uart register read %#llx", (unsigned long long)val);
		if (off == 0 && !(lcr & 0x80)) {
			int c = shadow_pop();

			FUZZ_CHECK(val == (uint64_t)(c < 0 ? 0 : c), "RBR read %#llx, the FIFO had %d",
				   (unsigned long long)val, c);
		}
		if (off == 2 && (val & 0x0f) == 0x02)
			FUZZ_CHECK(!uart.thre_pending, "IIR reported THR empty and kept it pending");
		if (off == 2)
			FUZZ_CHECK((val & 0x0f) == (shadow.count && (uart.ier & 1) ? 0x04 : (val & 0x0f)) &&
					   ((val & 0x0f) == 0x01 || (val & 0x0f) == 0x02 || (val & 0x0f) == 0x04),
				   "IIR %#llx with %u bytes queued, IER %#x", (unsigned long long)val, shadow.count,
				   uart.ier);
		if (off == 5)
			FUZZ_CHECK((val & 1) == (shadow.count != 0) && (val & 0x60) == 0x60,
				   "LSR %#llx with %u bytes queued", (unsigned long long)val, shadow.count);
	} else if (base == VM_SYSCON_BASE) {
		FUZZ_CHECK(val == 0, "syscon read %#llx", (unsigned long long)val);
	}
	return val;
}

static void do_write(uint64_t addr, unsigned width, uint64_t val)
{
	uint64_t base = 0, off;
	int ok = bus_accepts(addr, width), ctx = -1, claim = 0, ret, ntx_before = ntx;
	uint8_t lcr = uart.lcr;
	unsigned id = (unsigned)val;
	int completes = 0;
	uint32_t claimed[VPLIC_WORDS], pending[VPLIC_WORDS];

	memcpy(claimed, plic.claimed, sizeof(claimed));
	memcpy(pending, plic.pending, sizeof(pending));

	region_size(addr, &base);
	off = addr - base;
	if (ok && base == VM_PLIC_BASE && covers_claim(off, width, &ctx)) {
		claim = 1;
		completes =
			width == 4 && id && id < VPLIC_SOURCES && bit(plic.enable[ctx], id) && bit(plic.claimed, id);
	}
	uint8_t ier = uart.ier;

	ret = mmio_bus_write(&bus, addr, width, val);
	if (!ok || (claim && width != 4)) {
		FUZZ_CHECK(ret == MMIO_FAULT, "write %#llx/%u: ret %d, should fault", (unsigned long long)addr, width,
			   ret);
		return;
	}
	if (base == VM_SYSCON_BASE) {
		int want = MMIO_OK;

		if (off == 0 && width >= 4) {
			if ((val & 0xffff) == 0x5555 || (val & 0xffff) == 0x3333)
				want = MMIO_POWEROFF;
			else if ((val & 0xffff) == 0x7777)
				want = MMIO_RESET;
		}
		FUZZ_CHECK(ret == want, "syscon write %#llx at %#llx/%u: %d, want %d", (unsigned long long)val,
			   (unsigned long long)off, width, ret, want);
		poweroff_seen |= ret == MMIO_POWEROFF;
		return;
	}
	FUZZ_CHECK(ret == MMIO_OK, "write %#llx/%u: ret %d", (unsigned long long)addr, width, ret);
	if (claim && completes) {
		FUZZ_CHECK(!bit(plic.claimed, id), "completed %u still held", id);
		FUZZ_CHECK(bit(plic.pending, id) == bit(plic.level, id), "completed %u: pending %d, line %d", id,
			   bit(plic.pending, id), bit(plic.level, id));
	} else if (claim) {
		/* PLIC spec: completing an id that is not enabled for the context (or not claimed) is ignored. */
		FUZZ_CHECK(!memcmp(claimed, plic.claimed, sizeof(claimed)) &&
				   !memcmp(pending, plic.pending, sizeof(pending)),
			   "ignored completion of %u on context %d changed the gateway", id, ctx);
	}
	if (base == VM_UART_BASE && off < 8) {
		/* 16550: THR written or ETBEI newly enabled, with the holding register empty: THRE interrupt due. */
		if ((off == 0 && !(lcr & 0x80)) || (off == 1 && !(lcr & 0x80) && (val & 2) && !(ier & 2)))
			FUZZ_CHECK(uart.thre_pending, "THR empty not signalled after writing %#x at %llu",
				   (unsigned)(uint8_t)val, (unsigned long long)off);
		if (off == 0 && !(lcr & 0x80))
			FUZZ_CHECK(ntx == ntx_before + 1 && last_tx == (uint8_t)val, "THR write of %#x sent %d bytes",
				   (unsigned)(uint8_t)val, ntx - ntx_before);
		else
			FUZZ_CHECK(ntx == ntx_before, "write to uart register %llu transmitted",
				   (unsigned long long)off);
		if (off == 2 && (val & 2))
			shadow.count = 0;
	}
}

/* A 4-byte write to a plain register reads back as its WARL rule says. */
static void do_write_readback(struct fuzz_in *in)
{
	uint64_t val = take_u32(in), got = 0;
	unsigned choice = take_u8(in) % 3, n = take_u8(in);
	uint64_t off;
	uint64_t want;

	if (choice == 0) { /* priority n: 3 bits, source 0 hard-wired to 0 */
		n %= VPLIC_SOURCES;
		off = 4 * n;
		want = n ? val & VPLIC_PRIORITY_MASK : 0;
	} else if (choice == 1) { /* threshold of context n: 3 bits */
		n %= VPLIC_MAX_CONTEXTS;
		off = PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * n;
		want = (int)n < plic.ncontexts ? val & VPLIC_PRIORITY_MASK : 0;
	} else { /* enable word n % 3 of context n / 3: source 0 cannot be enabled */
		unsigned c = (n / VPLIC_WORDS) % VPLIC_MAX_CONTEXTS, w = n % VPLIC_WORDS;

		off = 0x2000 + 0x80 * c + 4 * w;
		want = (int)c < plic.ncontexts ? (w ? val : val & ~1UL) : 0;
	}
	FUZZ_CHECK(mmio_bus_write(&bus, VM_PLIC_BASE + off, 4, val) == MMIO_OK, "write at %#llx",
		   (unsigned long long)off);
	FUZZ_CHECK(mmio_bus_read(&bus, VM_PLIC_BASE + off, 4, &got) == MMIO_OK, "read at %#llx",
		   (unsigned long long)off);
	FUZZ_CHECK(got == want, "vplic %#llx: wrote %#llx, read back %#llx, want %#llx", (unsigned long long)off,
		   (unsigned long long)val, (unsigned long long)got, (unsigned long long)want);
}

static void do_add_region(struct fuzz_in *in)
{
	static const uint64_t bases[] = { 0,
					  0x1000,
					  VM_SYSCON_BASE - 0x1000,
					  VM_SYSCON_BASE + SYSCON_SIZE,
					  VM_UART_BASE + VUART_SIZE,
					  VM_UART_BASE - 8,
					  0x30000000,
					  -0x1000UL };
	static const uint64_t sizes[] = { 0, 1, 8, 0x1000, 0x1001, 0x100000, -1UL, 0x10000000 };
	/* Keel's regions start page aligned: 8-byte alignment keeps offsets as aligned as addresses. */
	uint64_t base = take_pick(in, bases, ARRAY_LEN(bases)) & ~7UL, size = take_pick(in, sizes, ARRAY_LEN(sizes));
	int want = bus.n < MAX_MMIO_REGIONS && size && base + size >= base, ret;

	for (int i = 0; want && i < bus.n; i++)
		if (base < bus.regions[i].base + bus.regions[i].size && bus.regions[i].base < base + size)
			want = 0;
	ret = mmio_bus_add(&bus, base, size, &dummy_ops, &dummy_dev, "dummy");
	FUZZ_CHECK(ret == (want ? 0 : -1), "add %#llx+%#llx: %d", (unsigned long long)base, (unsigned long long)size,
		   ret);
	if (!ret) {
		extra[nextra].base = base;
		extra[nextra].size = size;
		nextra++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	char buf[VUART_FIFO + 64];

	memset(&bus, 0, sizeof(bus));
	memset(out_level, 0, sizeof(out_level));
	memset(&shadow, 0, sizeof(shadow));
	uart_line = ntx = last_tx = poweroff_seen = nextra = 0;
	vplic_init(&plic, (int)(take_u8(&in) % 12) - 2, plic_output, plic_completed, &plic);
	take_bytes(&in, pass_through, sizeof(pass_through));
	pass_through[VM_UART_IRQ / 32] &= ~(1U << (VM_UART_IRQ % 32)); /* board/devices.c refuses it */
	vuart_init(&uart, uart_tx, uart_irq, &uart);
	FUZZ_CHECK(!mmio_bus_add(&bus, VM_SYSCON_BASE, SYSCON_SIZE, &syscon_ops, &dummy_dev, "syscon") &&
			   !mmio_bus_add(&bus, VM_PLIC_BASE, VPLIC_SIZE, &vplic_ops, &plic, "plic") &&
			   !mmio_bus_add(&bus, VM_UART_BASE, VUART_SIZE, &vuart_ops, &uart, "uart"),
		   "cannot add the VM's devices");

	for (int op = 0; op < MAX_OPS && in.left; op++) {
		uint64_t addr, val;
		unsigned width, n, source;
		int c, ctx;

		switch (take_u8(&in) % 8) {
		case 0:
			addr = take_addr(&in);
			width = take_width(&in, &addr);
			do_read(addr, width);
			break;
		case 1:
			addr = take_addr(&in);
			width = take_width(&in, &addr);
			val = take_u8(&in) & 1 ? take_u64(&in) : take_u8(&in);
			do_write(addr, width, val);
			break;
		case 2: /* a pass-through device's line (the UART's is the UART's own) */
			source = take_u8(&in);
			vplic_set_level(&plic, source == VM_UART_IRQ ? 0 : source, take_u8(&in) & 1);
			break;
		case 3: /* console input, up to more than the FIFO holds */
			n = take_u16(&in) % (sizeof(buf) + 1);
			for (unsigned i = take_bytes(&in, buf, n); i < n; i++)
				buf[i] = (char)i;
			c = (int)vuart_receive(&uart, buf, n);
			FUZZ_CHECK((unsigned)c == (n < VUART_FIFO - shadow.count ? n : VUART_FIFO - shadow.count),
				   "receive %u with %u queued took %d", n, shadow.count, c);
			for (int i = 0; i < c; i++)
				shadow_push((uint8_t)buf[i]);
			break;
		case 4: /* the console (SBI getchar) takes a byte */
			val = (uint64_t)(int64_t)shadow_pop();
			c = vuart_take_byte(&uart);
			FUZZ_CHECK(c == (int)(int64_t)val, "take_byte %d, the FIFO had %d", c, (int)(int64_t)val);
			break;
		case 5:
			do_add_region(&in);
			break;
		case 6: /* a guest's interrupt handler: claim, then complete what it got (maybe on another context) */
			ctx = take_u8(&in) % VPLIC_MAX_CONTEXTS;
			addr = VM_PLIC_BASE + PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * (uint64_t)ctx + 4;
			val = do_read(addr, 4);
			check_state();
			c = take_u8(&in);
			if (c & 0x80)
				addr = VM_PLIC_BASE + PLIC_CONTEXT_BASE +
				       PLIC_CONTEXT_STRIDE * (uint64_t)(c % VPLIC_MAX_CONTEXTS) + 4;
			do_write(addr, 4, val);
			break;
		default:
			do_write_readback(&in);
			break;
		}
		check_state();
	}
	return 0;
}
