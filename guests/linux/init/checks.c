/*
 * In-guest checks, printed as TAP lines for `make test`. What to expect comes from the kernel
 * command line (keel.mem=MiB keel.cpus=N keel.sstc=0|1 keel.sbi=keel|opensbi keel.input=TEXT
 * keel.disk=write|cut|verify|readonly; natively keel.sbi_spec=M.m, the platform's OpenSBI's SBI
 * version), so the same init serves every VM configuration and the native reference boot.
 */
#define _GNU_SOURCE
#include "checks.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/klog.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define KLOG_READ_ALL 3
#define KLOG_SIZE_BUFFER 10
#define KEEL_SBI_IMPL_ID "0x4b45454c"
#define OPENSBI_IMPL_ID "0x1"
#define KERNEL_RESERVED_MIB 64 /* MemTotal excludes the kernel image and early reservations */
#define SLEEP_SLACK_NS 200000000L
#define UART_SOURCE 10 /* the UART's wired source on virt (PLIC or APLIC) and under Keel */

static int tap_n, tap_failed;
static char cmdline[1024];

#define ok checks_ok

void checks_ok(int cond, const char *fmt, ...)
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
	static char value[256];
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
	char line[1024] = ""; /* an RVA23 hart's is about 470 characters */
	int sstc;

	if (isa)
		sscanf(strchr(isa, ':') + 2, "%1023s", line);
	sstc = strstr(line, "_sstc") != NULL;
	char base[sizeof(line)];
	int has_h;

	snprintf(base, sizeof(base), "%.*s", (int)strcspn(line, "_"), line);
	has_h = strchr(base + 4, 'h') != NULL;
	/* Under Keel the vCPU never offers H; natively (keel.isa_h=1) QEMU's hart has it. */
	/* The base letters only: a line of Keel's console holds 160 characters, an RVA23 ISA is 470. */
	ok(!strncmp(line, "rv64", 4) && has_h == param_long("keel.isa_h", 0),
	   "linux: /proc/cpuinfo isa %s_... (%zu characters) %s the H extension", base, strlen(line),
	   has_h ? "has" : "does not have");
	ok(sstc == param_long("keel.sstc", sstc), "linux: sstc %s in the ISA string, as configured",
	   sstc ? "is" : "is not");
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

#define HWCAP_ISA_V (1UL << ('v' - 'a')) /* the single-letter extensions' bits of AT_HWCAP */
#define VECTOR_ELEMS 4
#define VECTOR_HOLD_TICKS 2000000UL /* 200 ms of QEMU virt's 10 MHz time: some 50 ticks at HZ=250 */

/* v2 = x, doubled, stored: what a vector unit gives back, or garbage without one. */
static void vector_double(const long *x, long *out)
{
	unsigned long vl;

	__asm__ volatile(".option push\n.option arch, +v\n vsetivli %0, 4, e64, m2, ta, ma\n vle64.v v2, (%1)\n"
			 "vadd.vv v2, v2, v2\n vse64.v v2, (%2)\n.option pop"
			 : "=&r"(vl)
			 : "r"(x), "r"(out)
			 : "memory");
}

/*
 * v4 = x, a spin of `ticks` of the time CSR (no call, no system call: both may discard vector
 * state, the psABI says), then v4 stored. Another process doing the same on the CPU preempts it.
 */
static void vector_hold(const long *x, long *out, unsigned long ticks)
{
	unsigned long vl, t;

	__asm__ volatile(".option push\n.option arch, +v\n vsetivli %0, 4, e64, m2, ta, ma\n vle64.v v4, (%2)\n"
			 "rdtime %1\n add %1, %1, %3\n 1: rdtime t0\n bltu t0, %1, 1b\n"
			 "vsetivli %0, 4, e64, m2, ta, ma\n vse64.v v4, (%4)\n.option pop"
			 : "=&r"(vl), "=&r"(t)
			 : "r"(x), "r"(ticks), "r"(out)
			 : "t0", "memory");
}

