/*
 * Host tests for the SBI dispatcher (sbi/sbi.c) and every extension Keel serves, against the
 * recording stand-ins of tests/unit/stub_vm.c. EIDs and FIDs are spelled as the SBI spec
 * numbers them, so a wrong constant in sbi/sbi_defs.h fails here too.
 */
#include "unit.h"
#include <stdlib.h>
#include <string.h>
#include "arch/riscv/csr.h"
#include "sbi/sbi.h"
#include "stub_vm.h"
#include "vm/vm.h"

#define NVCPUS 4
#define RAM_BASE 0x80000000UL
#define RAM_SIZE (16 * 4096UL)
#define RAM_END (RAM_BASE + RAM_SIZE)
#define GUEST_PC 0x80000400UL
#define UNTOUCHED 0x5eed0000UL /* + register number: every GPR starts as this */

/* EIDs (SBI spec chapters 4-12) and Keel's HVC */
#define EID_BASE 0x10UL
#define EID_TIME 0x54494D45UL
#define EID_IPI 0x735049UL
#define EID_RFENCE 0x52464E43UL
#define EID_HSM 0x48534DUL
#define EID_SRST 0x53525354UL
#define EID_DBCN 0x4442434EUL
#define EID_HVC 0x485643UL
#define EID_PMU 0x504D55UL

#define ERR(e) ((unsigned long)(long)(e))

struct fixture {
	struct vm vm;
	struct vcpu vcpus[NVCPUS];
	uint8_t *ram;
	struct vcpu_exit exit;
	uint64_t regs_before[GPR_COUNT]; /* guest registers as the ecall left them */
	uint64_t pc_before;
};

static struct fixture *fx; /* the current test's fixture */

static int setup(void **state)
{
	/* struct vm holds page-aligned device pages (the virtio shadows): calloc does not align that far. */
	struct fixture *f = aligned_alloc(_Alignof(struct fixture), sizeof(*f));

	if (!f)
		return -1;
	memset(f, 0, sizeof(*f));
	f->ram = aligned_alloc(4096, RAM_SIZE);
	if (!f->ram) {
		free(f);
		return -1;
	}
	memset(f->ram, 0xee, RAM_SIZE);
	stub_reset();
	f->vm.state = VM_RUNNING;
	f->vm.nvcpus = NVCPUS;
	f->vm.boot_count = 1;
	f->vm.cfg.ram_base = RAM_BASE;
	f->vm.cfg.ram_size = RAM_SIZE;
	f->vm.ram_hpa = (uint64_t)(uintptr_t)f->ram;
	for (int i = 0; i < NVCPUS; i++) {
		struct vcpu *v = &f->vcpus[i];

		v->vm = &f->vm;
		v->id = (unsigned long)i;
		v->hart = (unsigned long)i + 1;
		v->hsm_state = i ? SBI_HSM_STATE_STOPPED : SBI_HSM_STATE_STARTED;
		v->regs.guest_regs.sepc = GUEST_PC;
		for (int r = 1; r < GPR_COUNT; r++)
			v->regs.guest_regs.gprs[r] = UNTOUCHED + (unsigned long)r;
		f->vm.vcpus[i] = v;
	}
	sbi_machine_ids.mvendorid = 0x489;
	sbi_machine_ids.marchid = 0x8000000000000007UL;
	sbi_machine_ids.mimpid = 0x20181004;
	fx = f;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->ram);
	free(f);
	fx = NULL;
	return 0;
}

static enum exit_reason do_ecall(struct vcpu *v, unsigned long eid, unsigned long fid, const unsigned long a[6])
{
	uint64_t *g = v->regs.guest_regs.gprs;

	for (int i = 0; i < 6; i++)
		g[GPR_A0 + i] = a[i];
	g[GPR_A6] = fid;
	g[GPR_A7] = eid;
	memcpy(fx->regs_before, g, sizeof(fx->regs_before));
	fx->pc_before = v->regs.guest_regs.sepc;
	memset(&fx->exit, 0, sizeof(fx->exit));
	return sbi_dispatch(v, &fx->exit);
}

/* ECALL(v, eid, fid, a0, a1, ...): unnamed arguments are 0. */
#define ECALL(v, eid, fid, ...) do_ecall(v, eid, fid, (const unsigned long[6]){ __VA_ARGS__ })

#define A0(v) ((v)->regs.guest_regs.gprs[GPR_A0])
#define A1(v) ((v)->regs.guest_regs.gprs[GPR_A1])

/* Nothing but a0 and a1 may change across an SBI call (SBI spec 3). */
static void expect_others_preserved(const struct vcpu *v)
{
	for (int r = 1; r < GPR_COUNT; r++)
		if (r != GPR_A0 && r != GPR_A1 && v->regs.guest_regs.gprs[r] != fx->regs_before[r])
			fail_msg("x%d changed: %#lx -> %#lx", r, (unsigned long)fx->regs_before[r],
				 (unsigned long)v->regs.guest_regs.gprs[r]);
}

/* A returning call: a0 = error, a1 = value, pc past the 4-byte ecall. */
static void expect_ret(const struct vcpu *v, long error, unsigned long value)
{
	assert_int_equal(A0(v), ERR(error));
	assert_int_equal(A1(v), value);
	assert_int_equal(v->regs.guest_regs.sepc, fx->pc_before + 4);
	expect_others_preserved(v);
}

/* Only the error matters (a1 is unspecified on error). */
static void expect_err(const struct vcpu *v, long error)
{
	assert_int_equal(A0(v), ERR(error));
	assert_int_equal(v->regs.guest_regs.sepc, fx->pc_before + 4);
	expect_others_preserved(v);
}

/* Legacy calls return in a0 only (SBI spec 5): a1 keeps what the guest had. */
static void expect_legacy_ret(const struct vcpu *v, long value)
{
	assert_int_equal(A0(v), ERR(value));
	assert_int_equal(A1(v), fx->regs_before[GPR_A1]);
	assert_int_equal(v->regs.guest_regs.sepc, fx->pc_before + 4);
	expect_others_preserved(v);
}

