/*
 * VM configuration is data: each /chosen/keel,vm@N node describes one VM.
 *   keel,name = "str";             optional, defaults to vmN
 *   keel,harts = <h0 h1 ...>;      physical harts the VM's vCPUs run on: each vCPU in turn goes to the
 *                                  listed hart with the fewest vCPUs so far, earlier VMs' included
 *                                  (the first listed on a tie: one VM alone gets them round robin)
 *   keel,vcpus = <n>;              optional, vCPU count (default: one per listed hart), up to 8
 *   keel,pinned;                   optional, the harts are the VM's alone (one vCPU each, no
 *                                  scheduler): refused if another VM already uses one of them,
 *                                  and a later VM that wants one of them is refused
 *   keel,wfi-exits;                optional, a guest WFI traps to Keel even where its vCPU has a hart
 *                                  alone (by default it traps only on a shared hart: alone, the hart
 *                                  simply waits in the guest, as KVM does for a vCPU alone on its CPU)
 *   keel,read-exits;               optional, every read of an emulated device register traps to Keel
 *                                  (by default registers that a read does not change, the vPLIC's
 *                                  enable words and virtio registers, are mapped read-only in
 *                                  stage-2 and read without an exit; writes trap either way)
 *   keel,slice-us = <us>;          optional, time slice on a shared hart (default 4000, 100..1000000)
 *   keel,weight = <w>;             optional, CPU share on a shared hart against other vCPUs' weights
 *                                  (default 1, 1..64)
 *   keel,memory = <base-hi base-lo size-hi size-lo>;  guest RAM (guest-physical)
 *   keel,kernel = <addr-hi addr-lo size-hi size-lo>;  image placed by QEMU's -device loader
 *   keel,kernel-offset = <hi lo>;  optional, load offset in guest RAM (default 2 MiB)
 *   keel,initrd = <addr-hi addr-lo size-hi size-lo>;  optional initramfs placed by QEMU's loader;
 *                                  it goes just below the DTB at the top of guest RAM
 *   keel,timer = "sstc" | "sbi";   optional, default sstc when the hart has it
 *   keel,stage2 = "sv39x4" | "sv48x4"; optional
 *   bootargs = "str";              optional, copied to the guest's /chosen
 *   keel,devices = <base-hi base-lo size-hi size-lo irq> ...;  optional host devices passed
 *                                  through: MMIO mapped at the same address, irq forwarded (0: none)
 *   keel,disks = <host start-hi start-lo nsectors-hi nsectors-lo flags> ...;  optional, up to 4 virtio
 *                                  block devices, each a slice of a host disk: host = index of the host's
 *                                  virtio-blk device (0 = the highest virtio-mmio address, i.e. QEMU's
 *                                  first -device), start and size in 512-byte sectors (size 0: to the end
 *                                  of the host disk), flags bit 0 = read-only. Guest disk i appears at
 *                                  0x10001000 + 0x1000 * (7 - i) with interrupt 8 - i, as QEMU places its
 *                                  i-th virtio device. Slices must lie inside the host disk and must not
 *                                  overlap any other slice (of this VM or another): such a VM is refused.
 *   keel,nics = "net" ...;         optional, up to 2 virtio-net cards, each plugged into the named
 *                                  network of Keel's switch (names up to 15 characters; VMs on different
 *                                  networks cannot reach each other). NIC i appears at
 *                                  0x10001000 + 0x1000 * i with interrupt 1 + i.
 *   keel,macs = [xx xx xx xx xx xx ...];  optional, 6 bytes per NIC; a NIC without one gets
 *                                  02:4b:xx:xx:xx:yy, xx a hash of the VM's name and yy the hash's
 *                                  last byte plus the NIC's index (stable across boots).
 *   keel,console = "uart" | "virtio";  optional, the device that takes the VM's console input
 *                                  (default "uart": the 16550, whose FIFO SBI getchar reads too).
 *                                  "virtio" adds a virtio console (Linux: hvc1 beside the SBI
 *                                  console's hvc0) at 0x10001000 + 0x1000 * 2 with interrupt 3;
 *                                  the UART and SBI console stay, for early output.
 *   keel,irqchip = "plic" | "aia"; optional, the guest's interrupt controller: a PLIC (the vPLIC), or
 *                                  the AIA (an IMSIC with one interrupt file per vCPU, the hart's own
 *                                  VS guest interrupt file mapped at 0x28000000 + 0x1000 * vCPU, and
 *                                  an APLIC in MSI mode at 0xd000000 for the wired sources). "aia"
 *                                  needs a host IMSIC with guest files, a free one on each vCPU's hart,
 *                                  and no pass-through interrupt. Default "plic".
 * In /chosen, keel,uplink = "net" plugs the machine's own virtio-net card into that network.
 */
