/*
 * Virtual PLIC. Register map as QEMU virt's PLIC, with context i = vCPU i's S-mode:
 *   0x000000 + 4*id          priority (3 bits; id 0 reads 0)
 *   0x001000 + 4*w           pending bits (read-only)
 *   0x002000 + 0x80*ctx + 4*w enable bits (bit 0 of word 0, id 0, is hard-wired 0)
 *   0x200000 + 0x1000*ctx    threshold; +4: claim (read) / complete (write)
 * Semantics of the PLIC spec: a source interrupts a context when it is pending, enabled
 * there and its priority exceeds the threshold (priority 0 never interrupts). A claim
 * returns the highest-priority such source (lowest id on ties) and clears its pending bit;
 * the gateway then holds it until the guest completes it; a line still raised then makes it
 * pending again. Completing an id not enabled for the context is ignored.
 * Widths: registers are 32-bit. 4-byte accesses are the norm; an aligned 8-byte access
 * covers two adjacent registers (low address in the low half); 1- and 2-byte accesses read
 * the addressed bytes of the register and merge on write. The claim/complete register
 * takes 4-byte accesses only; anything else there is refused (access fault).
 */
#include "vdev/vplic.h"
#include "lib/bitmap.h"
#include <string.h>

#define PLIC_PRIORITY_BASE 0x0UL
#define PLIC_PENDING_BASE 0x1000UL
#define PLIC_ENABLE_BASE VPLIC_ENABLE_BASE
#define PLIC_ENABLE_STRIDE VPLIC_ENABLE_STRIDE
#define PLIC_CONTEXT_BASE VPLIC_CONTEXT_BASE
#define PLIC_CONTEXT_STRIDE VPLIC_CONTEXT_PAGE
#define PLIC_CONTEXT_THRESHOLD 0x0
#define PLIC_CONTEXT_CLAIM 0x4

/* Highest-priority claimable source for a context (lowest id on ties), or 0. */
__attribute__((hot)) static unsigned best_source(const struct vplic *p, int ctx)
{
	unsigned best = 0, best_prio = p->threshold[ctx];

	/* Only sources both pending and enabled are looked at: usually none or one. */
	for (unsigned w = 0; w < VPLIC_WORDS; w++)
		for (uint32_t cand = p->pending[w] & p->enable[ctx][w]; cand; cand &= cand - 1) {
			unsigned id = w * 32 + bitmap_lowest(cand);

			if (p->priority[id] > best_prio) {
				best = id;
				best_prio = p->priority[id];
			}
		}
	return best;
}

/* Drive context ctx's output line from its best source. */
__attribute__((hot)) static void update_context(struct vplic *p, int ctx)
{
	int level = best_source(p, ctx) != 0;

	if (level != p->output[ctx]) {
		p->output[ctx] = level;
		p->set_output(p->ctx, ctx, level);
	}
}

__attribute__((hot)) static void update(struct vplic *p)
{
	for (int ctx = 0; ctx < p->ncontexts; ctx++)
		update_context(p, ctx);
}

void vplic_init(struct vplic *p, int ncontexts, void (*set_output)(void *, int, int),
		int (*completed)(void *, unsigned), void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->ncontexts = ncontexts < 0 ? 0 : ncontexts > VPLIC_MAX_CONTEXTS ? VPLIC_MAX_CONTEXTS : ncontexts;
	p->set_output = set_output;
	p->completed = completed;
	p->ctx = ctx;
}

void vplic_reset(struct vplic *p)
{
	spin_lock(&p->lock);
	/* A raised line the model may drop is an in-flight pass-through claim: complete it on the host. */
	for (unsigned id = 1; id < VPLIC_SOURCES; id++)
		if (bitmap_test(p->level, id) && p->completed && p->completed(p->ctx, id))
			bitmap_assign(p->level, id, 0);
	memset(p->priority, 0, sizeof(p->priority));
	memset(p->claimed, 0, sizeof(p->claimed));
	memset(p->enable, 0, sizeof(p->enable));
	memset(p->threshold, 0, sizeof(p->threshold));
	memset(p->idle_context_page, 0, sizeof(p->idle_context_page));
	/* The lines are the devices' state, not the PLIC's: one still raised is pending again. */
	memcpy(p->pending, p->level, sizeof(p->pending));
	update(p);
	spin_unlock(&p->lock);
}

