/*
 * What the exit path and the SBI handlers may ask of a vCPU's VM (struct vm stays opaque to them):
 * its vCPUs, its memory, remote fences and its console. Implemented by vm/ and board/; the host
 * unit tests have their own stand-ins (tests/unit/stub_vm.c).
 */
#ifndef KEEL_VM_GUEST_H
#define KEEL_VM_GUEST_H
#include <stdint.h>

struct vm;
struct vcpu;

struct vcpu *vm_vcpu_by_id(struct vm *vm, unsigned long id);
/* Translate a guest-physical range inside guest RAM to a host pointer, or NULL. */
void *vm_gpa_to_host(struct vm *vm, uint64_t gpa, uint64_t len);

/*
 * Apply `fn` to the vCPUs named by an SBI hart mask (SBI spec 3.1: base == -1 means all).
 * Returns SBI_SUCCESS or SBI_ERR_INVALID_PARAM without calling fn if any named hart is invalid.
 */
long vm_for_each_in_mask(struct vm *vm, unsigned long mask, unsigned long base,
			 void (*fn)(struct vcpu *target, void *ctx), void *ctx);
/* Post `req` to every vCPU in the mask and wait until each has acted on it. */
long vm_remote_request(struct vm *vm, struct vcpu *self, unsigned long mask, unsigned long base, unsigned long req);

/*
 * An HSM start against a reset or shutdown: returns 1 with the VM's lock held when it runs (the
 * caller starts its vCPU, then unlocks), else 0 without the lock.
 */
int vm_lock_running(struct vm *vm);
void vm_unlock(struct vm *vm);
/* How many times the VM has booted (Keel's hypercall). */
unsigned vm_boot_count(const struct vm *vm);

/* The VM's console: output attributed by line, input only for the VM holding the console. */
void vm_console_putc(struct vm *vm, char c);
void vm_console_write(struct vm *vm, const char *s, unsigned long n);
int vm_console_getc(struct vm *vm);

#endif
