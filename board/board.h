/* The guest's machine: its devices' set-up, reset and turns, its console, the host side of its interrupts. */
#ifndef KEEL_BOARD_BOARD_H
#define KEEL_BOARD_BOARD_H
#include <stdint.h>
#include "vm/vm.h"

struct hart;

/*
 * Set up the VM's emulated devices and pass-through: 0, or -1 with err naming the field and
 * nothing the devices took kept (vm_devices_exit ran).
 */
int vm_devices_init(struct vm *vm, char *err, unsigned long errlen);
/*
 * Undo vm_devices_init, whole or in part, for a VM whose vCPUs never ran: its NICs' switch ports
 * and the pages of its NICs and disks go back, its bus is empty. Its stage-2 tables (the devices'
 * mappings with them) are the VM's to free.
 */
void vm_devices_exit(struct vm *vm);
/*
 * Put a virtio device on the VM's bus at base and map its shadow page there, read-only: -1 when
 * the bus is full or the stage-2 tables cannot grow.
 */
int vm_virtio_attach(struct vm *vm, uint64_t base, struct virtio_mmio *t, const char *name);
/* VCPU_REQ_DEVICES: the VM's devices' next turn on the work their notifies left (one budget each). */
void vm_devices_resume(struct vm *vm);
/* Whether a window of the VM's (a virtio device's) overlaps a device passed through to it. */
int vm_window_passed_through(const struct vm *vm, uint64_t base, uint64_t size);
void vm_devices_reset(struct vm *vm);
/* vCPU i of a VM whose devices are set up: what it needs of the interrupt controller. */
void vm_irqchip_attach_vcpu(struct vm *vm, int i);

/* The host's interrupts for the VMs' devices: handlers in core/irq's table, then each hart's routing. */
void host_irqs_init(void);
void host_irqs_hart_init(unsigned long hart);

/*
 * The console deadline on hart h passed: show its VM's unfinished line (a prompt) once the VM
 * has been quiet for a while, else look again later (HART_TIMER_CONSOLE's handler).
 */
void vm_console_quiet_check(struct hart *h, uint64_t now);
/* Bytes typed on Keel's console for this VM: to its virtio console if it has one, else its UART. */
void vm_console_input(struct vm *vm, const char *buf, unsigned n);
/* The virtio console of a VM with keel,console = "virtio": set up, reset, its report line. */
int vm_console_init(struct vm *vm, char *err, unsigned long errlen);
void vm_console_reset(struct vm *vm);
void vm_console_report(struct vm *vm);
/* Move whatever Keel's console has received to the VM holding the input (Ctrl-\ switches VM). */
void console_input_drain(void);

#endif
