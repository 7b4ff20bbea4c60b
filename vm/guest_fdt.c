/* Guest device tree: memory, cpus, timebase and /chosen. */
#include "vm/guest_fdt.h"
#include "lib/printf.h"
#include <libfdt.h>
#include <string.h>

static int append(char *out, size_t len, size_t *pos, const char *s, size_t n)
{
	if (*pos + n + 1 > len)
		return -1;
	memcpy(out + *pos, s, n);
	*pos += n;
	out[*pos] = '\0';
	return 0;
}

int guest_isa_string(const char *host, int sstc, char *out, size_t len)
{
	size_t pos = 0;
	const char *p = host;

	if (!len)
		return -1;
	out[0] = '\0';
	if (strncmp(p, "rv64", 4) && strncmp(p, "rv32", 4))
		return -1;
	if (append(out, len, &pos, p, 4))
		return -1;
	/* Single-letter extensions up to the first '_': drop 'h'. */
	for (p += 4; *p && *p != '_'; p++)
		if (*p != 'h' && append(out, len, &pos, p, 1))
			return -1;
	/* Multi-letter extensions: drop the hypervisor ones and, unless given, sstc. */
	while (*p == '_') {
		const char *name = ++p;
		size_t n = 0;

		while (name[n] && name[n] != '_')
			n++;
		p = name + n;
		if (!n || name[0] == 'h' || (!sstc && n == 4 && !strncmp(name, "sstc", 4)))
			continue;
		if (append(out, len, &pos, "_", 1) || append(out, len, &pos, name, n))
			return -1;
	}
	return 0;
}

static int fdt_reg64(void *fdt, uint64_t base, uint64_t size)
{
	fdt64_t reg[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };

	return fdt_property(fdt, "reg", reg, sizeof(reg));
}

#define TRY(x)                          \
	do {                            \
		int __e = (x);          \
		if (__e < 0)            \
			return __e;     \
	} while (0)

static int build_cpus(void *fdt, const struct vm_config *cfg, const char *isa, unsigned long timebase)
{
	char name[24];

	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	TRY(fdt_property_u32(fdt, "timebase-frequency", (uint32_t)timebase));
	for (int i = 0; i < cfg->nvcpus; i++) {
		snprintf(name, sizeof(name), "cpu@%d", i);
		TRY(fdt_begin_node(fdt, name));
		TRY(fdt_property_string(fdt, "device_type", "cpu"));
		TRY(fdt_property_u32(fdt, "reg", (uint32_t)i));
		TRY(fdt_property_string(fdt, "status", "okay"));
		TRY(fdt_property_string(fdt, "compatible", "riscv"));
		TRY(fdt_property_string(fdt, "riscv,isa", isa));
		TRY(fdt_property_string(fdt, "mmu-type", "riscv,sv48"));
		TRY(fdt_begin_node(fdt, "interrupt-controller"));
		TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
		TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
		TRY(fdt_property_string(fdt, "compatible", "riscv,cpu-intc"));
		TRY(fdt_property_u32(fdt, "phandle", (uint32_t)(i + 1)));
		TRY(fdt_end_node(fdt));
		TRY(fdt_end_node(fdt));
	}
	return fdt_end_node(fdt);
}

int guest_fdt_build(void *buf, size_t size, const struct vm_config *cfg, const char *host_isa,
		    unsigned long timebase)
{
	char isa[128], name[32];

	if (guest_isa_string(host_isa, cfg->timer == TIMER_SSTC, isa, sizeof(isa)))
		return -FDT_ERR_BADVALUE;
	TRY(fdt_create(buf, (int)size));
	TRY(fdt_finish_reservemap(buf));
	TRY(fdt_begin_node(buf, ""));
	TRY(fdt_property_u32(buf, "#address-cells", 2));
	TRY(fdt_property_u32(buf, "#size-cells", 2));
	TRY(fdt_property_string(buf, "compatible", "keel,vm"));
	TRY(fdt_property_string(buf, "model", cfg->name));

	TRY(fdt_begin_node(buf, "chosen"));
	TRY(fdt_property_string(buf, "bootargs", cfg->bootargs));
	TRY(fdt_end_node(buf));

	snprintf(name, sizeof(name), "memory@%lx", (unsigned long)cfg->ram_base);
	TRY(fdt_begin_node(buf, name));
	TRY(fdt_property_string(buf, "device_type", "memory"));
	TRY(fdt_reg64(buf, cfg->ram_base, cfg->ram_size));
	TRY(fdt_end_node(buf));

	TRY(build_cpus(buf, cfg, isa, timebase));
	TRY(fdt_end_node(buf));
	TRY(fdt_finish(buf));
	return (int)fdt_totalsize(buf);
}
