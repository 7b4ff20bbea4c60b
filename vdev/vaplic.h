/*
 * Virtual APLIC (AIA 1.0, chapter 4): one supervisor-level interrupt domain in MSI delivery mode,
 * the VM's wired sources (vUART, virtio devices) forwarded as MSIs into its vCPUs' IMSIC files.
 */
#ifndef KEEL_VDEV_VAPLIC_H
#define KEEL_VDEV_VAPLIC_H
#include <stdint.h>
#include "core/spinlock.h"
#include "vdev/irqchip.h"
#include "vdev/mmio.h"

#define VAPLIC_SOURCES 96 /* sources 1..95, the vPLIC's numbers; 0 is none */
#define VAPLIC_WORDS (VAPLIC_SOURCES / 32)
#define VAPLIC_SIZE 0x4000UL /* the domain's registers up to target[1023]; MSI mode has no IDCs */
#define VAPLIC_HART_SHIFT 18 /* target and genmsi: the hart index (AIA 4.5.16) */
#define VAPLIC_HART_MASK 0x3fffU
#define VAPLIC_EIID_MASK 0x7ffU

struct vaplic {
	spinlock_t lock;
	unsigned nharts; /* hart index i is vCPU i */
	unsigned max_eiid; /* the highest identity the IMSIC files have */
	uint32_t ie; /* domaincfg.IE */
	uint32_t sourcecfg[VAPLIC_SOURCES];
	uint32_t target[VAPLIC_SOURCES];
	uint32_t genmsi;
	uint32_t level[VAPLIC_WORDS]; /* each line as its device drives it */
	uint32_t pending[VAPLIC_WORDS];
	uint32_t enabled[VAPLIC_WORDS];
	/* Write identity eiid into hart index `hart`'s interrupt file (called with the lock held). */
	void (*send_msi)(void *ctx, unsigned hart, unsigned eiid);
	void *ctx;
};

extern const struct mmio_ops vaplic_ops;
/* The vAPLIC behind vdev/irqchip.h (chip: the struct vaplic). */
extern const struct irqchip_ops vaplic_irqchip_ops;

void vaplic_init(struct vaplic *a, unsigned nharts, unsigned max_eiid, void (*send_msi)(void *, unsigned, unsigned),
		 void *ctx);
/* Back to the state at power-on (every source inactive); the lines keep what the devices drive. */
void vaplic_reset(struct vaplic *a);
/* A device raises (1) or lowers (0) its interrupt line. */
void vaplic_set_level(struct vaplic *a, unsigned source, int level);

#endif