/* hart_stop, non-retentive suspend, reset: registers and pc exactly as the guest left them. */
static void expect_no_return(const struct vcpu *v)
{
	assert_int_equal(A0(v), fx->regs_before[GPR_A0]);
	assert_int_equal(A1(v), fx->regs_before[GPR_A1]);
	assert_int_equal(v->regs.guest_regs.sepc, fx->pc_before);
	expect_others_preserved(v);
}

static void *ram(uint64_t gpa)
{
	return fx->ram + (gpa - RAM_BASE);
}

/* ---------------- dispatcher and BASE ---------------- */

static void test_base_spec_version(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	assert_int_equal(ECALL(v, EID_BASE, 0, 0), EXIT_NOTHING);
	expect_ret(v, 0, 0x02000000); /* major 2 in bits 30:24, minor 0 */
}

static void test_base_impl_id_and_version(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	assert_int_equal(ECALL(v, EID_BASE, 1, 0), EXIT_NOTHING);
	expect_ret(v, 0, SBI_IMPL_ID_KEEL);
	assert_int_equal(SBI_IMPL_ID_KEEL, 0x4b45454c);
	assert_int_equal(ECALL(v, EID_BASE, 2, 0), EXIT_NOTHING);
	expect_ret(v, 0, KEEL_IMPL_VERSION);
	assert_int_equal(KEEL_IMPL_VERSION, (KEEL_VERSION_MAJOR << 16) | KEEL_VERSION_MINOR);
}

static void test_base_probe_implemented(void **state)
{
	static const unsigned long eids[] = {
		EID_BASE, EID_TIME, EID_IPI, EID_RFENCE, EID_HSM, EID_SRST, EID_DBCN, EID_HVC, 0x0,
		0x1,	  0x2,	    0x3,     0x4,	 0x5,	  0x6,	    0x7,      0x8, /* legacy, probed by their own EIDs */
	};
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(eids); i++) {
		assert_int_equal(ECALL(v, EID_BASE, 3, eids[i]), EXIT_NOTHING);
		if (A0(v) != 0 || A1(v) != 1)
			fail_msg("probe %#lx: a0 %ld a1 %lu, want 0 and 1", eids[i], (long)A0(v), (unsigned long)A1(v));
		expect_ret(v, 0, 1);
	}
}

static void test_base_probe_absent(void **state)
{
	static const unsigned long eids[] = {
		EID_PMU,
		0x53555350 /* SUSP */,
		0x43505043 /* CPPC */,
		0x4E41434C /* NACL */,
		0x535441 /* STA */,
		0x9,
		0xa,
		0x0f,
		0x11,
		0x09000000 /* experimental */,
		0x0A000000 /* firmware */,
		0xffffffff,
		~0UL,
	};
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(eids); i++) {
		assert_int_equal(ECALL(v, EID_BASE, 3, eids[i]), EXIT_NOTHING);
		if (A0(v) != 0 || A1(v) != 0)
			fail_msg("probe %#lx: a0 %ld a1 %lu, want 0 and 0", eids[i], (long)A0(v), (unsigned long)A1(v));
		expect_ret(v, 0, 0);
	}
}

static void test_base_machine_ids(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	ECALL(v, EID_BASE, 4, 0);
	expect_ret(v, 0, 0x489);
	ECALL(v, EID_BASE, 5, 0);
	expect_ret(v, 0, 0x8000000000000007UL);
	ECALL(v, EID_BASE, 6, 0);
	expect_ret(v, 0, 0x20181004);
	sbi_machine_ids.mvendorid = 0;
	ECALL(v, EID_BASE, 4, 0);
	expect_ret(v, 0, 0);
}

static void test_base_unknown_fid(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	assert_int_equal(ECALL(v, EID_BASE, 7, 0), EXIT_NOTHING);
	expect_err(v, SBI_ERR_NOT_SUPPORTED);
	assert_int_equal(ECALL(v, EID_BASE, ~0UL, 0), EXIT_NOTHING);
	expect_err(v, SBI_ERR_NOT_SUPPORTED);
}

static void test_unknown_eid(void **state)
{
	static const unsigned long eids[] = { EID_PMU, 0x12345678, 0x9, 0x0A000000, ~0UL };
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(eids); i++) {
		assert_int_equal(ECALL(v, eids[i], 0, 1, 2, 3), EXIT_NOTHING);
		expect_err(v, SBI_ERR_NOT_SUPPORTED);
	}
	assert_int_equal(stub.nraised + stub.nrequests + stub.nremote + stub.ntimers, 0);
	assert_int_equal(stub.nout, 0);
}

/* ---------------- TIME ---------------- */

static void test_time_set_timer(void **state)
{
	struct vcpu *v = &fx->vcpus[1];

	(void)state;
	assert_int_equal(ECALL(v, EID_TIME, 0, 0x123456789abUL), EXIT_NOTHING);
	expect_ret(v, 0, 0);
	assert_int_equal(stub.ntimers, 1);
	assert_ptr_equal(stub.timers[0].v, v);
	assert_int_equal(stub.timers[0].deadline, 0x123456789abUL);
	ECALL(v, EID_TIME, 0, ~0UL); /* "no timer" */
	expect_ret(v, 0, 0);
	assert_int_equal(stub.timers[1].deadline, ~0UL);
	ECALL(v, EID_TIME, 1, 5);
	expect_err(v, SBI_ERR_NOT_SUPPORTED);
	assert_int_equal(stub.ntimers, 2);
}

/* ---------------- IPI ---------------- */

