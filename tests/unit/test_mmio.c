/*
 * Host tests for vdev/mmio.c (the per-VM region table and its access checks) and vdev/syscon.c
 * (sifive,test: QEMU hw/misc/sifive_test.c's finisher codes). Handlers here count their calls, so
 * a refused access can be shown never to reach a device.
 */
#include "unit.h"
#include <string.h>
#include "vdev/mmio.h"
#include "vdev/syscon.h"

/* A device that records what reached it. */
struct counter {
	int reads, writes;
	uint64_t off, val;
	unsigned width;
	int result; /* what the handlers return */
	uint64_t read_as; /* what reads return in *val */
};

static int count_read(void *dev, uint64_t off, unsigned width, uint64_t *val)
{
	struct counter *c = dev;

	assert_int_equal(*val, 0); /* the bus clears *val first */
	c->reads++;
	c->off = off;
	c->width = width;
	*val = c->read_as;
	return c->result;
}

static int count_write(void *dev, uint64_t off, unsigned width, uint64_t val)
{
	struct counter *c = dev;

	c->writes++;
	c->off = off;
	c->width = width;
	c->val = val;
	return c->result;
}

static const struct mmio_ops count_ops = { .read = count_read, .write = count_write };

static struct mmio_bus bus;
static struct counter dev_a, dev_b;

static int setup(void **state)
{
	(void)state;
	memset(&bus, 0, sizeof(bus));
	memset(&dev_a, 0, sizeof(dev_a));
	memset(&dev_b, 0, sizeof(dev_b));
	return 0;
}

static int add(uint64_t base, uint64_t size, struct counter *dev)
{
	return mmio_bus_add(&bus, base, size, &count_ops, dev, "dev");
}

/* A refused read: MMIO_FAULT, *val 0, no handler called. */
static void expect_read_refused(uint64_t addr, unsigned width)
{
	uint64_t v = 0xdeadbeefUL;
	int reads = dev_a.reads + dev_b.reads, writes = dev_a.writes + dev_b.writes;

	assert_int_equal(mmio_bus_read(&bus, addr, width, &v), MMIO_FAULT);
	assert_int_equal(v, 0);
	assert_int_equal(mmio_bus_write(&bus, addr, width, 0x5555), MMIO_FAULT);
	assert_int_equal(dev_a.reads + dev_b.reads, reads);
	assert_int_equal(dev_a.writes + dev_b.writes, writes);
}

/* An access that reaches dev at off. */
static void expect_reaches(struct counter *dev, uint64_t addr, unsigned width, uint64_t off)
{
	uint64_t v = 0xdeadbeefUL;
	int reads = dev->reads, writes = dev->writes;

	dev->read_as = 0x0123456789abcdefUL;
	assert_int_equal(mmio_bus_read(&bus, addr, width, &v), MMIO_OK);
	assert_int_equal(v, 0x0123456789abcdefUL);
	assert_int_equal(dev->reads, reads + 1);
	assert_int_equal(dev->off, off);
	assert_int_equal(dev->width, width);
	assert_int_equal(mmio_bus_write(&bus, addr, width, 0xfeedUL + off), MMIO_OK);
	assert_int_equal(dev->writes, writes + 1);
	assert_int_equal(dev->off, off);
	assert_int_equal(dev->width, width);
	assert_int_equal(dev->val, 0xfeedUL + off);
}

/* ---- mmio_bus_add ---- */

static void test_add_and_find(void **state)
{
	(void)state;
	const struct mmio_region *r;

	assert_null(mmio_bus_find(&bus, 0));
	assert_null(mmio_bus_find(&bus, 0x10000000));
	assert_int_equal(add(0x10000000, 0x100, &dev_a), 0);
	assert_int_equal(add(0x0c000000, 0x600000, &dev_b), 0);
	assert_int_equal(bus.n, 2);
	r = mmio_bus_find(&bus, 0x10000000);
	assert_non_null(r);
	assert_int_equal(r->base, 0x10000000);
	assert_int_equal(r->size, 0x100);
	assert_ptr_equal(r->ops, &count_ops);
	assert_ptr_equal(r->dev, &dev_a);
	assert_string_equal(r->name, "dev");
	assert_ptr_equal(mmio_bus_find(&bus, 0x100000ff), r);
	assert_null(mmio_bus_find(&bus, 0x10000100));
	assert_null(mmio_bus_find(&bus, 0x0fffffff));
	r = mmio_bus_find(&bus, 0x0c000000);
	assert_non_null(r);
	assert_ptr_equal(r->dev, &dev_b);
	assert_ptr_equal(mmio_bus_find(&bus, 0x0c5fffff), r);
	assert_null(mmio_bus_find(&bus, 0x0c600000));
	assert_null(mmio_bus_find(&bus, 0x0bffffff));
	assert_null(mmio_bus_find(&bus, UINT64_MAX));
}

