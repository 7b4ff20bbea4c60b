/*
 * Fuzz target: the guest DTB builder (board/guest_fdt.c): guest_fdt_build with any struct vm_config
 * vm/config.c can hand it (name and bootargs any bytes up to their NUL, 0-8 vCPUs, any RAM and initrd
 * numbers, 0-4 pass-through devices, matched or not against a host DTB), any host ISA string and
 * timebase, into an output buffer of any size (malloc'ed at that size: ASan sees overruns).
 * guest_isa_string is also called directly with every output length.
 *
 * Input, in order: name (32 bytes), bootargs length + bytes, nvcpus, RAM base and size, initrd
 * size and offset, timer, pass-through count and entries, timebase, host ISA length + bytes,
 * guest_isa_string's output length, output buffer size, whether a host DTB is given, the offer
 * and whether the host gives cache-block sizes. Numbers come
 * from tables of interesting values or, after a 0xff selector byte, raw.
 *
 * Checked: the ISA string keeps the whitelist's promises (check_isa below), is NUL-terminated
 * within its buffer and fails only when it does not fit; a build fails only for a bad ISA string (-FDT_ERR_BADVALUE) or
 * a small buffer (-FDT_ERR_NOSPACE, never with GUEST_FDT_MAX bytes); a DTB that builds passes
 * fdt_check_header, fits its buffer and holds the config's model, bootargs, memory, initrd, vCPUs,
 * ISA and pass-through devices (with the host node's compatible when there is one).
 */
#include "fuzz.h"
#include <libfdt.h>
#include "board/guest_fdt.h"
#include "drivers/platform.h"

#define ISA_MAX ISA_STRING_MAX /* guest_fdt_build's buffer */
#define HOST_ISA_MAX 200

static void *host_fdt;
static const char long_compat[] = "vendor,a-very-long-compatible-string-for-a-passed-through-device-0\0"
				  "vendor,a-very-long-compatible-string-for-a-passed-through-device-1\0"
				  "vendor,a-very-long-compatible-string-for-a-passed-through-device-2\0generic";

#define TRY_INIT(x)              \
	do {                     \
		if ((x) < 0)     \
			abort(); \
	} while (0)

/* A host DTB with devices to pass through at 0x10001000 and 0x10002000 (as QEMU virt's virtio-mmio). */
static void host_node(void *f, const char *name, uint64_t base, const void *compat, int len)
{
	fdt64_t reg[2] = { cpu_to_fdt64(base), cpu_to_fdt64(0x1000) };

	TRY_INIT(fdt_begin_node(f, name));
	if (compat)
		TRY_INIT(fdt_property(f, "compatible", compat, len));
	TRY_INIT(fdt_property(f, "reg", reg, sizeof(reg)));
	TRY_INIT(fdt_end_node(f));
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	host_fdt = malloc(GUEST_FDT_MAX);
	if (!host_fdt)
		abort();
	TRY_INIT(fdt_create(host_fdt, GUEST_FDT_MAX));
	TRY_INIT(fdt_finish_reservemap(host_fdt));
	TRY_INIT(fdt_begin_node(host_fdt, ""));
	TRY_INIT(fdt_property_u32(host_fdt, "#address-cells", 2));
	TRY_INIT(fdt_property_u32(host_fdt, "#size-cells", 2));
	TRY_INIT(fdt_begin_node(host_fdt, "soc"));
	TRY_INIT(fdt_property_u32(host_fdt, "#address-cells", 2));
	TRY_INIT(fdt_property_u32(host_fdt, "#size-cells", 2));
	host_node(host_fdt, "virtio_mmio@10001000", 0x10001000, "virtio,mmio", sizeof("virtio,mmio"));
	host_node(host_fdt, "dev@10002000", 0x10002000, long_compat, sizeof(long_compat));
	host_node(host_fdt, "nocompat@10003000", 0x10003000, NULL, 0);
	TRY_INIT(fdt_end_node(host_fdt));
	TRY_INIT(fdt_begin_node(host_fdt, "narrow"));
	TRY_INIT(fdt_property_u32(host_fdt, "#address-cells", 1));
	TRY_INIT(fdt_property_u32(host_fdt, "#size-cells", 1));
	TRY_INIT(fdt_begin_node(host_fdt, "dev@10004000"));
	TRY_INIT(fdt_property_string(host_fdt, "compatible", "narrow,dev"));
	TRY_INIT(fdt_property_u32(host_fdt, "reg", 0x10004000));
	TRY_INIT(fdt_end_node(host_fdt));
	TRY_INIT(fdt_end_node(host_fdt));
	TRY_INIT(fdt_end_node(host_fdt));
	TRY_INIT(fdt_finish(host_fdt));
	return 0;
}

