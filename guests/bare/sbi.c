/*
 * SBI surface test guest: BASE, TIME, IPI, RFENCE, SRST argument checks, legacy calls,
 * DBCN and Keel hypercalls. Runs under Keel and natively on OpenSBI; checks that only
 * Keel can pass (DBCN's calls, hypercalls, Keel's IDs) run only under Keel. Natively, what the
 * platform's OpenSBI reports comes on the command line (keel.sbi_spec=2.0
 * keel.sbi_impl_version=0x10005 keel.sbi_dbcn=1: the harness's platform facts).
 */
#include "guests/common/guest.h"
#include "lib/printf.h"
#include <string.h>

#define UNKNOWN_EID 0x0badbad0UL
#define UNKNOWN_FID 99
#define ALL_HARTS (-1UL)
#define RESERVED_RESET_TYPE 5
#define RESERVED_RESET_REASON 7

/* Nonzero when the call changed any register an SBI call must preserve (all but a0, a1). */
static int regs_preserved(unsigned long eid, unsigned long fid)
{
	unsigned long bad;

	__asm__ volatile("li a2, 0x1111\n li a3, 0x2222\n li a4, 0x3333\n li a5, 0x4444\n"
			 "li t0, 0x5555\n li t1, 0x6666\n li t2, 0x7777\n li t3, 0x8888\n"
			 "li t4, 0x9999\n li t5, 0xaaaa\n li t6, 0xbbbb\n"
			 "mv a6, %1\n mv a7, %2\n li a0, 0\n li a1, 0\n ecall\n"
			 "li %0, 1\n"
			 "li a0, 0x1111\n bne a2, a0, 1f\n li a0, 0x2222\n bne a3, a0, 1f\n"
			 "li a0, 0x3333\n bne a4, a0, 1f\n li a0, 0x4444\n bne a5, a0, 1f\n"
			 "li a0, 0x5555\n bne t0, a0, 1f\n li a0, 0x6666\n bne t1, a0, 1f\n"
			 "li a0, 0x7777\n bne t2, a0, 1f\n li a0, 0x8888\n bne t3, a0, 1f\n"
			 "li a0, 0x9999\n bne t4, a0, 1f\n li a0, 0xaaaa\n bne t5, a0, 1f\n"
			 "li a0, 0xbbbb\n bne t6, a0, 1f\n bne a6, %1, 1f\n bne a7, %2, 1f\n"
			 "li %0, 0\n"
			 "1:\n"
			 : "=&r"(bad)
			 : "r"(fid), "r"(eid)
			 : "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "t0", "t1", "t2", "t3", "t4", "t5", "t6",
			   "memory");
	return !bad;
}