/* VSSIP (hvip bit 2, priv spec 8.2.3) raised on exactly these vCPUs, in this order. */
static void expect_raised(int n, const int *ids)
{
	assert_int_equal(stub.nraised, n);
	for (int i = 0; i < n; i++) {
		assert_ptr_equal(stub.raised[i].v, &fx->vcpus[ids[i]]);
		assert_int_equal(stub.raised[i].bits, 1UL << 2);
	}
}

static void test_ipi_valid_masks(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	assert_int_equal(ECALL(v, EID_IPI, 0, 0x6, 0), EXIT_NOTHING);
	expect_ret(v, 0, 0);
	expect_raised(2, (const int[]){ 1, 2 });

	stub_reset();
	ECALL(v, EID_IPI, 0, 0x1, 3); /* base 3: bit 0 is hart 3 */
	expect_ret(v, 0, 0);
	expect_raised(1, (const int[]){ 3 });

	stub_reset();
	ECALL(v, EID_IPI, 0, 0x3, 2);
	expect_ret(v, 0, 0);
	expect_raised(2, (const int[]){ 2, 3 });

	stub_reset();
	ECALL(v, EID_IPI, 0, 0, 0); /* empty mask: nothing to do */
	expect_ret(v, 0, 0);
	assert_int_equal(stub.nraised, 0);
}

static void test_ipi_base_minus_one_is_all(void **state)
{
	struct vcpu *v = &fx->vcpus[2];

	(void)state;
	ECALL(v, EID_IPI, 0, 0, -1UL); /* mask ignored */
	expect_ret(v, 0, 0);
	expect_raised(4, (const int[]){ 0, 1, 2, 3 });
}

static void test_ipi_invalid_masks(void **state)
{
	static const unsigned long cases[][2] = {
		{ 0x11, 0 }, /* hart 4 does not exist: none is signalled */
		{ 0x1, 4 }, /* base past the last hart */
		{ 0x3, 3 }, /* 3 valid, 4 not */
		{ 1UL << 63, 1 }, /* hart 64 */
		{ 0x1, ~0UL - 1 }, /* a huge base that is not -1 */
		{ 0x4, ~0UL - 1 }, /* base + 2 wraps to hart 0: still invalid */
	};
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(cases); i++) {
		assert_int_equal(ECALL(v, EID_IPI, 0, cases[i][0], cases[i][1]), EXIT_NOTHING);
		if (A0(v) != ERR(SBI_ERR_INVALID_PARAM))
			fail_msg("mask %#lx base %#lx: a0 %ld", cases[i][0], cases[i][1], (long)A0(v));
		expect_err(v, SBI_ERR_INVALID_PARAM);
		assert_int_equal(stub.nraised, 0);
	}
}

static void test_ipi_unknown_fid(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	ECALL(v, EID_IPI, 1, 0x1, 0);
	expect_err(v, SBI_ERR_NOT_SUPPORTED);
	assert_int_equal(stub.nraised, 0);
}

/* ---------------- RFENCE ---------------- */

static void expect_remote(int i, struct vcpu *self, unsigned long mask, unsigned long base, unsigned long req, int n,
			  const int *ids)
{
	const struct stub_remote_call *c = &stub.remote[i];

	assert_true(i < stub.nremote);
	assert_ptr_equal(c->vm, &fx->vm);
	assert_ptr_equal(c->self, self);
	assert_int_equal(c->mask, mask);
	assert_int_equal(c->base, base);
	assert_int_equal(c->req, req);
	assert_int_equal(c->ntargets, n);
	for (int t = 0; t < n; t++)
		assert_ptr_equal(c->targets[t], &fx->vcpus[ids[t]]);
}

static void test_rfence_fence_i(void **state)
{
	struct vcpu *v = &fx->vcpus[1];

	(void)state;
	assert_int_equal(ECALL(v, EID_RFENCE, 0, 0x3, 0), EXIT_NOTHING);
	expect_ret(v, 0, 0);
	assert_int_equal(stub.nremote, 1);
	expect_remote(0, v, 0x3, 0, VCPU_REQ_FENCE_I, 2, (const int[]){ 0, 1 });

	ECALL(v, EID_RFENCE, 0, 0, -1UL);
	expect_ret(v, 0, 0);
	expect_remote(1, v, 0, -1UL, VCPU_REQ_FENCE_I, 4, (const int[]){ 0, 1, 2, 3 });
}

static void test_rfence_sfence_vma(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	/* fid 1: mask, base, start, size */
	ECALL(v, EID_RFENCE, 1, 0x4, 0, 0x1000, 0x2000);
	expect_ret(v, 0, 0);
	expect_remote(0, v, 0x4, 0, VCPU_REQ_HFENCE_VVMA, 1, (const int[]){ 2 });
	/* fid 2: mask, base, start, size, asid */
	ECALL(v, EID_RFENCE, 2, 0x1, 1, 0, ~0UL, 7);
	expect_ret(v, 0, 0);
	expect_remote(1, v, 0x1, 1, VCPU_REQ_HFENCE_VVMA, 1, (const int[]){ 1 });
}

static void test_rfence_invalid_hart(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	for (unsigned long fid = 0; fid <= 2; fid++) {
		ECALL(v, EID_RFENCE, fid, 0x10, 0);
		expect_err(v, SBI_ERR_INVALID_PARAM);
		ECALL(v, EID_RFENCE, fid, 0x1, 7);
		expect_err(v, SBI_ERR_INVALID_PARAM);
	}
	for (int i = 0; i < stub.nremote; i++)
		assert_int_equal(stub.remote[i].ntargets, 0);
}

static void test_rfence_hfence_not_supported(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	for (unsigned long fid = 3; fid <= 7; fid++) {
		assert_int_equal(ECALL(v, EID_RFENCE, fid, 0x1, 0, 0, 0x1000, 1), EXIT_NOTHING);
		expect_err(v, SBI_ERR_NOT_SUPPORTED);
	}
	assert_int_equal(stub.nremote, 0);
}

/* ---------------- HSM ---------------- */

