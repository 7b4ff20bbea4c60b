/* What the host device tree says about the machine Keel runs on. */
#ifndef KEEL_DRIVERS_PLATFORM_H
#define KEEL_DRIVERS_PLATFORM_H
#include <stddef.h>
#include <stdint.h>
#include "arch/riscv/hart.h"

#define MAX_MEM_REGIONS 4
#define MAX_RESERVED 16
#define ISA_STRING_MAX 1024 /* an RVA23 hart's riscv,isa is about 470 */
#define MMU_TYPE_MAX 16
#define MAX_VIRTIO_SLOTS 8

struct mem_region {
	uint64_t base, size;
};

/* A virtio-mmio transport in the host DT (a device may or may not sit behind it). */
struct virtio_slot {
	uint64_t base, size;
	unsigned irq;
};

struct platform {
	struct mem_region mem[MAX_MEM_REGIONS];
	int nmem;
	struct mem_region reserved[MAX_RESERVED];
	int nreserved;
	unsigned long hart_mask; /* hart ids present and enabled */
	int nharts;
	char isa[ISA_STRING_MAX];
	size_t isa_too_long; /* the length of a riscv,isa that does not fit in isa (then isa is empty) */
	char mmu_type[MMU_TYPE_MAX]; /* the first hart's mmu-type ("riscv,sv57"), empty when absent */
	uint32_t cbom_block, cboz_block, cbop_block; /* riscv,cbo[mzp]-block-size, 0 when absent */
	uint64_t timebase;
	uint64_t uart_base, uart_size;
	unsigned uart_shift, uart_irq;
	uint64_t plic_base, plic_size;
	unsigned plic_ndev;
	int plic_s_context[MAX_HARTS]; /* PLIC context of each hart's S-mode, -1 if none */
	uint32_t intc_phandle[MAX_HARTS]; /* phandle of each hart's interrupt controller, 0 if none */
	uint64_t syscon_base;
	struct virtio_slot virtio[MAX_VIRTIO_SLOTS]; /* by ascending address */
	int nvirtio;
};

extern struct platform platform;

/* Fill `out` from the flattened device tree; returns 0 or a negative libfdt error. */
int platform_parse(const void *fdt, struct platform *out);
/* A string property, or NULL when absent or not NUL-terminated within its length. */
const char *dt_string_prop(const void *fdt, int node, const char *name, int *lenp);
/* Reg property #n of a node, honouring the parent's #address-cells/#size-cells. */
int fdt_node_reg(const void *fdt, int node, int n, uint64_t *base, uint64_t *size);
/* The same when the caller knows the parent (finding a parent walks the tree from the root). */
int fdt_child_reg(const void *fdt, int parent, int node, int n, uint64_t *base, uint64_t *size);

#endif
