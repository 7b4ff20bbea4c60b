/* Host tests for board/guest_fdt.c: the guest ISA string and the DTB each VM boots with. */
#include "unit.h"
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include "vdev/syscon.h"
#include "vdev/vplic.h"
#include "vdev/vuart.h"
#include "board/guest_fdt.h"
#include "drivers/platform.h"
#include "vdev/vaplic.h"

#define HOST_ISA "rv64imafdch_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc"
#define GUEST_ISA "rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs"

static void expect_isa(const char *host, int sstc, const char *want)
{
	char out[1024];

	memset(out, 'X', sizeof(out));
	if (guest_isa_string(host, sstc, out, sizeof(out)) != 0)
		fail_msg("\"%s\" (sstc %d): failed, want \"%s\"", host, sstc, want);
	if (strcmp(out, want))
		fail_msg("\"%s\" (sstc %d): \"%s\", want \"%s\"", host, sstc, out, want);
}

static void test_isa_drops_h_and_sstc(void **state)
{
	(void)state;
	expect_isa(HOST_ISA, 0, GUEST_ISA);
	expect_isa(HOST_ISA, 1, GUEST_ISA "_sstc");
}

static void test_isa_single_letters_only(void **state)
{
	(void)state;
	expect_isa("rv64imac", 0, "rv64imac");
	expect_isa("rv64imafdch", 0, "rv64imafdc");
	expect_isa("rv64imafdch", 1, "rv64imafdc");
	expect_isa("rv64h", 0, "rv64");
	expect_isa("rv64", 0, "rv64");
	expect_isa("rv32imach", 0, "rv32imac");
}

static void test_isa_drops_hypervisor_extensions(void **state)
{
	(void)state;
	expect_isa("rv64imac_hfoo_zicsr", 0, "rv64imac_zicsr");
	expect_isa("rv64imac_zicsr_hbar", 1, "rv64imac_zicsr");
	expect_isa("rv64imach_h_svinval", 0, "rv64imac_svinval");
}

static void test_isa_sstc_position_and_lookalikes(void **state)
{
	(void)state;
	expect_isa("rv64imac_sstc_zicsr", 0, "rv64imac_zicsr");
	expect_isa("rv64imac_sstc_zicsr", 1, "rv64imac_sstc_zicsr");
	expect_isa("rv64imac_sstc", 0, "rv64imac");
	/* Names that only start or end like sstc are other extensions, and not on the whitelist */
	expect_isa("rv64imac_sstcx_zicsr", 1, "rv64imac_zicsr");
	expect_isa("rv64imac_ssstc", 1, "rv64imac");
	/* Empty names from doubled or trailing underscores vanish */
	expect_isa("rv64imac__zicsr_", 0, "rv64imac_zicsr");
}

/* An RVA23 hart of QEMU 10.0 (-cpu rva23s64, its board DT): only what Keel virtualizes reaches the guest. */
#define RVA23_HEAD "rv64imafdcb"
#define RVA23_ZI                                                                                               \
	"_zic64b_zicbom_zicbop_zicboz_ziccamoa_ziccif_zicclsm_ziccrse_zicond_zicntr_zicsr_zifencei_zihintntl_" \
	"zihintpause"
#define RVA23_MID "_zimop_zmmul_za64rs_zaamo_zalrsc_zawrs_zfa_zfhmin_zca_zcb_zcd_zcmop_zba_zbb_zbs_zkt"
#define RVA23_VECTOR "_zvbb_zve32f_zve32x_zve64f_zve64d_zve64x_zvfhmin_zvkb_zvkt"
#define RVA23_ISA                                                                                                     \
	RVA23_HEAD "vh" RVA23_ZI "_zihpm" RVA23_MID RVA23_VECTOR                                                      \
		   "_shcounterenw_sha_shgatpa_shtvala_shvsatpa_shvstvala_shvstvecd_smnpm_smstateen_ssccptr_sscofpmf_" \
		   "sscounterenw_ssnpm_ssstateen_sstc_sstvala_sstvecd_ssu64xl_supm_svade_svinval_svnapot_svpbmt"