static void test_hsm_start_invalid_hart(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	assert_int_equal(ECALL(v, EID_HSM, 0, 4, RAM_BASE, 0), EXIT_NOTHING);
	expect_err(v, SBI_ERR_INVALID_PARAM);
	ECALL(v, EID_HSM, 0, ~0UL, RAM_BASE, 0);
	expect_err(v, SBI_ERR_INVALID_PARAM);
	ECALL(v, EID_HSM, 0, 99, 0x1000, 0); /* bad hart wins over a bad address */
	expect_err(v, SBI_ERR_INVALID_PARAM);
	assert_int_equal(stub.nrequests, 0);
}

static void test_hsm_start_invalid_address(void **state)
{
	static const unsigned long addrs[] = { 0, 0x1000, RAM_BASE - 4, RAM_END, RAM_END - 2, ~0UL - 1 };
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(addrs); i++) {
		assert_int_equal(ECALL(v, EID_HSM, 0, 2, addrs[i], 0), EXIT_NOTHING);
		if (A0(v) != ERR(SBI_ERR_INVALID_ADDRESS))
			fail_msg("start at %#lx: a0 %ld", addrs[i], (long)A0(v));
		expect_err(v, SBI_ERR_INVALID_ADDRESS);
	}
	assert_int_equal(fx->vcpus[2].hsm_state, SBI_HSM_STATE_STOPPED);
	assert_int_equal(stub.nrequests, 0);
}

static void test_hsm_start_success(void **state)
{
	struct vcpu *v = &fx->vcpus[0], *t = &fx->vcpus[2];

	(void)state;
	/* Started by the call itself: the caller's hart goes on (no exit), the target's takes the request. */
	assert_int_equal(ECALL(v, EID_HSM, 0, 2, RAM_END - 4, 0xfeedUL), EXIT_NOTHING);
	expect_ret(v, 0, 0);
	assert_int_equal(t->hsm_state, SBI_HSM_STATE_START_PENDING);
	assert_int_equal(t->start_addr, RAM_END - 4);
	assert_int_equal(t->start_arg, 0xfeed);
	assert_int_equal(stub.nrequests, 1);
	assert_ptr_equal(stub.requests[0].v, t);
	assert_int_equal(stub.requests[0].bits, VCPU_REQ_START);
	assert_int_equal(fx->vcpus[1].hsm_state, SBI_HSM_STATE_STOPPED);
	assert_int_equal(fx->vcpus[3].hsm_state, SBI_HSM_STATE_STOPPED);
}

static void test_hsm_start_already_started(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	assert_int_equal(ECALL(v, EID_HSM, 0, 0, RAM_BASE, 0), EXIT_NOTHING); /* itself */
	expect_err(v, SBI_ERR_ALREADY_AVAILABLE);
	fx->vcpus[3].hsm_state = SBI_HSM_STATE_STARTED;
	ECALL(v, EID_HSM, 0, 3, RAM_BASE, 0);
	expect_err(v, SBI_ERR_ALREADY_AVAILABLE);
	assert_int_equal(fx->vcpus[3].hsm_state, SBI_HSM_STATE_STARTED);
	/* A second start of a hart whose start is pending must not post a second request */
	assert_int_equal(ECALL(v, EID_HSM, 0, 1, RAM_BASE, 0), EXIT_NOTHING);
	assert_int_equal(A0(v), 0);
	assert_int_equal(ECALL(v, EID_HSM, 0, 1, RAM_BASE + 8, 0), EXIT_NOTHING);
	assert_int_not_equal(A0(v), 0);
	assert_int_equal(fx->vcpus[1].start_addr, RAM_BASE);
	assert_int_equal(stub.nrequests, 1);
}

static void test_hsm_start_vm_not_running(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	fx->vm.state = VM_STOPPED;
	assert_int_equal(ECALL(v, EID_HSM, 0, 1, RAM_BASE, 0), EXIT_NOTHING);
	expect_err(v, SBI_ERR_FAILED);
	assert_int_equal(fx->vcpus[1].hsm_state, SBI_HSM_STATE_STOPPED);
	assert_int_equal(stub.nrequests, 0);
}

/* A VM being reset refuses starts (the resetting hart would otherwise wait for one it never stopped). */
static void test_hsm_start_vm_resetting(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	fx->vm.state = VM_RESETTING;
	assert_int_equal(ECALL(v, EID_HSM, 0, 1, RAM_BASE, 0), EXIT_NOTHING);
	expect_err(v, SBI_ERR_FAILED);
	assert_int_equal(fx->vcpus[1].hsm_state, SBI_HSM_STATE_STOPPED);
	assert_int_equal(stub.nrequests, 0);
	assert_int_equal(fx->vm.lock.locked, 0);
	fx->vm.state = VM_RUNNING;
	assert_int_equal(ECALL(v, EID_HSM, 0, 1, RAM_BASE, 0), EXIT_NOTHING);
	assert_int_equal(A0(v), 0);
	assert_int_equal(fx->vcpus[1].hsm_state, SBI_HSM_STATE_START_PENDING);
	assert_int_equal(fx->vm.lock.locked, 0);
}

static void test_hsm_stop(void **state)
{
	struct vcpu *v = &fx->vcpus[1];

	(void)state;
	v->hsm_state = SBI_HSM_STATE_STARTED;
	assert_int_equal(ECALL(v, EID_HSM, 1, 0x1111, 0x2222), EXIT_CPU_DOWN);
	expect_no_return(v);
	assert_int_equal(v->hsm_state, SBI_HSM_STATE_STOPPED);
}

