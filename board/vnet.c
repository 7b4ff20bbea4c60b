/*
 * Network cards: each is a vdev/virtio/net device on the VM's MMIO bus and vPLIC, and a port of
 * Keel's switch on the network keel,nics names. The machine's own NIC (drivers/virtio/net) is
 * one more port, on the network /chosen/keel,uplink names. A frame a guest sends is copied out of
 * its buffers, once into the switch's queue of each port it goes to, and from there straight into
 * the receiver's buffers. Offloaded frames (64 KiB TCP, partial checksums) pass between guests that
 * negotiated them; the uplink, which takes none, gets them segmented and checksummed by the switch.
 */
#include "board/vnet.h"
#include "core/errno.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "core/console.h"
#include "drivers/platform.h"
#include "core/irq.h"
#include "drivers/virtio/net.h"
#include "lib/printf.h"
#include "mm/palloc.h"
#include <libfdt.h>
#include <stddef.h>
#include <string.h>

#define VNIC_BYTES ((sizeof(struct vnic) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define QUEUE_BYTES ((sizeof(struct switch_queue) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define FDB_AGE_SECONDS 300 /* as 802.1D's default ageing time */
#define GROUP_FRAMES_PER_SECOND 200 /* storm control: broadcast/multicast frames one port may send */
_Static_assert(MAX_NETWORKS <= SWITCH_NETS, "every network has its share of the switch's learning table");

static struct netswitch netsw;
static int netsw_ready;
static char networks[MAX_NETWORKS][VM_NET_NAME_MAX];
static int nnetworks;

static struct {
	struct host_nic *nic;
	int port;
	int net;
	struct switch_queue *queue;
} uplink = { .port = -1 };

static void switch_ready(void)
{
	if (!netsw_ready) {
		switch_init(&netsw, FDB_AGE_SECONDS * platform.timebase);
		switch_set_group_rate(&netsw, platform.timebase / GROUP_FRAMES_PER_SECOND);
		netsw_ready = 1;
	}
}

int vnet_network(const char *name)
{
	for (int i = 0; i < nnetworks; i++)
		if (!strcmp(networks[i], name))
			return i;
	if (nnetworks == MAX_NETWORKS)
		return -1;
	snprintf(networks[nnetworks], sizeof(networks[0]), "%s", name);
	return nnetworks++;
}

/* ---- a guest's NIC as a switch port ---- */

static void be_send(void *ctx, const void *frame, unsigned len, const struct net_offload *o)
{
	struct vnic *v = ctx;

	/* Over the broadcast rate the switch drops and counts, as a switch's storm control: no exit waits. */
	switch_input_offload(&netsw, (unsigned)v->port, frame, len, o, read_time());
}

static unsigned be_next_len(void *ctx)
{
	struct vnic *v = ctx;

	return switch_next_len(&netsw, (unsigned)v->port);
}

static int be_recv(void *ctx, int (*deliver)(void *, const uint8_t *, unsigned, const struct net_offload *), void *dctx)
{
	struct vnic *v = ctx;

	return switch_deliver(&netsw, (unsigned)v->port, deliver, dctx);
}

static void be_caps(void *ctx, unsigned caps)
{
	struct vnic *v = ctx;

	switch_set_caps(&netsw, (unsigned)v->port, caps);
}

static void port_kick(void *ctx)
{
	struct vnic *v = ctx;

	vnet_rx_kick(&v->dev);
}

static void nic_irq(void *ctx, int level)
{
	struct vnic *v = ctx;

	irqchip_set_level(&v->vm->irqchip, VM_NIC_IRQ(v->index), level);
}

int vm_nics_init(struct vm *vm, char *err, unsigned long errlen)
{
	struct vq_mem mem = { vm->cfg.ram_base, vm->cfg.ram_size, (uint8_t *)(uintptr_t)vm->ram_hpa };

	switch_ready();
	for (int i = 0; i < vm->cfg.nnics; i++) {
		const struct vm_nic_cfg *c = &vm->cfg.nics[i];
		int net = vnet_network(c->net);
		struct vnic *v;
		struct vnet_backend be = { be_send, be_next_len, be_recv, be_caps, NULL };

		if (vm_window_passed_through(vm, VM_NIC_BASE(i), VIRTIO_MMIO_WINDOW)) {
			snprintf(err, errlen, "field keel,nics: NIC %d's window 0x%lx is a passed-through device", i,
				 VM_NIC_BASE(i));
			return -1;
		}
		if (net < 0) {
			snprintf(err, errlen, "field keel,nics: more than %d networks", MAX_NETWORKS);
			return -1;
		}
		v = (struct vnic *)(uintptr_t)page_alloc(VNIC_BYTES, PAGE_SIZE);
		if (!v) {
			snprintf(err, errlen, "field keel,nics: no memory left for NIC %d", i);
			return -1;
		}
		memset(v, 0, sizeof(*v));
		v->vm = vm;
		v->index = i;
		v->port = switch_add_port(&netsw, (unsigned)net, c->mac, &v->queue, port_kick, v);
		vm->nics[i] = v; /* vm_nics_exit gives it back from here on */
		if (v->port < 0) {
			snprintf(err, errlen, "field keel,nics: %s for NIC %d",
				 v->port == -EEXIST ? "another card on its network has its MAC"
						    : "the switch has no port left",
				 i);
			return -1;
		}
		be.ctx = v;
		vnet_init(&v->dev, c->mac, &be, &mem, nic_irq, v);
		if (vm_virtio_attach(vm, VM_NIC_BASE(i), &v->dev.t, "virtio-net")) {
			snprintf(err, errlen,
				 "field keel,nics: no room for NIC %d on the VM's bus or in its stage-2 tables", i);
			return -1;
		}
		kprintf("keel: vm '%s': NIC %d at 0x%lx irq %lu on network '%s', MAC %02x:%02x:%02x:%02x:%02x:%02x\n",
			vm->cfg.name, i, VM_NIC_BASE(i), (unsigned long)VM_NIC_IRQ(i), c->net, c->mac[0], c->mac[1],
			c->mac[2], c->mac[3], c->mac[4], c->mac[5]);
	}
	return 0;
}