#include "vm/config.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "drivers/platform.h"
#include "lib/printf.h"
#include "net/switch.h"
#include <libfdt.h>
#include <string.h>

#define DEFAULT_KERNEL_OFFSET SZ_2M
#define SLICE_US_MIN 100
#define SLICE_US_MAX 1000000
#define MIN_GUEST_RAM (4 * SZ_2M)
#define FNV32_OFFSET 2166136261U
#define FNV32_PRIME 16777619U
#define MAC_KEEL_OCTET 0x4b /* 'K': second octet of the default MACs */

static uint64_t cells64(const fdt32_t *p)
{
	return ((uint64_t)fdt32_to_cpu(p[0]) << 32) | fdt32_to_cpu(p[1]);
}

static int fail(char *err, unsigned long len, const char *field, const char *what)
{
	snprintf(err, len, "field %s: %s", field, what);
	return -1;
}

static int get_range(const void *fdt, int node, const char *prop, uint64_t *base, uint64_t *size)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, prop, &len);

	if (!p)
		return -1;
	if (len != 16)
		return -2;
	*base = cells64(p);
	*size = cells64(p + 2);
	return 0;
}

static int in_host_ram(const struct platform *plat, uint64_t base, uint64_t size)
{
	for (int i = 0; i < plat->nmem; i++)
		if (base >= plat->mem[i].base && base + size >= base &&
		    base + size <= plat->mem[i].base + plat->mem[i].size)
			return 1;
	return 0;
}

/* 32-bit FNV-1a: a stable default MAC from the VM's name. */
static uint32_t name_hash(const char *s)
{
	uint32_t h = FNV32_OFFSET;

	while (*s)
		h = (h ^ (uint8_t)*s++) * FNV32_PRIME;
	return h;
}

static int parse_nics(const void *fdt, int node, struct vm_config *cfg, char *err, unsigned long errlen)
{
	int len, mlen = 0;
	const char *s = fdt_getprop(fdt, node, "keel,nics", &len);
	const uint8_t *macs = fdt_getprop(fdt, node, "keel,macs", &mlen);
	uint32_t h = name_hash(cfg->name);

	if (!s) {
		if (macs)
			return fail(err, errlen, "keel,macs", "given without keel,nics");
		return 0;
	}
	if (!len || s[len - 1])
		return fail(err, errlen, "keel,nics", "must be a list of network names");
	for (int off = 0; off < len; off += (int)strlen(s + off) + 1) {
		struct vm_nic_cfg *n = &cfg->nics[cfg->nnics];
		size_t l = strlen(s + off);

		if (cfg->nnics == MAX_VM_NICS)
			return fail(err, errlen, "keel,nics", "at most 2 network cards");
		if (!l || l >= sizeof(n->net))
			return fail(err, errlen, "keel,nics", "network names are 1 to 15 characters");
		memcpy(n->net, s + off, l + 1);
		n->mac[0] = ETH_ADDR_LOCAL; /* unicast */
		n->mac[1] = MAC_KEEL_OCTET;
		n->mac[2] = (uint8_t)(h >> 24);
		n->mac[3] = (uint8_t)(h >> 16);
		n->mac[4] = (uint8_t)(h >> 8);
		n->mac[5] = (uint8_t)(h + (uint32_t)cfg->nnics);
		cfg->nnics++;
	}
	if (macs) {
		if (mlen != VM_MAC_LEN * cfg->nnics)
			return fail(err, errlen, "keel,macs", "needs 6 bytes per network card");
		for (int i = 0; i < cfg->nnics; i++) {
			if (macs[VM_MAC_LEN * i] & ETH_ADDR_GROUP)
				return fail(err, errlen, "keel,macs", "a group (multicast) address cannot be a card's");
			memcpy(cfg->nics[i].mac, macs + VM_MAC_LEN * i, VM_MAC_LEN);
		}
	}
	return 0;
}