static void test_hsm_get_status(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	for (int s = SBI_HSM_STATE_STARTED; s <= SBI_HSM_STATE_RESUME_PENDING; s++) {
		fx->vcpus[3].hsm_state = s;
		assert_int_equal(ECALL(v, EID_HSM, 2, 3), EXIT_NOTHING);
		expect_ret(v, 0, (unsigned long)s);
	}
	ECALL(v, EID_HSM, 2, 0);
	expect_ret(v, 0, SBI_HSM_STATE_STARTED);
	ECALL(v, EID_HSM, 2, 1);
	expect_ret(v, 0, SBI_HSM_STATE_STOPPED);
	ECALL(v, EID_HSM, 2, 4);
	expect_err(v, SBI_ERR_INVALID_PARAM);
	ECALL(v, EID_HSM, 2, ~0UL);
	expect_err(v, SBI_ERR_INVALID_PARAM);
	/* The state values are the spec's (SBI spec 9, table "HSM Hart States") */
	assert_int_equal(SBI_HSM_STATE_STARTED, 0);
	assert_int_equal(SBI_HSM_STATE_STOPPED, 1);
	assert_int_equal(SBI_HSM_STATE_START_PENDING, 2);
	assert_int_equal(SBI_HSM_STATE_SUSPENDED, 4);
}

static void test_hsm_suspend_retentive(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	assert_int_equal(ECALL(v, EID_HSM, 3, 0, 0x1234, 0x5678), EXIT_HALT);
	expect_ret(v, 0, 0);
	assert_int_equal(v->hsm_state, SBI_HSM_STATE_SUSPENDED);
	assert_int_equal(v->suspend_non_retentive, 0);
	/* suspend_type is 32 bits: the upper half of a0 is not part of it */
	v->hsm_state = SBI_HSM_STATE_STARTED;
	assert_int_equal(ECALL(v, EID_HSM, 3, 0x100000000UL, 0, 0), EXIT_HALT);
	expect_ret(v, 0, 0);
}

static void test_hsm_suspend_non_retentive(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	assert_int_equal(ECALL(v, EID_HSM, 3, 0x80000000UL, RAM_BASE + 0x2000, 0x77), EXIT_HALT);
	expect_no_return(v);
	assert_int_equal(v->hsm_state, SBI_HSM_STATE_SUSPENDED);
	assert_int_equal(v->suspend_non_retentive, 1);
	assert_int_equal(v->resume_addr, RAM_BASE + 0x2000);
	assert_int_equal(v->resume_arg, 0x77);
}

static void test_hsm_suspend_non_retentive_bad_address(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	assert_int_equal(ECALL(v, EID_HSM, 3, 0x80000000UL, 0x1000, 0x77), EXIT_NOTHING);
	expect_err(v, SBI_ERR_INVALID_ADDRESS);
	ECALL(v, EID_HSM, 3, 0x80000000UL, RAM_END - 2, 0);
	expect_err(v, SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(v->hsm_state, SBI_HSM_STATE_STARTED);
	assert_int_equal(v->suspend_non_retentive, 0);
}

static void test_hsm_suspend_reserved_and_platform_types(void **state)
{
	static const unsigned long reserved[] = { 0x1, 0x0fffffff, 0x80000001, 0x8fffffff };
	static const unsigned long platform[] = { 0x10000000, 0x7fffffff, 0x90000000, 0xffffffff };
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(reserved); i++) {
		assert_int_equal(ECALL(v, EID_HSM, 3, reserved[i], RAM_BASE, 0), EXIT_NOTHING);
		if (A0(v) != ERR(SBI_ERR_INVALID_PARAM))
			fail_msg("suspend type %#lx: a0 %ld, want INVALID_PARAM", reserved[i], (long)A0(v));
		expect_err(v, SBI_ERR_INVALID_PARAM);
	}
	/* SBI v2.0 9.4: platform-specific types Keel does not implement are INVALID_PARAM too. */
	for (unsigned i = 0; i < ARRAY_LEN(platform); i++) {
		assert_int_equal(ECALL(v, EID_HSM, 3, platform[i], RAM_BASE, 0), EXIT_NOTHING);
		if (A0(v) != ERR(SBI_ERR_INVALID_PARAM))
			fail_msg("suspend type %#lx: a0 %ld, want INVALID_PARAM", platform[i], (long)A0(v));
		expect_err(v, SBI_ERR_INVALID_PARAM);
	}
	assert_int_equal(v->hsm_state, SBI_HSM_STATE_STARTED);
}

static void test_hsm_unknown_fid(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	assert_int_equal(ECALL(v, EID_HSM, 4, 1), EXIT_NOTHING);
	expect_err(v, SBI_ERR_NOT_SUPPORTED);
}

/* ---------------- SRST ---------------- */

static void test_srst_shutdown_and_reboot(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	assert_int_equal(ECALL(v, EID_SRST, 0, 0, 0), EXIT_SYSTEM_DOWN);
	expect_no_return(v);
	assert_int_equal(ECALL(v, EID_SRST, 0, 1, 0), EXIT_SYSTEM_REBOOT);
	expect_no_return(v);
	assert_int_equal(ECALL(v, EID_SRST, 0, 2, 1), EXIT_SYSTEM_REBOOT);
	expect_no_return(v);
}

static void test_srst_valid_reasons(void **state)
{
	static const unsigned long reasons[] = { 0, 1, 0xe0000000, 0xefffffff, 0xf0000000, 0xffffffff };
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(reasons); i++) {
		if (ECALL(v, EID_SRST, 0, 0, reasons[i]) != EXIT_SYSTEM_DOWN)
			fail_msg("shutdown with reason %#lx: a0 %ld", reasons[i], (long)A0(v));
		expect_no_return(v);
	}
}

static void test_srst_reserved_type(void **state)
{
	static const unsigned long types[] = { 3, 0x10000000, 0xefffffff };
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(types); i++) {
		assert_int_equal(ECALL(v, EID_SRST, 0, types[i], 0), EXIT_NOTHING);
		expect_err(v, SBI_ERR_INVALID_PARAM);
	}
}

