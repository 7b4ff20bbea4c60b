/*
 * Regression tests for bugs the fuzzers of tests/fuzz found, one test per bug: each failed until
 * its bug was fixed, and keeps it fixed.
 *
 * 1. board/guest_fdt.c writes empty properties (interrupt-controller, ranges) as
 *    fdt_property(fdt, name, NULL, 0). libfdt 6.1's fdt_property then runs memcpy(ptr, NULL, 0),
 *    which C leaves undefined (C11 7.24.1p2: pointer arguments must be valid even when the length
 *    is 0); fuzz_guest_fdt and fuzz_config, whose libfdt is built with UBSan, stop on it
 *    ("null pointer passed as argument 2, which is declared to never be null", fdt_sw.c:333).
 *    The host libfdt the unit tests link is not instrumented, so this test looks at the calls
 *    themselves: board/guest_fdt.c is compiled here a second time, under other names, with
 *    fdt_property routed through a check. (sources.mk still links the real board/guest_fdt.c, so this
 *    test is rebuilt when it changes.)
 *
 * 2. drivers/platform.c compares and copies string properties of the host DTB (device_type, status,
 *    riscv,isa, stdout-path) without checking that they end with a NUL inside the property: strcmp
 *    and the copy loops run past the property, and past the DTB when the property is the last thing
 *    in it (fuzz_config: "AddressSanitizer: heap-buffer-overflow ... READ of size 5 ...
 *    __interceptor_strcmp ... parse_memory drivers/platform.c:49"). Here the DTB is followed in
 *    memory by bytes that complete the unterminated value, so the over-read shows as a wrong answer.
 *
 * 3. vm/config.c takes keel,name = "\0xuin" (a NUL-terminated property whose string is empty) as the
 *    name "": its `len > 1` test looks at the property's length, not the string's. The VM is logged
 *    as vm '' and its guest DTB's model is "" instead of the documented default vmN (fuzz_config:
 *    "invariant broken: ... c->name[0]: name not a string").
 */
#include "unit.h"
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include "arch/riscv/cpu.h"
#include "drivers/platform.h"
#include "vm/config.h"

static int null_values;

static int checked_fdt_property(void *fdt, const char *name, const void *val, int len)
{
	if (!val) {
		null_values++;
		print_message("fdt_property(fdt, \"%s\", NULL, %d): libfdt will memcpy from NULL\n", name, len);
	}
	return fdt_property(fdt, name, val, len);
}

#define fdt_property checked_fdt_property
#define guest_isa_for regress_guest_isa_for
#define guest_fdt_build regress_guest_fdt_build
#include "board/guest_fdt.c"
#undef fdt_property

#define HOST_ISA "rv64imafdch_zicsr_zifencei_sstc"

static void test_guest_fdt_no_null_property_value(void **state)
{
	struct vm_config cfg;
	void *buf = malloc(GUEST_FDT_MAX);
	struct guest_harts harts = { .host_isa = HOST_ISA, .timebase = 10000000, .cbom_block = 64, .cboz_block = 64 };
	int ret;

	(void)state;
	assert_non_null(buf);
	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.name, "regress");
	strcpy(cfg.bootargs, "console=ttyS0");
	cfg.nvcpus = 2;
	cfg.ram_base = 0x80000000;
	cfg.ram_size = 0x4000000;
	cfg.timer = TIMER_SSTC;
	null_values = 0;
	ret = regress_guest_fdt_build(buf, GUEST_FDT_MAX, &cfg, &harts, NULL);
	free(buf);
	assert_true(ret > 0);
	if (null_values)
		fail_msg("guest_fdt_build passed a NULL value to fdt_property %d times (undefined behaviour in "
			 "libfdt's memcpy): write empty properties with fdt_property_placeholder(fdt, name, 0, &p)",
			 null_values);
}

/* ---- 2: unterminated string properties in the host DTB ---- */

#define FDT_HDR_SIZE 40
#define FDT_RSV_SIZE 16

