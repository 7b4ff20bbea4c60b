/*
 * Fuzz target: the SBI dispatcher and every extension in sbi/, the guest's widest door into Keel.
 * A small VM (1-8 vCPUs, 1-4 pages of guest RAM at a fuzzed base) runs against the recording stand-ins
 * of tests/unit/stub_vm.c; vm/guest_mem.c is the real code. Guest RAM is malloc'ed at its exact size,
 * so ASan sees any access beyond it.
 *
 * Input: a header (VM shape, vCPU HSM states, console input, mapped guest virtual words), then up to
 * MAX_CALLS ecalls: caller, a7 (EID), a6 (FID), a0-a5. Values are drawn from tables of interesting
 * ones (known EIDs, addresses at the edges of guest RAM, hart ids around nvcpus, SBI type codes) or,
 * after a 0xff selector byte, taken raw.
 *
 * After every call: no register but a0/a1 changed; sepc advanced by 4, or by 0 only for a call that
 * does not return (then a0/a1 are untouched too); a0 is 0 or an SBI error code (legacy getchar: -1 or
 * a byte); unknown extensions and functions say NOT_SUPPORTED; probe, get_status, DBCN and HSM start
 * results agree with the VM's state; guest RAM changes only under DBCN read, and only where it said.
 */
#include "fuzz.h"
#include "arch/riscv/csr.h"
#include "sbi/sbi.h"
#include "tests/unit/stub_vm.h"
#include "vm/vm.h"

#define MAX_PAGES 4
#define MAX_CALLS 16
#define GUEST_PC 0x80001000UL
#define REG_MARK 0x5eed000000000000UL /* + register number: every GPR starts as this */

static struct vm vm;
static struct vcpu vcpus[MAX_VCPUS_PER_VM];
static uint8_t ram_before[MAX_PAGES * 4096];
static char console_in[256];

static const unsigned long known_eids[] = {
	SBI_EXT_BASE,
	SBI_EXT_TIME,
	SBI_EXT_IPI,
	SBI_EXT_RFENCE,
	SBI_EXT_HSM,
	SBI_EXT_SRST,
	SBI_EXT_DBCN,
	SBI_EXT_KEEL_HVC,
	0,
	1,
	2,
	3,
	4,
	5,
	6,
	7,
	8,
};

static int is_known_eid(unsigned long eid)
{
	for (unsigned i = 0; i < ARRAY_LEN(known_eids); i++)
		if (known_eids[i] == eid)
			return 1;
	return 0;
}

static int is_sbi_error(long e)
{
	return e >= SBI_ERR_ALREADY_STOPPED && e <= SBI_SUCCESS;
}

static long reg(const struct vcpu *v, int r)
{
	return (long)v->regs.guest_regs.gprs[r];
}

/* Shape the VM from the input header. */
static void setup(struct fuzz_in *in, uint8_t **ram)
{
	static const uint64_t bases[] = { 0x80000000UL, 0, 0x1000, 0x8000000000UL, 0x4000000000000000UL };
	uint64_t pages, base;

	stub_reset();
	memset(&vm, 0, sizeof(vm));
	memset(vcpus, 0, sizeof(vcpus));
	vm.nvcpus = 1 + take_u8(in) % MAX_VCPUS_PER_VM;
	vm.state = take_u8(in) < 0xe0 ? VM_RUNNING : VM_STOPPED;
	vm.boot_count = take_u8(in);
	pages = 1 + take_u8(in) % MAX_PAGES;
	base = take_pick(in, bases, ARRAY_LEN(bases));
	vm.cfg.ram_size = pages * 4096;
	/* Configs put RAM 2 MiB aligned and inside the GPA space (vm/config.c): only that is modelled. */
	vm.cfg.ram_base = base & ~(SZ_2M - 1);
	*ram = malloc(vm.cfg.ram_size);
	if (!*ram)
		abort();
	for (uint64_t i = 0; i < vm.cfg.ram_size; i++)
		(*ram)[i] = (uint8_t)(i * 7 + 1);
	vm.ram_hpa = (uint64_t)(uintptr_t)*ram;
	for (int i = 0; i < vm.nvcpus; i++) {
		struct vcpu *v = &vcpus[i];

		v->vm = &vm;
		v->id = (unsigned long)i;
		v->hart = (unsigned long)i;
		v->hsm_state = take_u8(in) % (SBI_HSM_STATE_RESUME_PENDING + 1);
		v->exits = take_u8(in);
		vm.vcpus[i] = v;
	}
	size_t n = take_u8(in) % (sizeof(console_in) + 1);

	n = take_bytes(in, console_in, n);
	stub_console_input(console_in, n);
	for (int i = take_u8(in) % (STUB_MAX_VA + 1); i > 0; i--) {
		static const uint64_t gvas[] = { 0x1000, 0x2000, 0xffffffffffffff00UL, 8 };
		uint64_t gva = take_pick(in, gvas, ARRAY_LEN(gvas));

		stub_map_va(gva, take_u64(in));
	}
	stub.va_fault_cause = take_u8(in) & 1 ? EXC_LOAD_GUEST_PAGE_FAULT : EXC_LOAD_PAGE_FAULT;
	sbi_machine_ids.mvendorid = 0x489;
	sbi_machine_ids.marchid = 0x8000000000000007UL;
	sbi_machine_ids.mimpid = 0x20181004;
}