/* SBI spec 10.1, "SRST System Reset Reasons": 0x2 - 0xDFFFFFFF are reserved. */
static void test_srst_reserved_reason(void **state)
{
	static const unsigned long reasons[] = { 2, 0x0fffffff, 0x10000000, 0x80000000, 0xdfffffff };
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(reasons); i++) {
		enum exit_reason r = ECALL(v, EID_SRST, 0, 0, reasons[i]);

		if (r != EXIT_NOTHING || A0(v) != ERR(SBI_ERR_INVALID_PARAM))
			fail_msg("reset reason %#lx is reserved: got exit %d a0 %ld, want INVALID_PARAM", reasons[i], r,
				 (long)A0(v));
		expect_err(v, SBI_ERR_INVALID_PARAM);
	}
}

/* SBI v2.0 10.1: vendor reset types Keel does not implement are INVALID_PARAM. */
static void test_srst_vendor_type_invalid(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	assert_int_equal(ECALL(v, EID_SRST, 0, 0xf0000000, 0), EXIT_NOTHING);
	expect_err(v, SBI_ERR_INVALID_PARAM);
	assert_int_equal(ECALL(v, EID_SRST, 0, 0xffffffff, 0), EXIT_NOTHING);
	expect_err(v, SBI_ERR_INVALID_PARAM);
	assert_int_equal(ECALL(v, EID_SRST, 1, 0, 0), EXIT_NOTHING); /* unknown fid */
	expect_err(v, SBI_ERR_NOT_SUPPORTED);
}

/* ---------------- DBCN ---------------- */

static void put_guest(uint64_t gpa, const char *s, size_t n)
{
	memcpy(ram(gpa), s, n);
}

static void test_dbcn_write(void **state)
{
	static const char msg[] = "hello, keel\n";
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	put_guest(RAM_BASE + 0x100, msg, sizeof(msg) - 1);
	assert_int_equal(ECALL(v, EID_DBCN, 0, sizeof(msg) - 1, RAM_BASE + 0x100, 0), EXIT_NOTHING);
	expect_ret(v, 0, sizeof(msg) - 1);
	assert_int_equal(stub.nout, sizeof(msg) - 1);
	assert_memory_equal(stub.out, msg, sizeof(msg) - 1);
	assert_ptr_equal(stub.out_vm, &fx->vm); /* the calling VM's console */
	/* Zero bytes: nothing written, success */
	ECALL(v, EID_DBCN, 0, 0, RAM_BASE, 0);
	expect_ret(v, 0, 0);
	assert_int_equal(stub.nout, sizeof(msg) - 1);
}

static void test_dbcn_write_across_pages(void **state)
{
	static const char msg[] = "0123456789abcdef";
	uint64_t gpa = RAM_BASE + 3 * 4096 - 7;
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	put_guest(gpa, msg, 16);
	ECALL(v, EID_DBCN, 0, 16, gpa, 0);
	expect_ret(v, 0, 16);
	assert_int_equal(stub.nout, 16);
	assert_memory_equal(stub.out, msg, 16);
	/* The last byte of guest RAM is a fine place to end */
	stub_reset();
	put_guest(RAM_END - 3, "xyz", 3);
	ECALL(v, EID_DBCN, 0, 3, RAM_END - 3, 0);
	expect_ret(v, 0, 3);
	assert_memory_equal(stub.out, "xyz", 3);
}

static void test_dbcn_write_bad_buffer(void **state)
{
	static const unsigned long cases[][3] = {
		/* num_bytes, base_lo, base_hi */
		{ 4, 0x1000, 0 }, /* not guest RAM */
		{ 4, RAM_BASE - 2, 0 }, /* starts below */
		{ 8, RAM_END - 4, 0 }, /* runs past the end */
		{ 1, RAM_END, 0 },
		{ 4, RAM_BASE, 1 }, /* base_hi must be 0 on RV64 */
		{ 4, RAM_BASE, ~0UL },
		{ 16, ~0UL - 3, 0 }, /* wraps */
		{ 4096, ~0UL - 4095 + 2, 0 }, /* wraps by 2 */
	};
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(cases); i++) {
		assert_int_equal(ECALL(v, EID_DBCN, 0, cases[i][0], cases[i][1], cases[i][2]), EXIT_NOTHING);
		if (A0(v) != ERR(SBI_ERR_INVALID_PARAM))
			fail_msg("write %lu bytes at %#lx (hi %#lx): a0 %ld", cases[i][0], cases[i][1], cases[i][2],
				 (long)A0(v));
		expect_ret(v, SBI_ERR_INVALID_PARAM, 0);
	}
	assert_int_equal(stub.nout, 0);
}

static void test_dbcn_write_huge_count_is_capped(void **state)
{
	struct vcpu *v = &fx->vcpus[0];
	unsigned long written;

	(void)state;
	for (unsigned i = 0; i < RAM_SIZE; i++)
		fx->ram[i] = (uint8_t)('a' + i % 26);
	ECALL(v, EID_DBCN, 0, 1UL << 40, RAM_BASE + 0x10, 0);
	written = A1(v);
	assert_int_equal(A0(v), 0);
	assert_true(written > 0 && written < (1UL << 40));
	assert_true(written <= RAM_SIZE - 0x10);
	assert_int_equal(stub.nout, written);
	assert_memory_equal(stub.out, ram(RAM_BASE + 0x10), written);
	expect_ret(v, 0, written);
}

static void test_dbcn_read(void **state)
{
	static const uint8_t untouched[8] = { 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee };
	uint64_t gpa = RAM_BASE + 0x200;
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	stub_console_input("abc", 3);
	assert_int_equal(ECALL(v, EID_DBCN, 1, 8, gpa, 0), EXIT_NOTHING);
	expect_ret(v, 0, 3);
	assert_memory_equal(ram(gpa), "abc", 3);
	assert_ptr_equal(stub.in_vm, &fx->vm);
	assert_memory_equal(ram(gpa + 3), untouched, 5);
	/* Nothing waiting: 0 bytes, memory untouched */
	ECALL(v, EID_DBCN, 1, 8, gpa + 0x100, 0);
	expect_ret(v, 0, 0);
	assert_memory_equal(ram(gpa + 0x100), untouched, 8);
	/* Fewer bytes asked than waiting: the rest stays queued */
	stub_console_input("defghi", 6);
	ECALL(v, EID_DBCN, 1, 4, gpa, 0);
	expect_ret(v, 0, 4);
	assert_memory_equal(ram(gpa), "defg", 4);
	assert_int_equal(stub.in_pos, 4);
}