static void test_base(void)
{
	struct sbiret r = SBI0(SBI_EXT_BASE, SBI_EXT_BASE_GET_SPEC_VERSION);
	long major = (r.value >> SBI_SPEC_VERSION_MAJOR_SHIFT) & 0x7f;
	long minor = r.value & SBI_SPEC_VERSION_MINOR_MASK;

	tap_ok(r.error == SBI_SUCCESS, "base: get_spec_version succeeds");
	if (under_keel) {
		tap_ok(major == 2 && minor == 0, "base: spec version is 2.0 (got %ld.%ld)", major, minor);
	} else {
		char spec[16], got[16];
		const char *want = bootarg("keel.sbi_spec", spec, sizeof(spec)) ? spec : "(keel.sbi_spec not given)";

		snprintf(got, sizeof(got), "%ld.%ld", major, minor);
		tap_ok(!strcmp(got, want), "base: OpenSBI reports the platform's spec version %s (got %s)", want, got);
	}
	tap_ok(regs_preserved(SBI_EXT_BASE, SBI_EXT_BASE_GET_SPEC_VERSION),
	       "base: a2-a7 and t0-t6 survive an SBI call");

	r = SBI0(SBI_EXT_BASE, SBI_EXT_BASE_GET_IMP_ID);
	tap_ok(r.error == 0 && (unsigned long)r.value == (under_keel ? SBI_IMPL_ID_KEEL : SBI_IMPL_ID_OPENSBI),
	       "base: implementation id is %s (got 0x%lx)", under_keel ? "Keel's" : "OpenSBI's", r.value);
	r = SBI0(SBI_EXT_BASE, SBI_EXT_BASE_GET_IMP_VERSION);
	if (under_keel)
		tap_ok(r.error == 0 && r.value == KEEL_IMPL_VERSION, "base: implementation version 0x%lx", r.value);
	else
		tap_ok(r.error == 0 && r.value == bootarg_num("keel.sbi_impl_version", -1),
		       "base: implementation version 0x%lx, the platform's OpenSBI's", r.value);

	static const struct {
		unsigned long eid;
		const char *name;
	} always[] = {
		{ SBI_EXT_BASE, "BASE" },
		{ SBI_EXT_TIME, "TIME" },
		{ SBI_EXT_IPI, "IPI" },
		{ SBI_EXT_RFENCE, "RFENCE" },
		{ SBI_EXT_HSM, "HSM" },
		{ SBI_EXT_SRST, "SRST" },
		{ SBI_EXT_0_1_CONSOLE_PUTCHAR, "legacy putchar" },
		{ SBI_EXT_0_1_SHUTDOWN, "legacy shutdown" },
	};
	for (unsigned i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
		r = SBI1(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT, always[i].eid);
		tap_ok(r.error == 0 && r.value != 0, "base: probe %s says present", always[i].name);
	}
	r = SBI1(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT, UNKNOWN_EID);
	tap_ok(r.error == 0 && r.value == 0, "base: probe of an unknown extension says absent");
	int dbcn = under_keel || bootarg_num("keel.sbi_dbcn", 0);

	r = SBI1(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT, SBI_EXT_DBCN);
	tap_ok(r.error == 0 && (r.value != 0) == dbcn, "base: probe DBCN: %s%s", dbcn ? "present" : "absent",
	       under_keel ? "" : ", as the platform's OpenSBI has it");
	r = SBI1(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT, SBI_EXT_KEEL_HVC);
	tap_ok(r.error == 0 && (r.value != 0) == under_keel, "base: probe Keel hypercalls: %s",
	       under_keel ? "present" : "absent");

	r = SBI0(SBI_EXT_BASE, SBI_EXT_BASE_GET_MVENDORID);
	tap_ok(r.error == 0, "base: get_mvendorid succeeds (0x%lx)", r.value);
	r = SBI0(SBI_EXT_BASE, SBI_EXT_BASE_GET_MARCHID);
	tap_ok(r.error == 0, "base: get_marchid succeeds (0x%lx)", r.value);
	r = SBI0(SBI_EXT_BASE, SBI_EXT_BASE_GET_MIMPID);
	tap_ok(r.error == 0, "base: get_mimpid succeeds (0x%lx)", r.value);
	r = SBI0(SBI_EXT_BASE, UNKNOWN_FID);
	tap_ok(r.error == SBI_ERR_NOT_SUPPORTED, "base: unknown function -> NOT_SUPPORTED (got %ld)", r.error);
}

static void test_unknown(void)
{
	struct sbiret r = SBI0(UNKNOWN_EID, 0);

	tap_ok(r.error == SBI_ERR_NOT_SUPPORTED, "unknown extension -> NOT_SUPPORTED (got %ld)", r.error);
	r = SBI0(0x09, 0);
	tap_ok(r.error == SBI_ERR_NOT_SUPPORTED, "unused legacy EID 0x09 -> NOT_SUPPORTED (got %ld)", r.error);
	r = SBI0(SBI_EXT_TIME, UNKNOWN_FID);
	tap_ok(r.error == SBI_ERR_NOT_SUPPORTED, "TIME unknown function -> NOT_SUPPORTED (got %ld)", r.error);
	r = SBI0(SBI_EXT_HSM, UNKNOWN_FID);
	tap_ok(r.error == SBI_ERR_NOT_SUPPORTED, "HSM unknown function -> NOT_SUPPORTED (got %ld)", r.error);
	r = SBI0(SBI_EXT_SRST, UNKNOWN_FID);
	tap_ok(r.error == SBI_ERR_NOT_SUPPORTED, "SRST unknown function -> NOT_SUPPORTED (got %ld)", r.error);
}

static void test_time_and_legacy(void)
{
	struct sbiret r = SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, read_time() + 1000000000UL);

	tap_ok(r.error == 0, "TIME set_timer (far future) succeeds");
	r = SBI1(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, -1UL);
	tap_ok(r.error == 0, "TIME set_timer(-1) succeeds");
	tap_ok(!(csr_read(sip) & SIP_STIP), "no timer interrupt pending after set_timer(-1)");
	tap_ok(sbi_legacy(SBI_EXT_0_1_SET_TIMER, -1UL, 0, 0) == 0, "legacy set_timer returns 0");
	tap_ok(sbi_legacy(SBI_EXT_0_1_CONSOLE_GETCHAR, 0, 0, 0) == -1, "legacy getchar with no input returns -1");
}