/* A DTB built by hand, strings block before the structure block, so that a property can end the blob. */
struct blob {
	uint8_t b[512] __attribute__((aligned(8)));
	size_t len;
	char strings[128];
	size_t nstrings;
};

static void put32(struct blob *d, uint32_t v)
{
	fdt32_t be = cpu_to_fdt32(v);

	memcpy(d->b + d->len, &be, 4);
	d->len += 4;
}

static void put_bytes(struct blob *d, const void *p, size_t n)
{
	memcpy(d->b + d->len, p, n);
	d->len += n;
	while (d->len % 4)
		d->b[d->len++] = 0;
}

static uint32_t string_off(struct blob *d, const char *name)
{
	for (size_t off = 0; off < d->nstrings; off += strlen(d->strings + off) + 1)
		if (!strcmp(d->strings + off, name))
			return (uint32_t)off;
	fail_msg("%s: not in the strings block", name);
	return 0;
}

static void begin_node(struct blob *d, const char *name)
{
	put32(d, FDT_BEGIN_NODE);
	put_bytes(d, name, strlen(name) + 1);
}

static void prop(struct blob *d, const char *name, const void *val, size_t len)
{
	put32(d, FDT_PROP);
	put32(d, (uint32_t)len);
	put32(d, string_off(d, name));
	put_bytes(d, val, len);
}

static void prop_u32(struct blob *d, const char *name, uint32_t v)
{
	fdt32_t be = cpu_to_fdt32(v);

	prop(d, name, &be, 4);
}

/* Header, empty reservation map and strings; the caller writes the structure block, then blob_end(). */
static void blob_start(struct blob *d)
{
	static const char names[] = "#address-cells\0#size-cells\0device_type\0reg\0riscv,isa";

	memset(d, 0, sizeof(*d));
	memcpy(d->strings, names, sizeof(names));
	d->nstrings = sizeof(names);
	d->len = FDT_HDR_SIZE + FDT_RSV_SIZE;
	put_bytes(d, d->strings, d->nstrings);
	begin_node(d, "");
	prop_u32(d, "#address-cells", 2);
	prop_u32(d, "#size-cells", 2);
}

/* No END_NODE/END tokens: the last property is the last thing in the blob, as fdt_check_header allows. */
static void blob_end(struct blob *d)
{
	uint32_t off_strings = FDT_HDR_SIZE + FDT_RSV_SIZE;
	uint32_t off_struct = off_strings + (uint32_t)((d->nstrings + 3) & ~3UL);
	uint32_t hdr[10] = { FDT_MAGIC,
			     (uint32_t)d->len,
			     off_struct,
			     off_strings,
			     FDT_HDR_SIZE,
			     17,
			     16,
			     0,
			     (uint32_t)d->nstrings,
			     (uint32_t)d->len - off_struct };

	for (int i = 0; i < 10; i++) {
		fdt32_t be = cpu_to_fdt32(hdr[i]);

		memcpy(d->b + 4 * i, &be, 4);
	}
	assert_int_equal(fdt_check_header(d->b), 0);
}

/* What lies in memory after the DTB: it completes the unterminated value the DTB ends with. */
static void follow_with(struct blob *d, const char *s)
{
	memcpy(d->b + d->len, s, strlen(s) + 1);
}

static void test_platform_unterminated_device_type(void **state)
{
	static struct blob d;
	static struct platform p;
	fdt32_t reg[4] = { cpu_to_fdt32(0), cpu_to_fdt32(0x80000000), cpu_to_fdt32(0), cpu_to_fdt32(0x1000000) };

	(void)state;
	blob_start(&d);
	begin_node(&d, "memory@80000000");
	prop(&d, "reg", reg, sizeof(reg));
	prop(&d, "device_type", "memo", 4); /* not "memory": 4 bytes, no NUL */
	blob_end(&d);
	follow_with(&d, "ry");
	assert_int_equal(platform_parse(d.b, &p), 0);
	if (p.nmem)
		fail_msg("device_type = [6d 65 6d 6f] (no NUL) was read as \"memory\" from the bytes after the DTB");
}