/* Interesting argument values, given this VM. */
static uint64_t take_arg(struct fuzz_in *in)
{
	const uint64_t rb = vm.cfg.ram_base, rs = vm.cfg.ram_size;
	const uint64_t args[] = {
		0,
		1,
		2,
		3,
		4,
		5,
		6,
		7,
		8,
		0xff,
		0x100,
		4095,
		4096,
		4097,
		8192,
		0x7fffffff,
		0xffffffff,
		0x100000000UL,
		-1UL,
		-2UL,
		(uint64_t)vm.nvcpus,
		(uint64_t)vm.nvcpus - 1,
		(uint64_t)vm.nvcpus + 1,
		63,
		64,
		rb,
		rb + 1,
		rb + 4092,
		rb + 4093,
		rb + 4095,
		rb + 4096,
		rb + rs - 4,
		rb + rs - 1,
		rb + rs,
		rb - 1,
		rb - 4,
		SBI_HSM_SUSPEND_RET_PLATFORM,
		SBI_HSM_SUSPEND_NON_RET_DEFAULT,
		SBI_HSM_SUSPEND_NON_RET_PLATFORM,
		SBI_HSM_SUSPEND_RET_LAST,
		SBI_SRST_RESET_REASON_SBI_FIRST,
		SBI_SRST_RESET_TYPE_VENDOR_FIRST,
		0xdffffffful,
		0x1000,
		0x2000,
		0xffffffffffffff00UL,
		0x100000002UL,
		0x80000000ffffffffUL,
	};

	return take_pick(in, args, ARRAY_LEN(args));
}

static unsigned long take_eid(struct fuzz_in *in)
{
	static const uint64_t eids[] = {
		SBI_EXT_BASE,
		SBI_EXT_TIME,
		SBI_EXT_IPI,
		SBI_EXT_RFENCE,
		SBI_EXT_HSM,
		SBI_EXT_SRST,
		SBI_EXT_DBCN,
		SBI_EXT_KEEL_HVC,
		0,
		1,
		2,
		3,
		4,
		5,
		6,
		7,
		8,
		9,
		0xf,
		0x11,
		0x504D55 /* PMU */,
		0x535553 /* SUSP */,
		0x43505043 /* CPPC */,
		0x08000000 /* experimental */,
		0x09000000 /* vendor */,
		0x0A000000 /* firmware */,
		0x100000010UL,
		-1UL,
		0x80000000UL,
	};

	return take_pick(in, eids, ARRAY_LEN(eids));
}

static unsigned long take_fid(struct fuzz_in *in)
{
	static const uint64_t fids[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 0x100000000UL, -1UL };

	return take_pick(in, fids, ARRAY_LEN(fids));
}

static void check_call(struct vcpu *v, const uint64_t *before, uint64_t pc_before, const int *hsm_before,
		       enum exit_reason reason, struct vcpu_exit *exit, const uint8_t *ram, size_t in_pos, size_t nout)
{
	const uint64_t *g = v->regs.guest_regs.gprs;
	unsigned long eid = before[GPR_A7], fid = before[GPR_A6];
	uint64_t delta = v->regs.guest_regs.sepc - pc_before;
	int legacy = eid <= SBI_EXT_0_1_SHUTDOWN;
	int dbcn_read = eid == SBI_EXT_DBCN && fid == SBI_EXT_DBCN_CONSOLE_READ;
	long a0 = reg(v, GPR_A0);