static void test_isa_whitelist_rva23(void **state)
{
	(void)state;
	/* Nothing offered: no V (nor its family), Sstc, Svpbmt, Zicbom, Zicboz; never PMU, stateen, h*, ... */
	expect_isa(RVA23_ISA, 0,
		   RVA23_HEAD "_zic64b_zicbop_ziccamoa_ziccif_zicclsm_ziccrse_zicond_zicntr_zicsr_zifencei_zihintntl_"
			      "zihintpause" RVA23_MID "_svade_svinval_svnapot");
	expect_isa(RVA23_ISA, GUEST_ISA_V | GUEST_ISA_SSTC | GUEST_ISA_SVPBMT | GUEST_ISA_ZICBOM | GUEST_ISA_ZICBOZ,
		   RVA23_HEAD "v" RVA23_ZI RVA23_MID RVA23_VECTOR "_sstc_svade_svinval_svnapot_svpbmt");
	/* QEMU 10 adds AIA with -machine virt,aia=aplic-imsic: hidden */
	expect_isa("rv64imafdch_smaia_ssaia_zicsr", GUEST_ISA_V, "rv64imafdc_zicsr");
	expect_isa("rv64imafdcvh", GUEST_ISA_V, "rv64imafdcv");
	expect_isa("rv64imafdcvh_zve64d", 0, "rv64imafdc");
	expect_isa("rv64gch", 0, "rv64gc");
	/* Unknown names (vendor, new, look-alikes) are hidden */
	expect_isa("rv64imac_xtheadba_zicsrx_zkr_zk_svadu_ssaia", 0, "rv64imac");
}

static void test_isa_queries(void **state)
{
	char list[128];
	static const char want[] = "i\0m\0a\0c\0v\0zicsr\0sstc";

	(void)state;
	assert_true(isa_string_has("rv64imacv_zicsr_sstc", "sstc"));
	assert_true(isa_string_has("rv64imacv_zicsr_sstc", "zicsr"));
	assert_true(isa_string_has("rv64imacv_zicsr_sstc", "v"));
	assert_false(isa_string_has("rv64imac_zicsr_sstc", "v"));
	assert_false(isa_string_has("rv64imac_zicsr_sstcx", "sstc"));
	assert_false(isa_string_has("rv64imac_zvl128b", "zvl"));
	assert_false(isa_string_has("rv64imac_vz", "v"));
	assert_int_equal(isa_extension_list("rv64imacv_zicsr__sstc", list, sizeof(list)), (int)sizeof(want));
	assert_memory_equal(list, want, sizeof(want));
	assert_int_equal(isa_extension_list("rv64imacv_zicsr_sstc", list, sizeof(want) - 1), -1);
	assert_int_equal(isa_extension_list("rv64imacv_zicsr_sstc", list, sizeof(want)), (int)sizeof(want));
	assert_int_equal(isa_extension_list("x86", list, sizeof(list)), -1);
	assert_int_equal(guest_isa_henvcfg("rv64imac"), 0);
	assert_int_equal(guest_isa_henvcfg("rv64imac_sstc_svpbmt_zicbom_zicboz"),
			 HENVCFG_STCE | HENVCFG_PBMTE | HENVCFG_CBCFE | HENVCFG_CBIE_FLUSH | HENVCFG_CBZE);
	assert_int_equal(guest_isa_henvcfg("rv64imac_zicbop_svnapot"), 0);
}

static void test_isa_rejects_bad_input(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(guest_isa_string("", 0, out, sizeof(out)), -1);
	assert_int_equal(guest_isa_string("rv12imac", 0, out, sizeof(out)), -1);
	assert_int_equal(guest_isa_string("imac", 0, out, sizeof(out)), -1);
	assert_int_equal(guest_isa_string("rv6", 0, out, sizeof(out)), -1);
}

static void test_isa_output_too_small(void **state)
{
	size_t need = strlen(GUEST_ISA) + 1;
	char *out = malloc(need); /* exact size on the heap: ASan sees any overrun */

	(void)state;
	assert_non_null(out);
	assert_int_equal(guest_isa_string(HOST_ISA, 0, out, need), 0);
	assert_string_equal(out, GUEST_ISA);
	assert_int_equal(guest_isa_string(HOST_ISA, 0, out, need - 1), -1);
	assert_int_equal(guest_isa_string(HOST_ISA, 1, out, need), -1); /* "_sstc" no longer fits */
	assert_int_equal(guest_isa_string(HOST_ISA, 0, out, 5), -1);
	assert_int_equal(guest_isa_string(HOST_ISA, 0, out, 4), -1);
	assert_int_equal(guest_isa_string(HOST_ISA, 0, out, 1), -1);
	assert_int_equal(guest_isa_string(HOST_ISA, 0, out, 0), -1);
	assert_int_equal(guest_isa_string("rv64imac", 0, out, 9), 0);
	assert_string_equal(out, "rv64imac");
	assert_int_equal(guest_isa_string("rv64imac", 0, out, 8), -1);
	free(out);
}

/* ---------------- the DTB ---------------- */

static struct vm_config base_cfg(void)
{
	struct vm_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.name, "linux0");
	cfg.nvcpus = 3;
	cfg.harts[0] = 1;
	cfg.harts[1] = 2;
	cfg.harts[2] = 3;
	cfg.ram_base = 0x80000000;
	cfg.ram_size = 0x10000000;
	cfg.timer = TIMER_SSTC;
	strcpy(cfg.bootargs, "console=hvc0 earlycon=sbi");
	return cfg;
}