static void test_dbcn_read_across_pages(void **state)
{
	uint64_t gpa = RAM_BASE + 4096 - 4;
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	stub_console_input("0123456789", 10);
	ECALL(v, EID_DBCN, 1, 10, gpa, 0);
	expect_ret(v, 0, 10);
	assert_memory_equal(ram(gpa), "0123456789", 10);
}

static void test_dbcn_read_bad_buffer(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	stub_console_input("abc", 3);
	ECALL(v, EID_DBCN, 1, 8, RAM_END - 4, 0);
	expect_ret(v, SBI_ERR_INVALID_PARAM, 0);
	ECALL(v, EID_DBCN, 1, 8, RAM_BASE, 1);
	expect_ret(v, SBI_ERR_INVALID_PARAM, 0);
	ECALL(v, EID_DBCN, 1, 8, 0x1000, 0);
	expect_ret(v, SBI_ERR_INVALID_PARAM, 0);
	assert_int_equal(stub.in_pos, 0); /* nothing consumed */
}

static void test_dbcn_write_byte(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	assert_int_equal(ECALL(v, EID_DBCN, 2, 0x141), EXIT_NOTHING); /* only the low byte */
	expect_ret(v, 0, 0);
	assert_int_equal(stub.nout, 1);
	assert_int_equal(stub.out[0], 'A');
	ECALL(v, EID_DBCN, 2, '\n');
	expect_ret(v, 0, 0);
	assert_int_equal(stub.out[1], '\n');
	ECALL(v, EID_DBCN, 3, 0);
	expect_err(v, SBI_ERR_NOT_SUPPORTED);
	assert_int_equal(stub.nout, 2);
}

/* ---------------- Keel HVC ---------------- */

static void test_hvc_exit_carries_all_args(void **state)
{
	static const unsigned long args[6] = { 0x11, 0x2200, 0x330000, 0x44000000, 0x5500000000UL, ~0UL };
	unsigned long sum = 0;
	struct vcpu *v = &fx->vcpus[1];

	(void)state;
	assert_int_equal(ECALL(v, EID_HVC, 1, args[0], args[1], args[2], args[3], args[4], args[5]), EXIT_HYPERCALL);
	assert_int_equal(fx->exit.hypercall.nr, 1);
	for (int i = 0; i < 6; i++)
		assert_int_equal(fx->exit.hypercall.args[i], args[i]);
	assert_int_equal(v->regs.guest_regs.sepc, fx->pc_before + 4);
	expect_others_preserved(v);

	hvc_complete(v, &fx->exit);
	for (int i = 0; i < 6; i++)
		sum += (unsigned long)(i + 1) * args[i];
	assert_int_equal(A0(v), 0);
	assert_int_equal(A1(v), sum);
	assert_int_equal(v->regs.guest_regs.sepc, fx->pc_before + 4); /* completing does not move pc again */
	expect_others_preserved(v);
}

static void test_hvc_checksum_small(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	ECALL(v, EID_HVC, 1, 1, 2, 3, 4, 5, 6);
	hvc_complete(v, &fx->exit);
	assert_int_equal(A0(v), 0);
	assert_int_equal(A1(v), 1 + 4 + 9 + 16 + 25 + 36);
}

static void test_hvc_version_boot_count_exits(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	assert_int_equal(ECALL(v, EID_HVC, 0), EXIT_HYPERCALL);
	hvc_complete(v, &fx->exit);
	assert_int_equal(A0(v), 0);
	assert_int_equal(A1(v), KEEL_IMPL_VERSION);

	fx->vm.boot_count = 3;
	assert_int_equal(ECALL(v, EID_HVC, 2), EXIT_HYPERCALL);
	hvc_complete(v, &fx->exit);
	assert_int_equal(A0(v), 0);
	assert_int_equal(A1(v), 3);

	v->exits = 42;
	assert_int_equal(ECALL(v, EID_HVC, 3), EXIT_HYPERCALL);
	hvc_complete(v, &fx->exit);
	assert_int_equal(A0(v), 0);
	assert_int_equal(A1(v), 42);
}

static void test_hvc_unknown_nr(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	assert_int_equal(ECALL(v, EID_HVC, 99, 1, 2), EXIT_HYPERCALL);
	assert_int_equal(fx->exit.hypercall.nr, 99);
	hvc_complete(v, &fx->exit);
	assert_int_equal(A0(v), ERR(SBI_ERR_NOT_SUPPORTED));
	assert_int_equal(A1(v), 0);
}

/* ---------------- legacy (SBI spec 5) ---------------- */

static void test_legacy_console(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	assert_int_equal(ECALL(v, 0x1, 0, 'k', 0xaaaa), EXIT_NOTHING);
	expect_legacy_ret(v, 0);
	assert_int_equal(stub.nout, 1);
	assert_int_equal(stub.out[0], 'k');
	assert_ptr_equal(stub.out_vm, &fx->vm);

	stub_console_input("q\xff", 2);
	ECALL(v, 0x2, 0, 0, 0xbbbb);
	expect_legacy_ret(v, 'q');
	ECALL(v, 0x2, 0, 0, 0xbbbb);
	expect_legacy_ret(v, 0xff); /* a byte, not -1 */
	ECALL(v, 0x2, 0, 0, 0xcccc);
	expect_legacy_ret(v, -1); /* nothing waiting */
}