/* Involuntary context switches of this process so far (/proc/self/status). */
static long preemptions(void)
{
	char *s = read_file("/proc/self/status"), *p = s ? strstr(s, "nonvoluntary_ctxt_switches:") : NULL;

	return p ? strtol(p + strlen("nonvoluntary_ctxt_switches:"), NULL, 10) : -1;
}

/*
 * keel.vector=0|1: whether the hart (the platform's) has V. Linux reports it in AT_HWCAP only when
 * its device tree offers it and it could read vlenb; then user space computes with it, and two
 * processes' vector registers stay apart across their switches.
 */
static void check_vector(void)
{
	long want = param_long("keel.vector", -1), x[VECTOR_ELEMS] = { 1, -2, 3, 1L << 40 }, y[VECTOR_ELEMS];
	long mine[VECTOR_ELEMS] = { 11, 22, 33, 44 }, theirs[VECTOR_ELEMS] = { -5, -6, -7, -8 }, got[VECTOR_ELEMS];
	int has_v = (getauxval(AT_HWCAP) & HWCAP_ISA_V) != 0, bad = 0;
	pid_t child;

	if (want < 0)
		return;
	ok(has_v == want, "linux: V %s in AT_HWCAP (want %ld)", has_v ? "is" : "is not", want);
	if (!has_v)
		return;
	vector_double(x, y);
	for (int i = 0; i < VECTOR_ELEMS; i++)
		bad += y[i] != 2 * x[i];
	ok(!bad, "linux: a vector add in user space is right (%d of %d elements wrong)", bad, VECTOR_ELEMS);
	long before = preemptions();

	pin(0); /* both on one CPU (the child inherits it): each preempts the other */
	child = fork();
	if (child == 0) {
		vector_hold(theirs, got, VECTOR_HOLD_TICKS);
		_exit(memcmp(got, theirs, sizeof(got)) != 0);
	}
	vector_hold(mine, got, VECTOR_HOLD_TICKS);
	int status = 0;
	long switches = preemptions() - before;

	if (child > 0)
		waitpid(child, &status, 0);
	ok(child > 0 && switches > 0 && !memcmp(got, mine, sizeof(got)) && WIFEXITED(status) &&
		   WEXITSTATUS(status) == 0,
	   "linux: two processes' vector registers stay their own, each preempted in its vector work (%ld times)",
	   switches);
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
	const char *spec = keel ? "2.0" : checks_param("keel.sbi_spec");
	char want[96];

	snprintf(want, sizeof(want), "SBI specification v%s detected", spec ? spec : "(keel.sbi_spec not given)");
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

	ok(ns >= 1000000000L && ns < 1000000000L + SLEEP_SLACK_NS, "linux: sleep 1 s took %ld.%03ld s",
	   ns / 1000000000L, ns / 1000000 % 1000);
}

/* A /proc/interrupts line's text after its per-CPU counts, with their sum in *sum. */
static const char *after_counts(const char *line, long *sum)
{
	const char *p = strchr(line, ':');
	char *end;

	*sum = 0;
	for (p = p ? p + 1 : line;; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p)
			return p;
		*sum += v;
	}
}

/* Whether a /proc/interrupts line contains `arg`. */
static int line_has(const char *line, const void *arg)
{
	return strstr(line, arg) != NULL;
}

/*
 * Whether a line is wired source *arg of the platform's controller: after the per-CPU counts come
 * the chip ("SiFive PLIC", or the AIA's "APLIC-DIRECT" / "APLIC-MSI-...") and the source number.
 * The UART's line loses its name when the port closes, so it is found so.
 */
static int line_is_source(const char *line, const void *arg)
{
	long sum;
	const char *p = strstr(after_counts(line, &sum), "PLIC");
	char *end;

	if (!p)
		return 0;
	p += strcspn(p, " \t");
	return strtol(p, &end, 10) == *(const int *)arg && end != p && (*end == ' ' || *end == '\t');
}