/* An optional single-cell property: 0 and `*val` untouched when absent, -1 when malformed. */
static int get_u32(const void *fdt, int node, const char *prop, unsigned *val)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, prop, &len);

	if (!p)
		return 0;
	if (len != 4)
		return -1;
	*val = fdt32_to_cpu(p[0]);
	return 0;
}

static int parse_harts(const void *fdt, int node, const struct platform *plat, const struct hart_claims *claims,
		       struct vm_config *cfg, char *err, unsigned long errlen)
{
	int len, nharts;
	const fdt32_t *p = fdt_getprop(fdt, node, "keel,harts", &len);
	unsigned long mine = 0, list[MAX_HARTS];
	unsigned nvcpus;
	char what[96];

	if (!p || len < 4 || len % 4)
		return fail(err, errlen, "keel,harts", "missing or not a list of hart ids");
	if (len / 4 > MAX_HARTS)
		return fail(err, errlen, "keel,harts", "lists more harts than Keel supports");
	nharts = len / 4;
	for (int i = 0; i < nharts; i++) {
		unsigned long h = fdt32_to_cpu(p[i]);

		if (h >= MAX_HARTS || !(plat->hart_mask & (1UL << h))) {
			snprintf(what, sizeof(what), "hart %lu does not exist", h);
			return fail(err, errlen, "keel,harts", what);
		}
		if (mine & (1UL << h)) {
			snprintf(what, sizeof(what), "hart %lu is listed twice", h);
			return fail(err, errlen, "keel,harts", what);
		}
		if (claims->pinned & (1UL << h)) {
			snprintf(what, sizeof(what), "hart %lu is pinned to vm '%s'", h, claims->owner[h]);
			return fail(err, errlen, "keel,harts", what);
		}
		mine |= 1UL << h;
		list[i] = h;
	}
	nvcpus = (unsigned)nharts;
	if (get_u32(fdt, node, "keel,vcpus", &nvcpus) || nvcpus < 1 || nvcpus > MAX_VCPUS_PER_VM)
		return fail(err, errlen, "keel,vcpus", "needs one cell, 1 to 8");
	cfg->pinned = fdt_getprop(fdt, node, "keel,pinned", NULL) != NULL;
	cfg->wfi_exits = fdt_getprop(fdt, node, "keel,wfi-exits", NULL) != NULL;
	cfg->read_exits = fdt_getprop(fdt, node, "keel,read-exits", NULL) != NULL;
	if (cfg->pinned && nvcpus != (unsigned)nharts)
		return fail(err, errlen, "keel,pinned", "needs exactly one listed hart per vCPU");
	for (int i = 0; cfg->pinned && i < nharts; i++)
		if (claims->used & (1UL << list[i])) {
			snprintf(what, sizeof(what), "hart %lu is already used by vm '%s'", list[i],
				 claims->owner[list[i]]);
			return fail(err, errlen, "keel,pinned", what);
		}
	cfg->nvcpus = (int)nvcpus;
	cfg->hart_mask = mine;
	for (int i = 0; i < cfg->nvcpus; i++) {
		int best = cfg->pinned ? i : 0;
		unsigned load[MAX_HARTS] = { 0 };

		for (int j = 0; j < i; j++)
			load[cfg->harts[j]]++;
		for (int k = 1; !cfg->pinned && k < nharts; k++)
			if (claims->vcpus[list[k]] + load[list[k]] < claims->vcpus[list[best]] + load[list[best]])
				best = k;
		cfg->harts[i] = list[best];
	}
	return 0;
}

