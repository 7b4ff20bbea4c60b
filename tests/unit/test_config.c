/* Host tests for vm/config.c: /chosen/keel,vm@N nodes, built here with libfdt's sequential writer. */
#include "unit.h"
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "drivers/platform.h"
#include "vm/config.h"

#define FDT_SIZE (64 * 1024)
#define MiB 0x100000UL
#define HOST_RAM_BASE 0x80000000UL
#define HOST_RAM_SIZE 0x40000000UL
#define KERNEL_ADDR 0x84000000UL

/* One keel,vm node. Absent properties: NULL strings, nharts < 0, has_* = 0. */
struct vm_desc {
	const char *name;
	uint32_t harts[12];
	int nharts;
	int has_memory, memory_bytes; /* memory_bytes: 16 normally, 8 to write a malformed property */
	uint64_t mem_base, mem_size;
	int has_kernel;
	uint64_t kernel_addr, kernel_size;
	int has_offset;
	uint64_t kernel_offset;
	const char *timer, *stage2, *bootargs;
	const uint32_t *devices; /* keel,devices cells, absent when NULL */
	int vcpus, slice_us, weight; /* one cell each, absent when 0 (-2 writes a 0) */
	int pinned, wfi_exits, read_exits;
	int ndevice_cells;
	const uint32_t *disks; /* keel,disks cells, absent when NULL */
	int ndisk_cells;
	const char *nics; /* keel,nics: NUL-separated names, absent when NULL */
	int nics_len;
	const uint8_t *macs; /* keel,macs bytes */
	int macs_len;
	const char *console; /* keel,console bytes (console_len of them), absent when NULL */
	int console_len;
	const char *irqchip; /* keel,irqchip, absent when NULL */
};

static struct platform plat;
static struct cpu_features cpuf;
static struct vm_config cfg;
static char err[CONFIG_ERR_MAX];
static void *fdt;

static struct vm_desc valid_vm(void)
{
	struct vm_desc d;

	memset(&d, 0, sizeof(d));
	d.harts[0] = 0;
	d.harts[1] = 1;
	d.nharts = 2;
	d.has_memory = 1;
	d.memory_bytes = 16;
	d.mem_base = 0x80000000;
	d.mem_size = 256 * MiB;
	d.has_kernel = 1;
	d.kernel_addr = KERNEL_ADDR;
	d.kernel_size = 2 * MiB;
	return d;
}

static int setup(void **state)
{
	(void)state;
	memset(&plat, 0, sizeof(plat));
	plat.mem[0].base = HOST_RAM_BASE;
	plat.mem[0].size = HOST_RAM_SIZE;
	plat.nmem = 1;
	plat.hart_mask = 0xf;
	plat.nharts = 4;
	strcpy(plat.isa, "rv64imafdch_zicsr_sstc");
	plat.timebase = 10000000;
	memset(&cpuf, 0, sizeof(cpuf));
	cpuf.has_h = 1;
	cpuf.has_sstc = 1;
	cpuf.has_sv39x4 = 1;
	cpuf.has_sv48x4 = 1;
	cpuf.vmid_bits = 14;
	fdt = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(fdt);
	fdt = NULL;
	return 0;
}

static void prop_cells64(void *f, const char *name, uint64_t a, uint64_t b, int bytes)
{
	fdt32_t cells[4] = { cpu_to_fdt32(a >> 32), cpu_to_fdt32((uint32_t)a), cpu_to_fdt32(b >> 32),
			     cpu_to_fdt32((uint32_t)b) };

	assert_int_equal(fdt_property(f, name, cells, bytes), 0);
}

