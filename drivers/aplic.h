/*
 * Host APLIC (AIA 1.0, chapter 4): the S-level interrupt domain that OpenSBI's M-level domain
 * delegates the wired sources to, in direct delivery mode (an IDC per hart, claimed with claimi)
 * or in MSI mode (each source an MSI into a hart's IMSIC S-level file, drivers/imsic.h).
 */
#ifndef KEEL_DRIVERS_APLIC_H
#define KEEL_DRIVERS_APLIC_H
#include "core/irq.h"
#include "drivers/platform.h"

/*
 * Take the domain the platform describes; the controller behind core/irq.h's table, or NULL
 * (reported) when it cannot be driven. In MSI mode Keel's IPIs go through the IMSICs too.
 */
const struct irq_controller *aplic_start(struct platform *p);

#endif
