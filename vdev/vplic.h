/* Virtual PLIC (SiFive/RISC-V PLIC spec 1.0.0) with one S-mode context per vCPU. */
#ifndef KEEL_VDEV_VPLIC_H
#define KEEL_VDEV_VPLIC_H
#include <stdint.h>
#include "core/spinlock.h"
#include "vdev/irqchip.h"
#include "vdev/mmio.h"

#define VPLIC_SOURCES 96 /* ids 1..95 as on QEMU virt; 0 means "none" */
#define VPLIC_WORDS (VPLIC_SOURCES / 32)
#define VPLIC_MAX_CONTEXTS 8
#define VPLIC_SIZE 0x600000UL
#define VPLIC_PRIORITY_MASK 0x7 /* 3 priority bits, as QEMU's PLIC */
#define VPLIC_ENABLE_BASE 0x2000UL /* context c's enable words at VPLIC_ENABLE_BASE + c * VPLIC_ENABLE_STRIDE */
#define VPLIC_ENABLE_STRIDE 0x80UL
#define VPLIC_ENABLE_PAGE 0x1000UL /* the enable words of the first contexts fill one page */
_Static_assert(VPLIC_MAX_CONTEXTS *VPLIC_ENABLE_STRIDE <= VPLIC_ENABLE_PAGE, "every context's enables in one page");
#define VPLIC_CONTEXT_BASE 0x200000UL /* context c's threshold, claim/complete at + c * VPLIC_CONTEXT_PAGE */
#define VPLIC_CONTEXT_PAGE 0x1000UL

struct vplic {
	spinlock_t lock;
	int ncontexts;
	uint32_t priority[VPLIC_SOURCES];
	uint32_t level[VPLIC_WORDS]; /* what each source's line says now */
	uint32_t pending[VPLIC_WORDS];
	uint32_t claimed[VPLIC_WORDS]; /* claimed and not yet completed: the gateway holds them */
	/*
	 * The page at VPLIC_ENABLE_BASE as the guest reads it (words no context or source has read 0):
	 * the VM maps it read-only there, so enable reads (Linux reads one at every EOI) do not exit,
	 * while writes still trap and land here.
	 */
	uint32_t enable[VPLIC_ENABLE_PAGE / VPLIC_ENABLE_STRIDE][VPLIC_ENABLE_STRIDE / sizeof(uint32_t)]
		__attribute__((aligned(VPLIC_ENABLE_PAGE)));
	/*
	 * Context 0's page as reads see it while nothing is claimable there: its threshold, 0 at the
	 * claim register and everywhere else. A VM of one vCPU maps it read-only while context 0's line
	 * is low (board/devices.c), so the claim that ends Linux's interrupt loop takes no exit.
	 */
	uint32_t idle_context_page[VPLIC_CONTEXT_PAGE / sizeof(uint32_t)] __attribute__((aligned(VPLIC_CONTEXT_PAGE)));
	uint32_t threshold[VPLIC_MAX_CONTEXTS];
	int output[VPLIC_MAX_CONTEXTS];
	/* Drive the external interrupt line of a context (its vCPU's VSEIP). */
	void (*set_output)(void *ctx, int context, int level);
	/*
	 * Called, with the lock held, when the guest completes a source (or a reset does). Returns 1 when the
	 * source's line is to be taken as low (a pass-through source completed on the host,
	 * which signals again if the device still wants service).
	 */
	int (*completed)(void *ctx, unsigned source);
	void *ctx;
};

extern const struct mmio_ops vplic_ops;
/* The vPLIC behind vdev/irqchip.h (chip: the struct vplic). */
extern const struct irqchip_ops vplic_irqchip_ops;

void vplic_init(struct vplic *p, int ncontexts, void (*set_output)(void *, int, int),
		int (*completed)(void *, unsigned), void *ctx);
/*
 * Back to the state at power-on, under the lock (other harts may be forwarding interrupts):
 * every raised line completed() may drop is completed first, so no host claim is left behind.
 */
void vplic_reset(struct vplic *p);
/* A device raises (1) or lowers (0) its interrupt line. */
void vplic_set_level(struct vplic *p, unsigned source, int level);

#endif