/* The VS guest interrupt files each hart has for vCPUs: those hgeie has, and the IMSIC maps. */
static unsigned host_guest_files(const struct platform *plat, const struct cpu_features *cpu)
{
	unsigned mapped = plat->imsic_guest_bits ? (1U << plat->imsic_guest_bits) - 1 : 0;

	if (plat->irqc != HOST_IRQC_APLIC_MSI || !cpu->has_ssaia)
		return 0;
	return cpu->geilen < mapped ? cpu->geilen : mapped;
}

/* keel,irqchip, after the harts: with the AIA each vCPU takes the next free guest file of its hart. */
static int parse_irqchip(const void *fdt, int node, const struct platform *plat, const struct cpu_features *cpu,
			 const struct hart_claims *claims, struct vm_config *cfg, char *err, unsigned long errlen)
{
	const char *s = dt_string_prop(fdt, node, "keel,irqchip", NULL);
	unsigned files = host_guest_files(plat, cpu), used[MAX_HARTS];
	char what[96];

	cfg->irqchip = VM_IRQCHIP_PLIC;
	if (s ? strcmp(s, "plic") && strcmp(s, "aia") : fdt_getprop(fdt, node, "keel,irqchip", NULL) != NULL)
		return fail(err, errlen, "keel,irqchip", "must be \"plic\" or \"aia\"");
	if (!s || !strcmp(s, "plic"))
		return 0;
	if (!files)
		return fail(err, errlen, "keel,irqchip", "\"aia\" but the host has no IMSIC guest interrupt files");
	for (int i = 0; i < cfg->npass; i++)
		if (cfg->pass[i].irq)
			return fail(err, errlen, "keel,irqchip",
				    "\"aia\" takes no pass-through interrupt (keel,devices)");
	for (int h = 0; h < MAX_HARTS; h++)
		used[h] = claims->files[h];
	for (int i = 0; i < cfg->nvcpus; i++) {
		unsigned long h = cfg->harts[i];

		if (used[h] >= files) {
			snprintf(what, sizeof(what),
				 "\"aia\" but hart %lu has no free guest interrupt file (%u in use)", h, used[h]);
			return fail(err, errlen, "keel,irqchip", what);
		}
		cfg->aia_file[i] = (unsigned char)++used[h];
	}
	cfg->irqchip = VM_IRQCHIP_AIA;
	return 0;
}

static void claim_harts(struct hart_claims *claims, const struct vm_config *cfg)
{
	for (unsigned long h = 0; h < MAX_HARTS; h++)
		if ((cfg->hart_mask & (1UL << h)) && !(claims->used & (1UL << h)))
			memcpy(claims->owner[h], cfg->name, sizeof(claims->owner[h]));
	for (int i = 0; i < cfg->nvcpus; i++) {
		claims->vcpus[cfg->harts[i]]++;
		if (cfg->aia_file[i])
			claims->files[cfg->harts[i]]++;
	}
	claims->used |= cfg->hart_mask;
	if (cfg->pinned)
		claims->pinned |= cfg->hart_mask;
}

int vm_config_parse(const void *fdt, int node, int index, const struct platform *plat, const struct cpu_features *cpu,
		    struct hart_claims *claims, struct vm_config *cfg, char *err, unsigned long errlen)
{
	const char *s;
	int len, r;

	memset(cfg, 0, sizeof(*cfg));
	s = dt_string_prop(fdt, node, "keel,name", &len);
	if (s && s[0] && len > 1 && (size_t)len <= sizeof(cfg->name))
		memcpy(cfg->name, s, (size_t)len);
	else
		snprintf(cfg->name, sizeof(cfg->name), "vm%d", index);

