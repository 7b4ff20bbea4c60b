/* Recording stand-ins for vm/vm.c, board/vconsole.c and vcpu/; see stub_vm.h. */
#include "stub_vm.h"
#include <string.h>
#include "arch/riscv/csr.h"
#include "sbi/sbi.h"

struct stub_state stub;

void stub_reset(void)
{
	memset(&stub, 0, sizeof(stub));
	stub.va_fault_cause = EXC_LOAD_GUEST_PAGE_FAULT;
}

void stub_console_input(const char *s, size_t n)
{
	stub.in = s;
	stub.in_len = n;
	stub.in_pos = 0;
}

void stub_map_va(unsigned long gva, unsigned long value)
{
	if (stub.nva < STUB_MAX_VA) {
		stub.va[stub.nva].gva = gva;
		stub.va[stub.nva].value = value;
		stub.nva++;
	}
}

/* vm_vcpu_by_id, vm_gpa_to_host and vm_for_each_in_mask are Keel's own (vm/guest_mem.c). */

static void note_target(struct vcpu *target, void *ctx)
{
	struct stub_remote_call *c = ctx;

	if (c->ntargets < MAX_VCPUS_PER_VM)
		c->targets[c->ntargets++] = target;
}

long vm_remote_request(struct vm *vm, struct vcpu *self, unsigned long mask, unsigned long base, unsigned long req)
{
	struct stub_remote_call *c = &stub.remote[stub.nremote < STUB_MAX_CALLS ? stub.nremote++ : 0];

	memset(c, 0, sizeof(*c));
	c->vm = vm;
	c->self = self;
	c->mask = mask;
	c->base = base;
	c->req = req;
	c->ret = vm_for_each_in_mask(vm, mask, base, note_target, c);
	return c->ret;
}

/* ---- vcpu/ ---- */

static void note_irq(struct stub_irq_call *calls, int *n, struct vcpu *v, unsigned long bits)
{
	if (*n < STUB_MAX_CALLS) {
		calls[*n].v = v;
		calls[*n].bits = bits;
		(*n)++;
	}
}

void vcpu_raise_irq(struct vcpu *v, unsigned long hvip_bits)
{
	note_irq(stub.raised, &stub.nraised, v, hvip_bits);
}
void vcpu_clear_irq(struct vcpu *v, unsigned long hvip_bits)
{
	note_irq(stub.cleared, &stub.ncleared, v, hvip_bits);
}
void vcpu_request(struct vcpu *v, unsigned long req)
{
	note_irq(stub.requests, &stub.nrequests, v, req);
}

void vcpu_timer_set(struct vcpu *v, uint64_t deadline)
{
	if (stub.ntimers < STUB_MAX_CALLS) {
		stub.timers[stub.ntimers].v = v;
		stub.timers[stub.ntimers].deadline = deadline;
		stub.ntimers++;
	}
}

unsigned long guest_read_ulong_va(struct vcpu *v, unsigned long gva, unsigned long *out)
{
	(void)v;
	stub.nva_reads++;
	for (int i = 0; i < stub.nva; i++) {
		if (stub.va[i].gva == gva) {
			*out = stub.va[i].value;
			return 0;
		}
	}
	return stub.va_fault_cause;
}

/* ---- board/vconsole.c: bytes straight into stub.out, input from stub.in ---- */

static void out_byte(struct vm *vm, char c)
{
	stub.out_vm = vm;
	if (stub.nout < STUB_CONSOLE_MAX)
		stub.out[stub.nout++] = c;
}

void vm_console_putc(struct vm *vm, char c)
{
	stub.nputc++;
	out_byte(vm, c);
}

void vm_console_write(struct vm *vm, const char *s, unsigned long n)
{
	stub.nwrite_calls++;
	while (n--)
		out_byte(vm, *s++);
}

int vm_console_getc(struct vm *vm)
{
	stub.in_vm = vm;
	if (!stub.in || stub.in_pos >= stub.in_len)
		return -1;
	return (unsigned char)stub.in[stub.in_pos++];
}