static void test_ipi(unsigned long me)
{
	struct sbiret r;

	csr_clear(sstatus, SSTATUS_SIE);
	csr_set(sie, SIE_SSIE);
	csr_clear(sip, SIP_SSIP);
	r = SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 1UL << me, 0);
	tap_ok(r.error == 0, "IPI send to self succeeds");
	tap_ok(csr_read(sip) & SIP_SSIP, "IPI to self makes sip.SSIP pending");
	csr_clear(sip, SIP_SSIP);
	tap_ok(!(csr_read(sip) & SIP_SSIP), "guest clears sip.SSIP itself");
	r = SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 0, ALL_HARTS);
	tap_ok(r.error == 0 && (csr_read(sip) & SIP_SSIP), "IPI broadcast (base -1) reaches self");
	csr_clear(sip, SIP_SSIP);
	unsigned long mask = 1UL << me;

	tap_ok(sbi_legacy(SBI_EXT_0_1_SEND_IPI, (unsigned long)&mask, 0, 0) == 0 && (csr_read(sip) & SIP_SSIP),
	       "legacy send_ipi through a hart-mask pointer reaches self");
	tap_ok(sbi_legacy(SBI_EXT_0_1_CLEAR_IPI, 0, 0, 0) == 0 && !(csr_read(sip) & SIP_SSIP),
	       "legacy clear_ipi clears sip.SSIP");
	r = SBI2(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 1, 4096);
	tap_ok(r.error == SBI_ERR_INVALID_PARAM, "IPI to a hart that does not exist -> INVALID_PARAM (got %ld)",
	       r.error);
	csr_clear(sie, SIE_SSIE);
}

static void test_rfence(unsigned long me)
{
	struct sbiret r;

	r = SBI2(SBI_EXT_RFENCE, SBI_EXT_RFENCE_REMOTE_FENCE_I, 1UL << me, 0);
	tap_ok(r.error == 0, "RFENCE remote_fence_i on self succeeds");
	r = sbi_call(SBI_EXT_RFENCE, SBI_EXT_RFENCE_REMOTE_SFENCE_VMA, 0, ALL_HARTS, 0, -1UL, 0, 0);
	tap_ok(r.error == 0, "RFENCE remote_sfence_vma on all harts succeeds");
	r = sbi_call(SBI_EXT_RFENCE, SBI_EXT_RFENCE_REMOTE_SFENCE_VMA_ASID, 1UL << me, 0, 0, 4096, 1, 0);
	tap_ok(r.error == 0, "RFENCE remote_sfence_vma_asid succeeds");
	r = sbi_call(SBI_EXT_RFENCE, SBI_EXT_RFENCE_REMOTE_SFENCE_VMA, 1, 4096, 0, 4096, 0, 0);
	tap_ok(r.error == SBI_ERR_INVALID_PARAM, "RFENCE to a hart that does not exist -> INVALID_PARAM (got %ld)",
	       r.error);
	if (under_keel) {
		r = sbi_call(SBI_EXT_RFENCE, SBI_EXT_RFENCE_REMOTE_HFENCE_GVMA, 1UL << me, 0, 0, -1UL, 0, 0);
		tap_ok(r.error == SBI_ERR_NOT_SUPPORTED, "RFENCE hfence_gvma without H in the guest -> NOT_SUPPORTED");
	}
	tap_ok(sbi_legacy(SBI_EXT_0_1_REMOTE_FENCE_I, 0, 0, 0) == 0, "legacy remote_fence_i (all harts) returns 0");
	unsigned long mask = 1UL << me;

	tap_ok(sbi_legacy(SBI_EXT_0_1_REMOTE_SFENCE_VMA, (unsigned long)&mask, 0, -1UL) == 0,
	       "legacy remote_sfence_vma returns 0");
}

static void test_srst_args(void)
{
	struct sbiret r = SBI2(SBI_EXT_SRST, SBI_EXT_SRST_RESET, RESERVED_RESET_TYPE, SBI_SRST_RESET_REASON_NONE);

	tap_ok(r.error == SBI_ERR_INVALID_PARAM, "SRST reserved reset type -> INVALID_PARAM (got %ld)", r.error);
	r = SBI2(SBI_EXT_SRST, SBI_EXT_SRST_RESET, SBI_SRST_RESET_TYPE_SHUTDOWN, RESERVED_RESET_REASON);
	tap_ok(r.error == SBI_ERR_INVALID_PARAM, "SRST reserved reset reason -> INVALID_PARAM (got %ld)", r.error);
}

static char dbcn_page[2 * 4096] __attribute__((aligned(4096)));