void vplic_set_level(struct vplic *p, unsigned source, int level)
{
	if (!source || source >= VPLIC_SOURCES)
		return;
	spin_lock(&p->lock);
	bitmap_assign(p->level, source, level);
	if (level && !bitmap_test(p->claimed, source))
		bitmap_assign(p->pending, source, 1);
	update(p);
	spin_unlock(&p->lock);
}

__attribute__((hot)) static unsigned claim(struct vplic *p, int ctx)
{
	unsigned id = best_source(p, ctx);

	if (id) {
		bitmap_assign(p->pending, id, 0);
		bitmap_assign(p->claimed, id, 1);
	}
	return id;
}

__attribute__((hot)) static void complete(struct vplic *p, int ctx, unsigned id)
{
	if (!id || id >= VPLIC_SOURCES || !bitmap_test(p->enable[ctx], id) || !bitmap_test(p->claimed, id))
		return;
	bitmap_assign(p->claimed, id, 0);
	if (p->completed && p->completed(p->ctx, id))
		bitmap_assign(p->level, id, 0);
	if (bitmap_test(p->level, id))
		bitmap_assign(p->pending, id, 1);
}

/* What reg_at says of a register besides where it is. */
#define REG_ALL_CONTEXTS (-1) /* a priority: every context's output may change with it */
#define REG_READ_ONLY (-2) /* source 0's priority, the pending words */

/*
 * Where a 32-bit register lives; NULL when the offset names none. *whose is the context an
 * enable word or threshold belongs to, REG_ALL_CONTEXTS for a priority, REG_READ_ONLY.
 */
__attribute__((hot)) static uint32_t *reg_at(struct vplic *p, uint64_t off, int *whose)
{
	*whose = REG_ALL_CONTEXTS;
	if (off < PLIC_PENDING_BASE) {
		unsigned id = (unsigned)(off / 4);

		if (id == 0)
			*whose = REG_READ_ONLY;
		return id < VPLIC_SOURCES ? &p->priority[id] : NULL;
	}
	if (off < PLIC_ENABLE_BASE) {
		unsigned w = (unsigned)((off - PLIC_PENDING_BASE) / 4);

		*whose = REG_READ_ONLY;
		return w < VPLIC_WORDS ? &p->pending[w] : NULL;
	}
	if (off < PLIC_CONTEXT_BASE) {
		uint64_t rel = off - PLIC_ENABLE_BASE;
		unsigned ctx = (unsigned)(rel / PLIC_ENABLE_STRIDE), w = (unsigned)(rel % PLIC_ENABLE_STRIDE / 4);

		*whose = (int)ctx;
		return ctx < (unsigned)p->ncontexts && w < VPLIC_WORDS ? &p->enable[ctx][w] : NULL;
	}
	uint64_t rel = off - PLIC_CONTEXT_BASE;
	unsigned ctx = (unsigned)(rel / PLIC_CONTEXT_STRIDE);

	*whose = (int)ctx;
	if (ctx < (unsigned)p->ncontexts && rel % PLIC_CONTEXT_STRIDE == PLIC_CONTEXT_THRESHOLD)
		return &p->threshold[ctx];
	return NULL;
}