static void test_add_rejects_overlaps(void **state)
{
	(void)state;
	assert_int_equal(add(0x1000, 0x1000, &dev_a), 0);
	assert_int_equal(add(0x1000, 0x1000, &dev_b), -1); /* the same */
	assert_int_equal(add(0x0800, 0x0801, &dev_b), -1); /* its first byte */
	assert_int_equal(add(0x1fff, 0x10, &dev_b), -1); /* its last byte */
	assert_int_equal(add(0x1800, 0x10, &dev_b), -1); /* inside */
	assert_int_equal(add(0x0000, 0x10000, &dev_b), -1); /* around */
	assert_int_equal(add(0x1fff, 1, &dev_b), -1);
	assert_int_equal(bus.n, 1);
	assert_int_equal(add(0x0800, 0x800, &dev_b), 0); /* touching below */
	assert_int_equal(add(0x2000, 0x1, &dev_b), 0); /* touching above */
	assert_int_equal(bus.n, 3);
	assert_ptr_equal(mmio_bus_find(&bus, 0x0fff)->dev, &dev_b);
	assert_ptr_equal(mmio_bus_find(&bus, 0x1000)->dev, &dev_a);
	assert_ptr_equal(mmio_bus_find(&bus, 0x1fff)->dev, &dev_a);
	assert_ptr_equal(mmio_bus_find(&bus, 0x2000)->dev, &dev_b);
	assert_null(mmio_bus_find(&bus, 0x2001));
	/* A region overlapping a later one too. */
	assert_int_equal(add(0x1ffe, 4, &dev_b), -1);
	assert_int_equal(bus.n, 3);
}

static void test_add_rejects_zero_size(void **state)
{
	(void)state;
	assert_int_equal(add(0x1000, 0, &dev_a), -1);
	assert_int_equal(add(0, 0, &dev_a), -1);
	assert_int_equal(bus.n, 0);
	assert_null(mmio_bus_find(&bus, 0x1000));
}

static void test_add_rejects_wraparound(void **state)
{
	(void)state;
	assert_int_equal(add(0xfffffffffffff000UL, 0x2000, &dev_a), -1);
	assert_int_equal(add(UINT64_MAX, 2, &dev_a), -1);
	assert_int_equal(add(1, UINT64_MAX, &dev_a), -1);
	assert_int_equal(add(0x1000, UINT64_MAX - 0xfff + 1, &dev_a), -1);
	assert_int_equal(bus.n, 0);
	/* No region wrapped into low addresses. */
	assert_null(mmio_bus_find(&bus, 0));
	assert_null(mmio_bus_find(&bus, 0x800));
	assert_int_equal(add(0xfffffffffffff000UL, 0xfff, &dev_a), 0); /* up to the last byte but one */
	assert_ptr_equal(mmio_bus_find(&bus, 0xfffffffffffffffeUL)->dev, &dev_a);
	assert_null(mmio_bus_find(&bus, UINT64_MAX));
}

static void test_add_full_table(void **state)
{
	(void)state;
	for (int i = 0; i < MAX_MMIO_REGIONS; i++)
		assert_int_equal(add(0x10000 * (uint64_t)(i + 1), 0x1000, i % 2 ? &dev_b : &dev_a), 0);
	assert_int_equal(bus.n, MAX_MMIO_REGIONS);
	assert_int_equal(add(0x10000000, 0x1000, &dev_a), -1);
	assert_int_equal(bus.n, MAX_MMIO_REGIONS);
	assert_null(mmio_bus_find(&bus, 0x10000000));
	for (int i = 0; i < MAX_MMIO_REGIONS; i++) {
		uint64_t base = 0x10000 * (uint64_t)(i + 1);

		assert_ptr_equal(mmio_bus_find(&bus, base)->dev, i % 2 ? &dev_b : &dev_a);
		assert_ptr_equal(mmio_bus_find(&bus, base + 0xfff)->dev, i % 2 ? &dev_b : &dev_a);
		assert_null(mmio_bus_find(&bus, base + 0x1000));
	}
}

/* ---- dispatch ---- */

static void test_dispatch_offsets_and_widths(void **state)
{
	(void)state;
	assert_int_equal(add(0x10000000, 0x100, &dev_a), 0);
	assert_int_equal(add(0x20000000, 0x10, &dev_b), 0);
	for (unsigned width = 1; width <= 8; width *= 2) {
		expect_reaches(&dev_a, 0x10000000, width, 0);
		expect_reaches(&dev_a, 0x10000000 + 8 * width, width, 8 * width);
		expect_reaches(&dev_a, 0x10000100 - width, width, 0x100 - width); /* the last bytes */
		expect_reaches(&dev_b, 0x20000010 - width, width, 0x10 - width);
	}
	assert_int_equal(dev_b.reads, 4);
	assert_int_equal(dev_a.reads, 12);
}