static void *build_with_host(const struct vm_config *cfg, const char *isa, unsigned long timebase, const void *host_fdt)
{
	void *buf = malloc(GUEST_FDT_MAX);
	int size;

	assert_non_null(buf);
	struct guest_harts harts = { .host_isa = isa, .timebase = timebase, .imsic_ids = 255 };

	size = guest_fdt_build(buf, GUEST_FDT_MAX, cfg, &harts, host_fdt);
	if (size <= 0) {
		free(buf);
		fail_msg("guest_fdt_build: %d (%s)", size, fdt_strerror(size));
	}
	assert_int_equal(fdt_check_header(buf), 0);
	assert_int_equal(fdt_totalsize(buf), (unsigned)size);
	assert_true(size <= GUEST_FDT_MAX);
	return buf;
}

static void *build(const struct vm_config *cfg, const char *isa, unsigned long timebase)
{
	return build_with_host(cfg, isa, timebase, NULL);
}

static const char *prop_str(const void *fdt, const char *path, const char *name)
{
	int node = fdt_path_offset(fdt, path), len;
	const char *s;

	if (node < 0)
		fail_msg("no node %s", path);
	s = fdt_getprop(fdt, node, name, &len);
	if (!s)
		fail_msg("%s has no %s", path, name);
	assert_true(len >= 1);
	assert_int_equal(s[len - 1], '\0');
	return s;
}

static uint32_t prop_u32(const void *fdt, const char *path, const char *name)
{
	int node = fdt_path_offset(fdt, path), len;
	const fdt32_t *p;

	if (node < 0)
		fail_msg("no node %s", path);
	p = fdt_getprop(fdt, node, name, &len);
	if (!p || len != 4)
		fail_msg("%s/%s: not one cell", path, name);
	return fdt32_to_cpu(*p);
}

static void test_fdt_root_and_chosen(void **state)
{
	struct vm_config cfg = base_cfg();
	void *fdt = build(&cfg, HOST_ISA, 10000000);

	(void)state;
	assert_int_equal(prop_u32(fdt, "/", "#address-cells"), 2);
	assert_int_equal(prop_u32(fdt, "/", "#size-cells"), 2);
	assert_string_equal(prop_str(fdt, "/", "model"), "linux0");
	assert_string_equal(prop_str(fdt, "/", "compatible"), "keel,vm");
	assert_string_equal(prop_str(fdt, "/chosen", "bootargs"), "console=hvc0 earlycon=sbi");
	free(fdt);

	cfg.bootargs[0] = '\0';
	fdt = build(&cfg, HOST_ISA, 10000000);
	assert_string_equal(prop_str(fdt, "/chosen", "bootargs"), "");
	free(fdt);
}

static void check_memory_node(const void *fdt, const char *path, uint64_t base, uint64_t size)
{
	int node = fdt_path_offset(fdt, path), len;
	const fdt64_t *reg;

	if (node < 0)
		fail_msg("no node %s", path);
	assert_string_equal(prop_str(fdt, path, "device_type"), "memory");
	reg = fdt_getprop(fdt, node, "reg", &len);
	assert_non_null(reg);
	assert_int_equal(len, 16);
	assert_int_equal(fdt64_ld(&reg[0]), base); /* properties are only 4-byte aligned */
	assert_int_equal(fdt64_ld(&reg[1]), size);
}

static void test_fdt_memory(void **state)
{
	struct vm_config cfg = base_cfg();
	void *fdt = build(&cfg, HOST_ISA, 10000000);

	(void)state;
	check_memory_node(fdt, "/memory@80000000", 0x80000000, 0x10000000);
	free(fdt);

	cfg.ram_base = 0x100000000UL;
	cfg.ram_size = 0x180000000UL; /* 6 GiB: the size needs both cells */
	fdt = build(&cfg, HOST_ISA, 10000000);
	check_memory_node(fdt, "/memory@100000000", 0x100000000UL, 0x180000000UL);
	assert_true(fdt_path_offset(fdt, "/memory@80000000") < 0);
	free(fdt);
}

static int count_cpus(const void *fdt)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), node, n = 0;

	assert_true(cpus >= 0);
	fdt_for_each_subnode(node, fdt, cpus)
	{
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);

		if (type && !strcmp(type, "cpu"))
			n++;
	}
	return n;
}

