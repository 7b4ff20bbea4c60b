/* Host PLIC: Keel's own interrupts (console input) and pass-through device interrupts. */
#ifndef KEEL_DRIVERS_PLIC_H
#define KEEL_DRIVERS_PLIC_H
#include <stdint.h>
#include "core/irq.h"

void plic_init(uintptr_t base, unsigned ndev);
/* Route `irq` to the S-mode context of `hart` (enable there, priority 1, threshold 0). */
void plic_route(unsigned irq, unsigned long hart);
/* Claim on this hart's context: the source id, or 0. */
unsigned plic_claim(unsigned long hart);
void plic_complete(unsigned long hart, unsigned irq);
/* The PLIC behind core/irq.h's table. */
extern const struct irq_controller plic_irq_controller;

#endif
