/* VM configuration, read from /chosen/keel,vm@N nodes of the device tree OpenSBI hands to Keel. */
#ifndef KEEL_VM_CONFIG_H
#define KEEL_VM_CONFIG_H
#include "arch/riscv/hart.h"
#include "vm/vm.h"

struct platform;
struct cpu_features;

#define CONFIG_ERR_MAX 160

/* Which harts the VMs accepted so far run on, and which of those a VM holds for itself. */
struct hart_claims {
	unsigned long used; /* harts some accepted VM runs vCPUs on */
	unsigned long pinned; /* harts an accepted VM holds alone (keel,pinned) */
	char owner[MAX_HARTS][VM_NAME_MAX]; /* the first accepted VM on each hart, for messages */
	unsigned char vcpus[MAX_HARTS]; /* vCPUs placed on each hart so far */
	unsigned char files[MAX_HARTS]; /* IMSIC guest interrupt files given to vCPUs on each hart so far */
};

/*
 * Parse one VM node. Returns 0, or -1 with `err` naming the field and the problem.
 * `claims` holds the harts of the VMs already accepted; an accepted VM's harts are added,
 * a refused one's are not.
 */
int vm_config_parse(const void *fdt, int node, int index, const struct platform *plat, const struct cpu_features *cpu,
		    struct hart_claims *claims, struct vm_config *cfg, char *err, unsigned long errlen);

#endif