static void test_fdt_cpus(void **state)
{
	struct vm_config cfg = base_cfg();
	void *fdt = build(&cfg, HOST_ISA, 10000000);
	uint32_t phandles[3];

	(void)state;
	assert_int_equal(prop_u32(fdt, "/cpus", "timebase-frequency"), 10000000);
	assert_int_equal(prop_u32(fdt, "/cpus", "#address-cells"), 1);
	assert_int_equal(prop_u32(fdt, "/cpus", "#size-cells"), 0);
	assert_int_equal(count_cpus(fdt), 3);
	for (int i = 0; i < 3; i++) {
		char path[32], intc[64];

		snprintf(path, sizeof(path), "/cpus/cpu@%d", i);
		snprintf(intc, sizeof(intc), "/cpus/cpu@%d/interrupt-controller", i);
		/* vCPU ids are 0..N-1 whatever physical harts back them */
		assert_int_equal(prop_u32(fdt, path, "reg"), (uint32_t)i);
		assert_string_equal(prop_str(fdt, path, "device_type"), "cpu");
		assert_string_equal(prop_str(fdt, path, "status"), "okay");
		assert_string_equal(prop_str(fdt, path, "riscv,isa"), GUEST_ISA "_sstc");
		assert_string_equal(prop_str(fdt, path, "riscv,isa-base"), "rv64i");
		assert_string_equal(prop_str(fdt, path, "mmu-type"), "riscv,sv39");
		assert_null(fdt_getprop(fdt, fdt_path_offset(fdt, path), "riscv,cbom-block-size", NULL));
		assert_string_equal(prop_str(fdt, intc, "compatible"), "riscv,cpu-intc");
		assert_int_equal(prop_u32(fdt, intc, "#interrupt-cells"), 1);
		phandles[i] = prop_u32(fdt, intc, "phandle");
		assert_int_not_equal(phandles[i], 0);
		for (int j = 0; j < i; j++)
			assert_int_not_equal(phandles[i], phandles[j]);
	}
	assert_true(fdt_path_offset(fdt, "/cpus/cpu@3") < 0);
	free(fdt);
}

static void test_fdt_isa_follows_timer_mode(void **state)
{
	struct vm_config cfg = base_cfg();
	void *fdt;

	(void)state;
	cfg.timer = TIMER_SBI;
	cfg.nvcpus = 1;
	fdt = build(&cfg, HOST_ISA, 1000000);
	assert_string_equal(prop_str(fdt, "/cpus/cpu@0", "riscv,isa"), GUEST_ISA);
	assert_int_equal(prop_u32(fdt, "/cpus", "timebase-frequency"), 1000000);
	assert_int_equal(count_cpus(fdt), 1);
	free(fdt);
}

/* What the hart offers reaches the DT: isa-extensions, block sizes, the host's MMU type. */
static void test_fdt_hart_facts(void **state)
{
	struct vm_config cfg = base_cfg();
	struct guest_harts harts = { .host_isa = "rv64imafdcvh_zicbom_zicboz_zicbop_svpbmt_ssaia_sstc",
				     .offer = GUEST_ISA_V | GUEST_ISA_ZICBOM | GUEST_ISA_ZICBOZ,
				     .timebase = 10000000,
				     .mmu_type = "riscv,sv57",
				     .cbom_block = 64,
				     .cboz_block = 128 };
	static const char list[] = "i\0m\0a\0f\0d\0c\0v\0zicbom\0zicboz\0zicbop\0sstc";
	void *fdt = malloc(GUEST_FDT_MAX);
	int len, node;
	const void *p;

	(void)state;
	assert_non_null(fdt);
	cfg.nvcpus = 1;
	assert_true(guest_fdt_build(fdt, GUEST_FDT_MAX, &cfg, &harts, NULL) > 0);
	node = fdt_path_offset(fdt, "/cpus/cpu@0");
	assert_string_equal(prop_str(fdt, "/cpus/cpu@0", "riscv,isa"), "rv64imafdcv_zicbom_zicboz_zicbop_sstc");
	p = fdt_getprop(fdt, node, "riscv,isa-extensions", &len);
	assert_non_null(p);
	assert_int_equal(len, sizeof(list));
	assert_memory_equal(p, list, sizeof(list));
	assert_string_equal(prop_str(fdt, "/cpus/cpu@0", "mmu-type"), "riscv,sv57");
	assert_int_equal(prop_u32(fdt, "/cpus/cpu@0", "riscv,cbom-block-size"), 64);
	assert_int_equal(prop_u32(fdt, "/cpus/cpu@0", "riscv,cboz-block-size"), 128);
	assert_null(fdt_getprop(fdt, node, "riscv,cbop-block-size", NULL));

	/* Without a block size Zicboz stays hidden; without the offer Zicbom does */
	harts.cboz_block = 0;
	harts.offer = GUEST_ISA_V;
	cfg.timer = TIMER_SBI;
	assert_true(guest_fdt_build(fdt, GUEST_FDT_MAX, &cfg, &harts, NULL) > 0);
	assert_string_equal(prop_str(fdt, "/cpus/cpu@0", "riscv,isa"), "rv64imafdcv_zicbop");
	assert_null(fdt_getprop(fdt, fdt_path_offset(fdt, "/cpus/cpu@0"), "riscv,cbom-block-size", NULL));
	free(fdt);
}