static void test_handler_results_pass_through(void **state)
{
	(void)state;
	const int results[] = { MMIO_OK, MMIO_FAULT, MMIO_POWEROFF, MMIO_RESET };
	uint64_t v;

	assert_int_equal(add(0x1000, 0x100, &dev_a), 0);
	for (unsigned i = 0; i < ARRAY_LEN(results); i++) {
		dev_a.result = results[i];
		assert_int_equal(mmio_bus_write(&bus, 0x1004, 4, 1), results[i]);
		assert_int_equal(mmio_bus_read(&bus, 0x1004, 4, &v), results[i]);
	}
}

static void test_refuses_misaligned(void **state)
{
	(void)state;
	assert_int_equal(add(0x10000000, 0x1000, &dev_a), 0);
	for (unsigned width = 2; width <= 8; width *= 2)
		for (unsigned mis = 1; mis < width; mis++) {
			expect_read_refused(0x10000000 + mis, width);
			expect_read_refused(0x10000800 + mis, width);
			expect_read_refused(0x10001000 - width + mis, width); /* would end past the region too */
			expect_read_refused(0x10001000 - 2 * width + mis, width);
		}
	/* Alignment is of the address, whatever the region's base. */
	assert_int_equal(add(0x20000002, 0x10, &dev_b), 0);
	expect_read_refused(0x20000002, 4);
	expect_reaches(&dev_b, 0x20000004, 4, 2);
	expect_reaches(&dev_b, 0x20000002, 2, 0);
	assert_int_equal(dev_a.reads + dev_a.writes, 0);
}

static void test_refuses_bad_widths(void **state)
{
	(void)state;
	const unsigned widths[] = { 0, 3, 5, 6, 7, 9, 12, 16, 32, 64, 0x80000000U, UINT32_MAX };

	assert_int_equal(add(0, 0x10000, &dev_a), 0);
	for (unsigned i = 0; i < ARRAY_LEN(widths); i++) {
		expect_read_refused(0, widths[i]);
		expect_read_refused(0x100, widths[i]);
	}
	assert_int_equal(dev_a.reads + dev_a.writes, 0);
}

static void test_refuses_crossing_region_end(void **state)
{
	(void)state;
	assert_int_equal(add(0x1000, 6, &dev_a), 0);
	assert_int_equal(add(0x1006, 2, &dev_b), 0); /* a neighbour does not make a crossing access legal */
	expect_read_refused(0x1004, 4);
	expect_read_refused(0x1000, 8);
	expect_reaches(&dev_a, 0x1004, 2, 4);
	expect_reaches(&dev_a, 0x1000, 4, 0);
	expect_reaches(&dev_b, 0x1006, 2, 0);
	expect_read_refused(0x1006, 4);
	/* A region smaller than the access. */
	assert_int_equal(add(0x2000, 1, &dev_a), 0);
	expect_read_refused(0x2000, 2);
	expect_reaches(&dev_a, 0x2000, 1, 0);
	/* The last region of the address space. */
	assert_int_equal(add(0xfffffffffffff000UL, 0xff8, &dev_b), 0);
	expect_reaches(&dev_b, 0xfffffffffffffff0UL, 8, 0xff0);
	expect_reaches(&dev_b, 0xfffffffffffffff4UL, 4, 0xff4);
	expect_read_refused(0xfffffffffffffff6UL, 4);
	expect_read_refused(0xfffffffffffffff8UL, 8);
	expect_read_refused(UINT64_MAX, 1);
}

static void test_refuses_unmapped(void **state)
{
	(void)state;
	expect_read_refused(0, 4);
	assert_int_equal(add(0x1000, 0x1000, &dev_a), 0);
	expect_read_refused(0xffc, 4);
	expect_read_refused(0x2000, 1);
	expect_read_refused(UINT64_MAX, 1);
	expect_read_refused(UINT64_MAX - 7, 8);
	assert_int_equal(dev_a.reads + dev_a.writes, 0);
}

/* ---- syscon (sifive,test) ---- */

#define SYSCON_BASE 0x100000UL

static int syscon_write(uint64_t off, unsigned width, uint64_t val)
{
	return mmio_bus_write(&bus, SYSCON_BASE + off, width, val);
}

static void add_syscon(void)
{
	assert_int_equal(mmio_bus_add(&bus, SYSCON_BASE, SYSCON_SIZE, &syscon_ops, NULL, "syscon"), 0);
}