	r = get_range(fdt, node, "keel,memory", &cfg->ram_base, &cfg->ram_size);
	if (r)
		return fail(err, errlen, "keel,memory",
			    r == -1 ? "missing" : "needs <base-hi base-lo size-hi size-lo>");
	if (cfg->ram_size < MIN_GUEST_RAM || cfg->ram_size % SZ_2M || cfg->ram_base % SZ_2M)
		return fail(err, errlen, "keel,memory", "size must be >= 8 MiB and base and size 2 MiB aligned");

	r = get_range(fdt, node, "keel,kernel", &cfg->kernel_addr, &cfg->kernel_size);
	if (r)
		return fail(err, errlen, "keel,kernel",
			    r == -1 ? "missing (no image to boot)" : "needs <addr-hi addr-lo size-hi size-lo>");
	if (!cfg->kernel_size || !in_host_ram(plat, cfg->kernel_addr, cfg->kernel_size))
		return fail(err, errlen, "keel,kernel", "image is empty or not in host RAM");
	cfg->kernel_offset = DEFAULT_KERNEL_OFFSET;
	const fdt32_t *off = fdt_getprop(fdt, node, "keel,kernel-offset", &len);

	if (off && len == 8)
		cfg->kernel_offset = cells64(off);
	/* ram_size >= 8 MiB here, so none of these subtractions wraps. */
	if (cfg->kernel_offset % PAGE_SIZE || cfg->kernel_offset > cfg->ram_size - SZ_2M ||
	    cfg->kernel_size > cfg->ram_size - SZ_2M - cfg->kernel_offset)
		return fail(err, errlen, "keel,kernel", "image does not fit in guest RAM (with 2 MiB for the DTB)");

	r = get_range(fdt, node, "keel,initrd", &cfg->initrd_addr, &cfg->initrd_size);
	if (r == -2 || (!r && (!cfg->initrd_size || !in_host_ram(plat, cfg->initrd_addr, cfg->initrd_size))))
		return fail(err, errlen, "keel,initrd",
			    "needs <addr-hi addr-lo size-hi size-lo> of an image in host RAM");
	if (!r) {
		uint64_t top = cfg->ram_size - SZ_2M; /* the DTB's 2 MiB */

		if (cfg->initrd_size > top - cfg->kernel_offset)
			return fail(err, errlen, "keel,initrd", "does not fit in guest RAM");
		cfg->initrd_offset = (top - cfg->initrd_size) & ~(PAGE_SIZE - 1);
		if (cfg->initrd_offset < cfg->kernel_offset + cfg->kernel_size)
			return fail(err, errlen, "keel,initrd", "overlaps the kernel: give the VM more memory");
	}

	s = dt_string_prop(fdt, node, "keel,timer", NULL);
	cfg->timer = cpu->has_sstc ? TIMER_SSTC : TIMER_SBI;
	if (s && !strcmp(s, "sbi"))
		cfg->timer = TIMER_SBI;
	else if (s && !strcmp(s, "sstc")) {
		if (!cpu->has_sstc)
			return fail(err, errlen, "keel,timer", "\"sstc\" but this hart has no Sstc");
		cfg->timer = TIMER_SSTC;
	} else if (s)
		return fail(err, errlen, "keel,timer", "must be \"sstc\" or \"sbi\"");

	s = dt_string_prop(fdt, node, "keel,stage2", NULL);
	cfg->stage2_mode = cpu->has_sv39x4 ? HGATP_MODE_SV39X4 : HGATP_MODE_SV48X4;
	if (s && !strcmp(s, "sv39x4") && cpu->has_sv39x4)
		cfg->stage2_mode = HGATP_MODE_SV39X4;
	else if (s && !strcmp(s, "sv48x4") && cpu->has_sv48x4)
		cfg->stage2_mode = HGATP_MODE_SV48X4;
	else if (s)
		return fail(err, errlen, "keel,stage2", "not a mode this hart has");
	if (cfg->ram_base + cfg->ram_size < cfg->ram_base ||
	    cfg->ram_base + cfg->ram_size > stage2_gpa_limit(cfg->stage2_mode))
		return fail(err, errlen, "keel,memory", "beyond the guest-physical address space");