static void test_fdt_max_vcpus(void **state)
{
	struct vm_config cfg = base_cfg();
	void *fdt;

	(void)state;
	cfg.nvcpus = MAX_VCPUS_PER_VM;
	fdt = build(&cfg, "rv64imac", 10000000);
	assert_int_equal(count_cpus(fdt), MAX_VCPUS_PER_VM);
	assert_int_equal(prop_u32(fdt, "/cpus/cpu@7", "reg"), 7);
	assert_string_equal(prop_str(fdt, "/cpus/cpu@7", "riscv,isa"), "rv64imac");
	free(fdt);
}

static uint32_t node_u32(const void *fdt, int node, const char *name)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p || len != 4)
		fail_msg("%s/%s: not one cell", fdt_get_name(fdt, node, NULL), name);
	return fdt32_to_cpu(*p);
}

static void check_reg(const void *fdt, int node, uint64_t base, uint64_t size)
{
	int len;
	const fdt64_t *reg = fdt_getprop(fdt, node, "reg", &len);

	assert_non_null(reg);
	assert_int_equal(len, 16);
	assert_int_equal(fdt64_ld(&reg[0]), base);
	assert_int_equal(fdt64_ld(&reg[1]), size);
}

/* Every phandle in the tree is distinct, and each reference names one that exists. */
static void check_phandles(const void *fdt)
{
	uint32_t seen[64];
	int n = 0, node;

	for (node = fdt_next_node(fdt, -1, NULL); node >= 0; node = fdt_next_node(fdt, node, NULL)) {
		int len;
		const fdt32_t *p = fdt_getprop(fdt, node, "phandle", &len);

		if (!p)
			continue;
		assert_int_equal(len, 4);
		for (int i = 0; i < n; i++)
			assert_int_not_equal(seen[i], fdt32_to_cpu(*p));
		assert_true(n < (int)ARRAY_LEN(seen));
		seen[n++] = fdt32_to_cpu(*p);
	}
	for (node = fdt_next_node(fdt, -1, NULL); node >= 0; node = fdt_next_node(fdt, node, NULL)) {
		static const char *const refs[] = { "interrupt-parent", "regmap" };

		for (unsigned r = 0; r < ARRAY_LEN(refs); r++)
			if (fdt_getprop(fdt, node, refs[r], NULL))
				assert_true(fdt_node_offset_by_phandle(fdt, node_u32(fdt, node, refs[r])) >= 0);
	}
}

/* interrupts-extended: vCPU i's intc with the supervisor external interrupt (cause 9), for each vCPU. */
static void check_sei_per_vcpu(const void *fdt, int node, int nvcpus)
{
	int len;
	const fdt32_t *ext = fdt_getprop(fdt, node, "interrupts-extended", &len);

	assert_non_null(ext);
	assert_int_equal(len, nvcpus * 8);
	for (int i = 0; i < nvcpus; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/cpus/cpu@%d/interrupt-controller", i);
		assert_int_equal(fdt32_to_cpu(ext[2 * i]), prop_u32(fdt, path, "phandle"));
		assert_int_equal(fdt32_to_cpu(ext[2 * i + 1]), 9);
	}
}

static void test_fdt_devices(void **state)
{
	struct vm_config cfg = base_cfg();
	void *fdt = build(&cfg, HOST_ISA, 10000000);
	int plic, uart, syscon, node;
	const char *stdout_path;

	(void)state;
	/* The console the guest is told about is the virtual 16550 */
	stdout_path = prop_str(fdt, "/chosen", "stdout-path");
	uart = fdt_path_offset(fdt, stdout_path);
	if (uart < 0)
		fail_msg("stdout-path \"%s\" names no node", stdout_path);
	assert_string_equal(fdt_getprop(fdt, uart, "compatible", NULL), "ns16550a");
	check_reg(fdt, uart, VM_UART_BASE, VUART_SIZE);
	assert_int_equal(node_u32(fdt, uart, "interrupts"), VM_UART_IRQ);

	/* The PLIC: context i is vCPU i's S-mode external interrupt (cause 9) */
	plic = fdt_node_offset_by_compatible(fdt, -1, "riscv,plic0");
	assert_true(plic >= 0);
	check_reg(fdt, plic, VM_PLIC_BASE, VPLIC_SIZE);
	assert_int_equal(node_u32(fdt, plic, "riscv,ndev"), VPLIC_SOURCES - 1);
	assert_int_equal(node_u32(fdt, uart, "interrupt-parent"), node_u32(fdt, plic, "phandle"));
	check_sei_per_vcpu(fdt, plic, cfg.nvcpus);

	/* Power-off and reboot go through the sifive,test syscon */
	syscon = fdt_node_offset_by_compatible(fdt, -1, "sifive,test0");
	assert_true(syscon >= 0);
	check_reg(fdt, syscon, VM_SYSCON_BASE, SYSCON_SIZE);
	node = fdt_node_offset_by_compatible(fdt, -1, "syscon-poweroff");
	assert_true(node >= 0);
	assert_int_equal(node_u32(fdt, node, "regmap"), node_u32(fdt, syscon, "phandle"));
	assert_int_equal(node_u32(fdt, node, "value"), 0x5555);
	node = fdt_node_offset_by_compatible(fdt, -1, "syscon-reboot");
	assert_true(node >= 0);
	assert_int_equal(node_u32(fdt, node, "regmap"), node_u32(fdt, syscon, "phandle"));
	assert_int_equal(node_u32(fdt, node, "value"), 0x7777);

	check_phandles(fdt);
	free(fdt);
}