static void test_syscon_poweroff_and_reset(void **state)
{
	(void)state;
	add_syscon();
	assert_int_equal(syscon_write(0, 4, 0x5555), MMIO_POWEROFF); /* FINISHER_PASS */
	assert_int_equal(syscon_write(0, 4, 0x3333), MMIO_POWEROFF); /* FINISHER_FAIL */
	assert_int_equal(syscon_write(0, 4, 0x00013333), MMIO_POWEROFF); /* exit code 1 */
	assert_int_equal(syscon_write(0, 4, 0xffff3333), MMIO_POWEROFF);
	assert_int_equal(syscon_write(0, 4, 0x7777), MMIO_RESET); /* FINISHER_RESET */
}

static void test_syscon_ignores_the_rest(void **state)
{
	(void)state;
	const uint64_t vals[] = { 0,	      1,	  0x5554, 0x5556, 0x3332, 0x7776, 0x55550000,
				  0x33330000, 0x77770000, 0x1234, 0xffff, 0x555,  0x55 };
	const uint64_t offs[] = { 4, 8, 0x10, 0x800, SYSCON_SIZE - 4 };
	uint64_t v;

	add_syscon();
	for (unsigned i = 0; i < ARRAY_LEN(vals); i++)
		assert_int_equal(syscon_write(0, 4, vals[i]), MMIO_OK);
	for (unsigned i = 0; i < ARRAY_LEN(offs); i++) {
		assert_int_equal(syscon_write(offs[i], 4, 0x5555), MMIO_OK);
		assert_int_equal(syscon_write(offs[i], 4, 0x3333), MMIO_OK);
		assert_int_equal(syscon_write(offs[i], 4, 0x7777), MMIO_OK);
	}
	/* Narrow writes, even of a finisher code. */
	assert_int_equal(syscon_write(0, 2, 0x5555), MMIO_OK);
	assert_int_equal(syscon_write(0, 2, 0x7777), MMIO_OK);
	assert_int_equal(syscon_write(0, 1, 0x55), MMIO_OK);
	assert_int_equal(syscon_write(1, 1, 0x55), MMIO_OK);
	assert_int_equal(syscon_write(2, 2, 0x3333), MMIO_OK);
	/* Reads return 0 everywhere. */
	for (unsigned width = 1; width <= 8; width *= 2)
		for (uint64_t off = 0; off < SYSCON_SIZE; off += 0x88) {
			v = 0xdead;
			assert_int_equal(mmio_bus_read(&bus, SYSCON_BASE + off, width, &v), MMIO_OK);
			assert_int_equal(v, 0);
		}
	/* And the bus rules hold for it too. */
	assert_int_equal(syscon_write(2, 4, 0x5555), MMIO_FAULT);
	assert_int_equal(syscon_write(SYSCON_SIZE, 4, 0x5555), MMIO_FAULT);
	/* Still working after all that. */
	assert_int_equal(syscon_write(0, 4, 0x5555), MMIO_POWEROFF);
}

/* The exit path's check (a region found for the address, a decoded width) refuses what the full one does. */
static void test_found_check_agrees_with_the_full_one(void **state)
{
	static const unsigned widths[] = { 1, 2, 4, 8 };
	const uint64_t base = 0x10000000, size = 0x100;

	(void)state;
	assert_int_equal(add(base, size, &dev_a), 0);
	for (uint64_t addr = base - 16; addr < base + size + 16; addr++) {
		const struct mmio_region *r = mmio_bus_find(&bus, addr);

		for (unsigned i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
			int full = mmio_access_ok(r, addr, widths[i]);

			if (!r) {
				assert_false(full);
				continue;
			}
			assert_int_equal(mmio_found_access_ok(r, addr, widths[i]), full);
			uint64_t val = 1;
			int before = dev_a.reads;
			assert_int_equal(mmio_found_read(r, addr, widths[i], &val) == MMIO_FAULT, !full);
			assert_int_equal(dev_a.reads - before, full);
			if (!full)
				assert_int_equal(val, 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_add_and_find, setup),
		cmocka_unit_test_setup(test_add_rejects_overlaps, setup),
		cmocka_unit_test_setup(test_add_rejects_zero_size, setup),
		cmocka_unit_test_setup(test_add_rejects_wraparound, setup),
		cmocka_unit_test_setup(test_add_full_table, setup),
		cmocka_unit_test_setup(test_dispatch_offsets_and_widths, setup),
		cmocka_unit_test_setup(test_handler_results_pass_through, setup),
		cmocka_unit_test_setup(test_refuses_misaligned, setup),
		cmocka_unit_test_setup(test_refuses_bad_widths, setup),
		cmocka_unit_test_setup(test_refuses_crossing_region_end, setup),
		cmocka_unit_test_setup(test_refuses_unmapped, setup),
		cmocka_unit_test_setup(test_syscon_poweroff_and_reset, setup),
		cmocka_unit_test_setup(test_syscon_ignores_the_rest, setup),
		cmocka_unit_test_setup(test_found_check_agrees_with_the_full_one, setup),
	};

	return run_unit_tests(tests);
}