	s = dt_string_prop(fdt, node, "bootargs", &len);
	if (s && (size_t)len > sizeof(cfg->bootargs))
		return fail(err, errlen, "bootargs", "too long");
	if (s)
		memcpy(cfg->bootargs, s, (size_t)len);

	const fdt32_t *dev = fdt_getprop(fdt, node, "keel,devices", &len);

	if (dev && (len % 20 || len / 20 > MAX_PASSTHROUGH))
		return fail(err, errlen, "keel,devices",
			    "needs up to 4 entries of <base-hi base-lo size-hi size-lo irq>");
	for (int i = 0; dev && i < len / 20; i++) {
		struct passthrough *p = &cfg->pass[cfg->npass++];

		p->base = cells64(dev + 5 * i);
		p->size = cells64(dev + 5 * i + 2);
		p->irq = fdt32_to_cpu(dev[5 * i + 4]);
		if (!p->size || (p->base | p->size) % PAGE_SIZE || p->base + p->size < p->base)
			return fail(err, errlen, "keel,devices", "base and size must be page aligned and nonzero");
	}

	const fdt32_t *dk = fdt_getprop(fdt, node, "keel,disks", &len);

	if (dk && (!len || len % 24 || len / 24 > MAX_VM_DISKS))
		return fail(err, errlen, "keel,disks",
			    "needs up to 4 entries of <host start-hi start-lo nsectors-hi nsectors-lo flags>");
	for (int i = 0; dk && i < len / 24; i++) {
		struct vm_disk_cfg *d = &cfg->disks[cfg->ndisks++];
		const fdt32_t *e = dk + 6 * i;

		d->host = fdt32_to_cpu(e[0]);
		d->start = cells64(e + 1);
		d->nsectors = cells64(e + 3);
		d->flags = fdt32_to_cpu(e[5]);
		if (d->flags & ~VM_DISK_FLAGS)
			return fail(err, errlen, "keel,disks", "unknown flags (bit 0, read-only, is the only one)");
		if (d->start + d->nsectors < d->start)
			return fail(err, errlen, "keel,disks", "start + nsectors wraps");
	}
	cfg->slice_us = DEFAULT_SLICE_US;
	if (get_u32(fdt, node, "keel,slice-us", &cfg->slice_us) || cfg->slice_us < SLICE_US_MIN ||
	    cfg->slice_us > SLICE_US_MAX)
		return fail(err, errlen, "keel,slice-us", "needs one cell, 100 to 1000000 (microseconds)");
	cfg->weight = DEFAULT_WEIGHT;
	if (get_u32(fdt, node, "keel,weight", &cfg->weight) || cfg->weight < 1 || cfg->weight > MAX_WEIGHT)
		return fail(err, errlen, "keel,weight", "needs one cell, 1 to 64");

	if (parse_nics(fdt, node, cfg, err, errlen))
		return -1;

	s = dt_string_prop(fdt, node, "keel,console", NULL);
	cfg->console = VM_CONSOLE_UART;
	if (s && !strcmp(s, "virtio"))
		cfg->console = VM_CONSOLE_VIRTIO;
	else if (s ? strcmp(s, "uart") != 0 : fdt_getprop(fdt, node, "keel,console", NULL) != NULL)
		return fail(err, errlen, "keel,console", "must be \"uart\" or \"virtio\"");

	/* Harts last: a VM that fails on another field must not keep its harts. */
	if (parse_harts(fdt, node, plat, claims, cfg, err, errlen) ||
	    parse_irqchip(fdt, node, plat, cpu, claims, cfg, err, errlen))
		return -1;
	claim_harts(claims, cfg);
	return 0;
}
