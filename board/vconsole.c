/*
 * The VMs' console. Output (SBI putchar, DBCN, the emulated UART, the virtio console) goes out a
 * line at a time, so that lines from VMs on different harts never interleave; with several VMs
 * each line names its VM. Input goes to one VM at a time, the first running one to begin with;
 * Ctrl-\ (as Xen's Ctrl-A Ctrl-A Ctrl-A, but QEMU keeps Ctrl-A for itself) passes it to the next.
 * A VM's input goes to its virtio console when it has one (keel,console = "virtio"), else to its
 * UART, whose receive FIFO SBI getchar reads too.
 */
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "core/console.h"
#include "drivers/platform.h"
#include "lib/printf.h"
#include "board/board.h"
#include "core/timer.h"

#define CONSOLE_SWITCH_KEY 0x1c /* Ctrl-\ */
/*
 * With several VMs, an unfinished line (a prompt) is shown once its VM has printed nothing
 * for this long: long enough not to split the lines of a VM printing steadily.
 */
#define CONSOLE_QUIET_MS 75
/* Ends the shown start of a line that another VM's line broke into; the line comes again whole. */
#define CONSOLE_BROKEN " [...]\n"
#define MS_PER_S 1000

static int input_vm = -1; /* index into vms[] */
static spinlock_t input_lock;

static int running(int i)
{
	/* A VM being reset keeps the console input. */
	return i >= 0 && i < nvms && vm_alive(&vms[i]);
}

/* The next running VM after `from`, or -1 (caller holds input_lock). */
static int next_running(int from)
{
	for (int n = 1; n <= nvms; n++) {
		int i = (from + n + nvms) % nvms;

		if (running(i))
			return i;
	}
	return -1;
}

static void give_input_to(int i, int announce)
{
	input_vm = i;
	if (announce && i >= 0)
		kprintf("\nkeel: console input goes to vm '%s' (Ctrl-\\ switches)\n", vms[i].cfg.name);
}

void console_input_drain(void)
{
	char buf[64];
	unsigned n = 0;
	int c;

	spin_lock(&input_lock);
	if (!running(input_vm))
		give_input_to(next_running(input_vm < 0 ? -1 : input_vm), input_vm >= 0);
	while (n < sizeof(buf) && (c = console_getc()) >= 0) {
		if (c != CONSOLE_SWITCH_KEY) {
			buf[n++] = (char)c;
			continue;
		}
		if (n && input_vm >= 0)
			vm_console_input(&vms[input_vm], buf, n);
		n = 0;
		give_input_to(next_running(input_vm), 1);
	}
	if (n && input_vm >= 0)
		vm_console_input(&vms[input_vm], buf, n);
	spin_unlock(&input_lock);
}

static struct vm *open_line; /* the VM whose unfinished line is on the console (console lock) */

/*
 * Put the buffered text out: a whole line, or (one VM, a quiet VM, or a full buffer) the start of
 * one. A shown start stays buffered: if another VM's line breaks in before it ends, the fragment
 * is marked CONSOLE_BROKEN and the line is shown again whole, so no line is ever split in two.
 */
static void flush_line(struct vm *vm)
{
	int done = vm->con_len && vm->con_line[vm->con_len - 1] == '\n';
	unsigned from;

	if (!vm->con_len)
		return;
	console_lock();
	if (open_line && open_line != vm) {
		console_write(CONSOLE_BROKEN, sizeof(CONSOLE_BROKEN) - 1);
		open_line->con_shown = 0; /* its next output starts the line again */
		open_line = NULL;
	}
	from = open_line == vm ? vm->con_shown : 0;
	if (!from && nvms > 1)
		kprintf_locked("[%s] ", vm->cfg.name);
	console_write(vm->con_line + from, vm->con_len - from);
	vm->con_shown = vm->con_len;
	open_line = done ? NULL : vm;
	if (done || vm->con_len == sizeof(vm->con_line))
		vm->con_len = vm->con_shown = 0; /* a full buffer goes on without its start */
	console_unlock();
}

static uint64_t quiet_ticks(void)
{
	return platform.timebase * CONSOLE_QUIET_MS / MS_PER_S;
}

/*
 * With one VM there is nothing to attribute and no other VM's line to keep apart: its output goes
 * straight to the console (a guest's UART output is one exit per character: this is its path).
 */
static void put_direct(const char *s, unsigned long n)
{
	console_lock();
	for (; n; n--, s++)
		if (*s != '\r')
			console_putc(*s);
	console_unlock();
}