/* A host DTB: /cpus with harts 0-3, host memory, and /chosen/keel,vm@i for each description. */
static void *make_fdt(const struct vm_desc *vms, int n)
{
	void *f = malloc(FDT_SIZE);
	char name[32];

	assert_non_null(f);
	assert_int_equal(fdt_create(f, FDT_SIZE), 0);
	assert_int_equal(fdt_finish_reservemap(f), 0);
	assert_int_equal(fdt_begin_node(f, ""), 0);
	assert_int_equal(fdt_property_u32(f, "#address-cells", 2), 0);
	assert_int_equal(fdt_property_u32(f, "#size-cells", 2), 0);
	assert_int_equal(fdt_begin_node(f, "cpus"), 0);
	assert_int_equal(fdt_property_u32(f, "#address-cells", 1), 0);
	assert_int_equal(fdt_property_u32(f, "#size-cells", 0), 0);
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "cpu@%d", i);
		assert_int_equal(fdt_begin_node(f, name), 0);
		assert_int_equal(fdt_property_string(f, "device_type", "cpu"), 0);
		assert_int_equal(fdt_property_u32(f, "reg", (uint32_t)i), 0);
		assert_int_equal(fdt_end_node(f), 0);
	}
	assert_int_equal(fdt_end_node(f), 0);
	assert_int_equal(fdt_begin_node(f, "memory@80000000"), 0);
	assert_int_equal(fdt_property_string(f, "device_type", "memory"), 0);
	prop_cells64(f, "reg", HOST_RAM_BASE, HOST_RAM_SIZE, 16);
	assert_int_equal(fdt_end_node(f), 0);

	assert_int_equal(fdt_begin_node(f, "chosen"), 0);
	for (int i = 0; i < n; i++) {
		const struct vm_desc *d = &vms[i];

		snprintf(name, sizeof(name), "keel,vm@%d", i);
		assert_int_equal(fdt_begin_node(f, name), 0);
		if (d->name)
			assert_int_equal(fdt_property_string(f, "keel,name", d->name), 0);
		if (d->nharts >= 0) {
			fdt32_t cells[12];

			for (int h = 0; h < d->nharts; h++)
				cells[h] = cpu_to_fdt32(d->harts[h]);
			assert_int_equal(fdt_property(f, "keel,harts", cells, d->nharts * 4), 0);
		}
		if (d->has_memory)
			prop_cells64(f, "keel,memory", d->mem_base, d->mem_size, d->memory_bytes);
		if (d->has_kernel)
			prop_cells64(f, "keel,kernel", d->kernel_addr, d->kernel_size, 16);
		if (d->has_offset)
			prop_cells64(f, "keel,kernel-offset", d->kernel_offset, 0, 8);
		if (d->timer)
			assert_int_equal(fdt_property_string(f, "keel,timer", d->timer), 0);
		if (d->stage2)
			assert_int_equal(fdt_property_string(f, "keel,stage2", d->stage2), 0);
		if (d->bootargs)
			assert_int_equal(fdt_property_string(f, "bootargs", d->bootargs), 0);
		if (d->vcpus)
			assert_int_equal(fdt_property_u32(f, "keel,vcpus", d->vcpus == -2 ? 0 : (uint32_t)d->vcpus), 0);
		if (d->slice_us)
			assert_int_equal(fdt_property_u32(f, "keel,slice-us", (uint32_t)d->slice_us), 0);
		if (d->weight)
			assert_int_equal(fdt_property_u32(f, "keel,weight", d->weight == -2 ? 0 : (uint32_t)d->weight),
					 0);
		if (d->pinned)
			assert_int_equal(fdt_property(f, "keel,pinned", NULL, 0), 0);
		if (d->wfi_exits)
			assert_int_equal(fdt_property(f, "keel,wfi-exits", NULL, 0), 0);
		if (d->read_exits)
			assert_int_equal(fdt_property(f, "keel,read-exits", NULL, 0), 0);
		if (d->devices) {
			fdt32_t cells[32];

			for (int c = 0; c < d->ndevice_cells; c++)
				cells[c] = cpu_to_fdt32(d->devices[c]);
			assert_int_equal(fdt_property(f, "keel,devices", cells, d->ndevice_cells * 4), 0);
		}
		if (d->disks) {
			fdt32_t cells[32];

			for (int c = 0; c < d->ndisk_cells; c++)
				cells[c] = cpu_to_fdt32(d->disks[c]);
			assert_int_equal(fdt_property(f, "keel,disks", cells, d->ndisk_cells * 4), 0);
		}
		if (d->nics)
			assert_int_equal(fdt_property(f, "keel,nics", d->nics, d->nics_len), 0);
		if (d->macs)
			assert_int_equal(fdt_property(f, "keel,macs", d->macs, d->macs_len), 0);
		if (d->console)
			assert_int_equal(fdt_property(f, "keel,console", d->console, d->console_len), 0);
		if (d->irqchip)
			assert_int_equal(fdt_property_string(f, "keel,irqchip", d->irqchip), 0);
		assert_int_equal(fdt_end_node(f), 0);
	}
	assert_int_equal(fdt_end_node(f), 0);
	assert_int_equal(fdt_end_node(f), 0);
	assert_int_equal(fdt_finish(f), 0);
	assert_int_equal(fdt_check_header(f), 0);
	return f;
}

static int parse_node(int index, struct hart_claims *used)
{
	char path[40];
	int node;

	snprintf(path, sizeof(path), "/chosen/keel,vm@%d", index);
	node = fdt_path_offset(fdt, path);
	assert_true(node >= 0);
	memset(err, 0, sizeof(err));
	return vm_config_parse(fdt, node, index, &plat, &cpuf, used, &cfg, err, sizeof(err));
}

/* Build a DTB with one VM and parse it. */
static int parse_one(const struct vm_desc *d, struct hart_claims *used)
{
	free(fdt);
	fdt = make_fdt(d, 1);
	return parse_node(0, used);
}

static void expect_ok(const struct vm_desc *d, struct hart_claims *used)
{
	if (parse_one(d, used))
		fail_msg("valid VM rejected: %s", err);
}

/* -1, an error naming `field`, and the claims as they were (hart 3 is pinned to vm 'first'). */
static void expect_fail(const struct vm_desc *d, const char *field, const char *why)
{
	struct hart_claims used = { .used = 0x8, .pinned = 0x8 }, before;
	int r;

	strcpy(used.owner[3], "first");
	before = used;
	r = parse_one(d, &used);
	if (r != -1)
		fail_msg("%s: accepted (returned %d), want -1 naming %s", why, r, field);
	if (!strstr(err, field))
		fail_msg("%s: error \"%s\" does not name %s", why, err, field);
	if (memcmp(&used, &before, sizeof(used)))
		fail_msg("%s: hart claims %#lx/%#lx -> %#lx/%#lx on a failed VM", why, before.used, before.pinned,
			 used.used, used.pinned);
}

/* ---------------- valid VMs ---------------- */

static void test_valid_vm_defaults(void **state)
{
	struct vm_desc d = valid_vm();
	struct hart_claims used = { 0 };

	(void)state;
	free(fdt);
	fdt = make_fdt((const struct vm_desc[]){ d, d, d }, 3);
	if (parse_node(2, &used))
		fail_msg("valid VM rejected: %s", err);
	assert_string_equal(cfg.name, "vm2");
	assert_int_equal(cfg.nvcpus, 2);
	assert_int_equal(cfg.harts[0], 0);
	assert_int_equal(cfg.harts[1], 1);
	assert_int_equal(cfg.ram_base, 0x80000000);
	assert_int_equal(cfg.ram_size, 256 * MiB);
	assert_int_equal(cfg.kernel_addr, KERNEL_ADDR);
	assert_int_equal(cfg.kernel_size, 2 * MiB);
	assert_int_equal(cfg.kernel_offset, 2 * MiB);
	assert_int_equal(cfg.timer, TIMER_SSTC); /* the hart has Sstc */
	assert_int_equal(cfg.stage2_mode, HGATP_MODE_SV39X4);
	assert_string_equal(cfg.bootargs, "");
	assert_int_equal(used.used, 0x3);
}