/* ---- the ISA whitelist's properties (board/guest_isa.h) ---- */

/* Names that must never reach a guest whatever is offered: hypervisor, AIA, PMU, stateen, vendor. */
static int never(const char *tok, size_t len)
{
	static const char *const hidden[] = { "ssaia", "smaia", "sscofpmf", "smstateen", "ssstateen", "zkr", "svadu" };

	if (tok[0] == 'h' || tok[0] == 'x' || (len >= 2 && tok[0] == 's' && tok[1] == 'h'))
		return 1;
	for (size_t i = 0; i < ARRAY_LEN(hidden); i++)
		if (strlen(hidden[i]) == len && !memcmp(hidden[i], tok, len))
			return 1;
	return 0;
}

static int is_vector(const char *tok, size_t len)
{
	return len >= 3 && tok[0] == 'z' && tok[1] == 'v';
}

/*
 * Checked: the result (when it fits) is "rv64"/"rv32", a subset of the host's letters without
 * 'h' (and 'v' only when offered), then a subsequence of the host's extensions in its order with
 * none that is never given and sstc / the vector family only when offered; it fails only for a
 * string that is not an ISA string or one that does not fit, never writes past len, and the same
 * input with a larger buffer gives the same string.
 */
static void check_isa(const char *host, unsigned offer, size_t len)
{
	char out[HOST_ISA_MAX + 8], big[HOST_ISA_MAX + 8];
	int ret, full;
	const char *h, *o;

	memset(out, 0x5a, sizeof(out));
	ret = guest_isa_string(host, offer, out, len);
	full = guest_isa_string(host, offer, big, sizeof(big));
	if (len)
		FUZZ_CHECK(memchr(out, '\0', len), "isa output not terminated within %zu", len);
	FUZZ_CHECK(len > sizeof(out) || out[len] == 0x5a, "isa output written past %zu", len);
	if (strncmp(host, "rv64", 4) && strncmp(host, "rv32", 4)) {
		FUZZ_CHECK(ret == -1 && full == -1, "'%s' is no ISA string, yet %d", host, ret);
		return;
	}
	FUZZ_CHECK(full == 0, "'%s' refused with room to spare", host);
	FUZZ_CHECK(ret == (strlen(big) < len ? 0 : -1), "'%s' into %zu: %d for '%s'", host, len, ret, big);
	if (!ret)
		FUZZ_CHECK(!strcmp(out, big), "'%s': '%s' with %zu bytes, '%s' with more", host, out, len, big);
	FUZZ_CHECK(!strncmp(big, host, 4), "'%s' -> '%s': base", host, big);
	for (o = big + 4, h = host + 4; *o && *o != '_'; o++) {
		while (*h && *h != '_' && *h != *o)
			h++;
		FUZZ_CHECK(*h == *o && *o != 'h' && (*o != 'v' || (offer & GUEST_ISA_V)), "'%s' -> '%s': letter %c",
			   host, big, *o);
		h++;
	}
	h = strchr(host + 4, '_');
	while (*o == '_') {
		const char *tok = ++o;
		size_t n = 0;

		while (tok[n] && tok[n] != '_')
			n++;
		o = tok + n;
		FUZZ_CHECK(n && !never(tok, n), "'%s' -> '%s': %.*s given", host, big, (int)n, tok);
		FUZZ_CHECK(!is_vector(tok, n) || (offer & GUEST_ISA_V), "'%s' -> '%s': %.*s without V", host, big,
			   (int)n, tok);
		FUZZ_CHECK(n != 4 || memcmp(tok, "sstc", 4) || (offer & GUEST_ISA_SSTC), "'%s' -> '%s': sstc", host,
			   big);
		for (; h; h = strchr(h + 1, '_')) /* the next host extension of that name */
			if (!strncmp(h + 1, tok, n) && (h[1 + n] == '_' || !h[1 + n]))
				break;
		FUZZ_CHECK(h, "'%s' -> '%s': %.*s is not the host's, or out of order", host, big, (int)n, tok);
	}
	FUZZ_CHECK(!*o, "'%s' -> '%s': trailing", host, big);
}

