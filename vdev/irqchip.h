/*
 * The guest's interrupt controller, as the devices and the board see it: a device raises or lowers
 * its line without knowing which controller is behind it (the vPLIC today, an APLIC/IMSIC next).
 * A controller model fills in the ops; the board attaches it to the VM and its vCPUs.
 */
#ifndef KEEL_VDEV_IRQCHIP_H
#define KEEL_VDEV_IRQCHIP_H

struct irqchip_ops {
	void (*set_level)(void *chip, unsigned line, int level);
	/* Back to its reset state (the VM reboots); lines the devices still drive are raised again by them. */
	void (*reset)(void *chip);
};

struct irqchip {
	const struct irqchip_ops *ops;
	void *chip;
};

static inline void irqchip_set_level(const struct irqchip *c, unsigned line, int level)
{
	c->ops->set_level(c->chip, line, level);
}

static inline void irqchip_reset(const struct irqchip *c)
{
	c->ops->reset(c->chip);
}

#endif
