/*
 * Fuzz target: the VM configuration reader (vm/config.c) on any device tree blob, with the host
 * parser (drivers/platform.c) on the same blob and, for every VM it accepts, the guest DTB builder
 * (board/guest_fdt.c), which copies pass-through nodes' compatible strings out of the same blob.
 *
 * Input: the blob itself (malloc'ed at its exact size, so ASan sees reads past it). Blobs whose
 * header fdt_check_header refuses, or whose totalsize is larger than the input, stop there: Keel
 * only ever sees a DTB that passed the same check in platform_parse.
 *
 * Each /chosen/keel,vm* subnode is parsed as vms_create (vm/vm.c) does: an index per VM, at most
 * MAX_VMS, harts of accepted VMs taken, those of refused ones given back. Three machines: the fixed
 * one below with every CPU feature, the same without Sstc and Sv39x4, and the platform parsed from
 * the blob itself. A refused VM has a NUL-terminated "field ...: ..." message and keeps no harts; an
 * accepted one satisfies every rule vm/config.c documents, and its guest DTB builds and reads back.
 */
#include "fuzz.h"
#include <libfdt.h>
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "drivers/platform.h"
#include "mm/stage2.h"
#include "vm/config.h"
#include "board/guest_fdt.h"

#define HOST_RAM_BASE 0x80000000UL
#define HOST_RAM_SIZE 0x40000000UL
#define SZ_8M (4 * SZ_2M)

static struct platform fixed_plat;
static struct cpu_features cpu_all, cpu_few;
static void *guest_dtb;
static int verbose; /* FUZZ_VERBOSE=1: print each VM's verdict (to check what seeds reach) */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fixed_plat.mem[0].base = HOST_RAM_BASE;
	fixed_plat.mem[0].size = HOST_RAM_SIZE;
	fixed_plat.nmem = 1;
	fixed_plat.hart_mask = 0xf;
	fixed_plat.nharts = 4;
	strcpy(fixed_plat.isa, "rv64imafdch_zicsr_zifencei_zihintpause_sstc");
	fixed_plat.timebase = 10000000;
	cpu_all = (struct cpu_features){ .has_h = 1, .has_sstc = 1, .has_sv39x4 = 1, .has_sv48x4 = 1, .vmid_bits = 14 };
	cpu_few = (struct cpu_features){ .has_h = 1, .has_sv48x4 = 1, .vmid_bits = 7 };
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	guest_dtb = malloc(GUEST_FDT_MAX);
	if (!guest_dtb)
		abort();
	return 0;
}

