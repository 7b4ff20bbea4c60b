/* Runtime shared by every bare-metal test guest. */
#include "guests/common/guest.h"
#include "core/spinlock.h"
#include "lib/printf.h"
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

int under_keel;
const void *guest_dtb;
struct trap_record last_trap[8];
void (*volatile irq_hook)(unsigned long irq);
static int tap_count, tap_failed;
static spinlock_t print_lock;

void guest_boot(unsigned long hartid, const void *dtb);
void guest_secondary_entry(unsigned long hartid, unsigned long arg);
void guest_trap(struct trap_frame *f);

struct sbiret sbi_call(unsigned long eid, unsigned long fid, unsigned long a0, unsigned long a1, unsigned long a2,
		       unsigned long a3, unsigned long a4, unsigned long a5)
{
	register unsigned long r0 __asm__("a0") = a0;
	register unsigned long r1 __asm__("a1") = a1;
	register unsigned long r2 __asm__("a2") = a2;
	register unsigned long r3 __asm__("a3") = a3;
	register unsigned long r4 __asm__("a4") = a4;
	register unsigned long r5 __asm__("a5") = a5;
	register unsigned long r6 __asm__("a6") = fid;
	register unsigned long r7 __asm__("a7") = eid;

	__asm__ volatile("ecall"
			 : "+r"(r0), "+r"(r1)
			 : "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r6), "r"(r7)
			 : "memory");
	return (struct sbiret){ (long)r0, (long)r1 };
}

long sbi_legacy(unsigned long eid, unsigned long a0, unsigned long a1, unsigned long a2)
{
	return sbi_call(eid, 0, a0, a1, a2, 0, 0, 0).error;
}

void gputc(char c)
{
	sbi_legacy(SBI_EXT_0_1_CONSOLE_PUTCHAR, (unsigned char)c, 0, 0);
}

static void fmt_putc(void *ctx, char c)
{
	(void)ctx;
	gputc(c);
}

static void print_num(int n)
{
	char buf[12];
	int i = 0;

	do {
		buf[i++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (i)
		gputc(buf[--i]);
}

static int vgprintf(const char *fmt, va_list ap)
{
	spin_lock(&print_lock);
	int n = vformat(fmt_putc, NULL, fmt, ap);
	spin_unlock(&print_lock);
	return n;
}

int gprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vgprintf(fmt, ap);
	va_end(ap);
	return n;
}

void tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	/* One lock for the whole line: harts must not interleave TAP output. */
	va_start(ap, fmt);
	spin_lock(&print_lock);
	tap_count++;
	if (!cond)
		tap_failed++;
	vformat(fmt_putc, NULL, cond ? "ok " : "not ok ", ap);
	print_num(tap_count);
	vformat(fmt_putc, NULL, " - ", ap);
	vformat(fmt_putc, NULL, fmt, ap);
	gputc('\n');
	spin_unlock(&print_lock);
	va_end(ap);
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gprintf("# ");
	vgprintf(fmt, ap);
	gprintf("\n");
	va_end(ap);
}

