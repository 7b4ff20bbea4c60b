/*
 * Host tests for vdev/vaplic.c: the virtual APLIC as a guest sees it (AIA 1.0, chapter 4: one
 * supervisor domain in MSI delivery mode), driven through vaplic_ops at register offsets and
 * vaplic_set_level for devices. Every MSI it sends is recorded.
 */
#include "unit.h"
#include <string.h>
#include "vdev/mmio.h"
#include "vdev/vaplic.h"

/* Register map from AIA 1.0, 4.5, independent of vaplic.c's names. */
#define DOMAINCFG 0x0000UL
#define SOURCECFG(i) (4UL * (i))
#define SETIP(k) (0x1c00UL + 4UL * (k))
#define SETIPNUM 0x1cdcUL
#define IN_CLRIP(k) (0x1d00UL + 4UL * (k))
#define CLRIPNUM 0x1ddcUL
#define SETIE(k) (0x1e00UL + 4UL * (k))
#define SETIENUM 0x1edcUL
#define CLRIE(k) (0x1f00UL + 4UL * (k))
#define CLRIENUM 0x1fdcUL
#define SETIPNUM_LE 0x2000UL
#define SETIPNUM_BE 0x2004UL
#define GENMSI 0x3000UL
#define TARGET(i) (0x3000UL + 4UL * (i))
#define SMSIADDRCFG 0x1bc8UL
#define IE (1U << 8)
#define DM (1U << 2)
#define SM_DETACHED 1U
#define SM_EDGE1 4U
#define SM_EDGE0 5U
#define SM_LEVEL1 6U
#define SM_LEVEL0 7U
#define D_BIT (1U << 10)
#define HART(h) ((uint32_t)(h) << 18)
#define GUEST(g) ((uint32_t)(g) << 12)

#define NHARTS 2
#define IDS 63
#define MAX_MSIS 16

static struct {
	unsigned hart[MAX_MSIS], eiid[MAX_MSIS];
	int n;
} msis;

static struct vaplic aplic;

static void send_msi(void *ctx, unsigned hart, unsigned eiid)
{
	assert_ptr_equal(ctx, &msis);
	assert_true(hart < NHARTS && eiid > 0 && eiid <= IDS);
	if (msis.n < MAX_MSIS) {
		msis.hart[msis.n] = hart;
		msis.eiid[msis.n] = eiid;
	}
	msis.n++;
}

static int setup(void **state)
{
	(void)state;
	memset(&msis, 0, sizeof(msis));
	memset(&aplic, 0xa5, sizeof(aplic));
	vaplic_init(&aplic, NHARTS, IDS, send_msi, &msis);
	return 0;
}

static uint32_t rd(uint64_t off)
{
	uint64_t v = 0xdeadbeef;

	assert_int_equal(vaplic_ops.read(&aplic, off, 4, &v), MMIO_OK);
	return (uint32_t)v;
}

static void wr(uint64_t off, uint32_t v)
{
	assert_int_equal(vaplic_ops.write(&aplic, off, 4, v), MMIO_OK);
}

/* A source set up as Linux's aplic-msi driver does: mode, target, enabled; the domain enabled. */
static void route(unsigned i, unsigned sm, unsigned hart, unsigned eiid)
{
	wr(SOURCECFG(i), sm);
	wr(TARGET(i), HART(hart) | eiid);
	wr(SETIENUM, i);
	wr(DOMAINCFG, IE);
}

static void test_reset_state(void **state)
{
	(void)state;
	/* Bit 31 reads 1, MSI mode is fixed, the domain and every source start off. */
	assert_int_equal(rd(DOMAINCFG), 0x80000000U | DM);
	assert_int_equal(rd(SOURCECFG(10)), 0);
	assert_int_equal(rd(TARGET(10)), 0);
	assert_int_equal(rd(SETIP(0)), 0);
	assert_int_equal(rd(SETIE(0)), 0);
	wr(DOMAINCFG, 0xffffffff);
	assert_int_equal(rd(DOMAINCFG), 0x80000000U | IE | DM); /* BE is absent, DM stays */
	wr(DOMAINCFG, 0);
	assert_int_equal(rd(DOMAINCFG), 0x80000000U | DM);
}

