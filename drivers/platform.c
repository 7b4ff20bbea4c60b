/*
 * Host device tree parsing with libfdt: memory, reserved memory, harts, UART, the interrupt
 * controller (PLIC, or the AIA's APLIC and IMSICs), timebase.
 */
#include "drivers/platform.h"
#include "arch/riscv/csr.h"
#include <libfdt.h>
#include <string.h>

struct platform platform;

static uint64_t read_cells(const fdt32_t *p, int cells)
{
	uint64_t v = 0;

	for (int i = 0; i < cells; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

int fdt_node_reg(const void *fdt, int node, int n, uint64_t *base, uint64_t *size)
{
	return fdt_child_reg(fdt, fdt_parent_offset(fdt, node), node, n, base, size);
}

int fdt_child_reg(const void *fdt, int parent, int node, int n, uint64_t *base, uint64_t *size)
{
	int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent);
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

	if (parent < 0 || ac < 1 || ac > 2 || sc < 0 || sc > 2)
		return -FDT_ERR_BADNCELLS;
	if (!reg || len < (n + 1) * (ac + sc) * 4)
		return -FDT_ERR_NOTFOUND;
	reg += n * (ac + sc);
	*base = read_cells(reg, ac);
	*size = sc ? read_cells(reg + ac, sc) : 0;
	return 0;
}

const char *dt_string_prop(const void *fdt, int node, const char *name, int *lenp)
{
	int len;
	const char *s = fdt_getprop(fdt, node, name, &len);

	if (!s || len < 1 || s[len - 1] != '\0')
		return NULL;
	if (lenp)
		*lenp = len;
	return s;
}

static int node_enabled(const void *fdt, int node)
{
	const char *s = dt_string_prop(fdt, node, "status", NULL);

	return !s || !strcmp(s, "okay") || !strcmp(s, "ok");
}

static void parse_memory(const void *fdt, struct platform *p)
{
	int node;

	fdt_for_each_subnode(node, fdt, 0)
	{
		const char *type = dt_string_prop(fdt, node, "device_type", NULL);
		uint64_t base, size;

		if (!type || strcmp(type, "memory") || !node_enabled(fdt, node))
			continue;
		for (int i = 0; p->nmem < MAX_MEM_REGIONS && !fdt_child_reg(fdt, 0, node, i, &base, &size); i++)
			p->mem[p->nmem++] = (struct mem_region){ base, size };
	}
}

static void add_reserved(struct platform *p, uint64_t base, uint64_t size)
{
	if (p->nreserved < MAX_RESERVED && size)
		p->reserved[p->nreserved++] = (struct mem_region){ base, size };
}

static void parse_reserved(const void *fdt, struct platform *p)
{
	int n = fdt_num_mem_rsv(fdt);
	int rsv, node;
	uint64_t base, size;

	for (int i = 0; i < n; i++)
		if (!fdt_get_mem_rsv(fdt, i, &base, &size))
			add_reserved(p, base, size);
	rsv = fdt_path_offset(fdt, "/reserved-memory");
	if (rsv < 0)
		return;
	fdt_for_each_subnode(node, fdt, rsv) for (int i = 0; !fdt_child_reg(fdt, rsv, node, i, &base, &size); i++)
		add_reserved(p, base, size);
}

static uint32_t u32_prop(const void *fdt, int node, const char *name)
{
	int len;
	const fdt32_t *v = fdt_getprop(fdt, node, name, &len);

	return v && len == 4 ? fdt32_to_cpu(*v) : 0;
}

/* What the first hart's node says beside its ISA: its MMU and its cache-block sizes. */
static void hart_facts(const void *fdt, int node, struct platform *p)
{
	const char *mmu = dt_string_prop(fdt, node, "mmu-type", NULL);

	if (mmu && strlen(mmu) < sizeof(p->mmu_type))
		memcpy(p->mmu_type, mmu, strlen(mmu) + 1);
	p->cbom_block = u32_prop(fdt, node, "riscv,cbom-block-size");
	p->cboz_block = u32_prop(fdt, node, "riscv,cboz-block-size");
	p->cbop_block = u32_prop(fdt, node, "riscv,cbop-block-size");
}

static void parse_cpus(const void *fdt, struct platform *p)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), node, len;
	const fdt32_t *tb;

	if (cpus < 0)
		return;
	tb = fdt_getprop(fdt, cpus, "timebase-frequency", &len);
	if (tb && len == 4)
		p->timebase = fdt32_to_cpu(*tb);
	fdt_for_each_subnode(node, fdt, cpus)
	{
		const char *type = dt_string_prop(fdt, node, "device_type", NULL);
		const char *isa = dt_string_prop(fdt, node, "riscv,isa", NULL);
		uint64_t id, unused;

		if (!type || strcmp(type, "cpu") || !node_enabled(fdt, node))
			continue;
		if (fdt_child_reg(fdt, cpus, node, 0, &id, &unused) || id >= MAX_HARTS)
			continue;
		p->hart_mask |= 1UL << id;
		p->nharts++;
		/* Remember the phandle of its interrupt controller: PLIC contexts name harts by it. */
		int intc = fdt_subnode_offset(fdt, node, "interrupt-controller");

		if (intc >= 0)
			p->intc_phandle[id] = fdt_get_phandle(fdt, intc);
		if (isa && !p->isa[0] && !p->isa_too_long) {
			size_t n = strlen(isa);

			if (n < sizeof(p->isa))
				memcpy(p->isa, isa, n + 1);
			else
				p->isa_too_long = n; /* never cut: boot names it */
			hart_facts(fdt, node, p);
		}
	}
}