static inline int is_claim_reg(const struct vplic *p, uint64_t off, int *ctx)
{
	if (off < PLIC_CONTEXT_BASE)
		return 0;
	*ctx = (int)((off - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE);
	return *ctx < p->ncontexts && (off - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE == PLIC_CONTEXT_CLAIM;
}

/* Does this access touch a claim/complete register (an 8-byte one may cover it from the threshold)? */
static inline int touches_claim_reg(const struct vplic *p, uint64_t off, unsigned width, int *ctx)
{
	return is_claim_reg(p, off & ~3UL, ctx) || (width == 8 && is_claim_reg(p, (off & ~3UL) + 4, ctx));
}

__attribute__((hot)) static uint32_t read_reg(struct vplic *p, uint64_t off)
{
	int whose;
	uint32_t *r = reg_at(p, off & ~3UL, &whose);

	return r ? *r : 0;
}

/* The outputs a register write may have changed: one context's, or all of them. */
static void update_after(struct vplic *p, int whose)
{
	if (whose >= 0)
		update_context(p, whose);
	else if (whose == REG_ALL_CONTEXTS)
		update(p);
}

/*
 * Store a 32-bit register value as the WARL rules of each register allow. Returns whose outputs
 * it may change (reg_at's *whose; REG_READ_ONLY when none can: nothing written, or only the enable
 * bits of sources that are not pending changed).
 */
__attribute__((hot)) static int write_reg(struct vplic *p, uint64_t off, uint32_t v)
{
	int whose;
	uint32_t *r = reg_at(p, off, &whose);

	if (!r || whose == REG_READ_ONLY)
		return REG_READ_ONLY;
	if (off < PLIC_PENDING_BASE || off >= PLIC_CONTEXT_BASE) {
		*r = v & VPLIC_PRIORITY_MASK; /* priority and threshold */
		p->idle_context_page[PLIC_CONTEXT_THRESHOLD / sizeof(uint32_t)] = p->threshold[0];
		return whose;
	}
	if ((off - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE == 0)
		v &= ~1U; /* source 0 does not exist */
	/* Enable bits of sources that are not pending cannot change what the context's line says. */
	uint32_t toggled = *r ^ v;

	*r = v;
	return toggled & p->pending[r - p->enable[whose]] ? whose : REG_READ_ONLY;
}

/* The claim/complete register takes 4-byte accesses only: anything else touching it is refused. */
static inline int claim_access(const struct vplic *p, uint64_t off, unsigned width, int *ctx)
{
	if (!touches_claim_reg(p, off, width, ctx))
		return 0;
	return width == 4 ? 1 : MMIO_FAULT;
}

/* A claim, an 8-byte read (two registers) or a 1- or 2-byte one: not on the hot path. */
static __attribute__((noinline)) uint64_t read_other(struct vplic *p, uint64_t off, unsigned width, int claim_reg,
						     int ctx)
{
	uint64_t val;

	if (claim_reg) {
		val = claim(p, ctx);
		update(p);
	} else if (width == 8) {
		val = read_reg(p, off) | ((uint64_t)read_reg(p, off + 4) << 32);
	} else {
		val = (read_reg(p, off) >> (8 * (off & 3))) & ((1UL << (8 * width)) - 1);
	}
	return val;
}

__attribute__((hot)) static int vplic_read(void *dev, uint64_t off, unsigned width, uint64_t *val)
{
	struct vplic *p = dev;
	int ctx = 0, claim_reg = claim_access(p, off, width, &ctx);

	if (claim_reg == MMIO_FAULT)
		return MMIO_FAULT;
	spin_lock(&p->lock);
	/* A 4-byte access is aligned (the MMIO bus checked): one whole register. */
	*val = width == 4 && !claim_reg ? read_reg(p, off) : read_other(p, off, width, claim_reg, ctx);
	spin_unlock(&p->lock);
	return MMIO_OK;
}

/* A completion, an 8-byte write (two registers) or a 1- or 2-byte one (part of one): not on the hot path. */
static __attribute__((noinline)) void write_other(struct vplic *p, uint64_t off, unsigned width, uint64_t val,
						  int claim_reg, int ctx)
{
	if (claim_reg) {
		complete(p, ctx, (unsigned)val);
		update(p);
		return;
	}
	if (width == 8) {
		write_reg(p, off, (uint32_t)val);
		write_reg(p, off + 4, (uint32_t)(val >> 32));
		update(p);
		return;
	}
	unsigned shift = 8 * (off & 3);
	uint32_t mask = (uint32_t)(((1UL << (8 * width)) - 1) << shift);

	update_after(p, write_reg(p, off & ~3UL, (read_reg(p, off) & ~mask) | ((uint32_t)(val << shift) & mask)));
}

__attribute__((hot)) static int vplic_write(void *dev, uint64_t off, unsigned width, uint64_t val)
{
	struct vplic *p = dev;
	int ctx = 0, claim_reg = claim_access(p, off, width, &ctx);

	if (claim_reg == MMIO_FAULT)
		return MMIO_FAULT;
	spin_lock(&p->lock);
	if (width == 4 && !claim_reg)
		/* An enable word or a threshold (the common writes) concerns its own context only. */
		update_after(p, write_reg(p, off, (uint32_t)val));
	else
		write_other(p, off, width, val, claim_reg, ctx);
	spin_unlock(&p->lock);
	return MMIO_OK;
}

const struct mmio_ops vplic_ops = { .read = vplic_read, .write = vplic_write };

static void irqchip_level(void *chip, unsigned line, int level)
{
	vplic_set_level(chip, line, level);
}

static void irqchip_reset_state(void *chip)
{
	vplic_reset(chip);
}

const struct irqchip_ops vplic_irqchip_ops = {
	.set_level = irqchip_level,
	.reset = irqchip_reset_state,
};