	FUZZ_CHECK(reason < EXIT_REASON_COUNT, "eid %#lx fid %#lx: exit reason %d", eid, fid, reason);
	for (int r = 0; r < GPR_COUNT; r++)
		FUZZ_CHECK(r == GPR_A0 || r == GPR_A1 || g[r] == before[r], "eid %#lx fid %#lx changed x%d", eid, fid,
			   r);
	FUZZ_CHECK(delta == 0 || delta == 4, "eid %#lx fid %#lx moved sepc by %#llx", eid, fid,
		   (unsigned long long)delta);
	for (int i = 0; i < vm.nvcpus; i++) {
		int s = vcpus[i].hsm_state;

		FUZZ_CHECK(s >= SBI_HSM_STATE_STARTED && s <= SBI_HSM_STATE_RESUME_PENDING, "vcpu %d: hsm state %d", i,
			   s);
		FUZZ_CHECK(s == hsm_before[i] || (eid == SBI_EXT_HSM &&
						  (&vcpus[i] == v || (fid == 0 && before[GPR_A0] == (uint64_t)i))),
			   "eid %#lx fid %#lx changed vcpu %d's hsm state %d -> %d", eid, fid, i, hsm_before[i], s);
	}
	if (!dbcn_read)
		FUZZ_CHECK(!memcmp(ram, ram_before, vm.cfg.ram_size), "eid %#lx fid %#lx wrote guest RAM", eid, fid);