#define MAX_DT_DEPTH 16
#define NO_MATCH 1000

/* A virtio,mmio transport, kept sorted by address (device order is by address on QEMU virt). */
static void add_virtio(const void *fdt, struct platform *p, int node, int parent)
{
	struct virtio_slot s = { 0 };
	int len, i;
	const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);

	if (p->nvirtio == MAX_VIRTIO_SLOTS || !node_enabled(fdt, node) || !irq || len < 4 ||
	    fdt_child_reg(fdt, parent, node, 0, &s.base, &s.size))
		return;
	s.irq = fdt32_to_cpu(*irq);
	for (i = p->nvirtio; i > 0 && p->virtio[i - 1].base > s.base; i--)
		p->virtio[i] = p->virtio[i - 1];
	p->virtio[i] = s;
	p->nvirtio++;
}

/* A device Keel looks for: compatible strings in order of preference, and where it was found. */
struct dt_device {
	const char *const *compat;
	int node, parent, rank;
};

/* The AIA's controllers: an APLIC and an IMSIC node for each privilege level that has one. */
#define MAX_AIA_NODES 4
struct aia_nodes {
	struct dt_device aplic[MAX_AIA_NODES], imsic[MAX_AIA_NODES];
	int naplic, nimsic;
};

static void add_aia(struct dt_device *list, int *n, int node, int parent)
{
	if (*n < MAX_AIA_NODES)
		list[(*n)++] = (struct dt_device){ NULL, node, parent, 0 };
}

/*
 * One walk over the tree finds every device and each one's parent (libfdt can only find a
 * parent by walking the tree again). The best-ranked compatible wins, the first in tree order
 * among equals. `target`'s parent is reported too (the stdout-path node). Every virtio-mmio
 * transport is recorded in `p` on the way, every APLIC and IMSIC in `aia`.
 */
static void find_devices(const void *fdt, struct platform *p, struct dt_device *devs, int n, int target,
			 int *target_parent, struct aia_nodes *aia)
{
	int parents[MAX_DT_DEPTH], depth = 0;

	for (int node = 0; node >= 0 && depth >= 0; node = fdt_next_node(fdt, node, &depth)) {
		int len, parent;
		const char *compat;

		if (depth >= MAX_DT_DEPTH)
			continue;
		parents[depth] = node;
		parent = depth ? parents[depth - 1] : -1;
		if (node == target)
			*target_parent = parent;
		compat = fdt_getprop(fdt, node, "compatible", &len);
		if (compat && parent >= 0 && fdt_stringlist_contains(compat, len, "virtio,mmio"))
			add_virtio(fdt, p, node, parent);
		if (compat && parent >= 0 && fdt_stringlist_contains(compat, len, "riscv,aplic"))
			add_aia(aia->aplic, &aia->naplic, node, parent);
		if (compat && parent >= 0 && fdt_stringlist_contains(compat, len, "riscv,imsics"))
			add_aia(aia->imsic, &aia->nimsic, node, parent);
		for (int d = 0; compat && d < n; d++)
			for (int r = 0; r < devs[d].rank && devs[d].compat[r]; r++)
				if (fdt_stringlist_contains(compat, len, devs[d].compat[r])) {
					devs[d] = (struct dt_device){ devs[d].compat, node, parent, r };
					break;
				}
	}
}

enum { DEV_UART, DEV_PLIC, DEV_SYSCON, DEV_COUNT };

