/*
 * Virtual APLIC: a supervisor-level domain with no children, MSI delivery mode only (domaincfg.DM
 * reads 1 and stays; big-endian mode is absent, BE reads 0). Register map of AIA 1.0, 4.5:
 *   0x0000 domaincfg          IE (bit 8) writable; reads 0x80000000 | IE | DM
 *   0x0004 + 4*(i-1) sourcecfg[i]   SM (bits 2:0): 0 inactive, 1 detached, 4/5 edge rising/falling,
 *                             6/7 level high/low; D (bit 10) reads 0 (no child domain); a
 *                             reserved mode (2, 3) makes the source inactive
 *   0x1bc0..0x1bcc            the M domain's MSI address registers: read 0, writes ignored
 *   0x1c00 + 4*k setip[k], 0x1cdc setipnum, 0x1d00 + 4*k in_clrip[k], 0x1ddc clripnum,
 *   0x1e00 + 4*k setie[k], 0x1edc setienum, 0x1f00 + 4*k clrie[k], 0x1fdc clrienum,
 *   0x2000 setipnum_le, 0x2004 setipnum_be, 0x3000 genmsi, 0x3004 + 4*(i-1) target[i]
 * Semantics (4.7, MSI mode): an edge source becomes pending on its edge or a setip write; a level
 * source on its rising edge, or a setip write while its line is up, and stops pending when its
 * line drops; a detached source only by setip writes. An inactive source reads 0 everywhere
 * (pending, enable, target) and ignores writes. A pending, enabled source of an enabled domain
 * is forwarded at once: its target's identity is written into that hart's IMSIC file and the
 * pending bit cleared; an identity of 0 or beyond the files' is no MSI. genmsi sends its
 * identity at once (Busy reads 0). Registers are 32-bit: other widths get an access fault.
 */
#include "vdev/vaplic.h"
#include "lib/bitmap.h"
#include <string.h>

#define APLIC_DOMAINCFG 0x0000
#define APLIC_DOMAINCFG_RO 0x80000000U /* bit 31 reads 1 (AIA 4.5.1) */
#define APLIC_DOMAINCFG_IE (1U << 8)
#define APLIC_DOMAINCFG_DM (1U << 2)
#define APLIC_SOURCECFG_BASE 0x0004
#define APLIC_SOURCECFG_END 0x1000
#define APLIC_SM_MASK 0x7U
#define APLIC_SM_INACTIVE 0
#define APLIC_SM_DETACHED 1
#define APLIC_SM_EDGE_RISE 4
#define APLIC_SM_EDGE_FALL 5
#define APLIC_SM_LEVEL_HIGH 6
#define APLIC_SM_LEVEL_LOW 7
#define APLIC_SM_RESERVED_LO 2 /* 2 and 3 */
#define APLIC_SM_RESERVED_HI 3
#define APLIC_SETIP 0x1c00
#define APLIC_SETIPNUM 0x1cdc
#define APLIC_IN_CLRIP 0x1d00
#define APLIC_CLRIPNUM 0x1ddc
#define APLIC_SETIE 0x1e00
#define APLIC_SETIENUM 0x1edc
#define APLIC_CLRIE 0x1f00
#define APLIC_CLRIENUM 0x1fdc
#define APLIC_WORDS_SPAN 0x80 /* setip[0..31] and the like */
#define APLIC_SETIPNUM_LE 0x2000
#define APLIC_SETIPNUM_BE 0x2004
#define APLIC_GENMSI 0x3000
#define APLIC_TARGET_BASE 0x3004
#define APLIC_TARGET_END 0x4000

static unsigned mode(const struct vaplic *a, unsigned i)
{
	return a->sourcecfg[i] & APLIC_SM_MASK;
}

static int active(const struct vaplic *a, unsigned i)
{
	return i && i < VAPLIC_SOURCES && mode(a, i) != APLIC_SM_INACTIVE;
}

/* The line as the domain sees it: inverted for the low/falling modes, 0 when detached. */
static int rectified(const struct vaplic *a, unsigned i)
{
	int line = bitmap_test(a->level, i);

	switch (mode(a, i)) {
	case APLIC_SM_EDGE_RISE:
	case APLIC_SM_LEVEL_HIGH:
		return line;
	case APLIC_SM_EDGE_FALL:
	case APLIC_SM_LEVEL_LOW:
		return !line;
	default:
		return 0;
	}
}

static int is_level(const struct vaplic *a, unsigned i)
{
	return mode(a, i) == APLIC_SM_LEVEL_HIGH || mode(a, i) == APLIC_SM_LEVEL_LOW;
}

/* No libgcc in Keel's link: the byte swap of setipnum_be by hand. */
static uint32_t swap32(uint32_t v)
{
	return v >> 24 | (v >> 8 & 0xff00U) | (v << 8 & 0xff0000U) | v << 24;
}

