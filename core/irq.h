/*
 * The host interrupt table: each source of the machine's interrupt controller has at most one
 * handler, registered by the driver or board part that owns the device; the exit path and the idle
 * loop only call irq_handle(). The controller itself (the PLIC, or the APLIC with or without
 * IMSICs) plugs in below.
 */
#ifndef KEEL_CORE_IRQ_H
#define KEEL_CORE_IRQ_H

#define IRQ_MAX_SOURCES 1024 /* a PLIC's or an APLIC's sources 1-1023 (PLIC spec 1.0.0, AIA 4.5); 0 means none */

/* A handler's answer: the source is completed now, or later by its owner (irq_complete). */
enum irq_done { IRQ_COMPLETE, IRQ_KEEP };

/* The machine's interrupt controller, as the table drives it (all per hart: its S-mode context). */
struct irq_controller {
	unsigned (*claim)(unsigned long hart); /* the pending source, or 0 */
	void (*complete)(unsigned long hart, unsigned source);
	void (*route)(unsigned source, unsigned long hart); /* deliver the source to hart */
	void (*hart_init)(unsigned long hart); /* on hart itself, before its routes (NULL: nothing to do) */
	void (*send_ipi)(unsigned long hart); /* Keel's IPI through the controller (NULL: an SBI call) */
};

void irq_controller_set(const struct irq_controller *c);
/* Returns 0, -EINVAL for a source out of range, -EBUSY when it has a handler already. */
int irq_register(unsigned source, enum irq_done (*handle)(unsigned source, void *ctx), void *ctx);
void irq_route(unsigned source, unsigned long hart);
/* The controller's per-hart set-up, on hart itself. */
void irq_hart_init(unsigned long hart);
/* Wake `hart` (another one): through the controller where it can, else OpenSBI's IPI. */
void irq_send_ipi(unsigned long hart);
void irq_complete(unsigned long hart, unsigned source);
/* Claim, handle and complete every source pending on this hart; one without a handler is completed. */
void irq_handle(void);

#endif
