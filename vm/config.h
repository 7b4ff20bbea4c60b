/* VM configuration, read from /chosen/keel,vm@N nodes of the device tree OpenSBI hands to Keel. */
#ifndef KEEL_VM_CONFIG_H
#define KEEL_VM_CONFIG_H
#include "vm/vm.h"

struct platform;
struct cpu_features;

#define CONFIG_ERR_MAX 160

/*
 * Parse one VM node. Returns 0, or -1 with `err` naming the field and the problem.
 * `used_harts` holds harts taken by VMs already accepted; accepted harts are added.
 */
int vm_config_parse(const void *fdt, int node, int index, const struct platform *plat, const struct cpu_features *cpu,
		    unsigned long *used_harts, struct vm_config *cfg, char *err, unsigned long errlen);

#endif
