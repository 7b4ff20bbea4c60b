/* The exit path: entered from trap.S (vcpu_exit_fast); the run loop finishes what leaves it. */
#ifndef KEEL_EXIT_EXIT_H
#define KEEL_EXIT_EXIT_H
#include "vcpu/vcpu.h"

/* Every exit, on Keel's stack: the register file to re-enter, or NULL to leave vcpu_run. */
struct vcpu_regs *vcpu_exit_fast(struct vcpu *v);
/*
 * Carry out a decoded device access (EXIT_MMIO_READ or EXIT_MMIO_WRITE) and step past it. Returns
 * EXIT_NOTHING, or what the VM loop must still do: EXIT_SYSTEM_REBOOT, EXIT_VM_STOP (exit->stop.why).
 */
enum exit_reason vcpu_mmio_complete(struct vcpu *v, enum exit_reason kind, struct vcpu_exit *exit);

#endif