static void parse_uart(const void *fdt, struct platform *p, const struct dt_device *dev, int stdout_node,
		       int stdout_parent)
{
	int node = stdout_node >= 0 ? stdout_node : dev->node, len;
	int parent = stdout_node >= 0 ? stdout_parent : dev->parent;
	const fdt32_t *prop;

	if (node < 0 || fdt_child_reg(fdt, parent, node, 0, &p->uart_base, &p->uart_size))
		return;
	prop = fdt_getprop(fdt, node, "reg-shift", &len);
	if (prop && len == 4)
		p->uart_shift = fdt32_to_cpu(*prop);
	prop = fdt_getprop(fdt, node, "interrupts", &len);
	if (prop && len >= 4)
		p->uart_irq = fdt32_to_cpu(*prop);
}

/* The node stdout-path names (options after ':' dropped), or -1. */
static int stdout_node(const void *fdt)
{
	int len;
	const char *path = dt_string_prop(fdt, fdt_path_offset(fdt, "/chosen"), "stdout-path", &len);
	char buf[64];
	size_t n = 0;

	if (!path)
		return -1;
	while (n + 1 < sizeof(buf) && path[n] && path[n] != ':') {
		buf[n] = path[n];
		n++;
	}
	buf[n] = '\0';
	return fdt_path_offset(fdt, buf);
}

/* Hart whose interrupt controller has this phandle (found by parse_cpus), or -1. */
static long intc_hart(const struct platform *p, uint32_t phandle)
{
	for (long h = 0; h < MAX_HARTS; h++)
		if (phandle && p->intc_phandle[h] == phandle)
			return h;
	return -1;
}

#define IRQ_S_EXT_CAUSE 9 /* supervisor external interrupt, in interrupts-extended */

/* Every region of an interrupt controller's registers: no VM is given any of them. */
static void add_irqc_regions(const void *fdt, struct platform *p, const struct dt_device *dev)
{
	uint64_t base, size;

	for (int i = 0;
	     p->nirqc_regions < MAX_IRQC_REGIONS && !fdt_child_reg(fdt, dev->parent, dev->node, i, &base, &size); i++)
		p->irqc_regions[p->nirqc_regions++] = (struct mem_region){ base, size };
}

/*
 * Call fn(p, i, hart, arg) for the i-th <intc-phandle cause> pair of a node's interrupts-extended
 * that names a hart's supervisor external interrupt (fn may be NULL). Returns how many pairs named it.
 */
static int for_each_s_ext(const void *fdt, int node, struct platform *p,
			  void (*fn)(struct platform *, int, long, void *), void *arg)
{
	int len, found = 0;
	const fdt32_t *ext = fdt_getprop(fdt, node, "interrupts-extended", &len);

	for (int i = 0; ext && (i + 1) * 8 <= len; i++) {
		long hart = intc_hart(p, fdt32_to_cpu(ext[2 * i]));

		if (fdt32_to_cpu(ext[2 * i + 1]) != IRQ_S_EXT_CAUSE)
			continue;
		found++;
		if (fn && hart >= 0 && hart < MAX_HARTS)
			fn(p, i, hart, arg);
	}
	return found;
}

static void set_plic_context(struct platform *p, int i, long hart, void *arg)
{
	(void)arg;
	p->plic_s_context[hart] = i;
}

static void parse_plic(const void *fdt, struct platform *p, const struct dt_device *dev)
{
	int len;
	const fdt32_t *ndev;

	if (dev->node < 0 || fdt_child_reg(fdt, dev->parent, dev->node, 0, &p->plic_base, &p->plic_size))
		return;
	add_irqc_regions(fdt, p, dev);
	ndev = fdt_getprop(fdt, dev->node, "riscv,ndev", &len);
	if (ndev && len == 4)
		p->plic_ndev = fdt32_to_cpu(*ndev);
	/* Context i is the i-th <intc-phandle cause> pair of interrupts-extended. */
	for_each_s_ext(fdt, dev->node, p, set_plic_context, NULL);
	p->irqc = HOST_IRQC_PLIC;
	p->irq_sources = p->plic_ndev;
}

/* Where an IMSIC's files are: the i-th file is the i-th page group of its reg regions, in order. */
struct imsic_layout {
	const void *fdt;
	const struct dt_device *dev;
};

static void set_imsic_file(struct platform *p, int i, long hart, void *arg)
{
	const struct imsic_layout *l = arg;
	uint64_t base, size, stride = PAGE_SIZE << p->imsic_guest_bits;
	int first = 0;

	for (int r = 0; !fdt_child_reg(l->fdt, l->dev->parent, l->dev->node, r, &base, &size); r++) {
		int files = (int)(size / stride);

		if (i < first + files) {
			p->imsic_file[hart] = base + (uint64_t)(i - first) * stride;
			p->imsic_index[hart] = i;
			return;
		}
		first += files;
	}
}

/*
 * The IMSIC with S-level files: its layout. The others (M-level), and disabled ones (as firmware
 * marks its own), only as regions no VM gets.
 */