	if (delta == 0) {
		/* No return: hart_stop, non-retentive suspend, legacy shutdown, SRST. */
		FUZZ_CHECK(reason == EXIT_CPU_DOWN || reason == EXIT_HALT || reason == EXIT_SYSTEM_DOWN ||
				   reason == EXIT_SYSTEM_REBOOT,
			   "eid %#lx fid %#lx: pc not advanced, exit reason %d", eid, fid, reason);
		FUZZ_CHECK(g[GPR_A0] == before[GPR_A0] && g[GPR_A1] == before[GPR_A1],
			   "eid %#lx fid %#lx: no return, yet a0/a1 changed", eid, fid);
		return;
	}
	FUZZ_CHECK(!(eid == SBI_EXT_HSM && fid == SBI_EXT_HSM_HART_STOP) && eid != SBI_EXT_0_1_SHUTDOWN,
		   "eid %#lx fid %#lx returned to the guest", eid, fid);
	FUZZ_CHECK(reason != EXIT_CPU_DOWN && reason != EXIT_SYSTEM_DOWN && reason != EXIT_SYSTEM_REBOOT,
		   "eid %#lx fid %#lx returned to the guest with exit reason %d", eid, fid, reason);
	if (legacy) {
		FUZZ_CHECK(g[GPR_A1] == before[GPR_A1], "legacy eid %#lx changed a1", eid);
		if (eid == SBI_EXT_0_1_CONSOLE_GETCHAR) {
			int want = in_pos < stub.in_len ? (unsigned char)console_in[in_pos] : -1;

			FUZZ_CHECK(a0 == want, "getchar returned %ld, the console had %d", a0, want);
		} else {
			FUZZ_CHECK(is_sbi_error(a0), "legacy eid %#lx returned %ld", eid, a0);
		}
		return;
	}
	FUZZ_CHECK(is_sbi_error(a0), "eid %#lx fid %#lx returned error %ld", eid, fid, a0);
	if (!is_known_eid(eid))
		FUZZ_CHECK(a0 == SBI_ERR_NOT_SUPPORTED && reason == EXIT_NOTHING, "unknown eid %#lx: a0 %ld reason %d",
			   eid, a0, reason);
	if (eid == SBI_EXT_BASE && fid == SBI_EXT_BASE_PROBE_EXT) {
		int want = sbi_ext_of(before[GPR_A0]) != NULL;

		FUZZ_CHECK(a0 == 0 && g[GPR_A1] == (uint64_t)want && want == is_known_eid(before[GPR_A0]),
			   "probe %#llx: a0 %ld a1 %llu", (unsigned long long)before[GPR_A0], a0,
			   (unsigned long long)g[GPR_A1]);
	}
	if (eid == SBI_EXT_HSM && fid == SBI_EXT_HSM_HART_GET_STATUS && a0 == 0) {
		FUZZ_CHECK(before[GPR_A0] < (uint64_t)vm.nvcpus, "status of hart %#llx",
			   (unsigned long long)before[GPR_A0]);
		FUZZ_CHECK(g[GPR_A1] == (uint64_t)vcpus[before[GPR_A0]].hsm_state, "status %llu, state is %d",
			   (unsigned long long)g[GPR_A1], vcpus[before[GPR_A0]].hsm_state);
	}
	if (eid == SBI_EXT_HSM && fid == SBI_EXT_HSM_HART_START && a0 == 0) {
		unsigned long t = before[GPR_A0];

		FUZZ_CHECK(reason == EXIT_NOTHING && t < (unsigned long)vm.nvcpus, "hart_start: reason %d target %lu",
			   reason, t);
		FUZZ_CHECK(hsm_before[t] == SBI_HSM_STATE_STOPPED && vcpus[t].hsm_state == SBI_HSM_STATE_START_PENDING,
			   "hart_start of vcpu %lu in state %d -> %d", t, hsm_before[t], vcpus[t].hsm_state);
		FUZZ_CHECK(vm_gpa_to_host(&vm, before[GPR_A1], 4) != NULL && vcpus[t].start_addr == before[GPR_A1],
			   "hart_start entry %#llx outside guest RAM", (unsigned long long)before[GPR_A1]);
	}
	if (eid == SBI_EXT_KEEL_HVC) {
		FUZZ_CHECK(reason == EXIT_HYPERCALL && a0 == SBI_ERR_NOT_SUPPORTED, "hvc: reason %d a0 %ld", reason,
			   a0);
		hvc_complete(v, exit); /* the VM loop's half */
		a0 = reg(v, GPR_A0);
		FUZZ_CHECK(a0 == 0 || a0 == SBI_ERR_NOT_SUPPORTED, "hvc %#lx completed with %ld", fid, a0);
		FUZZ_CHECK(v->regs.guest_regs.sepc == pc_before + 4, "hvc_complete moved sepc");
	}
	if (eid == SBI_EXT_DBCN && fid <= SBI_EXT_DBCN_CONSOLE_READ && a0 == 0) {
		uint64_t len = before[GPR_A0], addr = before[GPR_A1], done = g[GPR_A1];
		const uint8_t *p = vm_gpa_to_host(&vm, addr, done);

		FUZZ_CHECK(done <= len && done <= 4096 && (!done || p), "dbcn %lu: %llu of %llu bytes at %#llx", fid,
			   (unsigned long long)done, (unsigned long long)len, (unsigned long long)addr);
		if (fid == SBI_EXT_DBCN_CONSOLE_WRITE) {
			FUZZ_CHECK(stub.nout == nout + done && (!done || !memcmp(stub.out + nout, p, done)),
				   "dbcn write of %llu bytes: console got %zu", (unsigned long long)done,
				   stub.nout - nout);
		} else {
			FUZZ_CHECK(stub.in_pos == in_pos + done && (!done || !memcmp(p, console_in + in_pos, done)),
				   "dbcn read of %llu bytes", (unsigned long long)done);
			FUZZ_CHECK(done == len || done == 4096 || stub.in_pos == stub.in_len,
				   "dbcn read stopped at %llu of %llu with input left", (unsigned long long)done,
				   (unsigned long long)len);
			/* Outside the bytes read, RAM is as it was. */
			FUZZ_CHECK(!memcmp(ram, ram_before, p ? (size_t)(p - ram) : vm.cfg.ram_size) &&
					   (!p || !memcmp(p + done, ram_before + (p - ram) + done,
							  vm.cfg.ram_size - (size_t)(p - ram) - done)),
				   "dbcn read wrote outside its buffer");
		}
	} else if (dbcn_read) {
		FUZZ_CHECK(!memcmp(ram, ram_before, vm.cfg.ram_size), "failed dbcn read wrote guest RAM");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	uint8_t *ram;

	setup(&in, &ram);
	for (int call = 0; call < MAX_CALLS && in.left; call++) {
		struct vcpu *v = &vcpus[take_u8(&in) % vm.nvcpus];
		uint64_t *g = v->regs.guest_regs.gprs, before[GPR_COUNT];
		struct vcpu_exit exit;
		int hsm_before[MAX_VCPUS_PER_VM];
		enum exit_reason reason;
		size_t in_pos = stub.in_pos, nout = 0;

		for (int r = 1; r < GPR_COUNT; r++)
			g[r] = REG_MARK + (uint64_t)r;
		g[GPR_A7] = take_eid(&in);
		g[GPR_A6] = take_fid(&in);
		for (int a = 0; a < 6; a++)
			g[GPR_A0 + a] = take_arg(&in);
		v->regs.guest_regs.sepc = GUEST_PC;
		memcpy(before, g, sizeof(before));
		for (int i = 0; i < vm.nvcpus; i++)
			hsm_before[i] = vcpus[i].hsm_state;
		memcpy(ram_before, ram, vm.cfg.ram_size);
		memset(&exit, 0, sizeof(exit));
		stub.nout = 0; /* the console record holds this call's output only */
		reason = sbi_dispatch(v, &exit);
		check_call(v, before, GUEST_PC, hsm_before, reason, &exit, ram, in_pos, nout);
	}
	free(ram);
	return 0;
}