static void send(struct vaplic *a, uint32_t msi)
{
	unsigned hart = (msi >> VAPLIC_HART_SHIFT) & VAPLIC_HART_MASK, eiid = msi & VAPLIC_EIID_MASK;

	if (eiid && eiid <= a->max_eiid && hart < a->nharts)
		a->send_msi(a->ctx, hart, eiid);
}

/* Forward every pending, enabled source (the domain enabled). */
static void forward(struct vaplic *a)
{
	if (!a->ie)
		return;
	for (unsigned w = 0; w < VAPLIC_WORDS; w++)
		for (uint32_t due = a->pending[w] & a->enabled[w]; due; due &= due - 1) {
			unsigned i = w * 32 + bitmap_lowest(due);

			bitmap_assign(a->pending, i, 0);
			send(a, a->target[i]);
		}
}

/* A setip write: a level source pends only while its line is up. */
static void set_pending(struct vaplic *a, unsigned i)
{
	if (active(a, i) && (!is_level(a, i) || rectified(a, i)))
		bitmap_assign(a->pending, i, 1);
}

static void set_enabled(struct vaplic *a, unsigned i, int on)
{
	if (active(a, i))
		bitmap_assign(a->enabled, i, on);
}

static void write_sourcecfg(struct vaplic *a, unsigned i, uint32_t val)
{
	unsigned sm = val & APLIC_SM_MASK;
	int was = rectified(a, i);

	if (sm == APLIC_SM_RESERVED_LO || sm == APLIC_SM_RESERVED_HI)
		sm = APLIC_SM_INACTIVE;
	a->sourcecfg[i] = sm;
	if (sm == APLIC_SM_INACTIVE) {
		bitmap_assign(a->pending, i, 0);
		bitmap_assign(a->enabled, i, 0);
		a->target[i] = 0;
		return;
	}
	/* A new mode sees the line anew: a level one up now is pending, one down is not. */
	if (is_level(a, i))
		bitmap_assign(a->pending, i, rectified(a, i));
	else if (!was && rectified(a, i) && sm != APLIC_SM_DETACHED)
		bitmap_assign(a->pending, i, 1);
}

/* setip[k] and the like: the word of 32 sources at register index k (sources beyond read 0). */
static uint32_t word_of(const struct vaplic *a, const uint32_t *bits, unsigned k, int inputs)
{
	uint32_t v = 0;

	for (unsigned b = 0; b < 32; b++) {
		unsigned i = k * 32 + b;

		if (active(a, i) && (inputs ? rectified(a, i) : bitmap_test(bits, i)))
			v |= 1U << b;
	}
	return v;
}

static void word_apply(struct vaplic *a, unsigned k, uint32_t val, void (*op)(struct vaplic *, unsigned, int), int arg)
{
	for (unsigned b = 0; b < 32; b++)
		if (val & (1U << b))
			op(a, k * 32 + b, arg);
}

static void pend_op(struct vaplic *a, unsigned i, int on)
{
	if (on)
		set_pending(a, i);
	else if (active(a, i))
		bitmap_assign(a->pending, i, 0);
}

static int vaplic_read(void *dev, uint64_t off, unsigned width, uint64_t *val)
{
	struct vaplic *a = dev;
	uint32_t v = 0;

	if (width != 4)
		return MMIO_FAULT;
	spin_lock(&a->lock);
	if (off == APLIC_DOMAINCFG)
		v = APLIC_DOMAINCFG_RO | (a->ie ? APLIC_DOMAINCFG_IE : 0) | APLIC_DOMAINCFG_DM;
	else if (off >= APLIC_SOURCECFG_BASE && off < APLIC_SOURCECFG_END)
		v = active(a, (unsigned)(off / 4)) ? a->sourcecfg[off / 4] : 0;
	else if (off >= APLIC_SETIP && off < APLIC_SETIP + APLIC_WORDS_SPAN)
		v = word_of(a, a->pending, (unsigned)(off - APLIC_SETIP) / 4, 0);
	else if (off >= APLIC_IN_CLRIP && off < APLIC_IN_CLRIP + APLIC_WORDS_SPAN)
		v = word_of(a, NULL, (unsigned)(off - APLIC_IN_CLRIP) / 4, 1);
	else if (off >= APLIC_SETIE && off < APLIC_SETIE + APLIC_WORDS_SPAN)
		v = word_of(a, a->enabled, (unsigned)(off - APLIC_SETIE) / 4, 0);
	else if (off == APLIC_GENMSI)
		v = a->genmsi;
	else if (off >= APLIC_TARGET_BASE && off < APLIC_TARGET_END)
		v = active(a, (unsigned)((off - APLIC_GENMSI) / 4)) ? a->target[(off - APLIC_GENMSI) / 4] : 0;
	spin_unlock(&a->lock);
	*val = v;
	return MMIO_OK;
}