static void test_inactive_source_ignores_writes(void **state)
{
	(void)state;
	wr(TARGET(5), HART(1) | 7);
	wr(SETIENUM, 5);
	wr(SETIPNUM, 5);
	vaplic_set_level(&aplic, 5, 1);
	assert_int_equal(rd(TARGET(5)), 0);
	assert_int_equal(rd(SETIE(0)), 0);
	assert_int_equal(rd(SETIP(0)), 0);
	assert_int_equal(rd(IN_CLRIP(0)), 0);
	/* Reserved modes make it inactive; D is read-only 0 (no child domain). */
	wr(SOURCECFG(5), 2);
	assert_int_equal(rd(SOURCECFG(5)), 0);
	wr(SOURCECFG(5), D_BIT | SM_EDGE1);
	assert_int_equal(rd(SOURCECFG(5)), SM_EDGE1);
	/* Sources past the last do not exist. */
	wr(SOURCECFG(VAPLIC_SOURCES), SM_EDGE1);
	assert_int_equal(rd(SOURCECFG(VAPLIC_SOURCES)), 0);
	assert_int_equal(msis.n, 0);
}

static void test_edge_source_sends_once_per_edge(void **state)
{
	(void)state;
	route(3, SM_EDGE1, 1, 9);
	assert_int_equal(msis.n, 0);
	vaplic_set_level(&aplic, 3, 1);
	assert_int_equal(msis.n, 1);
	assert_int_equal(msis.hart[0], 1);
	assert_int_equal(msis.eiid[0], 9);
	/* Still up: no new edge, no new MSI; pending was cleared by the forwarding. */
	vaplic_set_level(&aplic, 3, 1);
	assert_int_equal(msis.n, 1);
	assert_int_equal(rd(SETIP(0)), 0);
	vaplic_set_level(&aplic, 3, 0);
	vaplic_set_level(&aplic, 3, 1);
	assert_int_equal(msis.n, 2);
	/* setipnum pends an edge source whatever its line. */
	vaplic_set_level(&aplic, 3, 0);
	wr(SETIPNUM, 3);
	assert_int_equal(msis.n, 3);
}

static void test_falling_edge_mode(void **state)
{
	(void)state;
	vaplic_set_level(&aplic, 4, 1);
	route(4, SM_EDGE0, 0, 2);
	assert_int_equal(rd(IN_CLRIP(0)), 0); /* rectified: the inverse of the line */
	vaplic_set_level(&aplic, 4, 0);
	assert_int_equal(msis.n, 1);
	assert_int_equal(rd(IN_CLRIP(0)), 1U << 4);
}

static void test_level_source_pends_only_while_up(void **state)
{
	(void)state;
	wr(DOMAINCFG, IE);
	wr(SOURCECFG(10), SM_LEVEL1);
	wr(TARGET(10), HART(0) | 5);
	/* Not enabled yet: the rising line pends it, the drop clears it. */
	vaplic_set_level(&aplic, 10, 1);
	assert_int_equal(rd(SETIP(0)), 1U << 10);
	assert_int_equal(rd(IN_CLRIP(0)), 1U << 10);
	vaplic_set_level(&aplic, 10, 0);
	assert_int_equal(rd(SETIP(0)), 0);
	/* setipnum while the line is down does nothing (AIA 4.7): Linux's EOI write after a drop. */
	wr(SETIPNUM_LE, 10);
	assert_int_equal(rd(SETIP(0)), 0);
	wr(SETIENUM, 10);
	assert_int_equal(msis.n, 0);
	vaplic_set_level(&aplic, 10, 1);
	assert_int_equal(msis.n, 1);
	/* Still up after the guest's handler: its EOI (setipnum_le) sends it again. */
	wr(SETIPNUM_LE, 10);
	assert_int_equal(msis.n, 2);
	assert_int_equal(msis.eiid[1], 5);
}

static void test_level_low_mode_and_mode_change(void **state)
{
	(void)state;
	wr(DOMAINCFG, IE);
	wr(SETIENUM, 6); /* inactive: ignored */
	/* Line down, active-low: asserted as soon as the mode is set. */
	wr(SOURCECFG(6), SM_LEVEL0);
	assert_int_equal(rd(SETIP(0)), 1U << 6);
	wr(TARGET(6), HART(1) | 3);
	wr(SETIENUM, 6);
	assert_int_equal(msis.n, 1);
	/* Back to inactive: pending, enable and target go. */
	wr(SOURCECFG(6), 0);
	assert_int_equal(rd(SETIE(0)), 0);
	assert_int_equal(rd(TARGET(6)), 0);
}

static void test_detached_source(void **state)
{
	(void)state;
	route(7, SM_DETACHED, 0, 4);
	vaplic_set_level(&aplic, 7, 1);
	assert_int_equal(msis.n, 0);
	assert_int_equal(rd(IN_CLRIP(0)), 0);
	wr(SETIP(0), 1U << 7);
	assert_int_equal(msis.n, 1);
}