static void test_dbcn(void)
{
	static const char msg[] = "dbcn: write over two pages ok\n";
	size_t n = sizeof(msg) - 1;
	char *p = dbcn_page + 4096 - 7; /* crosses the page boundary */
	struct sbiret r;

	memcpy(p, msg, n);
	r = SBI3(SBI_EXT_DBCN, SBI_EXT_DBCN_CONSOLE_WRITE, n, (unsigned long)p, 0);
	tap_ok(r.error == 0 && (size_t)r.value == n, "DBCN write across a page boundary writes %lu bytes (got %ld)",
	       (unsigned long)n, r.value);
	r = SBI3(SBI_EXT_DBCN, SBI_EXT_DBCN_CONSOLE_WRITE, 16, 0x1000, 0);
	tap_ok(r.error == SBI_ERR_INVALID_PARAM, "DBCN write from outside guest RAM -> INVALID_PARAM (got %ld)",
	       r.error);
	r = SBI3(SBI_EXT_DBCN, SBI_EXT_DBCN_CONSOLE_WRITE, 16, (unsigned long)p, 1);
	tap_ok(r.error == SBI_ERR_INVALID_PARAM, "DBCN write with base_addr_hi set -> INVALID_PARAM (got %ld)",
	       r.error);
	r = SBI3(SBI_EXT_DBCN, SBI_EXT_DBCN_CONSOLE_WRITE, 64, -32UL, 0);
	tap_ok(r.error == SBI_ERR_INVALID_PARAM, "DBCN write wrapping the address space -> INVALID_PARAM (got %ld)",
	       r.error);
	r = SBI1(SBI_EXT_DBCN, SBI_EXT_DBCN_CONSOLE_WRITE_BYTE, '\n');
	tap_ok(r.error == 0, "DBCN write_byte succeeds");
	r = SBI3(SBI_EXT_DBCN, SBI_EXT_DBCN_CONSOLE_READ, 16, (unsigned long)dbcn_page, 0);
	tap_ok(r.error == 0 && r.value == 0, "DBCN read with no input returns 0 bytes (got %ld/%ld)", r.error, r.value);
	r = SBI3(SBI_EXT_DBCN, SBI_EXT_DBCN_CONSOLE_READ, 16, 0x1000, 0);
	tap_ok(r.error == SBI_ERR_INVALID_PARAM, "DBCN read into memory outside guest RAM -> INVALID_PARAM");
	r = SBI0(SBI_EXT_DBCN, UNKNOWN_FID);
	tap_ok(r.error == SBI_ERR_NOT_SUPPORTED, "DBCN unknown function -> NOT_SUPPORTED");
}

static void test_hypercalls(void)
{
	unsigned long a[6] = { 3, 0x100, 0xdeadbeef, 7, 0x123456789UL, 11 };
	unsigned long want = 0;
	struct sbiret r;

	for (int i = 0; i < 6; i++)
		want += (unsigned long)(i + 1) * a[i];
	r = sbi_call(SBI_EXT_KEEL_HVC, KEEL_HVC_CHECKSUM, a[0], a[1], a[2], a[3], a[4], a[5]);
	tap_ok(r.error == 0 && (unsigned long)r.value == want, "hypercall: six-argument round trip (0x%lx)", r.value);
	r = SBI0(SBI_EXT_KEEL_HVC, KEEL_HVC_VERSION);
	tap_ok(r.error == 0 && r.value == KEEL_IMPL_VERSION, "hypercall: version");
	r = SBI0(SBI_EXT_KEEL_HVC, KEEL_HVC_BOOT_COUNT);
	tap_ok(r.error == 0 && r.value == 1, "hypercall: boot count is 1 on first boot");
	r = SBI0(SBI_EXT_KEEL_HVC, KEEL_HVC_VCPU_EXITS);
	tap_ok(r.error == 0 && r.value > 100, "hypercall: exit counter counts this run's exits (%ld)", r.value);
	r = SBI0(SBI_EXT_KEEL_HVC, 0x7777);
	tap_ok(r.error == SBI_ERR_NOT_SUPPORTED, "hypercall: unknown number -> NOT_SUPPORTED");
	tap_ok(regs_preserved(SBI_EXT_KEEL_HVC, KEEL_HVC_VERSION), "hypercall: a2-a7 and t0-t6 survive");
}

void guest_main(unsigned long hartid)
{
	test_base();
	test_unknown();
	test_time_and_legacy();
	test_ipi(hartid);
	test_rfence(hartid);
	test_srst_args();
	if (under_keel) {
		test_dbcn();
		test_hypercalls();
	}
}