static int nul_within(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

static int in_ram(const struct platform *plat, uint64_t base, uint64_t size)
{
	for (int i = 0; i < plat->nmem; i++)
		if (base >= plat->mem[i].base &&
		    (unsigned __int128)base + size <= (unsigned __int128)plat->mem[i].base + plat->mem[i].size)
			return 1;
	return 0;
}

static void check_platform(const struct platform *p)
{
	FUZZ_CHECK(p->nmem >= 0 && p->nmem <= MAX_MEM_REGIONS, "nmem %d", p->nmem);
	FUZZ_CHECK(p->nreserved >= 0 && p->nreserved <= MAX_RESERVED, "nreserved %d", p->nreserved);
	FUZZ_CHECK(nul_within(p->isa, sizeof(p->isa)), "platform isa not terminated");
	FUZZ_CHECK(!(p->hart_mask >> MAX_HARTS), "hart mask %#lx", p->hart_mask);
	for (int h = 0; h < MAX_HARTS; h++)
		FUZZ_CHECK(p->plic_s_context[h] >= -1, "plic context of hart %d: %d", h, p->plic_s_context[h]);
}

/* What vm/config.c's header promises of an accepted VM. */
static void check_accepted(const struct vm_config *c, const struct platform *plat, const struct cpu_features *cpu,
			   const struct hart_claims *before, const struct hart_claims *after)
{
	unsigned long mine = 0;
	uint64_t top;

	FUZZ_CHECK(nul_within(c->name, sizeof(c->name)) && c->name[0], "name not a string");
	FUZZ_CHECK(nul_within(c->bootargs, sizeof(c->bootargs)), "bootargs not terminated");
	FUZZ_CHECK(c->nvcpus >= 1 && c->nvcpus <= MAX_VCPUS_PER_VM, "nvcpus %d", c->nvcpus);
	for (int i = 0; i < c->nvcpus; i++) {
		unsigned long h = c->harts[i];

		FUZZ_CHECK(h < MAX_HARTS && (plat->hart_mask >> h & 1), "hart %lu is not the platform's", h);
		FUZZ_CHECK(!(before->pinned >> h & 1), "hart %lu is pinned to another VM", h);
		FUZZ_CHECK(!c->pinned || !((before->used | mine) >> h & 1), "pinned hart %lu given twice", h);
		mine |= 1UL << h;
	}
	/* Every vCPU on a listed hart (which ones depends on the earlier VMs' load); pinned: all of them. */
	FUZZ_CHECK(!(mine & ~c->hart_mask) && (!c->pinned || mine == c->hart_mask),
		   "vCPUs on harts %#lx, keel,harts %#lx", mine, c->hart_mask);
	FUZZ_CHECK(after->used == (before->used | c->hart_mask) &&
			   after->pinned == (before->pinned | (c->pinned ? c->hart_mask : 0)),
		   "used harts %#lx -> %#lx, VM lists %#lx", before->used, after->used, c->hart_mask);
	for (int h = 0; h < MAX_HARTS; h++) {
		int n = 0;

		for (int i = 0; i < c->nvcpus; i++)
			n += c->harts[i] == (unsigned long)h;
		FUZZ_CHECK(after->vcpus[h] == before->vcpus[h] + n, "hart %d: %d vCPUs counted, %d placed", h,
			   after->vcpus[h] - before->vcpus[h], n);
	}
	FUZZ_CHECK(c->slice_us >= 100 && c->slice_us <= 1000000 && c->weight >= 1 && c->weight <= MAX_WEIGHT,
		   "slice %u weight %u", c->slice_us, c->weight);
	FUZZ_CHECK(c->stage2_mode == HGATP_MODE_SV39X4 || c->stage2_mode == HGATP_MODE_SV48X4, "stage2 mode %lu",
		   c->stage2_mode);
	FUZZ_CHECK(c->stage2_mode == HGATP_MODE_SV39X4 ? cpu->has_sv39x4 : cpu->has_sv48x4, "mode %lu not on the hart",
		   c->stage2_mode);
	FUZZ_CHECK(c->timer == TIMER_SBI || (c->timer == TIMER_SSTC && cpu->has_sstc), "timer %d", c->timer);
	FUZZ_CHECK(c->ram_size >= SZ_8M && !(c->ram_size % SZ_2M) && !(c->ram_base % SZ_2M), "ram %#llx+%#llx",
		   (unsigned long long)c->ram_base, (unsigned long long)c->ram_size);
	FUZZ_CHECK((unsigned __int128)c->ram_base + c->ram_size <= stage2_gpa_limit(c->stage2_mode),
		   "ram %#llx+%#llx beyond the GPA space", (unsigned long long)c->ram_base,
		   (unsigned long long)c->ram_size);
	top = c->ram_size - SZ_2M;
	FUZZ_CHECK(c->kernel_size && in_ram(plat, c->kernel_addr, c->kernel_size), "kernel %#llx+%#llx not in host RAM",
		   (unsigned long long)c->kernel_addr, (unsigned long long)c->kernel_size);
	FUZZ_CHECK(!(c->kernel_offset % PAGE_SIZE) && (unsigned __int128)c->kernel_offset + c->kernel_size <= top,
		   "kernel at +%#llx size %#llx in %#llx of RAM", (unsigned long long)c->kernel_offset,
		   (unsigned long long)c->kernel_size, (unsigned long long)c->ram_size);
	if (c->initrd_size) {
		FUZZ_CHECK(in_ram(plat, c->initrd_addr, c->initrd_size), "initrd not in host RAM");
		FUZZ_CHECK(!(c->initrd_offset % PAGE_SIZE) && c->initrd_offset >= c->kernel_offset + c->kernel_size &&
				   (unsigned __int128)c->initrd_offset + c->initrd_size <= top,
			   "initrd at +%#llx size %#llx, kernel ends at +%#llx, DTB at +%#llx",
			   (unsigned long long)c->initrd_offset, (unsigned long long)c->initrd_size,
			   (unsigned long long)(c->kernel_offset + c->kernel_size), (unsigned long long)top);
	}
	FUZZ_CHECK(c->npass >= 0 && c->npass <= MAX_PASSTHROUGH, "npass %d", c->npass);
	for (int i = 0; i < c->npass; i++) {
		const struct passthrough *p = &c->pass[i];

		FUZZ_CHECK(p->size && !((p->base | p->size) % PAGE_SIZE) && p->base + p->size > p->base,
			   "pass-through %#llx+%#llx", (unsigned long long)p->base, (unsigned long long)p->size);
	}
}

/* The guest DTB of an accepted VM builds, passes libfdt's checks and says what the config said. */
static void check_guest_dtb(const struct vm_config *c, const struct platform *plat, const void *host)
{
	struct guest_harts harts = { .host_isa = plat->isa,
				     .timebase = plat->timebase,
				     .mmu_type = plat->mmu_type[0] ? plat->mmu_type : NULL };
	int ret = guest_fdt_build(guest_dtb, GUEST_FDT_MAX, c, &harts, host), node, len;
	const char *s;

	if (ret == -FDT_ERR_BADVALUE && plat != &fixed_plat)
		return; /* a parsed platform's ISA string need not be one guest_isa_string takes */
	if (ret == -FDT_ERR_NOSPACE && fdt_totalsize(host) > GUEST_FDT_MAX / 2)
		return; /* pass-through nodes copy the host's compatible strings, which may be that long */
	FUZZ_CHECK(ret > 0 && ret <= GUEST_FDT_MAX, "guest_fdt_build: %d", ret);
	FUZZ_CHECK(fdt_check_header(guest_dtb) == 0 && fdt_totalsize(guest_dtb) == (unsigned)ret, "guest DTB header");
	node = fdt_path_offset(guest_dtb, "/chosen");
	s = node >= 0 ? fdt_getprop(guest_dtb, node, "bootargs", &len) : NULL;
	FUZZ_CHECK(s && len == (int)strlen(c->bootargs) + 1 && !strcmp(s, c->bootargs), "guest bootargs");
	s = fdt_getprop(guest_dtb, 0, "model", &len);
	FUZZ_CHECK(s && !strcmp(s, c->name), "guest model");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct platform parsed;
	const struct platform *plats[3] = { &fixed_plat, &fixed_plat, &parsed };
	const struct cpu_features *cpus[3] = { &cpu_all, &cpu_few, &cpu_all };
	void *fdt;
	int chosen;

	if (size < sizeof(struct fdt_header))
		return 0;
	fdt = malloc(size);
	if (!fdt)
		abort();
	memcpy(fdt, data, size);
	if (fdt_check_header(fdt) || fdt_totalsize(fdt) > size)
		goto out;
	/*
	 * libfdt 6.1 reads structure-block tags with plain 32-bit loads (fdt_next_tag) and reserve
	 * entries through an 8-byte struct (fdt_num_mem_rsv), but its header check asks neither
	 * off_dt_struct nor off_mem_rsvmap to be aligned: such a blob is a libfdt matter (misaligned
	 * loads, which OpenSBI emulates on the hart), reported once and not fuzzed further.
	 */
	if (fdt_off_dt_struct(fdt) % 4 || fdt_off_mem_rsvmap(fdt) % 8)
		goto out;

	FUZZ_CHECK(platform_parse(fdt, &parsed) == 0, "platform_parse refused a checked header");
	check_platform(&parsed);

	chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen < 0)
		goto out;
	for (int m = 0; m < 3; m++) {
		struct hart_claims used = { 0 };
		int node, index = 0, nvms = 0;

		fdt_for_each_subnode(node, fdt, chosen)
		{
			const char *name = fdt_get_name(fdt, node, NULL);
			struct hart_claims before = used;
			struct vm_config cfg;
			char err[CONFIG_ERR_MAX];
			int r;

			if (!name || strncmp(name, "keel,vm", 7))
				continue;
			if (nvms == MAX_VMS)
				break;
			memset(&cfg, 0xa5, sizeof(cfg));
			memset(err, 0x5a, sizeof(err));
			r = vm_config_parse(fdt, node, index++, plats[m], cpus[m], &used, &cfg, err, sizeof(err));
			FUZZ_CHECK(r == 0 || r == -1, "vm_config_parse returned %d", r);
			/* vms_create prints the name either way. */
			FUZZ_CHECK(nul_within(cfg.name, sizeof(cfg.name)), "name not terminated");
			if (verbose)
				fprintf(stderr, "machine %d: vm '%s': %s\n", m, cfg.name, r ? err : "accepted");
			if (r) {
				FUZZ_CHECK(nul_within(err, sizeof(err)) && !strncmp(err, "field ", 6),
					   "error message '%.*s'", (int)sizeof(err), err);
				FUZZ_CHECK(!memcmp(&used, &before, sizeof(used)), "refused VM took harts %#lx -> %#lx",
					   before.used, used.used);
				continue;
			}
			check_accepted(&cfg, plats[m], cpus[m], &before, &used);
			check_guest_dtb(&cfg, plats[m], fdt);
			nvms++;
		}
	}
out:
	free(fdt);
	return 0;
}