void guest_shutdown(void)
{
	SBI2(SBI_EXT_SRST, SBI_EXT_SRST_RESET, SBI_SRST_RESET_TYPE_SHUTDOWN, SBI_SRST_RESET_REASON_NONE);
	sbi_legacy(SBI_EXT_0_1_SHUTDOWN, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}

void tap_plan(void)
{
	gprintf("1..%d\n", tap_count);
	tap_count = 0;
}

void tap_done(void)
{
	tap_plan();
	guest_shutdown();
}

static const char *chosen_bootargs(void)
{
	int chosen = fdt_path_offset(guest_dtb, "/chosen");

	return chosen < 0 ? NULL : fdt_getprop(guest_dtb, chosen, "bootargs", NULL);
}

const char *bootarg(const char *key, char *value, unsigned long size)
{
	const char *args = chosen_bootargs();
	size_t n = strlen(key);

	for (const char *p = args; p && *p; p++)
		if ((p == args || p[-1] == ' ') && !strncmp(p, key, n) && p[n] == '=') {
			size_t len = 0;

			while (p[n + 1 + len] && p[n + 1 + len] != ' ' && len + 1 < size)
				len++;
			memcpy(value, p + n + 1, len);
			value[len] = '\0';
			return value;
		}
	return NULL;
}

#define BOOTARG_VALUE_MAX 32 /* the values bootarg_num and bootarg_is look at */

long bootarg_num(const char *key, long dflt)
{
	char value[BOOTARG_VALUE_MAX];

	return bootarg(key, value, sizeof(value)) ? (long)strtoul(value, NULL, 0) : dflt;
}

int bootarg_is(const char *key, const char *want)
{
	char value[BOOTARG_VALUE_MAX];

	return bootarg(key, value, sizeof(value)) && !strcmp(value, want);
}

uint64_t dtb_memory_size(void)
{
	int node = fdt_node_offset_by_prop_value(guest_dtb, -1, "device_type", "memory", 7);
	int len;
	const fdt64_t *reg = node < 0 ? NULL : fdt_getprop(guest_dtb, node, "reg", &len);

	return reg && len >= 16 ? fdt64_to_cpu(reg[1]) : 0;
}

int dtb_cpu_count(void)
{
	int n = 0, node = fdt_node_offset_by_prop_value(guest_dtb, -1, "device_type", "cpu", 4);

	for (; node >= 0; node = fdt_node_offset_by_prop_value(guest_dtb, node, "device_type", "cpu", 4))
		n++;
	return n;
}

const char *dtb_isa(void)
{
	int node = fdt_node_offset_by_prop_value(guest_dtb, -1, "device_type", "cpu", 4);

	return node < 0 ? NULL : fdt_getprop(guest_dtb, node, "riscv,isa", NULL);
}

int dtb_isa_has(const char *ext)
{
	const char *isa = dtb_isa();
	size_t n = strlen(ext);

	if (n == 1) { /* a letter: in the base part, past "rv64" */
		for (const char *p = isa && !strncmp(isa, "rv", 2) ? isa + 4 : ""; *p && *p != '_'; p++)
			if (*p == ext[0])
				return 1;
		return 0;
	}
	for (const char *p = isa; p && *p; p++)
		if (*p == '_' && !strncmp(p + 1, ext, n) && (p[1 + n] == '_' || p[1 + n] == '\0'))
			return 1;
	return 0;
}

void guest_boot(unsigned long hartid, const void *dtb)
{
	const char *args;

	guest_dtb = dtb;
	if (fdt_check_header(dtb)) {
		gprintf("not ok 1 - device tree at a1 is valid\n1..1\n");
		guest_shutdown();
	}
	args = chosen_bootargs();
	under_keel = args && !strncmp(args, "keel", 4);
	tap_diag("hart %lu, %s, bootargs \"%s\"", hartid, under_keel ? "under Keel" : "native", args ? args : "");
	guest_main(hartid);
	tap_done();
}

__attribute__((weak)) void guest_secondary(unsigned long hartid, unsigned long arg)
{
	(void)hartid;
	(void)arg;
}

void guest_secondary_entry(unsigned long hartid, unsigned long arg)
{
	guest_secondary(hartid, arg);
	/* A secondary that returns stops itself. */
	SBI0(SBI_EXT_HSM, SBI_EXT_HSM_HART_STOP);
	for (;;)
		__asm__ volatile("wfi");
}

static unsigned insn_len_at(unsigned long pc)
{
	return (*(volatile uint16_t *)pc & 3) == 3 ? 4 : 2;
}

void guest_trap(struct trap_frame *f)
{
	unsigned long cause = csr_read(scause), epc = csr_read(sepc), status = csr_read(sstatus);
	struct trap_record *t = MY_TRAP;

	if (cause & CAUSE_IRQ_FLAG) {
		if (irq_hook)
			irq_hook(cause & ~CAUSE_IRQ_FLAG);
		return;
	}
	t->prev_cause = t->cause;
	t->prev_from_user = t->from_user;
	t->cause = cause;
	t->tval = csr_read(stval);
	t->epc = epc;
	t->from_user = !(status & SSTATUS_SPP);
	t->count++;
	switch (cause) {
	case EXC_ECALL_U:
		/* The U-mode test code continues in S-mode after its ecall and returns normally. */
		csr_set(sstatus, SSTATUS_SPP);
		csr_write(sepc, epc + 4);
		return;
	case EXC_INST_ACCESS:
	case EXC_INST_PAGE_FAULT:
		/* A jump to nowhere: return to the caller of the bad target. */
		csr_write(sepc, f->regs[1]);
		return;
	default:
		csr_write(sepc, epc + insn_len_at(epc));
	}
}