/* Sum of the per-CPU counts on the first /proc/interrupts line that `match` accepts, or -1. */
static long irq_count_where(int (*match)(const char *line, const void *arg), const void *arg)
{
	char *text = read_file("/proc/interrupts"), *save = NULL;

	for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		long sum;

		if (!match(line, arg))
			continue;
		after_counts(line, &sum);
		return sum;
	}
	return -1;
}

static long irq_count(const char *what)
{
	return irq_count_where(line_has, what);
}

static long uart_irq_count(void)
{
	static const int source = UART_SOURCE;

	return irq_count_where(line_is_source, &source);
}

static void check_interrupts(void)
{
	/*
	 * On CPU 0, where Linux's PLIC and APLIC drivers route the UART: opening the port tests whether THRE
	 * interrupts work, and that test misfires if the interrupt handler on another CPU reads IIR
	 * first; the 8250 driver then transmits by polling, without interrupts.
	 */
	pin(0);
	long timer0 = irq_count("riscv-timer"), uart0 = uart_irq_count();
	int fd = open("/dev/ttyS0", O_WRONLY | O_NOCTTY);
	static const char msg[] = "linux: a line written to ttyS0 to make the UART interrupt\n";
	struct timespec pause = { 0, 100000000L };

	/* Open until the counters are read: the last close frees the line (Linux 6.12 then unlists it). */
	if (fd >= 0) {
		write(fd, msg, sizeof(msg) - 1);
		tcdrain(fd); /* returns once the UART has sent it all, by its interrupts */
	} else {
		printf("# open /dev/ttyS0: %s\n", strerror(errno));
	}
	/* A loaded host can be slow to run the vCPUs: give the counters up to 2 s to move. */
	long timer1 = timer0, uart1 = uart0;

	for (int i = 0; i < 20 && (timer1 <= timer0 || uart1 <= (uart0 < 0 ? 0 : uart0)); i++) {
		nanosleep(&pause, NULL);
		timer1 = irq_count("riscv-timer");
		uart1 = uart_irq_count();
	}

	if (fd >= 0)
		close(fd);
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

/* ---- SMP: every CPU online, cross-CPU wake-ups (IPIs), CPU offline/online through sysfs ---- */

#define PINGPONG_ROUNDS 2000
#define MAX_CPUS 8

struct pong {
	int cpu;
	int to_pong[2], to_ping[2];
	long ran_on_cpu; /* rounds the pong thread saw itself on its CPU */
};

static void *pong_thread(void *arg)
{
	struct pong *p = arg;
	char c;

	if (pin(p->cpu))
		return NULL;
	while (read(p->to_pong[0], &c, 1) == 1 && c) {
		p->ran_on_cpu += sched_getcpu() == p->cpu;
		write(p->to_ping[1], &c, 1);
	}
	return NULL;
}

/* CPU 0 and `cpu` hand a byte back and forth: each hand-over wakes a thread on the other CPU. */
static long pingpong(int cpu)
{
	struct pong p = { .cpu = cpu };
	pthread_t t;
	char c = 1;

	if (pipe(p.to_pong) || pipe(p.to_ping) || pthread_create(&t, NULL, pong_thread, &p))
		return -1;
	for (int i = 0; i < PINGPONG_ROUNDS; i++)
		if (write(p.to_pong[1], &c, 1) != 1 || read(p.to_ping[0], &c, 1) != 1)
			break;
	c = 0;
	write(p.to_pong[1], &c, 1);
	pthread_join(t, NULL);
	close(p.to_pong[0]);
	close(p.to_pong[1]);
	close(p.to_ping[0]);
	close(p.to_ping[1]);
	return p.ran_on_cpu;
}

/* Sum of one /proc/interrupts line's count on a given CPU column. */
static long irq_count_on(const char *what, int cpu)
{
	char *text = read_file("/proc/interrupts"), *save = NULL;

	for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		if (!strstr(line, what))
			continue;
		char *p = strchr(line, ':'), *end;
		long v = 0;

		p = p ? p + 1 : line;
		for (int c = 0; c <= cpu; c++, p = end)
			v = strtol(p, &end, 10);
		return v;
	}
	return -1;
}