static void test_valid_vm_all_fields(void **state)
{
	struct vm_desc d = valid_vm();
	struct hart_claims used = { .used = 0x1 };

	(void)state;
	d.name = "linux";
	d.harts[0] = 3;
	d.harts[1] = 1;
	d.harts[2] = 2;
	d.nharts = 3;
	d.mem_base = 0x100000000UL;
	d.mem_size = 1024 * MiB;
	d.kernel_addr = HOST_RAM_BASE + HOST_RAM_SIZE - 16 * MiB; /* ends at the end of host RAM */
	d.kernel_size = 16 * MiB;
	d.has_offset = 1;
	d.kernel_offset = 4 * MiB + 0x1000;
	d.timer = "sbi";
	d.stage2 = "sv48x4";
	d.bootargs = "console=hvc0 root=/dev/vda";
	expect_ok(&d, &used);
	assert_string_equal(cfg.name, "linux");
	assert_int_equal(cfg.nvcpus, 3);
	assert_int_equal(cfg.harts[0], 3);
	assert_int_equal(cfg.harts[1], 1);
	assert_int_equal(cfg.harts[2], 2);
	assert_int_equal(cfg.ram_base, 0x100000000UL);
	assert_int_equal(cfg.ram_size, 1024 * MiB);
	assert_int_equal(cfg.kernel_addr, HOST_RAM_BASE + HOST_RAM_SIZE - 16 * MiB);
	assert_int_equal(cfg.kernel_size, 16 * MiB);
	assert_int_equal(cfg.kernel_offset, 4 * MiB + 0x1000);
	assert_int_equal(cfg.timer, TIMER_SBI);
	assert_int_equal(cfg.stage2_mode, HGATP_MODE_SV48X4);
	assert_string_equal(cfg.bootargs, "console=hvc0 root=/dev/vda");
	assert_int_equal(used.used, 0xf);
}

static void test_timer_choices(void **state)
{
	struct vm_desc d = valid_vm();
	struct hart_claims used = { 0 };

	(void)state;
	d.timer = "sstc";
	expect_ok(&d, &used);
	assert_int_equal(cfg.timer, TIMER_SSTC);
	used = (struct hart_claims){ 0 };
	d.timer = "sbi";
	expect_ok(&d, &used);
	assert_int_equal(cfg.timer, TIMER_SBI);
	/* No property and no Sstc: the SBI timer */
	cpuf.has_sstc = 0;
	used = (struct hart_claims){ 0 };
	d.timer = NULL;
	expect_ok(&d, &used);
	assert_int_equal(cfg.timer, TIMER_SBI);
	used = (struct hart_claims){ 0 };
	d.timer = "sbi";
	expect_ok(&d, &used);
	assert_int_equal(cfg.timer, TIMER_SBI);
}

static void test_stage2_choices(void **state)
{
	struct vm_desc d = valid_vm();
	struct hart_claims used = { 0 };

	(void)state;
	d.stage2 = "sv39x4";
	expect_ok(&d, &used);
	assert_int_equal(cfg.stage2_mode, HGATP_MODE_SV39X4);
	used = (struct hart_claims){ 0 };
	d.stage2 = "sv48x4";
	expect_ok(&d, &used);
	assert_int_equal(cfg.stage2_mode, HGATP_MODE_SV48X4);
	/* No Sv39x4 on this hart: the default is Sv48x4 */
	cpuf.has_sv39x4 = 0;
	used = (struct hart_claims){ 0 };
	d.stage2 = NULL;
	expect_ok(&d, &used);
	assert_int_equal(cfg.stage2_mode, HGATP_MODE_SV48X4);
}

static void test_smallest_vm_and_largest_kernel(void **state)
{
	struct vm_desc d = valid_vm();
	struct hart_claims used = { 0 };

	(void)state;
	d.mem_size = 8 * MiB; /* the minimum */
	d.kernel_size = 4 * MiB; /* 2 MiB offset + 4 MiB + 2 MiB for the DTB */
	expect_ok(&d, &used);
	assert_int_equal(cfg.ram_size, 8 * MiB);
	used = (struct hart_claims){ 0 };
	d.mem_size = 256 * MiB;
	d.kernel_size = 252 * MiB;
	expect_ok(&d, &used);
	used = (struct hart_claims){ 0 };
	d.has_offset = 1;
	d.kernel_offset = 0;
	d.kernel_size = 254 * MiB;
	expect_ok(&d, &used);
	assert_int_equal(cfg.kernel_offset, 0);
}

static void test_names(void **state)
{
	struct vm_desc d = valid_vm();
	struct hart_claims used = { 0 };

	(void)state;
	d.name = "guest-a";
	expect_ok(&d, &used);
	assert_string_equal(cfg.name, "guest-a");
	used = (struct hart_claims){ 0 };
	d.name = "a-name-that-is-much-longer-than-thirty-two-bytes";
	expect_ok(&d, &used);
	assert_string_equal(cfg.name, "vm0");
	used = (struct hart_claims){ 0 };
	d.name = "";
	expect_ok(&d, &used);
	assert_string_equal(cfg.name, "vm0");
	/* A failing VM still has its name, for the error report */
	d.name = "broken";
	d.has_kernel = 0;
	expect_fail(&d, "keel,kernel", "no kernel");
	assert_string_equal(cfg.name, "broken");
}