/* One character of the VM's output (several VMs: a line at a time, see flush_line). */
static void put_locked(struct vm *vm, char c)
{
	if (c == '\r')
		return;
	vm->con_line[vm->con_len++] = c;
	if (c == '\n' || vm->con_len == sizeof(vm->con_line)) {
		flush_line(vm);
		return;
	}
	/* Output comes from the VM's own harts: this hart's timer looks at the line once it is quiet. */
	struct hart *h = this_hart();

	vm->con_stamp = read_time();
	if (hart_timer_get(h, HART_TIMER_CONSOLE) == HART_TIMER_OFF)
		hart_timer_set(h, HART_TIMER_CONSOLE, vm->con_stamp + quiet_ticks());
}

void vm_console_quiet_check(struct hart *h, uint64_t now)
{
	/* Every VM with a vCPU on this hart: on a shared hart the one bound now may not be the writer. */
	for (int i = 0; i < nvms; i++) {
		struct vm *vm = &vms[i];

		if (!(vm->cfg.hart_mask & (1UL << h->id)))
			continue;
		spin_lock(&vm->con_lock);
		if (vm->con_len && now - vm->con_stamp >= quiet_ticks())
			flush_line(vm);
		else if (vm->con_len && vm->con_stamp + quiet_ticks() < hart_timer_get(h, HART_TIMER_CONSOLE))
			hart_timer_set(h, HART_TIMER_CONSOLE, vm->con_stamp + quiet_ticks());
		spin_unlock(&vm->con_lock);
	}
}

void vm_console_putc(struct vm *vm, char c)
{
	if (nvms == 1) {
		put_direct(&c, 1);
		return;
	}
	spin_lock(&vm->con_lock);
	put_locked(vm, c);
	spin_unlock(&vm->con_lock);
}

void vm_console_write(struct vm *vm, const char *s, unsigned long n)
{
	if (nvms == 1) {
		put_direct(s, n);
		return;
	}
	spin_lock(&vm->con_lock);
	while (n--)
		put_locked(vm, *s++);
	spin_unlock(&vm->con_lock);
}

void vm_console_input(struct vm *vm, const char *buf, unsigned n)
{
	if (vm->cfg.console == VM_CONSOLE_VIRTIO)
		vcons_receive(&vm->vcons, buf, n);
	else
		vuart_receive(&vm->uart, buf, n);
}

int vm_console_getc(struct vm *vm)
{
	console_input_drain();
	return vuart_take_byte(&vm->uart);
}

/* ---- the virtio console ---- */

static void vcons_sink(void *ctx, const char *s, unsigned long n)
{
	vm_console_write(ctx, s, n);
}

static void vcons_irq(void *ctx, int level)
{
	struct vm *vm = ctx;

	irqchip_set_level(&vm->irqchip, VM_CONSOLE_IRQ, level);
}

int vm_console_init(struct vm *vm, char *err, unsigned long errlen)
{
	struct vq_mem mem = { vm->cfg.ram_base, vm->cfg.ram_size, (uint8_t *)(uintptr_t)vm->ram_hpa };

	if (vm->cfg.console != VM_CONSOLE_VIRTIO)
		return 0;
	if (vm_window_passed_through(vm, VM_CONSOLE_BASE, VIRTIO_MMIO_WINDOW)) {
		snprintf(err, errlen,
			 "field keel,console: the virtio console's window 0x%lx is a passed-through device",
			 VM_CONSOLE_BASE);
		return -1;
	}
	vcons_init(&vm->vcons, vcons_sink, vm, &mem, vcons_irq, vm);
	if (vm_virtio_attach(vm, VM_CONSOLE_BASE, &vm->vcons.t, "virtio-console")) {
		snprintf(err, errlen,
			 "field keel,console: no room for the virtio console on the VM's bus or in its stage-2 tables");
		return -1;
	}
	kprintf("keel: vm '%s': virtio console at 0x%lx irq %lu takes the console input\n", vm->cfg.name,
		VM_CONSOLE_BASE, (unsigned long)VM_CONSOLE_IRQ);
	return 0;
}

void vm_console_reset(struct vm *vm)
{
	if (vm->cfg.console == VM_CONSOLE_VIRTIO)
		virtio_mmio_reset(&vm->vcons.t);
}

void vm_console_report(struct vm *vm)
{
	const struct vcons_stats *s = &vm->vcons.stats;

	if (vm->cfg.console != VM_CONSOLE_VIRTIO)
		return;
	kprintf("keel: vm '%s' virtio console: %lu bytes out, %lu in; %lu bad buffers, %lu input bytes dropped, "
		"%lu protocol errors (NEEDS_RESET)\n",
		vm->cfg.name, (unsigned long)s->tx_bytes, (unsigned long)s->rx_bytes, (unsigned long)s->bad_buffers,
		(unsigned long)s->input_dropped, vm->vcons.t.protocol_errors);
}