static int vaplic_write(void *dev, uint64_t off, unsigned width, uint64_t val64)
{
	struct vaplic *a = dev;
	uint32_t val = (uint32_t)val64;
	unsigned i;

	if (width != 4)
		return MMIO_FAULT;
	spin_lock(&a->lock);
	if (off == APLIC_DOMAINCFG) {
		a->ie = (val & APLIC_DOMAINCFG_IE) != 0;
	} else if (off >= APLIC_SOURCECFG_BASE && off < APLIC_SOURCECFG_END) {
		if ((i = (unsigned)(off / 4)) < VAPLIC_SOURCES)
			write_sourcecfg(a, i, val);
	} else if (off >= APLIC_SETIP && off < APLIC_SETIP + APLIC_WORDS_SPAN) {
		word_apply(a, (unsigned)(off - APLIC_SETIP) / 4, val, pend_op, 1);
	} else if (off == APLIC_SETIPNUM || off == APLIC_SETIPNUM_LE) {
		pend_op(a, val, 1);
	} else if (off == APLIC_SETIPNUM_BE) {
		pend_op(a, swap32(val), 1);
	} else if (off >= APLIC_IN_CLRIP && off < APLIC_IN_CLRIP + APLIC_WORDS_SPAN) {
		word_apply(a, (unsigned)(off - APLIC_IN_CLRIP) / 4, val, pend_op, 0);
	} else if (off == APLIC_CLRIPNUM) {
		pend_op(a, val, 0);
	} else if (off >= APLIC_SETIE && off < APLIC_SETIE + APLIC_WORDS_SPAN) {
		word_apply(a, (unsigned)(off - APLIC_SETIE) / 4, val, set_enabled, 1);
	} else if (off == APLIC_SETIENUM) {
		set_enabled(a, val, 1);
	} else if (off >= APLIC_CLRIE && off < APLIC_CLRIE + APLIC_WORDS_SPAN) {
		word_apply(a, (unsigned)(off - APLIC_CLRIE) / 4, val, set_enabled, 0);
	} else if (off == APLIC_CLRIENUM) {
		set_enabled(a, val, 0);
	} else if (off == APLIC_GENMSI) {
		a->genmsi = val & (VAPLIC_HART_MASK << VAPLIC_HART_SHIFT | VAPLIC_EIID_MASK);
		send(a, a->genmsi);
	} else if (off >= APLIC_TARGET_BASE && off < APLIC_TARGET_END) {
		/* The guest index (bits 17:12) is read-only 0: the vCPUs' files have no guests of their own. */
		if (active(a, i = (unsigned)((off - APLIC_GENMSI) / 4)))
			a->target[i] = val & (VAPLIC_HART_MASK << VAPLIC_HART_SHIFT | VAPLIC_EIID_MASK);
	}
	forward(a);
	spin_unlock(&a->lock);
	return MMIO_OK;
}

const struct mmio_ops vaplic_ops = { .read = vaplic_read, .write = vaplic_write };

void vaplic_set_level(struct vaplic *a, unsigned source, int level)
{
	if (!source || source >= VAPLIC_SOURCES)
		return;
	spin_lock(&a->lock);
	int was = active(a, source) && rectified(a, source);

	bitmap_assign(a->level, source, level != 0);
	if (active(a, source)) {
		int now = rectified(a, source);

		if (now && !was)
			bitmap_assign(a->pending, source, 1);
		else if (!now && is_level(a, source))
			bitmap_assign(a->pending, source, 0);
		forward(a);
	}
	spin_unlock(&a->lock);
}

void vaplic_reset(struct vaplic *a)
{
	spin_lock(&a->lock);
	a->ie = 0;
	a->genmsi = 0;
	memset(a->sourcecfg, 0, sizeof(a->sourcecfg));
	memset(a->target, 0, sizeof(a->target));
	memset(a->pending, 0, sizeof(a->pending));
	memset(a->enabled, 0, sizeof(a->enabled));
	spin_unlock(&a->lock);
}

void vaplic_init(struct vaplic *a, unsigned nharts, unsigned max_eiid, void (*send_msi)(void *, unsigned, unsigned),
		 void *ctx)
{
	memset(a, 0, sizeof(*a));
	a->nharts = nharts;
	a->max_eiid = max_eiid;
	a->send_msi = send_msi;
	a->ctx = ctx;
}

static void irqchip_set_level_op(void *chip, unsigned line, int level)
{
	vaplic_set_level(chip, line, level);
}

static void irqchip_reset_op(void *chip)
{
	vaplic_reset(chip);
}

const struct irqchip_ops vaplic_irqchip_ops = { .set_level = irqchip_set_level_op, .reset = irqchip_reset_op };