static void test_legacy_set_timer_and_clear_ipi(void **state)
{
	struct vcpu *v = &fx->vcpus[2];

	(void)state;
	assert_int_equal(ECALL(v, 0x0, 0, 0x987654321UL, 0xdddd), EXIT_NOTHING);
	expect_legacy_ret(v, 0);
	assert_int_equal(stub.ntimers, 1);
	assert_ptr_equal(stub.timers[0].v, v);
	assert_int_equal(stub.timers[0].deadline, 0x987654321UL);

	ECALL(v, 0x3, 0, 0, 0xeeee);
	expect_legacy_ret(v, 0);
	assert_int_equal(stub.ncleared, 1);
	assert_ptr_equal(stub.cleared[0].v, v);
	assert_int_equal(stub.cleared[0].bits, HVIP_VSSIP);
}

static void test_legacy_send_ipi(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	stub_map_va(0xffffffc000010000UL, 0xa); /* harts 1 and 3 */
	assert_int_equal(ECALL(v, 0x4, 0, 0xffffffc000010000UL, 0x1234), EXIT_NOTHING);
	expect_legacy_ret(v, 0);
	assert_int_equal(stub.nva_reads, 1);
	expect_raised(2, (const int[]){ 1, 3 });

	stub_reset();
	ECALL(v, 0x4, 0, 0, 0x1234); /* NULL: every hart */
	expect_legacy_ret(v, 0);
	assert_int_equal(stub.nva_reads, 0);
	expect_raised(4, (const int[]){ 0, 1, 2, 3 });
}

static void test_legacy_send_ipi_bad_mask(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	/* A pointer the guest cannot read */
	ECALL(v, 0x4, 0, 0xdead0000UL, 0x1234);
	expect_legacy_ret(v, SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(stub.nva_reads, 1);
	assert_int_equal(stub.nraised, 0);
	/* A mask naming a hart the VM lacks */
	stub_map_va(0x10000, 0x21);
	ECALL(v, 0x4, 0, 0x10000, 0x1234);
	expect_legacy_ret(v, SBI_ERR_INVALID_PARAM);
	assert_int_equal(stub.nraised, 0);
}

static void test_legacy_remote_fences(void **state)
{
	struct vcpu *v = &fx->vcpus[1];

	(void)state;
	stub_map_va(0x20000, 0x5);
	ECALL(v, 0x5, 0, 0x20000, 0x1234);
	expect_legacy_ret(v, 0);
	expect_remote(0, v, 0x5, 0, VCPU_REQ_FENCE_I, 2, (const int[]){ 0, 2 });
	ECALL(v, 0x6, 0, 0x20000, 0x1000, 0x2000);
	expect_legacy_ret(v, 0);
	expect_remote(1, v, 0x5, 0, VCPU_REQ_HFENCE_VVMA, 2, (const int[]){ 0, 2 });
	ECALL(v, 0x7, 0, 0, 0x1000, 0x2000, 3);
	expect_legacy_ret(v, 0);
	expect_remote(2, v, 0, -1UL, VCPU_REQ_HFENCE_VVMA, 4, (const int[]){ 0, 1, 2, 3 });
	ECALL(v, 0x5, 0, 0x30000, 0x1234); /* faulting pointer */
	expect_legacy_ret(v, SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(stub.nremote, 3);
}

static void test_legacy_shutdown(void **state)
{
	struct vcpu *v = &fx->vcpus[0];

	(void)state;
	assert_int_equal(ECALL(v, 0x8, 0, 0x1111, 0x2222), EXIT_SYSTEM_DOWN);
	expect_no_return(v);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_base_spec_version),
		T(test_base_impl_id_and_version),
		T(test_base_probe_implemented),
		T(test_base_probe_absent),
		T(test_base_machine_ids),
		T(test_base_unknown_fid),
		T(test_unknown_eid),
		T(test_time_set_timer),
		T(test_ipi_valid_masks),
		T(test_ipi_base_minus_one_is_all),
		T(test_ipi_invalid_masks),
		T(test_ipi_unknown_fid),
		T(test_rfence_fence_i),
		T(test_rfence_sfence_vma),
		T(test_rfence_invalid_hart),
		T(test_rfence_hfence_not_supported),
		T(test_hsm_start_invalid_hart),
		T(test_hsm_start_invalid_address),
		T(test_hsm_start_success),
		T(test_hsm_start_already_started),
		T(test_hsm_start_vm_not_running),
		T(test_hsm_start_vm_resetting),
		T(test_hsm_stop),
		T(test_hsm_get_status),
		T(test_hsm_suspend_retentive),
		T(test_hsm_suspend_non_retentive),
		T(test_hsm_suspend_non_retentive_bad_address),
		T(test_hsm_suspend_reserved_and_platform_types),
		T(test_hsm_unknown_fid),
		T(test_srst_shutdown_and_reboot),
		T(test_srst_valid_reasons),
		T(test_srst_reserved_type),
		T(test_srst_reserved_reason),
		T(test_srst_vendor_type_invalid),
		T(test_dbcn_write),
		T(test_dbcn_write_across_pages),
		T(test_dbcn_write_bad_buffer),
		T(test_dbcn_write_huge_count_is_capped),
		T(test_dbcn_read),
		T(test_dbcn_read_across_pages),
		T(test_dbcn_read_bad_buffer),
		T(test_dbcn_write_byte),
		T(test_hvc_exit_carries_all_args),
		T(test_hvc_checksum_small),
		T(test_hvc_version_boot_count_exits),
		T(test_hvc_unknown_nr),
		T(test_legacy_console),
		T(test_legacy_set_timer_and_clear_ipi),
		T(test_legacy_send_ipi),
		T(test_legacy_send_ipi_bad_mask),
		T(test_legacy_remote_fences),
		T(test_legacy_shutdown),
	};

	return run_unit_tests(tests);
}
