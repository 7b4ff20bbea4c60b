/*
 * Guest console output (SBI putchar and DBCN) goes out a line at a time, so that lines from
 * VMs on different harts never interleave. With several VMs each line names its VM.
 */
#include "core/console.h"
#include "vm/vm.h"

static void flush_line(struct vm *vm)
{
	console_lock();
	if (nvms > 1)
		kprintf_locked("[%s] ", vm->cfg.name);
	console_write(vm->con_line, vm->con_len);
	console_unlock();
	vm->con_len = 0;
}

static void put_locked(struct vm *vm, char c)
{
	if (c == '\r')
		return;
	vm->con_line[vm->con_len++] = c;
	if (c == '\n' || vm->con_len == sizeof(vm->con_line))
		flush_line(vm);
}

void vm_console_putc(struct vm *vm, char c)
{
	spin_lock(&vm->con_lock);
	put_locked(vm, c);
	spin_unlock(&vm->con_lock);
}

void vm_console_write(struct vm *vm, const char *s, unsigned long n)
{
	spin_lock(&vm->con_lock);
	while (n--)
		put_locked(vm, *s++);
	spin_unlock(&vm->con_lock);
}

void vm_console_input(struct vm *vm, const char *buf, unsigned n)
{
	/* The UART's receive FIFO is the VM's console input queue (SBI reads share it). */
	vuart_receive(&vm->uart, buf, n);
}

int vm_console_getc(struct vm *vm)
{
	host_irq_poll_console();
	return vuart_take_byte(&vm->uart);
}
