/* In-guest checks of the Linux guest (TAP output). */
#ifndef KEEL_INIT_CHECKS_H
#define KEEL_INIT_CHECKS_H

/* Run every check; returns how many failed. */
int checks_run(void);
/* The value of NAME=value on the kernel command line, or NULL. */
const char *checks_param(const char *name);

#endif
