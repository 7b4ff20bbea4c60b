/* The host interrupt table (core/irq.h). */
#include "core/irq.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/hart.h"
#include "core/errno.h"
#include <stddef.h>

struct irq_entry {
	enum irq_done (*handle)(unsigned source, void *ctx);
	void *ctx;
};

static const struct irq_controller *controller;
static struct irq_entry table[IRQ_MAX_SOURCES];

void irq_controller_set(const struct irq_controller *c)
{
	controller = c;
}

int irq_register(unsigned source, enum irq_done (*handle)(unsigned source, void *ctx), void *ctx)
{
	if (!source || source >= IRQ_MAX_SOURCES || !handle)
		return -EINVAL;
	if (table[source].handle)
		return -EBUSY;
	table[source].ctx = ctx;
	__atomic_store_n(&table[source].handle, handle, __ATOMIC_RELEASE);
	return 0;
}

void irq_route(unsigned source, unsigned long hart)
{
	if (controller)
		controller->route(source, hart);
}

void irq_hart_init(unsigned long hart)
{
	if (controller && controller->hart_init)
		controller->hart_init(hart);
}

__attribute__((hot)) void irq_send_ipi(unsigned long hart)
{
	if (controller && controller->send_ipi)
		controller->send_ipi(hart);
	else
		host_send_ipi(hart);
}

void irq_complete(unsigned long hart, unsigned source)
{
	if (controller)
		controller->complete(hart, source);
}

void irq_handle(void)
{
	unsigned long hart = this_hart()->id;
	unsigned source;

	if (!controller)
		return;
	while ((source = controller->claim(hart)) != 0) {
		enum irq_done (*handle)(unsigned, void *) =
			source < IRQ_MAX_SOURCES ? __atomic_load_n(&table[source].handle, __ATOMIC_ACQUIRE) : NULL;

		if (!handle || handle(source, table[source].ctx) == IRQ_COMPLETE)
			controller->complete(hart, source);
	}
}
