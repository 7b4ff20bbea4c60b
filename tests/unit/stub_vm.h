/*
 * Host stand-ins for the services the SBI layer calls in vm/vm.c, board/vconsole.c and vcpu/
 * (those touch CSRs, IPIs and the UART). Each records its calls in `stub` for the tests.
 */
#ifndef KEEL_TESTS_UNIT_STUB_VM_H
#define KEEL_TESTS_UNIT_STUB_VM_H
#include <stddef.h>
#include <stdint.h>
#include "vm/vm.h"

#define STUB_MAX_CALLS 64
#define STUB_CONSOLE_MAX (64 * 1024)
#define STUB_MAX_VA 8

struct stub_irq_call {
	struct vcpu *v;
	unsigned long bits;
};

struct stub_remote_call {
	struct vm *vm;
	struct vcpu *self;
	unsigned long mask, base, req;
	long ret;
	int ntargets;
	struct vcpu *targets[MAX_VCPUS_PER_VM];
};

struct stub_state {
	struct stub_irq_call raised[STUB_MAX_CALLS], cleared[STUB_MAX_CALLS], requests[STUB_MAX_CALLS];
	int nraised, ncleared, nrequests;
	struct stub_remote_call remote[STUB_MAX_CALLS];
	int nremote;
	struct {
		struct vcpu *v;
		uint64_t deadline;
	} timers[STUB_MAX_CALLS];
	int ntimers;

	/* The VM's console: bytes out (vm_console_putc and _write alike) and a queue of bytes in. */
	char out[STUB_CONSOLE_MAX];
	size_t nout;
	int nputc, nwrite_calls;
	struct vm *out_vm, *in_vm; /* the VM named by the last output / input call */
	const char *in;
	size_t in_len, in_pos;

	/* Guest virtual memory for guest_read_ulong_va: a few words; anything else faults. */
	struct {
		unsigned long gva, value;
	} va[STUB_MAX_VA];
	int nva;
	int nva_reads;
	unsigned long va_fault_cause;
};

extern struct stub_state stub;

void stub_reset(void);
void stub_console_input(const char *s, size_t n);
void stub_map_va(unsigned long gva, unsigned long value);

#endif
