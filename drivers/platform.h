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
#define MAX_IRQC_REGIONS 8
#define APLIC_MAX_SOURCES 1023 /* AIA 4.5.2 */
#define IMSIC_MAX_GUEST_BITS \
	6 /* GEILEN at most 63 on RV64 (priv spec 8.2.4) */ /* the PLIC, or the two APLIC domains and the M and S IMSICs' files */

struct mem_region {
	uint64_t base, size;
};

/* The machine's interrupt controller for S-mode, as Keel drives it (drivers/plic.c, aplic.c, imsic.c). */
enum host_irqc {
	HOST_IRQC_NONE,
	HOST_IRQC_PLIC,
	HOST_IRQC_APLIC, /* the APLIC's S domain in direct delivery mode: an IDC per hart */
	HOST_IRQC_APLIC_MSI, /* the S domain in MSI mode, in front of each hart's IMSIC S-level file */
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
	enum host_irqc irqc; /* what delivers wired interrupts to Keel */
	unsigned irq_sources; /* its wired sources are 1..irq_sources */
	uint64_t aplic_base, aplic_size; /* the APLIC's S-level domain */
	int aplic_idc[MAX_HARTS]; /* in direct mode: each hart's IDC, -1 if none */
	/* Each hart's S-level IMSIC file (0 if none) and its index in the IMSIC's list (the APLIC's hart index). */
	uint64_t imsic_file[MAX_HARTS];
	int imsic_index[MAX_HARTS];
	unsigned imsic_ids; /* riscv,num-ids: identities 1..imsic_ids */
	unsigned imsic_guest_bits; /* riscv,guest-index-bits: 2^bits - 1 guest files after each S file */
	struct mem_region irqc_regions[MAX_IRQC_REGIONS]; /* every interrupt controller's registers (any level) */
	int nirqc_regions;
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