/* ---- the guest DTB ---- */

static uint64_t prop_u64(const void *f, int node, const char *name)
{
	int len;
	const fdt64_t *p = fdt_getprop(f, node, name, &len);

	FUZZ_CHECK(p && len == 8, "%s: len %d", name, p ? len : -1);
	return fdt64_ld(p); /* properties are only 4-byte aligned */
}

static void check_dtb(const void *f, int ret, size_t size, const struct vm_config *c, const char *isa, const void *host)
{
	int node, len, ncpus = 0, npass = 0, soc, cpus;
	const char *s;
	const fdt64_t *reg;
	char name[48];

	FUZZ_CHECK((size_t)ret <= size && fdt_check_header(f) == 0 && fdt_totalsize(f) == (unsigned)ret,
		   "guest DTB of %d bytes in %zu: header %d", ret, size, fdt_check_header(f));
	s = fdt_getprop(f, 0, "model", &len);
	FUZZ_CHECK(s && !strcmp(s, c->name), "model");
	node = fdt_path_offset(f, "/chosen");
	s = node >= 0 ? fdt_getprop(f, node, "bootargs", &len) : NULL;
	FUZZ_CHECK(s && len == (int)strlen(c->bootargs) + 1 && !memcmp(s, c->bootargs, (size_t)len), "bootargs");
	if (c->initrd_size) {
		FUZZ_CHECK(prop_u64(f, node, "linux,initrd-start") == c->ram_base + c->initrd_offset &&
				   prop_u64(f, node, "linux,initrd-end") ==
					   c->ram_base + c->initrd_offset + c->initrd_size,
			   "initrd");
	} else {
		FUZZ_CHECK(!fdt_getprop(f, node, "linux,initrd-start", NULL), "initrd without one");
	}
	snprintf(name, sizeof(name), "/memory@%lx", (unsigned long)c->ram_base);
	node = fdt_path_offset(f, name);
	reg = node >= 0 ? fdt_getprop(f, node, "reg", &len) : NULL;
	FUZZ_CHECK(reg && len == 16 && fdt64_ld(&reg[0]) == c->ram_base && fdt64_ld(&reg[1]) == c->ram_size,
		   "memory node");
	cpus = fdt_path_offset(f, "/cpus");
	FUZZ_CHECK(cpus >= 0, "no /cpus");
	fdt_for_each_subnode(node, f, cpus)
	{
		s = fdt_getprop(f, node, "riscv,isa", NULL);
		FUZZ_CHECK(s && !strcmp(s, isa), "cpu %d isa", ncpus);
		ncpus++;
	}
	FUZZ_CHECK(ncpus == c->nvcpus, "%d cpu nodes for %d vCPUs", ncpus, c->nvcpus);
	soc = fdt_path_offset(f, "/soc");
	FUZZ_CHECK(soc >= 0, "no /soc");
	fdt_for_each_subnode(node, f, soc)
	{
		const struct passthrough *p = &c->pass[npass];
		int hlen, glen;
		const void *hc = NULL, *gc;

		if (strncmp(fdt_get_name(f, node, NULL), "passthrough@", 12))
			continue;
		FUZZ_CHECK(npass < c->npass, "more pass-through nodes than devices");
		reg = fdt_getprop(f, node, "reg", &len);
		FUZZ_CHECK(reg && len == 16 && fdt64_ld(&reg[0]) == p->base && fdt64_ld(&reg[1]) == p->size,
			   "pass-through %d reg", npass);
		FUZZ_CHECK(!p->irq == !fdt_getprop(f, node, "interrupts", NULL), "pass-through %d irq", npass);
		gc = fdt_getprop(f, node, "compatible", &glen);
		if (host && p->base == 0x10001000) {
			hc = "virtio,mmio";
			hlen = sizeof("virtio,mmio");
		} else if (host && p->base == 0x10002000) {
			hc = long_compat;
			hlen = sizeof(long_compat);
		}
		FUZZ_CHECK(hc ? gc && glen == hlen && !memcmp(gc, hc, (size_t)hlen) : !gc,
			   "pass-through %d at %#llx: compatible", npass, (unsigned long long)p->base);
		npass++;
	}
	FUZZ_CHECK(npass == c->npass, "%d pass-through nodes for %d devices", npass, c->npass);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t bases[] = { 0x80000000UL, 0, 0x1000, 0x80200000UL, 0x4000000000UL, -SZ_2M };
	static const uint64_t sizes[] = { 0, 0x800000, 0x10000000, 0x1000, -SZ_2M, 0x200000 };
	static const uint64_t pass_bases[] = { 0x10001000, 0x10002000, 0x10003000, 0x10004000, 0x30000000, 0 };
	static const uint64_t out_sizes[] = { GUEST_FDT_MAX, 0, 16, 40, 100, 512, 1024, 2048, 4096 };
	struct fuzz_in in = fuzz_in(data, size);
	struct vm_config c;
	char host_isa[HOST_ISA_MAX + 1], isa[ISA_MAX];
	const void *host;
	size_t n, isa_len, out_size;
	void *out;
	int ret, ref;
	struct guest_harts harts = { 0 };
	unsigned offer;

	memset(&c, 0, sizeof(c));
	take_bytes(&in, c.name, sizeof(c.name));
	c.name[sizeof(c.name) - 1] = '\0';
	n = take_u8(&in);
	take_bytes(&in, c.bootargs, n);
	c.nvcpus = take_u8(&in) % (MAX_VCPUS_PER_VM + 1);
	for (int i = 0; i < c.nvcpus; i++)
		c.harts[i] = (unsigned long)i;
	c.ram_base = take_pick(&in, bases, ARRAY_LEN(bases));
	c.ram_size = take_pick(&in, sizes, ARRAY_LEN(sizes));
	c.initrd_size = take_pick(&in, sizes, ARRAY_LEN(sizes));
	c.initrd_offset = take_pick(&in, sizes, ARRAY_LEN(sizes));
	c.timer = take_u8(&in) & 1 ? TIMER_SBI : TIMER_SSTC;
	c.npass = take_u8(&in) % (MAX_PASSTHROUGH + 1);
	for (int i = 0; i < c.npass; i++) {
		c.pass[i].base = take_pick(&in, pass_bases, ARRAY_LEN(pass_bases));
		c.pass[i].size = take_pick(&in, sizes, ARRAY_LEN(sizes));
		c.pass[i].irq = take_u8(&in);
	}
	unsigned long timebase = take_u64(&in);

	n = take_u8(&in) % (HOST_ISA_MAX + 1);
	memset(host_isa, 0, sizeof(host_isa));
	take_bytes(&in, host_isa, n);
	isa_len = take_u8(&in) % (HOST_ISA_MAX + 8);
	out_size = take_pick(&in, out_sizes, ARRAY_LEN(out_sizes)) % (GUEST_FDT_MAX + 1);
	host = take_u8(&in) & 1 ? host_fdt : NULL;

	harts.host_isa = host_isa;
	harts.timebase = timebase;
	harts.offer = take_u8(&in) & (GUEST_ISA_V | GUEST_ISA_ZICBOM | GUEST_ISA_ZICBOZ | GUEST_ISA_SVPBMT);
	harts.cbom_block = take_u8(&in) & 1 ? 64 : 0;
	harts.cboz_block = take_u8(&in) & 1 ? 64 : 0;
	offer = harts.offer | (c.timer == TIMER_SSTC ? GUEST_ISA_SSTC : 0);
	check_isa(host_isa, offer, isa_len);
	check_isa(host_isa, offer, sizeof(isa));

	out = malloc(out_size ? out_size : 1);
	if (!out)
		abort();
	ret = guest_fdt_build(out, out_size, &c, &harts, host);
	ref = guest_isa_for(&c, &harts, isa, sizeof(isa));
	if (ref)
		FUZZ_CHECK(ret == -FDT_ERR_BADVALUE, "ISA '%s' refused by the reference, build gave %d", host_isa, ret);
	else if (ret < 0)
		FUZZ_CHECK(ret == -FDT_ERR_NOSPACE && out_size < GUEST_FDT_MAX, "build into %zu bytes: %d", out_size,
			   ret);
	else
		check_dtb(out, ret, out_size, &c, isa, host);
	free(out);
	return 0;
}