/* A host DTB with one device at 0x10008000, as the pass-through source. */
static void *host_fdt_with_device(void)
{
	void *f = malloc(4096);
	fdt64_t reg[2] = { cpu_to_fdt64(0x10008000), cpu_to_fdt64(0x1000) };

	assert_non_null(f);
	assert_int_equal(fdt_create(f, 4096), 0);
	assert_int_equal(fdt_finish_reservemap(f), 0);
	assert_int_equal(fdt_begin_node(f, ""), 0);
	assert_int_equal(fdt_property_u32(f, "#address-cells", 2), 0);
	assert_int_equal(fdt_property_u32(f, "#size-cells", 2), 0);
	assert_int_equal(fdt_begin_node(f, "soc"), 0);
	assert_int_equal(fdt_property_u32(f, "#address-cells", 2), 0);
	assert_int_equal(fdt_property_u32(f, "#size-cells", 2), 0);
	assert_int_equal(fdt_begin_node(f, "virtio_mmio@10008000"), 0);
	assert_int_equal(fdt_property_string(f, "compatible", "virtio,mmio"), 0);
	assert_int_equal(fdt_property(f, "reg", reg, sizeof(reg)), 0);
	assert_int_equal(fdt_end_node(f), 0);
	assert_int_equal(fdt_end_node(f), 0);
	assert_int_equal(fdt_end_node(f), 0);
	assert_int_equal(fdt_finish(f), 0);
	return f;
}

static void test_fdt_passthrough(void **state)
{
	struct vm_config cfg = base_cfg();
	void *host = host_fdt_with_device(), *fdt;
	int dev, plic;

	(void)state;
	cfg.npass = 2;
	cfg.pass[0].base = 0x10008000;
	cfg.pass[0].size = 0x1000;
	cfg.pass[0].irq = 8;
	cfg.pass[1].base = 0x30000000; /* no host node at this address */
	cfg.pass[1].size = 0x2000;
	fdt = build_with_host(&cfg, HOST_ISA, 10000000, host);
	plic = fdt_node_offset_by_compatible(fdt, -1, "riscv,plic0");
	assert_true(plic >= 0);

	dev = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio");
	assert_true(dev >= 0);
	check_reg(fdt, dev, 0x10008000, 0x1000);
	assert_int_equal(node_u32(fdt, dev, "interrupts"), 8);
	assert_int_equal(node_u32(fdt, dev, "interrupt-parent"), node_u32(fdt, plic, "phandle"));

	dev = fdt_path_offset(fdt, "/soc/passthrough@30000000");
	assert_true(dev >= 0);
	check_reg(fdt, dev, 0x30000000, 0x2000);
	assert_null(fdt_getprop(fdt, dev, "interrupts", NULL));
	check_phandles(fdt);
	free(fdt);

	/* Without the host DTB the devices are still there, just without a compatible */
	fdt = build(&cfg, HOST_ISA, 10000000);
	dev = fdt_path_offset(fdt, "/soc/passthrough@10008000");
	assert_true(dev >= 0);
	assert_int_equal(node_u32(fdt, dev, "interrupts"), 8);
	free(fdt);
	free(host);
}

