/* Host device tree parsing with libfdt: memory, reserved memory, harts, UART, PLIC, timebase. */
#include "drivers/platform.h"
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
	int parent = fdt_parent_offset(fdt, node);
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

	fdt_for_each_subnode(node, fdt, 0) {
		const char *type = dt_string_prop(fdt, node, "device_type", NULL);
		uint64_t base, size;

		if (!type || strcmp(type, "memory") || !node_enabled(fdt, node))
			continue;
		for (int i = 0; p->nmem < MAX_MEM_REGIONS && !fdt_node_reg(fdt, node, i, &base, &size); i++)
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
	fdt_for_each_subnode(node, fdt, rsv)
		for (int i = 0; !fdt_node_reg(fdt, node, i, &base, &size); i++)
			add_reserved(p, base, size);
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
	fdt_for_each_subnode(node, fdt, cpus) {
		const char *type = dt_string_prop(fdt, node, "device_type", NULL);
		const char *isa = dt_string_prop(fdt, node, "riscv,isa", NULL);
		uint64_t id, unused;

		if (!type || strcmp(type, "cpu") || !node_enabled(fdt, node))
			continue;
		if (fdt_node_reg(fdt, node, 0, &id, &unused) || id >= MAX_HARTS)
			continue;
		p->hart_mask |= 1UL << id;
		p->nharts++;
		if (isa && !p->isa[0]) {
			for (size_t i = 0; i + 1 < sizeof(p->isa) && isa[i]; i++)
				p->isa[i] = isa[i];
		}
	}
}

static int find_compatible(const void *fdt, const char *const *compat)
{
	for (; *compat; compat++) {
		int node = fdt_node_offset_by_compatible(fdt, -1, *compat);

		if (node >= 0)
			return node;
	}
	return -FDT_ERR_NOTFOUND;
}

static void parse_uart(const void *fdt, struct platform *p)
{
	static const char *const compat[] = { "ns16550a", "ns16550", NULL };
	int node = -1, len;
	const char *path = dt_string_prop(fdt, fdt_path_offset(fdt, "/chosen"), "stdout-path", &len);
	const fdt32_t *prop;

	if (path) {
		char buf[64];
		size_t n = 0;

		while (n + 1 < sizeof(buf) && path[n] && path[n] != ':') {
			buf[n] = path[n];
			n++;
		}
		buf[n] = '\0';
		node = fdt_path_offset(fdt, buf);
	}
	if (node < 0)
		node = find_compatible(fdt, compat);
	if (node < 0 || fdt_node_reg(fdt, node, 0, &p->uart_base, &p->uart_size))
		return;
	prop = fdt_getprop(fdt, node, "reg-shift", &len);
	if (prop && len == 4)
		p->uart_shift = fdt32_to_cpu(*prop);
	prop = fdt_getprop(fdt, node, "interrupts", &len);
	if (prop && len >= 4)
		p->uart_irq = fdt32_to_cpu(*prop);
}

/* Hart id of the cpu node whose interrupt controller has this phandle, or -1. */
static long intc_hart(const void *fdt, uint32_t phandle)
{
	int intc = fdt_node_offset_by_phandle(fdt, phandle);
	uint64_t id, unused;

	if (intc < 0 || fdt_node_reg(fdt, fdt_parent_offset(fdt, intc), 0, &id, &unused))
		return -1;
	return (long)id;
}

#define IRQ_S_EXT_CAUSE 9 /* supervisor external interrupt, in interrupts-extended */

static void parse_plic(const void *fdt, struct platform *p)
{
	static const char *const compat[] = { "riscv,plic0", "sifive,plic-1.0.0", NULL };
	int node = find_compatible(fdt, compat), len;
	const fdt32_t *ndev, *ext;

	for (int h = 0; h < MAX_HARTS; h++)
		p->plic_s_context[h] = -1;
	if (node < 0 || fdt_node_reg(fdt, node, 0, &p->plic_base, &p->plic_size))
		return;
	ndev = fdt_getprop(fdt, node, "riscv,ndev", &len);
	if (ndev && len == 4)
		p->plic_ndev = fdt32_to_cpu(*ndev);
	/* Context i is the i-th <intc-phandle cause> pair of interrupts-extended. */
	ext = fdt_getprop(fdt, node, "interrupts-extended", &len);
	for (int i = 0; ext && (i + 1) * 8 <= len; i++) {
		long hart = intc_hart(fdt, fdt32_to_cpu(ext[2 * i]));

		if (fdt32_to_cpu(ext[2 * i + 1]) == IRQ_S_EXT_CAUSE && hart >= 0 && hart < MAX_HARTS)
			p->plic_s_context[hart] = i;
	}
}

static void parse_syscon(const void *fdt, struct platform *p)
{
	static const char *const compat[] = { "sifive,test0", "syscon", NULL };
	int node = find_compatible(fdt, compat);
	uint64_t size;

	if (node >= 0)
		fdt_node_reg(fdt, node, 0, &p->syscon_base, &size);
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
	parse_uart(fdt, out);
	parse_plic(fdt, out);
	parse_syscon(fdt, out);
	return 0;
}
