/*
 * In-guest checks, printed as TAP lines for `make test`. What to expect comes from the kernel
 * command line (keel.mem=MiB keel.cpus=N keel.sstc=0|1 keel.sbi=keel|opensbi keel.input=TEXT),
 * so the same init serves every VM configuration and the native reference boot.
 */
#define _GNU_SOURCE
#include "checks.h"
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <time.h>
#include <unistd.h>

#define KLOG_READ_ALL 3
#define KLOG_SIZE_BUFFER 10
#define KEEL_SBI_IMPL_ID "0x4b45454c"
#define OPENSBI_IMPL_ID "0x1"
#define KERNEL_RESERVED_MIB 64 /* MemTotal excludes the kernel image and early reservations */
#define SLEEP_SLACK_NS 200000000L
#define UART_PLIC_LINE "PLIC  10 " /* the UART is PLIC source 10 on virt and under Keel */

static int tap_n, tap_failed;
static char cmdline[1024];

static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
	tap_failed += !cond;
}

static char *read_file(const char *path)
{
	static char buf[16384];
	int fd = open(path, O_RDONLY);
	ssize_t n, total = 0;

	if (fd < 0)
		return NULL;
	while (total < (ssize_t)sizeof(buf) - 1 && (n = read(fd, buf + total, sizeof(buf) - 1 - (size_t)total)) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	return buf;
}

const char *checks_param(const char *name)
{
	static char value[128];
	size_t n = strlen(name);

	if (!cmdline[0]) {
		char *c = read_file("/proc/cmdline");

		snprintf(cmdline, sizeof(cmdline), " %s", c ? c : "");
	}
	for (char *p = cmdline; (p = strstr(p, name)); p += n)
		if (p[-1] == ' ' && p[n] == '=') {
			size_t len = strcspn(p + n + 1, " \n");

			snprintf(value, sizeof(value), "%.*s", (int)len, p + n + 1);
			return value;
		}
	return NULL;
}

static long param_long(const char *name, long dflt)
{
	const char *v = checks_param(name);

	return v ? strtol(v, NULL, 0) : dflt;
}

static void check_memory_and_cpus(void)
{
	char *info = read_file("/proc/meminfo"), *p;
	long kib = info && (p = strstr(info, "MemTotal:")) ? strtol(p + 9, NULL, 10) : 0;
	long want = param_long("keel.mem", 0), cpus = 0;

	ok(want && kib / 1024 <= want && kib / 1024 > want - KERNEL_RESERVED_MIB,
	   "linux: MemTotal %ld MiB fits the VM's %ld MiB", kib / 1024, want);
	info = read_file("/proc/cpuinfo");
	for (p = info; p && (p = strstr(p, "processor")); p++)
		cpus++;
	ok(cpus == param_long("keel.cpus", 1), "linux: %ld CPU(s) in /proc/cpuinfo (want %ld)", cpus,
	   param_long("keel.cpus", 1));
}

static void check_isa(void)
{
	char *info = read_file("/proc/cpuinfo"), *isa = info ? strstr(info, "isa\t") : NULL;
	char line[160] = "";
	int sstc;

	if (isa)
		sscanf(strchr(isa, ':') + 2, "%159s", line);
	sstc = strstr(line, "_sstc") != NULL;
	char base[sizeof(line)];
	int has_h;

	snprintf(base, sizeof(base), "%.*s", (int)strcspn(line, "_"), line);
	has_h = strchr(base + 4, 'h') != NULL;
	/* Under Keel the vCPU never offers H; natively (keel.isa_h=1) QEMU's hart has it. */
	ok(!strncmp(line, "rv64", 4) && has_h == param_long("keel.isa_h", 0), "linux: /proc/cpuinfo isa %s %s the H extension",
	   line, has_h ? "has" : "does not have");
	ok(sstc == param_long("keel.sstc", sstc), "linux: sstc %s in the ISA string, as configured", sstc ? "is" : "is not");
}

static char *kernel_log(void)
{
	int size = klogctl(KLOG_SIZE_BUFFER, NULL, 0);
	char *buf = size > 0 ? malloc((size_t)size + 1) : NULL;

	if (!buf)
		return NULL;
	size = klogctl(KLOG_READ_ALL, buf, size);
	buf[size > 0 ? size : 0] = '\0';
	return buf;
}

static void check_sbi(void)
{
	char *log = kernel_log();
	const char *sbi = checks_param("keel.sbi");
	int keel = !sbi || !strcmp(sbi, "keel");
	char want[96];

	snprintf(want, sizeof(want), "SBI specification v%s detected", keel ? "2.0" : "1.0");
	ok(log && strstr(log, want), "linux: kernel log says \"%s\"", want);
	snprintf(want, sizeof(want), "SBI implementation ID=%s", keel ? KEEL_SBI_IMPL_ID : OPENSBI_IMPL_ID);
	ok(log && strstr(log, want), "linux: kernel log says \"%s\"", want);
	free(log);
}

static long elapsed_ns(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000000L + (b->tv_nsec - a->tv_nsec);
}

static void check_sleep(void)
{
	struct timespec t0, t1, one = { 1, 0 };

	clock_gettime(CLOCK_MONOTONIC, &t0);
	nanosleep(&one, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ns = elapsed_ns(&t0, &t1);

	ok(ns >= 1000000000L && ns < 1000000000L + SLEEP_SLACK_NS, "linux: sleep 1 s took %ld.%03ld s", ns / 1000000000L,
	   ns / 1000000 % 1000);
}

/*
 * Sum of the per-CPU counts on the /proc/interrupts line containing `what`, or -1. The UART's
 * line loses its name when the port closes, so it is found by its PLIC source: "PLIC  10 ".
 */
static long irq_count(const char *what)
{
	char *text = read_file("/proc/interrupts"), *save = NULL;

	for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		if (!strstr(line, what))
			continue;
		long sum = 0;
		char *p = strchr(line, ':'), *end;

		for (p = p ? p + 1 : line;; p = end) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			sum += v;
		}
		return sum;
	}
	return -1;
}