static void test_platform_unterminated_isa(void **state)
{
	static struct blob d;
	static struct platform p;

	(void)state;
	blob_start(&d);
	begin_node(&d, "cpus");
	prop_u32(&d, "#address-cells", 1);
	prop_u32(&d, "#size-cells", 0);
	begin_node(&d, "cpu@0");
	prop(&d, "device_type", "cpu", 4);
	prop_u32(&d, "reg", 0);
	prop(&d, "riscv,isa", "rv64", 4); /* no NUL */
	blob_end(&d);
	follow_with(&d, "imafdch_from_beyond_the_dtb");
	assert_int_equal(platform_parse(d.b, &p), 0);
	assert_int_equal(p.hart_mask, 1);
	if (strchr(p.isa, '_'))
		fail_msg("riscv,isa = \"rv64\" (no NUL) was read as \"%s\" from the bytes after the DTB", p.isa);
}

/* ---- 3: an empty keel,name ---- */

static void test_config_empty_name_gets_default(void **state)
{
	static const char name[] = "\0xuin"; /* 6 bytes with the final NUL: the string itself is empty */
	const fdt32_t harts[] = { cpu_to_fdt32(0) };
	const fdt32_t memory[] = { cpu_to_fdt32(0), cpu_to_fdt32(0x80000000), cpu_to_fdt32(0),
				   cpu_to_fdt32(0x4000000) };
	const fdt32_t kernel[] = { cpu_to_fdt32(0), cpu_to_fdt32(0x90000000), cpu_to_fdt32(0), cpu_to_fdt32(0x5000) };
	static struct platform plat;
	struct cpu_features cpu = { .has_h = 1, .has_sstc = 1, .has_sv39x4 = 1, .has_sv48x4 = 1 };
	struct vm_config cfg;
	char err[CONFIG_ERR_MAX];
	struct hart_claims used = { 0 };
	void *f = malloc(4096);
	int node;

	(void)state;
	assert_non_null(f);
	assert_int_equal(fdt_create(f, 4096), 0);
	assert_int_equal(fdt_finish_reservemap(f), 0);
	assert_int_equal(fdt_begin_node(f, ""), 0);
	assert_int_equal(fdt_begin_node(f, "chosen"), 0);
	assert_int_equal(fdt_begin_node(f, "keel,vm@0"), 0);
	assert_int_equal(fdt_property(f, "keel,name", name, sizeof(name)), 0);
	assert_int_equal(fdt_property(f, "keel,harts", harts, sizeof(harts)), 0);
	assert_int_equal(fdt_property(f, "keel,memory", memory, sizeof(memory)), 0);
	assert_int_equal(fdt_property(f, "keel,kernel", kernel, sizeof(kernel)), 0);
	assert_int_equal(fdt_end_node(f), 0);
	assert_int_equal(fdt_end_node(f), 0);
	assert_int_equal(fdt_end_node(f), 0);
	assert_int_equal(fdt_finish(f), 0);
	plat.mem[0].base = 0x80000000;
	plat.mem[0].size = 0x40000000;
	plat.nmem = 1;
	plat.hart_mask = 1;
	plat.nharts = 1;
	node = fdt_path_offset(f, "/chosen/keel,vm@0");
	assert_true(node >= 0);
	assert_int_equal(vm_config_parse(f, node, 0, &plat, &cpu, &used, &cfg, err, sizeof(err)), 0);
	free(f);
	if (strcmp(cfg.name, "vm0"))
		fail_msg("keel,name = \"\\0xuin\": the VM is named \"%s\", want the default \"vm0\"", cfg.name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guest_fdt_no_null_property_value),
		cmocka_unit_test(test_platform_unterminated_device_type),
		cmocka_unit_test(test_platform_unterminated_isa),
		cmocka_unit_test(test_config_empty_name_gets_default),
	};

	return run_unit_tests(tests);
}