void vm_nics_exit(struct vm *vm)
{
	for (int i = 0; i < MAX_VM_NICS; i++) {
		struct vnic *v = vm->nics[i];

		if (!v)
			continue;
		if (v->port >= 0)
			switch_remove_port(&netsw, (unsigned)v->port);
		page_free((uint64_t)(uintptr_t)v, VNIC_BYTES);
		vm->nics[i] = NULL;
	}
}

void vm_nics_reset(struct vm *vm)
{
	for (int i = 0; i < vm->cfg.nnics; i++)
		if (vm->nics[i])
			virtio_mmio_reset(&vm->nics[i]->dev.t);
}

void vnet_uplink_report(void)
{
	const struct switch_port_stats *s;

	if (!uplink.nic)
		return;
	s = &netsw.port[uplink.port].stats;
	kprintf("keel: uplink: %lu frames sent, %lu received (%lu bad, %lu from a VM's MAC); %lu offloaded frames "
		"segmented for it; dropped on the way to it: %lu over a source's share, %lu queue full\n",
		(unsigned long)uplink.nic->tx_frames, (unsigned long)uplink.nic->rx_frames,
		(unsigned long)uplink.nic->rx_bad, (unsigned long)s->spoofed, (unsigned long)s->segmented,
		(unsigned long)s->over_share, (unsigned long)s->queue_full);
}

void vm_nics_report(struct vm *vm)
{
	for (int i = 0; i < vm->cfg.nnics; i++) {
		struct vnic *v = vm->nics[i];
		const struct switch_port_stats *s;

		if (!v)
			continue;
		s = &netsw.port[v->port].stats;
		kprintf("keel: vm '%s' NIC %d: %lu frames sent, %lu received; dropped from it: %lu runt, %lu oversize, "
			"%lu malformed, %lu bad source, %lu spoofed source, %lu over the broadcast rate; dropped on "
			"the way "
			"to it: %lu "
			"over a source's share, %lu storm "
			"control, %lu queue full, %lu no buffer room; %lu protocol errors (NEEDS_RESET)\n",
			vm->cfg.name, i, (unsigned long)v->dev.stats.tx_frames, (unsigned long)v->dev.stats.rx_frames,
			(unsigned long)(v->dev.stats.tx_runt + s->runt),
			(unsigned long)(v->dev.stats.tx_oversize + s->oversize),
			(unsigned long)(v->dev.stats.tx_bad + s->bad_offload), (unsigned long)s->bad_source,
			(unsigned long)s->spoofed, (unsigned long)s->rate_limited, (unsigned long)s->over_share,
			(unsigned long)s->storm, (unsigned long)s->queue_full,
			(unsigned long)(v->dev.stats.rx_small + s->too_big), v->dev.t.protocol_errors);
	}
}

/* ---- the uplink ---- */

static void uplink_rx(void *ctx, const void *frame, unsigned len)
{
	(void)ctx;
	switch_input(&netsw, (unsigned)uplink.port, frame, len, read_time());
}

static int uplink_next_tx(void *ctx, void *buf, unsigned len)
{
	(void)ctx;
	return switch_take(&netsw, (unsigned)uplink.port, buf, len);
}

static void uplink_kick(void *ctx)
{
	(void)ctx;
	if (uplink.nic)
		host_net_kick(uplink.nic);
}

void vnet_uplink_init(const void *host_fdt)
{
	int chosen = fdt_path_offset(host_fdt, "/chosen"), len = 0;
	const char *name = chosen >= 0 ? fdt_getprop(host_fdt, chosen, "keel,uplink", &len) : NULL;

	if (!name)
		return;
	if (!len || name[len - 1] || (size_t)len > VM_NET_NAME_MAX) {
		kprintf("keel: keel,uplink: not a network name, no uplink\n");
		return;
	}
	switch_ready();
	uplink.net = vnet_network(name);
	uplink.queue = (struct switch_queue *)(uintptr_t)page_alloc(QUEUE_BYTES, PAGE_SIZE);
	if (uplink.net < 0 || !uplink.queue) {
		kprintf("keel: keel,uplink: no room for network '%s', no uplink\n", name);
		return;
	}
	memset(uplink.queue, 0, sizeof(*uplink.queue));
	/* The port exists before the NIC runs: frames it receives at once have somewhere to go. */
	uplink.port = switch_add_port(&netsw, (unsigned)uplink.net, NULL, uplink.queue, uplink_kick, NULL);
	if (uplink.port < 0) {
		kprintf("keel: keel,uplink: the switch has no port left, no uplink\n");
		return;
	}
	uplink.nic = host_net_init(uplink_rx, uplink_next_tx, NULL);
	if (!uplink.nic)
		kprintf("keel: keel,uplink: the machine has no usable virtio-net card, network '%s' has no uplink\n",
			name);
	else
		kprintf("keel: uplink on network '%s'\n", name);
}

void vnet_route_irqs(unsigned long hart)
{
	if (uplink.nic && nvms && vms[0].cfg.harts[0] == hart)
		irq_route(uplink.nic->irq, hart);
}