static void test_domain_disabled_holds_pending(void **state)
{
	(void)state;
	route(8, SM_EDGE1, 0, 6);
	wr(DOMAINCFG, 0);
	vaplic_set_level(&aplic, 8, 1);
	assert_int_equal(msis.n, 0);
	assert_int_equal(rd(SETIP(0)), 1U << 8);
	/* clrip takes it back; setip and the domain's enable send it. */
	wr(CLRIPNUM, 8);
	assert_int_equal(rd(SETIP(0)), 0);
	wr(SETIPNUM_BE, 8U << 24);
	assert_int_equal(rd(SETIP(0)), 1U << 8);
	wr(DOMAINCFG, IE);
	assert_int_equal(msis.n, 1);
	assert_int_equal(msis.eiid[0], 6);
}

static void test_enable_words(void **state)
{
	(void)state;
	wr(SOURCECFG(33), SM_EDGE1);
	wr(SOURCECFG(34), SM_EDGE1);
	wr(SETIE(1), 0xffffffff);
	assert_int_equal(rd(SETIE(1)), (1U << 1) | (1U << 2)); /* only active sources */
	wr(CLRIE(1), 1U << 1);
	assert_int_equal(rd(SETIE(1)), 1U << 2);
	wr(CLRIENUM, 34);
	assert_int_equal(rd(SETIE(1)), 0);
	assert_int_equal(rd(CLRIE(1)), 0);
	/* Words past the last source read 0. */
	assert_int_equal(rd(SETIE(VAPLIC_WORDS)), 0);
}

static void test_target_fields(void **state)
{
	(void)state;
	wr(SOURCECFG(9), SM_EDGE1);
	/* The guest index is read-only 0; hart index and identity are kept. */
	wr(TARGET(9), HART(1) | GUEST(5) | 0x7ff);
	assert_int_equal(rd(TARGET(9)), HART(1) | 0x7ff);
	/* An identity beyond the files', a hart index beyond the vCPUs, identity 0: no MSI. */
	wr(SETIENUM, 9);
	wr(DOMAINCFG, IE);
	wr(SETIPNUM, 9);
	wr(TARGET(9), HART(NHARTS) | 1);
	wr(SETIPNUM, 9);
	wr(TARGET(9), HART(0));
	wr(SETIPNUM, 9);
	assert_int_equal(msis.n, 0);
}

static void test_genmsi(void **state)
{
	(void)state;
	wr(GENMSI, HART(1) | 12);
	assert_int_equal(msis.n, 1);
	assert_int_equal(msis.hart[0], 1);
	assert_int_equal(msis.eiid[0], 12);
	assert_int_equal(rd(GENMSI) & (1U << 12), 0); /* never busy */
	assert_int_equal(rd(GENMSI), HART(1) | 12);
}

static void test_widths_and_m_registers(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(vaplic_ops.read(&aplic, DOMAINCFG, 1, &v), MMIO_FAULT);
	assert_int_equal(vaplic_ops.write(&aplic, SETIPNUM, 8, 1), MMIO_FAULT);
	assert_int_equal(vaplic_ops.write(&aplic, SETIPNUM, 2, 1), MMIO_FAULT);
	wr(SMSIADDRCFG, 0x28000);
	assert_int_equal(rd(SMSIADDRCFG), 0);
}

static void test_reset(void **state)
{
	(void)state;
	route(10, SM_LEVEL1, 1, 5);
	vaplic_set_level(&aplic, 10, 1);
	vaplic_reset(&aplic);
	assert_int_equal(rd(DOMAINCFG), 0x80000000U | DM);
	assert_int_equal(rd(SOURCECFG(10)), 0);
	/* The line the device still drives is seen by the mode set after the reset. */
	wr(SOURCECFG(10), SM_LEVEL1);
	assert_int_equal(rd(SETIP(0)), 1U << 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_state, setup),
		cmocka_unit_test_setup(test_inactive_source_ignores_writes, setup),
		cmocka_unit_test_setup(test_edge_source_sends_once_per_edge, setup),
		cmocka_unit_test_setup(test_falling_edge_mode, setup),
		cmocka_unit_test_setup(test_level_source_pends_only_while_up, setup),
		cmocka_unit_test_setup(test_level_low_mode_and_mode_change, setup),
		cmocka_unit_test_setup(test_detached_source, setup),
		cmocka_unit_test_setup(test_domain_disabled_holds_pending, setup),
		cmocka_unit_test_setup(test_enable_words, setup),
		cmocka_unit_test_setup(test_target_fields, setup),
		cmocka_unit_test_setup(test_genmsi, setup),
		cmocka_unit_test_setup(test_widths_and_m_registers, setup),
		cmocka_unit_test_setup(test_reset, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
