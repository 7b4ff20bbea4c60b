/* Host PLIC driver (PLIC spec 1.0.0 register map). */
#include "drivers/plic.h"
#include "drivers/platform.h"

#define PLIC_PRIORITY(id) (4UL * (id))
#define PLIC_ENABLE(ctx, id) (0x2000UL + 0x80UL * (ctx) + 4UL * ((id) / 32))
#define PLIC_THRESHOLD(ctx) (0x200000UL + 0x1000UL * (ctx))
#define PLIC_CLAIM(ctx) (PLIC_THRESHOLD(ctx) + 4)
#define PLIC_ROUTED_PRIORITY 1

static volatile uint8_t *plic;
static unsigned plic_ndev;

static volatile uint32_t *reg(uintptr_t off)
{
	return (volatile uint32_t *)(plic + off);
}

void plic_init(uintptr_t base, unsigned ndev)
{
	plic = (volatile uint8_t *)base;
	plic_ndev = ndev;
}

void plic_route(unsigned irq, unsigned long hart)
{
	int ctx = hart < MAX_HARTS ? platform.plic_s_context[hart] : -1;

	if (!plic || !irq || irq > plic_ndev || ctx < 0)
		return;
	*reg(PLIC_THRESHOLD(ctx)) = 0;
	*reg(PLIC_PRIORITY(irq)) = PLIC_ROUTED_PRIORITY;
	*reg(PLIC_ENABLE(ctx, irq)) |= 1U << (irq % 32);
}

unsigned plic_claim(unsigned long hart)
{
	int ctx = hart < MAX_HARTS ? platform.plic_s_context[hart] : -1;

	return plic && ctx >= 0 ? *reg(PLIC_CLAIM(ctx)) : 0;
}

void plic_complete(unsigned long hart, unsigned irq)
{
	int ctx = hart < MAX_HARTS ? platform.plic_s_context[hart] : -1;

	if (plic && ctx >= 0)
		*reg(PLIC_CLAIM(ctx)) = irq;
}

const struct irq_controller plic_irq_controller = {
	.claim = plic_claim,
	.complete = plic_complete,
	.route = plic_route,
};