/* Remote wake-ups arrive as rescheduling or function-call IPIs (the latter with TTWU_QUEUE). */
static long ipi_count(int cpu)
{
	return irq_count_on("Rescheduling", cpu) + irq_count_on("Function call", cpu);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	int ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

static void online_cpus(char *out, size_t len)
{
	char *s = read_file("/sys/devices/system/cpu/online");

	snprintf(out, len, "%s", s ? s : "?");
	out[strcspn(out, "\n")] = '\0';
}

static void check_smp(long cpus)
{
	char online[64], want[64];
	long before[MAX_CPUS], after;
	int all_ran = 1, all_ipis = 1;

	snprintf(want, sizeof(want), "0-%ld", cpus - 1);
	online_cpus(online, sizeof(online));
	ok(!strcmp(online, want), "linux smp: CPUs online are %s (want %s)", online, want);
	for (int c = 0; c < cpus && c < MAX_CPUS; c++)
		before[c] = ipi_count(c);
	pin(0);
	for (int c = 1; c < cpus && c < MAX_CPUS; c++) {
		long ran = pingpong(c);

		printf("# ping-pong CPU 0 <-> CPU %d: %ld rounds on CPU %d\n", c, ran, c);
		all_ran &= ran == PINGPONG_ROUNDS;
	}
	ok(all_ran, "linux smp: %d wake-ups between CPU 0 and each other CPU all ran there", PINGPONG_ROUNDS);
	for (int c = 0; c < cpus && c < MAX_CPUS; c++) {
		after = ipi_count(c);
		printf("# CPU %d IPIs (rescheduling + function call): %ld -> %ld\n", c, before[c], after);
		all_ipis &= after > before[c];
	}
	ok(all_ipis, "linux smp: every CPU took IPIs during the wake-ups");

	ok(!write_file("/sys/devices/system/cpu/cpu1/online", "0"), "linux smp: CPU 1 taken offline through sysfs");
	online_cpus(online, sizeof(online));
	if (cpus == 2)
		snprintf(want, sizeof(want), "0");
	else if (cpus == 3)
		snprintf(want, sizeof(want), "0,2");
	else
		snprintf(want, sizeof(want), "0,2-%ld", cpus - 1);
	ok(!strcmp(online, want), "linux smp: online CPUs now %s (want %s)", online, want);
	snprintf(want, sizeof(want), "0-%ld", cpus - 1);
	ok(!write_file("/sys/devices/system/cpu/cpu1/online", "1"), "linux smp: CPU 1 back online through sysfs");
	online_cpus(online, sizeof(online));
	ok(!strcmp(online, want), "linux smp: CPUs online are %s again", online);
	ok(pingpong(1) == PINGPONG_ROUNDS, "linux smp: CPU 1 runs work again after coming back");
	pin(0);
}

int checks_run(int disk_only)
{
	long cpus = param_long("keel.cpus", 1);

	if (!disk_only) {
		check_memory_and_cpus();
		check_isa();
		check_vector();
		check_sbi();
		check_sleep();
		check_interrupts();
		if (cpus > 1)
			check_smp(cpus);
		check_input();
	}
	if (checks_param("keel.disk")) {
		char mode[32]; /* checks_param's buffer is reused by the next call */

		snprintf(mode, sizeof(mode), "%s", checks_param("keel.disk"));
		checks_disk(mode);
	}
	return checks_plan();
}

int checks_plan(void)
{
	printf("1..%d\n", tap_n);
	fflush(stdout);
	return tap_failed;
}