static void test_fdt_disks(void **state)
{
	struct vm_config cfg = base_cfg();
	void *fdt;
	int dev, plic, n = 0;
	uint64_t last = 0;

	(void)state;
	cfg.ndisks = 3;
	fdt = build(&cfg, HOST_ISA, 10000000);
	plic = fdt_node_offset_by_compatible(fdt, -1, "riscv,plic0");
	/* disk i at QEMU's (7 - i)-th transport, interrupt 8 - i; lowest address first in the tree */
	assert_int_equal(prop_u32(fdt, "/soc/virtio_mmio@10008000", "interrupts"), 8);
	assert_int_equal(prop_u32(fdt, "/soc/virtio_mmio@10007000", "interrupts"), 7);
	assert_int_equal(prop_u32(fdt, "/soc/virtio_mmio@10006000", "interrupts"), 6);
	assert_true(fdt_path_offset(fdt, "/soc/virtio_mmio@10005000") < 0);
	for (dev = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio"); dev >= 0;
	     dev = fdt_node_offset_by_compatible(fdt, dev, "virtio,mmio")) {
		const fdt32_t *reg = fdt_getprop(fdt, dev, "reg", NULL);
		uint64_t base = ((uint64_t)fdt32_to_cpu(reg[0]) << 32) | fdt32_to_cpu(reg[1]);

		assert_true(base > last);
		last = base;
		check_reg(fdt, dev, base, 0x1000);
		assert_int_equal(node_u32(fdt, dev, "interrupt-parent"), node_u32(fdt, plic, "phandle"));
		n++;
	}
	assert_int_equal(n, 3);
	check_phandles(fdt);
	free(fdt);
}

static void test_fdt_nics_and_disks(void **state)
{
	struct vm_config cfg = base_cfg();
	void *fdt;
	int dev, n = 0;
	uint64_t last = 0;

	(void)state;
	cfg.ndisks = 2;
	cfg.nnics = 2;
	fdt = build(&cfg, HOST_ISA, 10000000);
	/* NIC i at QEMU's i-th transport, interrupt 1 + i; disks from the top; lowest address first */
	assert_int_equal(prop_u32(fdt, "/soc/virtio_mmio@10001000", "interrupts"), 1);
	assert_int_equal(prop_u32(fdt, "/soc/virtio_mmio@10002000", "interrupts"), 2);
	assert_int_equal(prop_u32(fdt, "/soc/virtio_mmio@10008000", "interrupts"), 8);
	assert_int_equal(prop_u32(fdt, "/soc/virtio_mmio@10007000", "interrupts"), 7);
	for (dev = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio"); dev >= 0;
	     dev = fdt_node_offset_by_compatible(fdt, dev, "virtio,mmio")) {
		const fdt32_t *reg = fdt_getprop(fdt, dev, "reg", NULL);
		uint64_t base = ((uint64_t)fdt32_to_cpu(reg[0]) << 32) | fdt32_to_cpu(reg[1]);

		assert_true(base > last);
		last = base;
		n++;
	}
	assert_int_equal(n, 4);
	check_phandles(fdt);
	free(fdt);
}

static void test_fdt_virtio_console(void **state)
{
	struct vm_config cfg = base_cfg();
	void *fdt;
	char path[48];

	(void)state;
	fdt = build(&cfg, HOST_ISA, 10000000);
	snprintf(path, sizeof(path), "/soc/virtio_mmio@%lx", VM_CONSOLE_BASE);
	assert_true(fdt_path_offset(fdt, path) < 0); /* only when asked for */
	free(fdt);
	cfg.console = VM_CONSOLE_VIRTIO;
	cfg.nnics = MAX_VM_NICS;
	fdt = build(&cfg, HOST_ISA, 10000000);
	/* In the slot after the NICs', interrupt on the vPLIC; the UART stays for earlycon and ttyS0. */
	assert_int_equal(prop_u32(fdt, path, "interrupts"), VM_CONSOLE_IRQ);
	assert_int_equal(prop_u32(fdt, path, "interrupt-parent"), prop_u32(fdt, "/soc/plic@c000000", "phandle"));
	snprintf(path, sizeof(path), "/soc/serial@%lx", VM_UART_BASE);
	assert_true(fdt_path_offset(fdt, path) >= 0);
	check_phandles(fdt);
	free(fdt);
}

