/* VMs' network cards and the uplink on Keel's switch: the glue between vdev/virtio/net, net/ and drivers/virtio/net. */
#ifndef KEEL_BOARD_VNET_H
#define KEEL_BOARD_VNET_H
#include "net/switch.h"
#include "vdev/virtio/net.h"
#include "board/board.h"

#define MAX_NETWORKS 8 /* distinct network names over all VMs */

struct vnic {
	struct vm *vm;
	int index; /* the VM's NIC number */
	int port; /* on the switch */
	struct vnet dev;
	struct switch_queue queue; /* frames waiting for the guest */
};

/* Add the VM's keel,nics (virtio-net devices on its bus, ports on the switch). */
int vm_nics_init(struct vm *vm, char *err, unsigned long errlen);
/* Undo vm_nics_init, whole or in part: the cards' switch ports and pages go back. */
void vm_nics_exit(struct vm *vm);
void vm_nics_reset(struct vm *vm);
/* One line per NIC: frames each way and what was dropped. */
void vm_nics_report(struct vm *vm);
/* The uplink's frames and drops, once every VM has stopped (nothing when there is no uplink). */
void vnet_uplink_report(void);
/* Before the VMs: the machine's NIC as the port of the network /chosen/keel,uplink names. */
void vnet_uplink_init(const void *host_fdt);
/* Route the uplink's interrupt to this hart when it runs the first VM. */
void vnet_route_irqs(unsigned long hart);
/* The network index of a name (added when new), or -1 when the table is full. */
int vnet_network(const char *name);

#endif