static uint32_t parse_imsics(const void *fdt, struct platform *p, const struct aia_nodes *aia)
{
	uint32_t phandle = 0;

	for (int n = 0; n < aia->nimsic; n++) {
		const struct dt_device *dev = &aia->imsic[n];
		struct imsic_layout l = { fdt, dev };
		int len;
		const fdt32_t *ids;

		add_irqc_regions(fdt, p, dev);
		if (phandle || !node_enabled(fdt, dev->node) || !for_each_s_ext(fdt, dev->node, p, NULL, NULL))
			continue;
		ids = fdt_getprop(fdt, dev->node, "riscv,num-ids", &len);
		p->imsic_ids = ids && len == 4 ? fdt32_to_cpu(*ids) : 0;
		p->imsic_guest_bits = u32_prop(fdt, dev->node, "riscv,guest-index-bits");
		if (p->imsic_guest_bits > IMSIC_MAX_GUEST_BITS)
			p->imsic_guest_bits = IMSIC_MAX_GUEST_BITS;
		for_each_s_ext(fdt, dev->node, p, set_imsic_file, &l);
		phandle = fdt_get_phandle(fdt, dev->node);
	}
	return phandle;
}

static void set_aplic_idc(struct platform *p, int i, long hart, void *arg)
{
	(void)arg;
	p->aplic_idc[hart] = i;
}

/*
 * The APLIC's S-level domain: the one whose IDCs deliver to the harts' supervisor external
 * interrupt (direct mode), or whose msi-parent is the S-level IMSIC (MSI mode).
 */
static void parse_aplics(const void *fdt, struct platform *p, const struct aia_nodes *aia, uint32_t s_imsic)
{
	for (int n = 0; n < aia->naplic; n++) {
		const struct dt_device *dev = &aia->aplic[n];
		uint32_t parent = u32_prop(fdt, dev->node, "msi-parent");
		int direct;

		add_irqc_regions(fdt, p, dev);
		if (p->irqc != HOST_IRQC_NONE || !node_enabled(fdt, dev->node))
			continue;
		direct = for_each_s_ext(fdt, dev->node, p, set_aplic_idc, NULL) > 0;
		if (!direct && !(s_imsic && parent == s_imsic))
			continue;
		if (fdt_child_reg(fdt, dev->parent, dev->node, 0, &p->aplic_base, &p->aplic_size))
			continue;
		p->irqc = direct ? HOST_IRQC_APLIC : HOST_IRQC_APLIC_MSI;
		p->irq_sources = u32_prop(fdt, dev->node, "riscv,num-sources");
		if (p->irq_sources > APLIC_MAX_SOURCES)
			p->irq_sources = APLIC_MAX_SOURCES;
	}
}

static void parse_devices(const void *fdt, struct platform *p)
{
	static const char *const uart[] = { "ns16550a", "ns16550", NULL };
	static const char *const plic[] = { "riscv,plic0", "sifive,plic-1.0.0", NULL };
	static const char *const syscon[] = { "sifive,test0", "syscon", NULL };
	struct dt_device devs[DEV_COUNT] = {
		[DEV_UART] = { uart, -1, -1, NO_MATCH },
		[DEV_PLIC] = { plic, -1, -1, NO_MATCH },
		[DEV_SYSCON] = { syscon, -1, -1, NO_MATCH },
	};
	struct aia_nodes aia = { 0 };
	int out = stdout_node(fdt), out_parent = -1;
	uint64_t size;

	for (int h = 0; h < MAX_HARTS; h++)
		p->plic_s_context[h] = p->aplic_idc[h] = p->imsic_index[h] = -1;
	find_devices(fdt, p, devs, DEV_COUNT, out, &out_parent, &aia);
	parse_uart(fdt, p, &devs[DEV_UART], out_parent >= 0 ? out : -1, out_parent);
	parse_plic(fdt, p, &devs[DEV_PLIC]);
	/* A machine with a PLIC uses it; one without, its APLIC (and IMSICs). */
	uint32_t s_imsic = parse_imsics(fdt, p, &aia);

	parse_aplics(fdt, p, &aia, s_imsic);
	if (devs[DEV_SYSCON].node >= 0)
		fdt_child_reg(fdt, devs[DEV_SYSCON].parent, devs[DEV_SYSCON].node, 0, &p->syscon_base, &size);
}

int platform_parse(const void *fdt, struct platform *out)
{
	int err = fdt_check_header(fdt);

	memset(out, 0, sizeof(*out));
	if (err)
		return err;
	parse_memory(fdt, out);
	parse_reserved(fdt, out);
	parse_cpus(fdt, out);
	parse_devices(fdt, out);
	return 0;
}
