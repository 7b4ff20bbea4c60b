/* In-guest checks of the Linux guest (TAP output). */
#ifndef KEEL_INIT_CHECKS_H
#define KEEL_INIT_CHECKS_H

/* Run every check (only the disk checks when disk_only); returns how many failed. */
int checks_run(int disk_only);
/* One TAP line: "ok N - ..." when cond holds, else "not ok N - ...". */
void checks_ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The disk checks of keel.disk=write|cut|verify|readonly (disk_checks.c). */
void checks_disk(const char *mode);
/* Print the TAP plan of the lines so far; returns how many failed. */
int checks_plan(void);
/* The value of NAME=value on the kernel command line, or NULL. */
const char *checks_param(const char *name);

#endif