static void test_bootargs_limits(void **state)
{
	struct vm_desc d = valid_vm();
	char longest[VM_BOOTARGS_MAX], too_long[VM_BOOTARGS_MAX + 1];
	struct hart_claims used = { 0 };

	(void)state;
	memset(longest, 'x', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	d.bootargs = longest;
	expect_ok(&d, &used);
	assert_string_equal(cfg.bootargs, longest);
	memset(too_long, 'y', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = '\0';
	d.bootargs = too_long;
	expect_fail(&d, "bootargs", "bootargs of 256 characters");
}

/* ---------------- invalid fields ---------------- */

static void test_bad_harts(void **state)
{
	struct vm_desc d = valid_vm();

	(void)state;
	d.harts[1] = 5;
	expect_fail(&d, "keel,harts", "hart 5 not in the hart mask");
	d.harts[1] = MAX_HARTS;
	expect_fail(&d, "keel,harts", "hart MAX_HARTS");
	d.harts[1] = 64;
	expect_fail(&d, "keel,harts", "hart 64");
	d.harts[1] = 0xffffffff;
	expect_fail(&d, "keel,harts", "hart 0xffffffff");
	d.harts[1] = 0;
	expect_fail(&d, "keel,harts", "hart 0 twice");
	d.harts[1] = 3;
	expect_fail(&d, "keel,harts", "hart 3, pinned to an earlier VM"); /* expect_fail starts with hart 3 pinned */
	assert_string_equal(err, "field keel,harts: hart 3 is pinned to vm 'first'");
	d.nharts = -1;
	expect_fail(&d, "keel,harts", "no keel,harts");
	d.nharts = 0;
	expect_fail(&d, "keel,harts", "empty keel,harts");
	plat.hart_mask = 0xfff;
	for (int i = 0; i < 9; i++)
		d.harts[i] = (uint32_t)i;
	d.nharts = 9;
	expect_fail(&d, "keel,harts", "9 harts");
}

static void test_vcpus_and_scheduling(void **state)
{
	struct vm_desc d = valid_vm();
	struct hart_claims used = { 0 };

	(void)state;
	/* Default: one vCPU per listed hart, the default slice and weight, not pinned. */
	expect_ok(&d, &used);
	assert_int_equal(cfg.nvcpus, 2);
	assert_int_equal(cfg.hart_mask, 0x3);
	assert_false(cfg.pinned);
	assert_false(cfg.wfi_exits); /* a guest WFI traps only where the hart is shared */
	assert_false(cfg.read_exits); /* reads of shadowed registers do not exit */
	assert_int_equal(cfg.slice_us, DEFAULT_SLICE_US);
	assert_int_equal(cfg.weight, DEFAULT_WEIGHT);
	/* Five vCPUs on harts 2 and 0: round robin over the list. */
	used = (struct hart_claims){ 0 };
	d.harts[0] = 2;
	d.harts[1] = 0;
	d.vcpus = 5;
	d.slice_us = 1000;
	d.weight = 3;
	d.wfi_exits = 1;
	d.read_exits = 1;
	expect_ok(&d, &used);
	assert_true(cfg.wfi_exits);
	assert_true(cfg.read_exits);
	assert_int_equal(cfg.nvcpus, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(cfg.harts[i], i % 2 ? 0 : 2);
	assert_int_equal(cfg.slice_us, 1000);
	assert_int_equal(cfg.weight, 3);
	assert_int_equal(used.used, 0x5);
	assert_int_equal(used.pinned, 0);
	assert_string_equal(used.owner[2], "vm0");

	d = valid_vm();
	d.vcpus = 9;
	expect_fail(&d, "keel,vcpus", "9 vCPUs");
	d.vcpus = -2; /* written as 0 */
	expect_fail(&d, "keel,vcpus", "0 vCPUs");
	d = valid_vm();
	d.slice_us = 99;
	expect_fail(&d, "keel,slice-us", "a 99 us slice");
	d.slice_us = 1000001;
	expect_fail(&d, "keel,slice-us", "a slice over a second");
	d = valid_vm();
	d.weight = 65;
	expect_fail(&d, "keel,weight", "weight 65");
	d.weight = -2;
	expect_fail(&d, "keel,weight", "weight 0");
	d = valid_vm();
	d.pinned = 1;
	d.vcpus = 3;
	expect_fail(&d, "keel,pinned", "3 pinned vCPUs on 2 harts");
}

/* Each vCPU goes to the listed hart with the fewest vCPUs so far, earlier VMs' included. */
static void test_placement_balances(void **state)
{
	struct vm_desc d[3] = { valid_vm(), valid_vm(), valid_vm() };
	struct hart_claims used = { 0 };

	(void)state;
	d[0].vcpus = 1; /* lists harts 0 and 1: lands on 0 */
	d[1].vcpus = 1; /* the same list: lands on 1, the emptier */
	d[2].harts[0] = 0; /* lists 0, 1, 2 with 4 vCPUs: 2, 2 (hart 2 is empty), then 0, 1 */
	d[2].harts[1] = 1;
	d[2].harts[2] = 2;
	d[2].nharts = 3;
	d[2].vcpus = 4;
	fdt = make_fdt(d, 3);
	assert_int_equal(parse_node(0, &used), 0);
	assert_int_equal(cfg.harts[0], 0);
	assert_int_equal(used.used, 0x3); /* both listed harts are the VM's to run on */
	assert_int_equal(parse_node(1, &used), 0);
	assert_int_equal(cfg.harts[0], 1);
	assert_int_equal(parse_node(2, &used), 0);
	assert_int_equal(cfg.harts[0], 2);
	assert_int_equal(cfg.harts[1], 0);
	assert_int_equal(cfg.harts[2], 1);
	assert_int_equal(cfg.harts[3], 2);
	assert_int_equal(used.vcpus[0], 2);
	assert_int_equal(used.vcpus[1], 2);
	assert_int_equal(used.vcpus[2], 2);
}

static void test_pinned_harts(void **state)
{
	struct vm_desc d[4] = { valid_vm(), valid_vm(), valid_vm(), valid_vm() };
	struct hart_claims used = { 0 };

	(void)state;
	d[0].name = "shared";
	d[0].harts[0] = 0;
	d[0].nharts = 1;
	d[1].name = "alone"; /* pinned, but hart 0 already runs 'shared' */
	d[1].pinned = 1;
	d[2].name = "rt"; /* pinned on harts 2 and 3 */
	d[2].pinned = 1;
	d[2].harts[0] = 2;
	d[2].harts[1] = 3;
	d[3].name = "late"; /* wants hart 3 of 'rt' */
	d[3].harts[0] = 1;
	d[3].harts[1] = 3;
	fdt = make_fdt(d, 4);
	assert_int_equal(parse_node(0, &used), 0);
	assert_int_equal(parse_node(1, &used), -1);
	assert_string_equal(err, "field keel,pinned: hart 0 is already used by vm 'shared'");
	assert_int_equal(used.used, 0x1);
	assert_int_equal(parse_node(2, &used), 0);
	assert_true(cfg.pinned);
	assert_int_equal(used.used, 0xd);
	assert_int_equal(used.pinned, 0xc);
	assert_int_equal(parse_node(3, &used), -1);
	assert_string_equal(err, "field keel,harts: hart 3 is pinned to vm 'rt'");
	assert_int_equal(used.used, 0xd);
}

static void test_hart_used_by_earlier_vm(void **state)
{
	struct vm_desc d[3] = { valid_vm(), valid_vm(), valid_vm() };
	struct hart_claims used = { 0 };

	(void)state;
	d[1].harts[0] = 1; /* shared with vm@0 */
	d[1].harts[1] = 2;
	d[2].harts[0] = 2;
	d[2].harts[1] = 3;
	d[2].has_kernel = 0; /* refused: hart 3 is not kept */
	fdt = make_fdt(d, 3);
	assert_int_equal(parse_node(0, &used), 0);
	assert_int_equal(used.used, 0x3);
	assert_int_equal(parse_node(1, &used), 0);
	assert_int_equal(used.used, 0x7);
	assert_string_equal(used.owner[1], "vm0"); /* the first VM on a hart names it */
	assert_string_equal(used.owner[2], "vm1");
	assert_int_equal(parse_node(2, &used), -1);
	assert_int_equal(used.used, 0x7);
	assert_int_equal(used.pinned, 0);
}

static void test_bad_memory(void **state)
{
	struct vm_desc d = valid_vm();

	(void)state;
	d.has_memory = 0;
	expect_fail(&d, "keel,memory", "no keel,memory");
	d = valid_vm();
	d.memory_bytes = 8;
	expect_fail(&d, "keel,memory", "keel,memory of two cells");
	d = valid_vm();
	d.mem_base = 0x80100000;
	expect_fail(&d, "keel,memory", "base 1 MiB aligned");
	d = valid_vm();
	d.mem_size = 256 * MiB + 0x1000;
	expect_fail(&d, "keel,memory", "size not 2 MiB aligned");
	d = valid_vm();
	d.mem_size = 6 * MiB;
	expect_fail(&d, "keel,memory", "6 MiB");
	d = valid_vm();
	d.mem_size = 0;
	expect_fail(&d, "keel,memory", "size 0");
	d = valid_vm();
	d.mem_base = (1UL << 41) - 4 * MiB;
	d.mem_size = 8 * MiB;
	expect_fail(&d, "keel,memory", "past 2^41");
	d = valid_vm();
	d.mem_base = ~0UL - 2 * MiB + 1;
	d.mem_size = 8 * MiB;
	expect_fail(&d, "keel,memory", "wrapping");
}

static void test_bad_kernel(void **state)
{
	struct vm_desc d = valid_vm();

	(void)state;
	d.has_kernel = 0;
	expect_fail(&d, "keel,kernel", "no keel,kernel");
	d = valid_vm();
	d.kernel_size = 0;
	expect_fail(&d, "keel,kernel", "empty image");
	d = valid_vm();
	d.kernel_addr = 0x40000000;
	expect_fail(&d, "keel,kernel", "image below host RAM");
	d = valid_vm();
	d.kernel_addr = HOST_RAM_BASE + HOST_RAM_SIZE - MiB;
	expect_fail(&d, "keel,kernel", "image running past host RAM");
	d = valid_vm();
	d.kernel_addr = HOST_RAM_BASE + HOST_RAM_SIZE;
	expect_fail(&d, "keel,kernel", "image after host RAM");
	d = valid_vm();
	d.kernel_addr = ~0UL - MiB + 1;
	expect_fail(&d, "keel,kernel", "image wrapping");
	d = valid_vm();
	d.kernel_size = 252 * MiB + 0x1000; /* 2 MiB offset + this + 2 MiB DTB > 256 MiB */
	expect_fail(&d, "keel,kernel", "image too big for guest RAM");
	d = valid_vm();
	d.has_offset = 1;
	d.kernel_offset = 0x1001;
	expect_fail(&d, "keel,kernel", "kernel-offset not page aligned");
	d = valid_vm();
	d.has_offset = 1;
	d.kernel_offset = 254 * MiB;
	expect_fail(&d, "keel,kernel", "kernel-offset leaves no room");
}

/* kernel-offset + kernel size + 2 MiB must not wrap around and pass the size check. */
static void test_kernel_offset_overflow(void **state)
{
	struct vm_desc d = valid_vm();

	(void)state;
	d.has_offset = 1;
	d.kernel_offset = ~0UL - 2 * MiB + 1; /* 2^64 - 2 MiB: offset + 2 MiB image wraps to 0 */
	expect_fail(&d, "keel,kernel", "kernel-offset 2^64 - 2 MiB");
	d.kernel_offset = ~0UL - 4 * MiB + 1;
	expect_fail(&d, "keel,kernel", "kernel-offset 2^64 - 4 MiB");
}

static void test_bad_timer(void **state)
{
	struct vm_desc d = valid_vm();

	(void)state;
	cpuf.has_sstc = 0;
	d.timer = "sstc";
	expect_fail(&d, "keel,timer", "sstc without Sstc");
	cpuf.has_sstc = 1;
	d.timer = "clint";
	expect_fail(&d, "keel,timer", "unknown timer");
	d.timer = "";
	expect_fail(&d, "keel,timer", "empty timer");
	d.timer = "SBI";
	expect_fail(&d, "keel,timer", "upper-case timer");
}

/* A host with the AIA: IMSIC files with 3 guest index bits (7 guest files mapped), hgeie of `geilen`. */
static void aia_host(unsigned geilen)
{
	plat.irqc = HOST_IRQC_APLIC_MSI;
	plat.imsic_guest_bits = 3;
	plat.imsic_ids = 255;
	cpuf.has_ssaia = 1;
	cpuf.geilen = geilen;
}

static void test_irqchip_default_and_plic(void **state)
{
	struct vm_desc d = valid_vm();
	struct hart_claims used = { 0 };

	(void)state;
	aia_host(7);
	expect_ok(&d, &used);
	assert_int_equal(cfg.irqchip, VM_IRQCHIP_PLIC);
	assert_int_equal(cfg.aia_file[0], 0);
	d.irqchip = "plic";
	expect_ok(&d, &used);
	assert_int_equal(cfg.irqchip, VM_IRQCHIP_PLIC);
	assert_int_equal(used.files[0], 0);
}

/* Each vCPU takes the next free guest file of its hart, earlier VMs' counted; files are per hart. */
static void test_irqchip_aia_files(void **state)
{
	struct vm_desc d[3] = { valid_vm(), valid_vm(), valid_vm() };
	struct hart_claims used = { 0 };

	(void)state;
	aia_host(3); /* fewer files than the IMSIC maps: hgeie decides */
	for (int i = 0; i < 3; i++)
		d[i].irqchip = "aia";
	d[1].vcpus = 3; /* harts 0, 1, 0 */
	d[2].vcpus = 2;
	fdt = make_fdt(d, 3);
	assert_int_equal(parse_node(0, &used), 0);
	assert_int_equal(cfg.irqchip, VM_IRQCHIP_AIA);
	assert_int_equal(cfg.aia_file[0], 1);
	assert_int_equal(cfg.aia_file[1], 1);
	assert_int_equal(parse_node(1, &used), 0);
	assert_int_equal(cfg.harts[2], 0);
	assert_int_equal(cfg.aia_file[0], 2);
	assert_int_equal(cfg.aia_file[1], 2);
	assert_int_equal(cfg.aia_file[2], 3);
	assert_int_equal(used.files[0], 3);
	assert_int_equal(used.files[1], 2);
	/* Hart 0 has none left: refused, and nothing is claimed. */
	assert_int_equal(parse_node(2, &used), -1);
	assert_non_null(strstr(err, "keel,irqchip"));
	assert_non_null(strstr(err, "hart 0 has no free guest interrupt file"));
	assert_int_equal(used.files[0], 3);
	assert_int_equal(used.files[1], 2);
}

static void test_bad_irqchip(void **state)
{
	struct vm_desc d = valid_vm();
	static const uint32_t dev[] = { 0, 0x10001000, 0, 0x1000, 8 };

	(void)state;
	d.irqchip = "aia";
	expect_fail(&d, "keel,irqchip", "aia on a PLIC host");
	aia_host(0);
	expect_fail(&d, "keel,irqchip", "aia with no hgeie bits");
	aia_host(7);
	d.devices = dev;
	d.ndevice_cells = 5;
	expect_fail(&d, "keel,irqchip", "aia with a pass-through interrupt");
	d.devices = NULL;
	d.irqchip = "AIA";
	expect_fail(&d, "keel,irqchip", "upper-case irqchip");
	d.irqchip = "";
	expect_fail(&d, "keel,irqchip", "empty irqchip");
}

static void test_bad_stage2(void **state)
{
	struct vm_desc d = valid_vm();

	(void)state;
	d.stage2 = "sv57x4";
	expect_fail(&d, "keel,stage2", "sv57x4");
	d.stage2 = "sv39";
	expect_fail(&d, "keel,stage2", "sv39");
	d.stage2 = "bare";
	expect_fail(&d, "keel,stage2", "bare");
	cpuf.has_sv48x4 = 0;
	d.stage2 = "sv48x4";
	expect_fail(&d, "keel,stage2", "sv48x4 on a hart without it");
	cpuf.has_sv48x4 = 1;
	cpuf.has_sv39x4 = 0;
	d.stage2 = "sv39x4";
	expect_fail(&d, "keel,stage2", "sv39x4 on a hart without it");
}

static void test_devices(void **state)
{
	static const uint32_t two[] = { 0, 0x10008000, 0, 0x1000, 8, 0x1, 0x00000000, 0, 0x200000, 0 };
	struct vm_desc d = valid_vm();
	struct hart_claims used = { 0 };

	(void)state;
	expect_ok(&d, &used);
	assert_int_equal(cfg.npass, 0);
	used = (struct hart_claims){ 0 };
	d.devices = two;
	d.ndevice_cells = 10;
	expect_ok(&d, &used);
	assert_int_equal(cfg.npass, 2);
	assert_int_equal(cfg.pass[0].base, 0x10008000);
	assert_int_equal(cfg.pass[0].size, 0x1000);
	assert_int_equal(cfg.pass[0].irq, 8);
	assert_int_equal(cfg.pass[1].base, 0x100000000UL);
	assert_int_equal(cfg.pass[1].size, 0x200000);
	assert_int_equal(cfg.pass[1].irq, 0);
}

static void test_bad_devices(void **state)
{
	static const uint32_t five[25] = { 0, 0x1000, 0, 0x1000, 0, 0, 0x2000, 0, 0x1000, 0, 0, 0x3000, 0, 0x1000, 0,
					   0, 0x4000, 0, 0x1000, 0, 0, 0x5000, 0, 0x1000, 0 };
	static const uint32_t misaligned[] = { 0, 0x10008800, 0, 0x1000, 8 };
	static const uint32_t odd_size[] = { 0, 0x10008000, 0, 0x1800, 8 };
	static const uint32_t empty[] = { 0, 0x10008000, 0, 0, 8 };
	static const uint32_t wraps[] = { 0xffffffff, 0xfffff000, 0, 0x2000, 8 };
	struct vm_desc d = valid_vm();

	(void)state;
	d.devices = five;
	d.ndevice_cells = 25;
	expect_fail(&d, "keel,devices", "5 devices");
	d.ndevice_cells = 4;
	expect_fail(&d, "keel,devices", "4 cells");
	d.ndevice_cells = 6;
	expect_fail(&d, "keel,devices", "6 cells");
	d.devices = misaligned;
	d.ndevice_cells = 5;
	expect_fail(&d, "keel,devices", "base not page aligned");
	d.devices = odd_size;
	expect_fail(&d, "keel,devices", "size not page aligned");
	d.devices = empty;
	expect_fail(&d, "keel,devices", "size 0");
	d.devices = wraps;
	expect_fail(&d, "keel,devices", "range wraps");
}

static void test_disks(void **state)
{
	/* host disk 0 whole, read-write; host disk 1 from sector 2^32 + 2048, 4096 sectors, read-only */
	static const uint32_t two[] = { 0, 0, 0, 0, 0, 0, 1, 1, 2048, 0, 4096, VM_DISK_RO };
	struct vm_desc d = valid_vm();
	struct hart_claims used = { 0 };

	(void)state;
	expect_ok(&d, &used);
	assert_int_equal(cfg.ndisks, 0);
	used = (struct hart_claims){ 0 };
	d.disks = two;
	d.ndisk_cells = 12;
	expect_ok(&d, &used);
	assert_int_equal(cfg.ndisks, 2);
	assert_int_equal(cfg.disks[0].host, 0);
	assert_int_equal(cfg.disks[0].nsectors, 0);
	assert_int_equal(cfg.disks[0].flags, 0);
	assert_int_equal(cfg.disks[1].host, 1);
	assert_int_equal(cfg.disks[1].start, (1ULL << 32) + 2048);
	assert_int_equal(cfg.disks[1].nsectors, 4096);
	assert_int_equal(cfg.disks[1].flags, VM_DISK_RO);
}

static void test_bad_disks(void **state)
{
	static const uint32_t five[30] = { 0 };
	static const uint32_t bad_flags[] = { 0, 0, 0, 0, 0, 2 };
	static const uint32_t wraps[] = { 0, 0xffffffff, 0xffffff00, 0, 0x1000, 0 };
	struct vm_desc d = valid_vm();

	(void)state;
	d.disks = five;
	d.ndisk_cells = 30;
	expect_fail(&d, "keel,disks", "5 disks");
	d.ndisk_cells = 5;
	expect_fail(&d, "keel,disks", "5 cells");
	d.ndisk_cells = 7;
	expect_fail(&d, "keel,disks", "7 cells");
	d.ndisk_cells = 0;
	expect_fail(&d, "keel,disks", "empty");
	d.disks = bad_flags;
	d.ndisk_cells = 6;
	expect_fail(&d, "keel,disks", "unknown flag");
	d.disks = wraps;
	expect_fail(&d, "keel,disks", "start + nsectors wraps");
}

/* One VM parsed afresh (no harts taken before). */
static void nics_ok(const struct vm_desc *d)
{
	struct hart_claims used = { 0 };

	expect_ok(d, &used);
}

static void test_nics(void **state)
{
	struct vm_desc d = valid_vm();
	static const uint8_t mac[] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0x02, 0, 0, 0, 0, 0x66 };
	uint8_t first[VM_MAC_LEN];

	(void)state;
	nics_ok(&d);
	assert_int_equal(cfg.nnics, 0);
	d.nics = "lan\0other";
	d.nics_len = sizeof("lan\0other");
	nics_ok(&d);
	assert_int_equal(cfg.nnics, 2);
	assert_string_equal(cfg.nics[0].net, "lan");
	assert_string_equal(cfg.nics[1].net, "other");
	/* default MACs: locally administered unicast, from the VM's name, one apart, the same every time */
	assert_int_equal(cfg.nics[0].mac[0], 0x02);
	assert_int_equal(cfg.nics[0].mac[1], 0x4b);
	assert_int_equal((uint8_t)(cfg.nics[0].mac[5] + 1), cfg.nics[1].mac[5]);
	memcpy(first, cfg.nics[0].mac, VM_MAC_LEN);
	nics_ok(&d);
	assert_memory_equal(first, cfg.nics[0].mac, VM_MAC_LEN);
	d.macs = mac;
	d.macs_len = sizeof(mac);
	nics_ok(&d);
	assert_memory_equal(cfg.nics[0].mac, mac, VM_MAC_LEN);
	assert_memory_equal(cfg.nics[1].mac, mac + VM_MAC_LEN, VM_MAC_LEN);
}

static void test_bad_nics(void **state)
{
	struct vm_desc d = valid_vm();
	static const uint8_t group[] = { 0x03, 0, 0, 0, 0, 1 };
	static const uint8_t one[] = { 0x02, 0, 0, 0, 0, 1 };

	(void)state;
	d.nics = "a\0b\0c";
	d.nics_len = sizeof("a\0b\0c");
	expect_fail(&d, "keel,nics", "3 NICs");
	d.nics = "a-name-of-16-chr";
	d.nics_len = sizeof("a-name-of-16-chr");
	expect_fail(&d, "keel,nics", "a 16-character name");
	d.nics = "lan\0\0";
	d.nics_len = 5;
	expect_fail(&d, "keel,nics", "an empty name");
	d.nics = "lan";
	d.nics_len = 3; /* not NUL-terminated */
	expect_fail(&d, "keel,nics", "no terminating NUL");
	d.nics_len = 4;
	d.macs = group;
	d.macs_len = sizeof(group);
	expect_fail(&d, "keel,macs", "a multicast MAC");
	d.macs = one;
	d.macs_len = 5;
	expect_fail(&d, "keel,macs", "5 bytes");
	d.nics = NULL;
	d.macs_len = 6;
	expect_fail(&d, "keel,macs", "MACs without NICs");
}

/* Every way to fail leaves used_harts alone, even with good harts listed. */
static void test_console(void **state)
{
	struct vm_desc d = valid_vm();
	struct hart_claims used = { 0 };
	static const struct {
		const char *value;
		int len;
		const char *why; /* NULL: accepted */
		enum vm_console_kind kind;
	} cases[] = {
		{ "uart", sizeof("uart"), NULL, VM_CONSOLE_UART },
		{ "virtio", sizeof("virtio"), NULL, VM_CONSOLE_VIRTIO },
		{ "hvc", sizeof("hvc"), "an unknown device", 0 },
		{ "virtio", sizeof("virtio") - 1, "no terminating NUL", 0 },
		{ "", 0, "an empty property", 0 },
	};

	(void)state;
	expect_ok(&d, &used);
	assert_int_equal(cfg.console, VM_CONSOLE_UART); /* the default */
	for (unsigned i = 0; i < ARRAY_LEN(cases); i++) {
		d.console = cases[i].value;
		d.console_len = cases[i].len;
		if (cases[i].why) {
			expect_fail(&d, "keel,console", cases[i].why);
			continue;
		}
		memset(&used, 0, sizeof(used));
		expect_ok(&d, &used);
		assert_int_equal(cfg.console, cases[i].kind);
	}
}

static void test_failed_vm_keeps_no_harts(void **state)
{
	struct vm_desc d;
	struct hart_claims used;

	(void)state;
	static const uint32_t bad_device[] = { 0, 0x10008001, 0, 0x1000, 0 };

	for (int c = 0; c < 8; c++) {
		d = valid_vm();
		d.harts[0] = 2;
		d.harts[1] = 1;
		switch (c) {
		case 0:
			d.has_memory = 0;
			break;
		case 1:
			d.has_kernel = 0;
			break;
		case 2:
			d.timer = "nope";
			break;
		case 3:
			d.stage2 = "nope";
			break;
		case 4:
			d.bootargs = "x";
			d.has_offset = 1;
			d.kernel_offset = 0x10;
			break;
		case 5:
			d.devices = bad_device;
			d.ndevice_cells = 5;
			break;
		case 6:
			d.harts[2] = 7;
			d.nharts = 3;
			break;
		default:
			d.harts[2] = 0;
			d.nharts = 3;
			break; /* hart 0 is pinned */
		}
		used = (struct hart_claims){ .used = 0x1, .pinned = 0x1 };
		assert_int_equal(parse_one(&d, &used), -1);
		if (used.used != 0x1 || used.pinned != 0x1)
			fail_msg("case %d (%s): hart claims became %#lx/%#lx", c, err, used.used, used.pinned);
	}
}

static void test_error_text(void **state)
{
	struct vm_desc d = valid_vm();
	struct hart_claims used = { 0 };
	char *small = malloc(12); /* exact size: ASan sees an overrun */
	int node;

	(void)state;
	d.has_memory = 0;
	assert_int_equal(parse_one(&d, &used), -1);
	assert_string_equal(err, "field keel,memory: missing");
	assert_non_null(small);
	node = fdt_path_offset(fdt, "/chosen/keel,vm@0");
	assert_int_equal(vm_config_parse(fdt, node, 0, &plat, &cpuf, &used, &cfg, small, 12), -1);
	assert_int_equal(strlen(small), 11);
	assert_memory_equal(small, "field keel,", 11);
	free(small);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_valid_vm_defaults),
		T(test_valid_vm_all_fields),
		T(test_timer_choices),
		T(test_stage2_choices),
		T(test_smallest_vm_and_largest_kernel),
		T(test_names),
		T(test_bootargs_limits),
		T(test_bad_harts),
		T(test_hart_used_by_earlier_vm),
		T(test_vcpus_and_scheduling),
		T(test_placement_balances),
		T(test_pinned_harts),
		T(test_bad_memory),
		T(test_bad_kernel),
		T(test_kernel_offset_overflow),
		T(test_bad_timer),
		T(test_irqchip_default_and_plic),
		T(test_irqchip_aia_files),
		T(test_bad_irqchip),
		T(test_bad_stage2),
		T(test_devices),
		T(test_bad_devices),
		T(test_disks),
		T(test_bad_disks),
		T(test_nics),
		T(test_bad_nics),
		T(test_console),
		T(test_failed_vm_keeps_no_harts),
		T(test_error_text),
	};

	return run_unit_tests(tests);
}