static void check_interrupts(void)
{
	long timer0 = irq_count("riscv-timer"), uart0 = irq_count(UART_PLIC_LINE);
	int fd = open("/dev/ttyS0", O_WRONLY | O_NOCTTY);
	static const char msg[] = "linux: a line written to ttyS0 to make the UART interrupt\n";
	struct timespec pause = { 0, 100000000L };

	if (fd >= 0) {
		write(fd, msg, sizeof(msg) - 1);
		close(fd);
	}
	nanosleep(&pause, NULL);
	long timer1 = irq_count("riscv-timer"), uart1 = irq_count(UART_PLIC_LINE);

	ok(timer0 >= 0 && timer1 > timer0, "linux: timer interrupts grow (%ld -> %ld)", timer0, timer1);
	/* Before ttyS0 is first opened (console=hvc0) its line is not listed yet: count that as 0. */
	ok(uart1 > (uart0 < 0 ? 0 : uart0), "linux: UART interrupts grow (%ld -> %ld)", uart0, uart1);
	if (uart1 <= uart0 || timer1 <= timer0)
		printf("# /proc/interrupts:\n%s", read_file("/proc/interrupts"));
}

static void check_input(void)
{
	const char *want = checks_param("keel.input");
	char line[128] = "";

	if (!want)
		return;
	printf("keel-init: type a line\n");
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin))
		line[strcspn(line, "\r\n")] = '\0';
	ok(!strcmp(line, want), "linux: console input read back \"%s\"", line);
}

int checks_run(void)
{
	check_memory_and_cpus();
	check_isa();
	check_sbi();
	check_sleep();
	check_interrupts();
	check_input();
	printf("1..%d\n", tap_n);
	fflush(stdout);
	return tap_failed;
}
