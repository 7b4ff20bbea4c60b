/*
 * Fuzz target: the virtual APLIC (vdev/vaplic.c), the MSI-mode domain an AIA guest programs with
 * loads and stores, with its devices' lines (vaplic_set_level) interleaved.
 *
 * Input: the number of hart indexes (vCPUs, 1..8) and the files' identities (1..255), then a list
 * of operations: register reads and writes of any width at offsets aimed at each register class or
 * raw, and line changes.
 *
 * Checked after every operation: accesses of a width other than 4 fault and change nothing; the
 * lock is free; an inactive source has no pending, enable or target bits and reads 0 in sourcecfg;
 * sourcecfg holds only the modes the header names (D and the reserved modes read 0); no source of an
 * enabled domain is left both pending and enabled (it is forwarded at once); a level source pends
 * only while its rectified line is up; target holds no guest index. Every MSI goes to a hart
 * index below the vCPUs, with an identity from 1 to the files' last, and only from a write or a line
 * change.
 */
#include "fuzz.h"
#include "vdev/mmio.h"
#include "vdev/vaplic.h"

#define MAX_OPS 512
#define SM_MASK 7U
#define SM_EDGE_FALL 5U
#define SM_LEVEL_HIGH 6U
#define SM_LEVEL_LOW 7U
#define GUEST_INDEX_BITS (0x3fU << 12)

static struct vaplic aplic;
static unsigned nharts, ids;
static int msi_allowed;
static unsigned long nmsis;

static void send_msi(void *ctx, unsigned hart, unsigned eiid)
{
	FUZZ_CHECK(ctx == &aplic, "send_msi ctx %p", ctx);
	FUZZ_CHECK(msi_allowed, "an MSI outside a write or a line change");
	FUZZ_CHECK(aplic.lock.locked, "an MSI without the lock held");
	FUZZ_CHECK(hart < nharts, "MSI to hart index %u of %u", hart, nharts);
	FUZZ_CHECK(eiid >= 1 && eiid <= ids, "MSI identity %u (files have 1..%u)", eiid, ids);
	nmsis++;
}

static int bit(const uint32_t *w, unsigned i)
{
	return (w[i / 32] >> (i % 32)) & 1;
}

static void check_state(void)
{
	FUZZ_CHECK(!aplic.lock.locked, "the lock was left held");
	FUZZ_CHECK(!bit(aplic.pending, 0) && !bit(aplic.enabled, 0), "source 0 pending or enabled");
	for (unsigned i = 1; i < VAPLIC_SOURCES; i++) {
		unsigned sm = aplic.sourcecfg[i];
		int line = bit(aplic.level, i), rect = sm == SM_EDGE_FALL || sm == SM_LEVEL_LOW ? !line : line;

		FUZZ_CHECK(sm <= SM_MASK && sm != 2 && sm != 3, "source %u: sourcecfg %#x", i, sm);
		if (!sm) {
			FUZZ_CHECK(!bit(aplic.pending, i) && !bit(aplic.enabled, i) && !aplic.target[i],
				   "inactive source %u: pending %d enabled %d target %#x", i, bit(aplic.pending, i),
				   bit(aplic.enabled, i), aplic.target[i]);
			continue;
		}
		FUZZ_CHECK(!(aplic.target[i] & GUEST_INDEX_BITS), "source %u: target %#x has a guest index", i,
			   aplic.target[i]);
		FUZZ_CHECK(!aplic.ie || !(bit(aplic.pending, i) && bit(aplic.enabled, i)),
			   "source %u pending and enabled in an enabled domain, not forwarded", i);
		if (sm == SM_LEVEL_HIGH || sm == SM_LEVEL_LOW)
			FUZZ_CHECK(!bit(aplic.pending, i) || rect, "level source %u pending with its line down", i);
	}
}

static uint64_t take_offset(struct fuzz_in *in)
{
	switch (take_u8(in) % 8) {
	case 0: /* domaincfg, sourcecfg[] */
		return 4UL * (take_u8(in) % (VAPLIC_SOURCES + 4));
	case 1: /* setip, in_clrip, setie, clrie words and the *num registers */
		return 0x1c00UL + 0x100UL * (take_u8(in) % 4) + 4UL * (take_u8(in) % 64);
	case 2:
		return 0x2000UL + 4UL * (take_u8(in) % 3);
	case 3: /* genmsi, target[] */
		return 0x3000UL + 4UL * (take_u8(in) % (VAPLIC_SOURCES + 4));
	case 4:
		return 0x1bc0UL + 4UL * (take_u8(in) % 4);
	default:
		return take_u16(in) % VAPLIC_SIZE;
	}
}

/* A value aimed at the register's fields: a source number, a mode, a target, or anything. */
static uint32_t take_value(struct fuzz_in *in)
{
	switch (take_u8(in) % 4) {
	case 0:
		return take_u8(in) % (VAPLIC_SOURCES + 8);
	case 1:
		return take_u8(in) & 0x70f;
	case 2:
		return (uint32_t)(take_u8(in) % 12) << 18 | (uint32_t)(take_u8(in) & 0x3f) << 12 | take_u16(in) % 300;
	default:
		return take_u32(in);
	}
}

static void do_access(struct fuzz_in *in, int write)
{
	uint64_t off = take_offset(in) & ~3UL, val = 0xdeadbeef;
	uint8_t w = take_u8(in);
	unsigned width = w & 0x80 ? 1u << (w & 3) : 4;
	struct vaplic before = aplic;
	int ret;

	msi_allowed = write;
	ret = write ? vaplic_ops.write(&aplic, off, width, take_value(in)) : vaplic_ops.read(&aplic, off, width, &val);
	msi_allowed = 0;
	if (width != 4) {
		FUZZ_CHECK(ret == MMIO_FAULT, "%s at %#llx width %u: %d, should fault", write ? "write" : "read",
			   (unsigned long long)off, width, ret);
		FUZZ_CHECK(!memcmp(&before, &aplic, sizeof(aplic)), "a faulting access changed the vAPLIC");
		return;
	}
	FUZZ_CHECK(ret == MMIO_OK, "%s at %#llx: %d", write ? "write" : "read", (unsigned long long)off, ret);
	if (!write) {
		FUZZ_CHECK(val >> 32 == 0, "read %#llx: %#llx is wider than 32 bits", (unsigned long long)off,
			   (unsigned long long)val);
		FUZZ_CHECK(!memcmp(&before, &aplic, sizeof(aplic)), "a read at %#llx changed the vAPLIC",
			   (unsigned long long)off);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);

	nharts = 1 + take_u8(&in) % 8;
	ids = 1 + take_u8(&in) % 255;
	nmsis = 0;
	vaplic_init(&aplic, nharts, ids, send_msi, &aplic);
	for (int op = 0; op < MAX_OPS && in.left; op++) {
		switch (take_u8(&in) % 6) {
		case 0:
		case 1:
			do_access(&in, 1);
			break;
		case 2:
			do_access(&in, 0);
			break;
		case 3:
		case 4:
			msi_allowed = 1;
			vaplic_set_level(&aplic, take_u8(&in) % (VAPLIC_SOURCES + 2), take_u8(&in) & 1);
			msi_allowed = 0;
			break;
		default:
			vaplic_reset(&aplic);
			break;
		}
		check_state();
	}
	return 0;
}
