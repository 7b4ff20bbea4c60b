/* The VMs' lives: built from the configuration, stopped, restarted. */
#ifndef KEEL_VM_LIFECYCLE_H
#define KEEL_VM_LIFECYCLE_H
#include "vm/vm.h"

/* Build VMs from the configuration; returns the number that were created. */
int vms_create(const void *host_fdt);
/*
 * Stop or restart a whole VM (any vCPU's hart may call). One reset or shutdown at a time: the
 * first caller does it; a vCPU asking while another one's is under way just stops itself.
 */
void vm_shutdown(struct vm *vm, const char *why);
void vm_reboot(struct vm *vm);
/* A vCPU stopped itself: stop the VM when none is left that could start the others. */
void vm_vcpu_stopped(struct vm *vm);
/* What else prints a line when a VM stops (the scheduler's figures, from the rooms above). */
void vm_on_stop_report(void (*fn)(void));

#endif