/* keel,irqchip = "aia": QEMU virt's S-level IMSIC and APLIC nodes, devices on the APLIC, ssaia. */
static void test_fdt_aia(void **state)
{
	struct vm_config cfg = base_cfg();
	void *fdt;
	int imsic, aplic, uart, disk, len;
	const fdt32_t *irq;
	char isa[ISA_STRING_MAX];

	(void)state;
	cfg.irqchip = VM_IRQCHIP_AIA;
	cfg.ndisks = 1;
	fdt = build(&cfg, HOST_ISA "_ssaia", 10000000);
	assert_true(fdt_node_offset_by_compatible(fdt, -1, "riscv,plic0") < 0);
	imsic = fdt_node_offset_by_compatible(fdt, -1, "riscv,imsics");
	assert_true(imsic >= 0);
	check_reg(fdt, imsic, VM_IMSIC_BASE, (uint64_t)cfg.nvcpus * 0x1000);
	assert_int_equal(node_u32(fdt, imsic, "riscv,num-ids"), 255);
	assert_non_null(fdt_getprop(fdt, imsic, "msi-controller", NULL));
	assert_int_equal(node_u32(fdt, imsic, "#interrupt-cells"), 0);
	check_sei_per_vcpu(fdt, imsic, cfg.nvcpus);
	aplic = fdt_node_offset_by_compatible(fdt, -1, "riscv,aplic");
	assert_true(aplic >= 0);
	check_reg(fdt, aplic, VM_APLIC_BASE, VAPLIC_SIZE);
	assert_int_equal(node_u32(fdt, aplic, "msi-parent"), node_u32(fdt, imsic, "phandle"));
	assert_int_equal(node_u32(fdt, aplic, "#interrupt-cells"), 2);
	assert_int_equal(node_u32(fdt, aplic, "riscv,num-sources"), VAPLIC_SOURCES - 1);
	/* The UART and the disk: <source 4> (level high) on the APLIC. */
	uart = fdt_node_offset_by_compatible(fdt, -1, "ns16550a");
	disk = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio");
	assert_true(uart >= 0 && disk >= 0);
	irq = fdt_getprop(fdt, uart, "interrupts", &len);
	assert_int_equal(len, 8);
	assert_int_equal(fdt32_to_cpu(irq[0]), VM_UART_IRQ);
	assert_int_equal(fdt32_to_cpu(irq[1]), 4);
	assert_int_equal(node_u32(fdt, uart, "interrupt-parent"), node_u32(fdt, aplic, "phandle"));
	irq = fdt_getprop(fdt, disk, "interrupts", &len);
	assert_int_equal(len, 8);
	assert_int_equal(fdt32_to_cpu(irq[0]), VM_DISK_IRQ(0));
	assert_int_equal(node_u32(fdt, disk, "interrupt-parent"), node_u32(fdt, aplic, "phandle"));
	assert_true(isa_string_has(prop_str(fdt, "/cpus/cpu@0", "riscv,isa"), "ssaia"));
	check_phandles(fdt);
	free(fdt);
	/* The vPLIC's guests are not told of Ssaia, even where the host has it. */
	cfg.irqchip = VM_IRQCHIP_PLIC;
	struct guest_harts harts = { .host_isa = HOST_ISA "_ssaia", .timebase = 10000000 };

	assert_int_equal(guest_isa_for(&cfg, &harts, isa, sizeof(isa)), 0);
	assert_false(isa_string_has(isa, "ssaia"));
}

static void test_fdt_errors(void **state)
{
	struct vm_config cfg = base_cfg();
	char *small = malloc(256);
	struct guest_harts harts = { .host_isa = HOST_ISA, .timebase = 10000000 };

	(void)state;
	assert_non_null(small);
	assert_true(guest_fdt_build(small, 256, &cfg, &harts, NULL) < 0); /* no room */
	free(small);
	small = malloc(GUEST_FDT_MAX);
	assert_non_null(small);
	harts.host_isa = "x86_64";
	assert_int_equal(guest_fdt_build(small, GUEST_FDT_MAX, &cfg, &harts, NULL), -FDT_ERR_BADVALUE);
	harts.host_isa = NULL;
	assert_int_equal(guest_fdt_build(small, GUEST_FDT_MAX, &cfg, &harts, NULL), -FDT_ERR_BADVALUE);
	free(small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_isa_drops_h_and_sstc),
		cmocka_unit_test(test_isa_single_letters_only),
		cmocka_unit_test(test_isa_drops_hypervisor_extensions),
		cmocka_unit_test(test_isa_sstc_position_and_lookalikes),
		cmocka_unit_test(test_isa_whitelist_rva23),
		cmocka_unit_test(test_isa_queries),
		cmocka_unit_test(test_isa_rejects_bad_input),
		cmocka_unit_test(test_isa_output_too_small),
		cmocka_unit_test(test_fdt_root_and_chosen),
		cmocka_unit_test(test_fdt_memory),
		cmocka_unit_test(test_fdt_cpus),
		cmocka_unit_test(test_fdt_isa_follows_timer_mode),
		cmocka_unit_test(test_fdt_hart_facts),
		cmocka_unit_test(test_fdt_max_vcpus),
		cmocka_unit_test(test_fdt_devices),
		cmocka_unit_test(test_fdt_passthrough),
		cmocka_unit_test(test_fdt_disks),
		cmocka_unit_test(test_fdt_nics_and_disks),
		cmocka_unit_test(test_fdt_virtio_console),
		cmocka_unit_test(test_fdt_aia),
		cmocka_unit_test(test_fdt_errors),
	};

	return run_unit_tests(tests);
}
