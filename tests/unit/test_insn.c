/*
 * Host tests for vcpu/insn.c: MMIO load/store decoding from raw instructions and from htinst.
 *
 * The encodings come from small encoders written from the unpriv spec's format figures (I/S-type, AMO, CL/CS/CI/CSS),
 * independent of vcpu/insn.c's tables; the encoders are cross-checked against hex that
 * riscv64-linux-gnu-objdump printed for instructions assembled with gcc -march=rv64gc.
 * The generated table holds 2162 encodings (test_table_summary prints the split by class):
 * 210 loads, 120 stores, 330 compressed loads, 336 compressed stores, 208 FP (32-bit and compressed),
 * 176 AMO (LR/SC included), 782 invalid; test_objdump_cross_check adds 45 assembled ones.
 */
#include "unit.h"
#include "vcpu/insn.h"

/* Opcodes and funct3 values as the spec's listings give them, independent of vcpu/insn.c's names. */
#define OP_LOAD 0x03
#define OP_LOAD_FP 0x07
#define OP_IMM 0x13
#define OP_STORE 0x23
#define OP_STORE_FP 0x27
#define OP_AMO 0x2f
#define OP_JAL 0x6f
#define OP_SYSTEM 0x73

enum { LB, LH, LW, LD, LBU, LHU, LWU, LOAD_F3_RESERVED };
enum { SB, SH, SW, SD };
enum { FP_H = 1, FP_W = 2, FP_D = 3, FP_Q = 4 };
enum { AMO_W = 2, AMO_D = 3 };
enum {
	AMOADD = 0x00,
	AMOSWAP = 0x01,
	LR = 0x02,
	SC = 0x03,
	AMOXOR = 0x04,
	AMOOR = 0x08,
	AMOAND = 0x0c,
	AMOMIN = 0x10,
	AMOMAX = 0x14,
	AMOMINU = 0x18,
	AMOMAXU = 0x1c,
};
#define CSRRW 1
#define CSR_SSCRATCH 0x140

enum { C_Q0 = 0, C_Q1 = 1, C_Q2 = 2 };
enum { C0_ADDI4SPN = 0, C0_FLD = 1, C0_LW = 2, C0_LD = 3, C0_RESERVED = 4, C0_FSD = 5, C0_SW = 6, C0_SD = 7 };
enum { C2_SLLI = 0, C2_FLDSP = 1, C2_LWSP = 2, C2_LDSP = 3, C2_JR_MV_ADD = 4, C2_FSDSP = 5, C2_SWSP = 6, C2_SDSP = 7 };

/* ABI register names used by the objdump cross-check. */
enum {
	ZERO = 0,
	RA = 1,
	SP = 2,
	GP = 3,
	T0 = 5,
	T1 = 6,
	T2 = 7,
	S0 = 8,
	S1 = 9,
	A0 = 10,
	A1 = 11,
	A2 = 12,
	A3 = 13,
	A4 = 14,
	A5 = 15,
	A6 = 16,
	A7 = 17,
	S2 = 18,
	S3 = 19,
	S4 = 20,
	S11 = 27,
	T3 = 28,
	T4 = 29,
	T6 = 31,
};
enum { FT0 = 0, FT1 = 1, FT3 = 3, FS0 = 8, FS1 = 9, FA0 = 10, FT11 = 31 };

/* htinst pseudo-instructions (priv spec Table 8.12): implicit accesses of the guest's page walk. */
#define PSEUDO_READ_32 0x00002000
#define PSEUDO_WRITE_32 0x00002020
#define PSEUDO_READ_64 0x00003000
#define PSEUDO_WRITE_64 0x00003020

/* ---- encoders (unpriv spec formats: I-, S-type; AMO; compressed CL, CS, CI, CSS) ---- */

static uint32_t enc_i(uint32_t op, uint32_t f3, uint32_t rd, uint32_t rs1, int32_t imm)
{
	return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}

static uint32_t enc_s(uint32_t op, uint32_t f3, uint32_t rs2, uint32_t rs1, int32_t imm)
{
	uint32_t u = (uint32_t)imm & 0xfff;

	return (u >> 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (u & 0x1f) << 7 | op;
}

/* Argument order follows the assembly: lw rd, imm(rs1); sw rs2, imm(rs1). */
static uint32_t enc_load(uint32_t f3, uint32_t rd, uint32_t rs1, int32_t imm)
{
	return enc_i(OP_LOAD, f3, rd, rs1, imm);
}

static uint32_t enc_store(uint32_t f3, uint32_t rs2, uint32_t rs1, int32_t imm)
{
	return enc_s(OP_STORE, f3, rs2, rs1, imm);
}

static uint32_t enc_fload(uint32_t f3, uint32_t frd, uint32_t rs1, int32_t imm)
{
	return enc_i(OP_LOAD_FP, f3, frd, rs1, imm);
}

static uint32_t enc_fstore(uint32_t f3, uint32_t frs2, uint32_t rs1, int32_t imm)
{
	return enc_s(OP_STORE_FP, f3, frs2, rs1, imm);
}

/* amo<op>.<w|d>[.aq][.rl] rd, rs2, (rs1) */
static uint32_t enc_amo(uint32_t f5, uint32_t f3, uint32_t aq, uint32_t rl, uint32_t rd, uint32_t rs2, uint32_t rs1)
{
	return f5 << 27 | aq << 26 | rl << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | OP_AMO;
}

/* The 3-bit register fields of CL/CS name x8..x15 (and f8..f15): take the full number here. */
static uint32_t creg(uint32_t r)
{
	assert_in_range(r, 8, 15);
	return r - 8;
}

static uint32_t c_op(uint32_t quadrant, uint32_t f3)
{
	return f3 << 13 | quadrant;
}

/* CL/CS with a word offset: uimm[5:3] at 12:10, uimm[2] at 6, uimm[6] at 5. */
static uint32_t enc_cl_w(uint32_t f3, uint32_t r, uint32_t rs1, uint32_t uimm)
{
	return c_op(C_Q0, f3) | ((uimm >> 3) & 7) << 10 | creg(rs1) << 7 | ((uimm >> 2) & 1) << 6 |
	       ((uimm >> 6) & 1) << 5 | creg(r) << 2;
}

/* CL/CS with a doubleword offset: uimm[5:3] at 12:10, uimm[7:6] at 6:5. */
static uint32_t enc_cl_d(uint32_t f3, uint32_t r, uint32_t rs1, uint32_t uimm)
{
	return c_op(C_Q0, f3) | ((uimm >> 3) & 7) << 10 | creg(rs1) << 7 | ((uimm >> 6) & 3) << 5 | creg(r) << 2;
}

static uint32_t enc_c_lw(uint32_t rd, uint32_t rs1, uint32_t uimm)
{
	return enc_cl_w(C0_LW, rd, rs1, uimm);
}
static uint32_t enc_c_sw(uint32_t rs2, uint32_t rs1, uint32_t uimm)
{
	return enc_cl_w(C0_SW, rs2, rs1, uimm);
}
static uint32_t enc_c_ld(uint32_t rd, uint32_t rs1, uint32_t uimm)
{
	return enc_cl_d(C0_LD, rd, rs1, uimm);
}
static uint32_t enc_c_sd(uint32_t rs2, uint32_t rs1, uint32_t uimm)
{
	return enc_cl_d(C0_SD, rs2, rs1, uimm);
}
static uint32_t enc_c_fld(uint32_t frd, uint32_t rs1, uint32_t uimm)
{
	return enc_cl_d(C0_FLD, frd, rs1, uimm);
}
static uint32_t enc_c_fsd(uint32_t frs2, uint32_t rs1, uint32_t uimm)
{
	return enc_cl_d(C0_FSD, frs2, rs1, uimm);
}

/* c.lwsp: uimm[5] at 12, uimm[4:2] at 6:4, uimm[7:6] at 3:2. */
static uint32_t enc_c_lwsp(uint32_t rd, uint32_t uimm)
{
	return c_op(C_Q2, C2_LWSP) | ((uimm >> 5) & 1) << 12 | rd << 7 | ((uimm >> 2) & 7) << 4 |
	       ((uimm >> 6) & 3) << 2;
}

/* c.ldsp/c.fldsp: uimm[5] at 12, uimm[4:3] at 6:5, uimm[8:6] at 4:2. */
static uint32_t enc_ci_d(uint32_t f3, uint32_t rd, uint32_t uimm)
{
	return c_op(C_Q2, f3) | ((uimm >> 5) & 1) << 12 | rd << 7 | ((uimm >> 3) & 3) << 5 | ((uimm >> 6) & 7) << 2;
}

static uint32_t enc_c_ldsp(uint32_t rd, uint32_t uimm)
{
	return enc_ci_d(C2_LDSP, rd, uimm);
}
static uint32_t enc_c_fldsp(uint32_t frd, uint32_t uimm)
{
	return enc_ci_d(C2_FLDSP, frd, uimm);
}

/* c.swsp: uimm[5:2] at 12:9, uimm[7:6] at 8:7. */
static uint32_t enc_c_swsp(uint32_t rs2, uint32_t uimm)
{
	return c_op(C_Q2, C2_SWSP) | ((uimm >> 2) & 0xf) << 9 | ((uimm >> 6) & 3) << 7 | rs2 << 2;
}

/* c.sdsp/c.fsdsp: uimm[5:3] at 12:10, uimm[8:6] at 9:7. */
static uint32_t enc_css_d(uint32_t f3, uint32_t rs2, uint32_t uimm)
{
	return c_op(C_Q2, f3) | ((uimm >> 3) & 7) << 10 | ((uimm >> 6) & 7) << 7 | rs2 << 2;
}

static uint32_t enc_c_sdsp(uint32_t rs2, uint32_t uimm)
{
	return enc_css_d(C2_SDSP, rs2, uimm);
}
static uint32_t enc_c_fsdsp(uint32_t frs2, uint32_t uimm)
{
	return enc_css_d(C2_FSDSP, frs2, uimm);
}

/* htinst for a trapping compressed instruction: its 32-bit equivalent with bit 1 cleared. */
static uint32_t from_compressed(uint32_t insn32)
{
	return insn32 & ~HTINST_ORIG_32BIT;
}

/* ---- expectations ---- */

struct expect {
	int ret;
	struct mmio_insn mi;
};

static struct expect exp_load(unsigned width, int sign, unsigned reg, unsigned len)
{
	return (struct expect){ 0, { MMIO_INSN_LOAD, width, sign, reg, len } };
}

static struct expect exp_store(unsigned width, unsigned reg, unsigned len)
{
	return (struct expect){ 0, { MMIO_INSN_STORE, width, 0, reg, len } };
}

static struct expect exp_fp(unsigned width, unsigned freg, unsigned len)
{
	return (struct expect){ 0, { MMIO_INSN_FP, width, 0, freg, len } };
}

static struct expect exp_amo(unsigned width, unsigned rd)
{
	return (struct expect){ 0, { MMIO_INSN_AMO, width, 0, rd, 4 } };
}

static struct expect exp_invalid(void)
{
	return (struct expect){ -1, { MMIO_INSN_INVALID, 0, 0, 0, 0 } };
}

static const char *const kind_names[] = { "INVALID", "LOAD", "STORE", "FP", "AMO" };

/* Invalid results only promise ret -1 and kind INVALID; everything else must match exactly. */
static void check(const char *what, uint32_t insn, int ret, const struct mmio_insn *got, const struct expect *want)
{
	const struct mmio_insn *w = &want->mi;

	if (ret == want->ret && got->kind == w->kind &&
	    (want->ret || (got->width == w->width && !got->sign_extend == !w->sign_extend && got->reg == w->reg &&
			   got->len == w->len)))
		return;
	fail_msg("%s (%#010x): ret %d %s width %u sign %d reg %u len %u; want ret %d %s width %u sign %d reg %u len %u",
		 what, insn, ret, kind_names[got->kind], got->width, got->sign_extend, got->reg, got->len, want->ret,
		 kind_names[w->kind], w->width, w->sign_extend, w->reg, w->len);
}

/* A stale struct must not leak through: start every decode from garbage. */
static const struct mmio_insn garbage = { MMIO_INSN_STORE, 3, 1, 99, 7 };

static void check_decode(const char *what, uint32_t insn, const struct expect *want)
{
	struct mmio_insn got = garbage;
	int ret = insn_decode_mmio(insn, &got);

	check(what, insn, ret, &got, want);
}

static void check_htinst(const char *what, unsigned long htinst, const struct expect *want)
{
	struct mmio_insn got = garbage;
	int ret = insn_decode_htinst(htinst, &got);

	check(what, (uint32_t)htinst, ret, &got, want);
}

/* ---- the generated table ---- */

enum cls { CLS_LOAD, CLS_STORE, CLS_C_LOAD, CLS_C_STORE, CLS_FP, CLS_AMO, CLS_INVALID, CLS_N };
static const char *const cls_names[CLS_N] = { "load", "store", "c.load", "c.store", "fp", "amo", "invalid" };

struct tcase {
	enum cls cls;
	const char *what;
	uint32_t insn;
	uint32_t htinst; /* what hardware would report in htinst for it; 0: nothing to check */
	struct expect want;
};

#define MAX_CASES 4096
static struct tcase table[MAX_CASES];
static unsigned ncases;

static void add(enum cls cls, const char *what, uint32_t insn, uint32_t htinst, struct expect want)
{
	assert_true(ncases < MAX_CASES);
	table[ncases++] = (struct tcase){ cls, what, insn, htinst, want };
}

static void add_invalid(const char *what, uint32_t insn)
{
	add(CLS_INVALID, what, insn, 0, exp_invalid());
}

/* rd/rs2 for 32-bit forms, and (rs1, offset) pairs covering both offset extremes. */
static const uint32_t regs32[] = { 0, 1, 5, 10, 15, 31 };
static const struct {
	uint32_t rs1;
	int32_t imm;
} bases[] = { { 2, 0 }, { 8, -1 }, { 31, 2047 }, { 0, -2048 }, { 17, 8 } };
static const uint32_t fregs[] = { 0, 1, 10, 31 };
static const uint32_t cbases[] = { 8, 11, 15 };

static const struct {
	const char *name;
	uint32_t f3;
	unsigned width;
	int sign;
} loads[] = {
	{ "lb", LB, 1, 1 },   { "lh", LH, 2, 1 },   { "lw", LW, 4, 1 },	  { "ld", LD, 8, 0 },
	{ "lbu", LBU, 1, 0 }, { "lhu", LHU, 2, 0 }, { "lwu", LWU, 4, 0 },
};
static const struct {
	const char *name;
	uint32_t f3;
	unsigned width;
} stores[] = { { "sb", SB, 1 }, { "sh", SH, 2 }, { "sw", SW, 4 }, { "sd", SD, 8 } },
  fp_widths[] = { { "h", FP_H, 2 }, { "w", FP_W, 4 }, { "d", FP_D, 8 } };
static const struct {
	const char *name;
	uint32_t f5;
} amos[] = {
	{ "lr", LR },	      { "sc", SC },	      { "amoswap", AMOSWAP }, { "amoadd", AMOADD },
	{ "amoxor", AMOXOR }, { "amoand", AMOAND },   { "amoor", AMOOR },     { "amomin", AMOMIN },
	{ "amomax", AMOMAX }, { "amominu", AMOMINU }, { "amomaxu", AMOMAXU },
};

static void add_loads_stores(void)
{
	for (unsigned i = 0; i < ARRAY_LEN(loads); i++)
		for (unsigned r = 0; r < ARRAY_LEN(regs32); r++)
			for (unsigned b = 0; b < ARRAY_LEN(bases); b++)
				add(CLS_LOAD, loads[i].name,
				    enc_load(loads[i].f3, regs32[r], bases[b].rs1, bases[b].imm),
				    enc_load(loads[i].f3, regs32[r], 0, 0),
				    exp_load(loads[i].width, loads[i].sign, regs32[r], 4));
	for (unsigned i = 0; i < ARRAY_LEN(stores); i++)
		for (unsigned r = 0; r < ARRAY_LEN(regs32); r++)
			for (unsigned b = 0; b < ARRAY_LEN(bases); b++)
				add(CLS_STORE, stores[i].name,
				    enc_store(stores[i].f3, regs32[r], bases[b].rs1, bases[b].imm),
				    enc_store(stores[i].f3, regs32[r], 0, 0), exp_store(stores[i].width, regs32[r], 4));
}

static void add_compressed(void)
{
	static const uint32_t w_offs[] = { 0, 4, 124 }, d_offs[] = { 0, 8, 248 };
	static const uint32_t wsp_offs[] = { 0, 4, 252 }, dsp_offs[] = { 0, 8, 504 };

	for (uint32_t r = 8; r <= 15; r++)
		for (unsigned b = 0; b < ARRAY_LEN(cbases); b++)
			for (unsigned o = 0; o < 3; o++) {
				uint32_t rs1 = cbases[b];

				add(CLS_C_LOAD, "c.lw", enc_c_lw(r, rs1, w_offs[o]),
				    from_compressed(enc_load(LW, r, 0, 0)), exp_load(4, 1, r, 2));
				add(CLS_C_LOAD, "c.ld", enc_c_ld(r, rs1, d_offs[o]),
				    from_compressed(enc_load(LD, r, 0, 0)), exp_load(8, 0, r, 2));
				add(CLS_C_STORE, "c.sw", enc_c_sw(r, rs1, w_offs[o]),
				    from_compressed(enc_store(SW, r, 0, 0)), exp_store(4, r, 2));
				add(CLS_C_STORE, "c.sd", enc_c_sd(r, rs1, d_offs[o]),
				    from_compressed(enc_store(SD, r, 0, 0)), exp_store(8, r, 2));
				add(CLS_FP, "c.fld", enc_c_fld(r, rs1, d_offs[o]),
				    from_compressed(enc_fload(FP_D, r, 0, 0)), exp_fp(8, r, 2));
				add(CLS_FP, "c.fsd", enc_c_fsd(r, rs1, d_offs[o]),
				    from_compressed(enc_fstore(FP_D, r, 0, 0)), exp_fp(8, r, 2));
			}
	/* The SP-relative forms have a full 5-bit register field: every register. */
	for (uint32_t r = 0; r < 32; r++)
		for (unsigned o = 0; o < 3; o++) {
			if (r) {
				add(CLS_C_LOAD, "c.lwsp", enc_c_lwsp(r, wsp_offs[o]),
				    from_compressed(enc_load(LW, r, 0, 0)), exp_load(4, 1, r, 2));
				add(CLS_C_LOAD, "c.ldsp", enc_c_ldsp(r, dsp_offs[o]),
				    from_compressed(enc_load(LD, r, 0, 0)), exp_load(8, 0, r, 2));
			} else {
				add_invalid("c.lwsp x0 (reserved)", enc_c_lwsp(0, wsp_offs[o]));
				add_invalid("c.ldsp x0 (reserved)", enc_c_ldsp(0, dsp_offs[o]));
			}
			add(CLS_C_STORE, "c.swsp", enc_c_swsp(r, wsp_offs[o]), from_compressed(enc_store(SW, r, 0, 0)),
			    exp_store(4, r, 2));
			add(CLS_C_STORE, "c.sdsp", enc_c_sdsp(r, dsp_offs[o]), from_compressed(enc_store(SD, r, 0, 0)),
			    exp_store(8, r, 2));
		}
	/* f0 is a valid target for c.fldsp, unlike x0 for c.ldsp. */
	for (unsigned r = 0; r < ARRAY_LEN(fregs); r++)
		for (unsigned o = 0; o < 2; o++) {
			add(CLS_FP, "c.fldsp", enc_c_fldsp(fregs[r], dsp_offs[o]),
			    from_compressed(enc_fload(FP_D, fregs[r], 0, 0)), exp_fp(8, fregs[r], 2));
			add(CLS_FP, "c.fsdsp", enc_c_fsdsp(fregs[r], dsp_offs[o]),
			    from_compressed(enc_fstore(FP_D, fregs[r], 0, 0)), exp_fp(8, fregs[r], 2));
		}
}

static void add_fp_amo(void)
{
	for (unsigned i = 0; i < ARRAY_LEN(fp_widths); i++)
		for (unsigned r = 0; r < ARRAY_LEN(fregs); r++)
			for (unsigned b = 0; b < 2; b++) {
				uint32_t f3 = fp_widths[i].f3, fr = fregs[r];

				add(CLS_FP, "fl[hwd]", enc_fload(f3, fr, bases[b].rs1, bases[b].imm),
				    enc_fload(f3, fr, 0, 0), exp_fp(fp_widths[i].width, fr, 4));
				add(CLS_FP, "fs[hwd]", enc_fstore(f3, fr, bases[b].rs1, bases[b].imm),
				    enc_fstore(f3, fr, 0, 0), exp_fp(fp_widths[i].width, fr, 4));
			}
	/* Transformed AMOs keep rd, rs2, funct5 and aq/rl; rs1 becomes the address offset (0 here). */
	for (unsigned i = 0; i < ARRAY_LEN(amos); i++)
		for (uint32_t aqrl = 0; aqrl < 4; aqrl++)
			for (unsigned r = 0; r < 2; r++) {
				uint32_t rd = r ? 31 : 10, rs2 = amos[i].f5 == LR ? 0 : (r ? 1 : 11), rs1 = r ? 15 : 2;
				uint32_t aq = aqrl >> 1, rl = aqrl & 1;

				add(CLS_AMO, amos[i].name, enc_amo(amos[i].f5, AMO_W, aq, rl, rd, rs2, rs1),
				    enc_amo(amos[i].f5, AMO_W, aq, rl, rd, rs2, 0), exp_amo(4, rd));
				add(CLS_AMO, amos[i].name, enc_amo(amos[i].f5, AMO_D, aq, rl, rd, rs2, rs1),
				    enc_amo(amos[i].f5, AMO_D, aq, rl, rd, rs2, 0), exp_amo(8, rd));
			}
}

static int amo_defined(uint32_t f5)
{
	for (unsigned i = 0; i < ARRAY_LEN(amos); i++)
		if (amos[i].f5 == f5)
			return 1;
	return 0;
}

static void add_invalids(void)
{
	/* The hand-picked ones: from objdump (see test_objdump_cross_check) and the edges. */
	add_invalid("all zeros (defined illegal)", 0x00000000);
	add_invalid("all ones", 0xffffffff);
	add_invalid("addi a0,a0,1", enc_i(OP_IMM, 0, A0, A0, 1));
	add_invalid("jal ra,.", OP_JAL | RA << 7);
	add_invalid("csrrw a0,sscratch,a0", enc_i(OP_SYSTEM, CSRRW, A0, A0, CSR_SSCRATCH));
	add_invalid("ecall", OP_SYSTEM);
	add_invalid("wfi", INSN_WFI);
	add_invalid("c.nop", 0x0001);
	add_invalid("c.addi4spn a0,sp,16", 0x0808);
	add_invalid("c.addi4spn, upper half nonzero", 0xffff0808);
	add_invalid("c.ebreak", c_op(C_Q2, C2_JR_MV_ADD) | 1 << 12);
	add_invalid("c.unimp (0x0000 in the low half)", 0x12340000);

	for (unsigned r = 0; r < ARRAY_LEN(regs32); r++)
		for (unsigned b = 0; b < ARRAY_LEN(bases); b++) {
			uint32_t rd = regs32[r], rs1 = bases[b].rs1;
			int32_t imm = bases[b].imm;

			add_invalid("load funct3 7", enc_load(LOAD_F3_RESERVED, rd, rs1, imm));
			for (uint32_t f3 = 4; f3 < 8; f3++)
				add_invalid("store funct3 4-7", enc_store(f3, rd, rs1, imm));
			/* funct3 0 and 5-7 of LOAD-FP/STORE-FP are vector accesses; 4 is FLQ/FSQ. */
			for (uint32_t f3 = 0; f3 < 8; f3++) {
				if (f3 >= FP_H && f3 <= FP_D)
					continue;
				add_invalid("load-fp other funct3", enc_fload(f3, rd, rs1, imm));
				add_invalid("store-fp other funct3", enc_fstore(f3, rd, rs1, imm));
			}
		}
	/* AMO: only W and D, only the funct5 values RV64A defines, and LR with rs2 = 0. */
	for (uint32_t f3 = 0; f3 < 8; f3++)
		if (f3 != AMO_W && f3 != AMO_D)
			add_invalid("amo funct3 not W/D", enc_amo(AMOADD, f3, 0, 0, A0, A1, A2));
	for (uint32_t f5 = 0; f5 < 32; f5++)
		if (!amo_defined(f5)) {
			add_invalid("amo undefined funct5", enc_amo(f5, AMO_W, 0, 0, A0, A1, A2));
			add_invalid("amo undefined funct5", enc_amo(f5, AMO_D, 1, 1, T6, T6, T6));
		}
	add_invalid("lr.w rs2 != 0", enc_amo(LR, AMO_W, 0, 0, A0, A1, A2));
	add_invalid("lr.d rs2 != 0", enc_amo(LR, AMO_D, 0, 0, A0, 1, A2));
	/* Every other major opcode (bits 1:0 = 11), including the >32-bit length prefixes. */
	for (uint32_t op = 3; op < 0x80; op += 4)
		if (op != OP_LOAD && op != OP_LOAD_FP && op != OP_STORE && op != OP_STORE_FP && op != OP_AMO)
			for (uint32_t f3 = 0; f3 < 8; f3++)
				add_invalid("other opcode", enc_i(op, f3, A0, A1, 16));
	/* Compressed: quadrant 1 has no loads/stores; Q0 funct3 000/100 and Q2 funct3 000/100 either. */
	for (uint32_t f3 = 0; f3 < 8; f3++)
		for (uint32_t body = 0; body < 4; body++) {
			uint32_t fields = body * 0x0554 + 0x0100; /* a spread of bits 12:2, never all zero */

			add_invalid("quadrant 1", c_op(C_Q1, f3) | fields);
			if (f3 == C0_ADDI4SPN || f3 == C0_RESERVED)
				add_invalid("quadrant 0 funct3 000/100", c_op(C_Q0, f3) | fields);
			if (f3 == C2_SLLI || f3 == C2_JR_MV_ADD)
				add_invalid("quadrant 2 funct3 000/100", c_op(C_Q2, f3) | fields);
		}
}

static void build_table(void)
{
	if (ncases)
		return;
	add_loads_stores();
	add_compressed();
	add_fp_amo();
	add_invalids();
}

static void check_class(enum cls cls)
{
	unsigned n = 0;

	build_table();
	for (unsigned i = 0; i < ncases; i++)
		if (table[i].cls == cls) {
			check_decode(table[i].what, table[i].insn, &table[i].want);
			n++;
		}
	assert_true(n > 0);
}

static void test_loads(void **state)
{
	(void)state;
	check_class(CLS_LOAD);
}

static void test_stores(void **state)
{
	(void)state;
	check_class(CLS_STORE);
}

static void test_compressed_loads(void **state)
{
	(void)state;
	check_class(CLS_C_LOAD);
}

static void test_compressed_stores(void **state)
{
	(void)state;
	check_class(CLS_C_STORE);
}

static void test_fp_classified(void **state)
{
	(void)state;
	check_class(CLS_FP);
}

static void test_amo_classified(void **state)
{
	(void)state;
	check_class(CLS_AMO);
}

static void test_invalid(void **state)
{
	(void)state;
	check_class(CLS_INVALID);
}

/* A 16-bit instruction is the low half only: whatever follows it in memory does not matter. */
static void test_compressed_ignores_upper_half(void **state)
{
	static const uint32_t uppers[] = { 0xffff0000, 0x12340000, 0x00030000 };

	(void)state;
	build_table();
	for (unsigned i = 0; i < ncases; i++) {
		if (insn_length(table[i].insn) != 2 || (table[i].insn >> 16))
			continue;
		for (unsigned u = 0; u < ARRAY_LEN(uppers); u++)
			check_decode(table[i].what, table[i].insn | uppers[u], &table[i].want);
	}
}

/* A decode that fails after one that succeeded must not leave the old answer in place. */
static void test_invalid_overwrites_previous_result(void **state)
{
	struct mmio_insn mi;

	(void)state;
	assert_int_equal(insn_decode_mmio(enc_load(LD, A0, A1, 0), &mi), 0);
	assert_int_equal(mi.kind, MMIO_INSN_LOAD);
	assert_int_equal(insn_decode_mmio(enc_i(OP_IMM, 0, A0, A0, 1), &mi), -1);
	assert_int_equal(mi.kind, MMIO_INSN_INVALID);
	assert_int_equal(insn_decode_mmio(enc_c_sd(S0, S1, 8), &mi), 0);
	assert_int_equal(mi.kind, MMIO_INSN_STORE);
	assert_int_equal(insn_decode_htinst(PSEUDO_READ_64, &mi), -1);
	assert_int_equal(mi.kind, MMIO_INSN_INVALID);
}

/*
 * Hex from `riscv64-linux-gnu-objdump -d -M no-aliases` of the listed instructions assembled with
 * `riscv64-linux-gnu-gcc -c -march=rv64gc` (32-bit ones under `.option norvc`; flh/fsh/flq with
 * -march=rv64imafdqc_zfh). Each must equal our encoder's output and decode as expected.
 */
static void test_objdump_cross_check(void **state)
{
	const struct {
		const char *asm_text;
		uint32_t hex, enc;
		struct expect want;
	} t[] = {
		{ "lb a0,0(a1)", 0x00058503, enc_load(LB, A0, A1, 0), exp_load(1, 1, A0, 4) },
		{ "lh t0,-2(s1)", 0xffe49283, enc_load(LH, T0, S1, -2), exp_load(2, 1, T0, 4) },
		{ "lw ra,2047(sp)", 0x7ff12083, enc_load(LW, RA, SP, 2047), exp_load(4, 1, RA, 4) },
		{ "ld t6,-2048(a5)", 0x8007bf83, enc_load(LD, T6, A5, -2048), exp_load(8, 0, T6, 4) },
		{ "lbu s0,1(a0)", 0x00154403, enc_load(LBU, S0, A0, 1), exp_load(1, 0, S0, 4) },
		{ "lhu a5,6(t1)", 0x00635783, enc_load(LHU, A5, T1, 6), exp_load(2, 0, A5, 4) },
		{ "lwu t6,12(t6)", 0x00cfef83, enc_load(LWU, T6, T6, 12), exp_load(4, 0, T6, 4) },
		{ "sb a0,0(a1)", 0x00a58023, enc_store(SB, A0, A1, 0), exp_store(1, A0, 4) },
		{ "sh t0,-4(s1)", 0xfe549e23, enc_store(SH, T0, S1, -4), exp_store(2, T0, 4) },
		{ "sw ra,100(sp)", 0x06112223, enc_store(SW, RA, SP, 100), exp_store(4, RA, 4) },
		{ "sd t6,-8(a5)", 0xfff7bc23, enc_store(SD, T6, A5, -8), exp_store(8, T6, 4) },
		{ "flw fa0,4(a1)", 0x0045a507, enc_fload(FP_W, FA0, A1, 4), exp_fp(4, FA0, 4) },
		{ "fld fs1,8(a2)", 0x00863487, enc_fload(FP_D, FS1, A2, 8), exp_fp(8, FS1, 4) },
		{ "fsw ft0,12(a3)", 0x0006a627, enc_fstore(FP_W, FT0, A3, 12), exp_fp(4, FT0, 4) },
		{ "fsd ft11,-16(a4)", 0xfff73827, enc_fstore(FP_D, FT11, A4, -16), exp_fp(8, FT11, 4) },
		{ "flh fa0,2(a1)", 0x00259507, enc_fload(FP_H, FA0, A1, 2), exp_fp(2, FA0, 4) },
		{ "fsh ft3,6(s0)", 0x00341327, enc_fstore(FP_H, FT3, S0, 6), exp_fp(2, FT3, 4) },
		{ "flq fa0,0(a1)", 0x0005c507, enc_fload(FP_Q, FA0, A1, 0), exp_invalid() },
		{ "amoadd.w a0,a1,(a2)", 0x00b6252f, enc_amo(AMOADD, AMO_W, 0, 0, A0, A1, A2), exp_amo(4, A0) },
		{ "amoadd.d.aqrl t0,t1,(t2)", 0x0663b2af, enc_amo(AMOADD, AMO_D, 1, 1, T0, T1, T2), exp_amo(8, T0) },
		{ "amoswap.w.aq s2,s3,(s4)", 0x0d3a292f, enc_amo(AMOSWAP, AMO_W, 1, 0, S2, S3, S4), exp_amo(4, S2) },
		{ "lr.w a3,(a4)", 0x100726af, enc_amo(LR, AMO_W, 0, 0, A3, ZERO, A4), exp_amo(4, A3) },
		{ "sc.d a5,a6,(a7)", 0x1908b7af, enc_amo(SC, AMO_D, 0, 0, A5, A6, A7), exp_amo(8, A5) },
		{ "lr.d.aq t3,(t4)", 0x140ebe2f, enc_amo(LR, AMO_D, 1, 0, T3, ZERO, T4), exp_amo(8, T3) },
		{ "amomaxu.d ra,sp,(gp)", 0xe021b0af, enc_amo(AMOMAXU, AMO_D, 0, 0, RA, SP, GP), exp_amo(8, RA) },
		{ "c.lw a0,4(a1)", 0x41c8, enc_c_lw(A0, A1, 4), exp_load(4, 1, A0, 2) },
		{ "c.ld s0,8(a5)", 0x6780, enc_c_ld(S0, A5, 8), exp_load(8, 0, S0, 2) },
		{ "c.sw a2,124(s1)", 0xdcf0, enc_c_sw(A2, S1, 124), exp_store(4, A2, 2) },
		{ "c.sd a3,248(a4)", 0xff74, enc_c_sd(A3, A4, 248), exp_store(8, A3, 2) },
		{ "c.lwsp ra,252(sp)", 0x50fe, enc_c_lwsp(RA, 252), exp_load(4, 1, RA, 2) },
		{ "c.ldsp t6,504(sp)", 0x7ffe, enc_c_ldsp(T6, 504), exp_load(8, 0, T6, 2) },
		{ "c.swsp s11,0(sp)", 0xc06e, enc_c_swsp(S11, 0), exp_store(4, S11, 2) },
		{ "c.swsp ra,100(sp)", 0xd286, enc_c_swsp(RA, 100), exp_store(4, RA, 2) },
		{ "c.sdsp a0,8(sp)", 0xe42a, enc_c_sdsp(A0, 8), exp_store(8, A0, 2) },
		{ "c.fld fa0,16(a1)", 0x2988, enc_c_fld(FA0, A1, 16), exp_fp(8, FA0, 2) },
		{ "c.fld fs1,8(a2)", 0x2604, enc_c_fld(FS1, A2, 8), exp_fp(8, FS1, 2) },
		{ "c.fsd fs1,24(a2)", 0xae04, enc_c_fsd(FS1, A2, 24), exp_fp(8, FS1, 2) },
		{ "c.fldsp ft1,32(sp)", 0x3082, enc_c_fldsp(FT1, 32), exp_fp(8, FT1, 2) },
		{ "c.fsdsp fs0,40(sp)", 0xb422, enc_c_fsdsp(FS0, 40), exp_fp(8, FS0, 2) },
		{ "addi a0,a0,1", 0x00150513, enc_i(OP_IMM, 0, A0, A0, 1), exp_invalid() },
		{ "jal ra,.", 0x000000ef, OP_JAL | RA << 7, exp_invalid() },
		{ "csrrw a0,sscratch,a0", 0x14051573, enc_i(OP_SYSTEM, CSRRW, A0, A0, CSR_SSCRATCH), exp_invalid() },
		{ "ecall", 0x00000073, OP_SYSTEM, exp_invalid() },
		{ "c.nop", 0x0001, c_op(C_Q1, 0), exp_invalid() },
		{ "c.addi4spn a0,sp,16", 0x0808, c_op(C_Q0, C0_ADDI4SPN) | ((16 >> 4) & 3) << 11 | creg(A0) << 2,
		  exp_invalid() },
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(t); i++) {
		if (t[i].enc != t[i].hex)
			fail_msg("%s: encoder gives %#010x, objdump says %#010x", t[i].asm_text, t[i].enc, t[i].hex);
		check_decode(t[i].asm_text, t[i].hex, &t[i].want);
	}
	print_message("objdump cross-check: %u real encodings\n", (unsigned)ARRAY_LEN(t));
}

/* ---- insn_extend_load ---- */

static void test_extend_load(void **state)
{
	const struct {
		const char *name;
		uint32_t insn;
		uint64_t value, want;
	} t[] = {
		{ "lb 0x80", enc_load(LB, A0, A1, 0), 0x80, 0xffffffffffffff80 },
		{ "lbu 0x80", enc_load(LBU, A0, A1, 0), 0x80, 0x80 },
		{ "lb 0x7f", enc_load(LB, A0, A1, 0), 0x7f, 0x7f },
		{ "lb 0xff", enc_load(LB, A0, A1, 0), 0xff, 0xffffffffffffffff },
		{ "lh 0x8000", enc_load(LH, A0, A1, 0), 0x8000, 0xffffffffffff8000 },
		{ "lhu 0x8000", enc_load(LHU, A0, A1, 0), 0x8000, 0x8000 },
		{ "lh 0x7fff", enc_load(LH, A0, A1, 0), 0x7fff, 0x7fff },
		{ "lw 0x80000000", enc_load(LW, A0, A1, 0), 0x80000000, 0xffffffff80000000 },
		{ "lwu 0x80000000", enc_load(LWU, A0, A1, 0), 0x80000000, 0x80000000 },
		{ "lw 0x7fffffff", enc_load(LW, A0, A1, 0), 0x7fffffff, 0x7fffffff },
		{ "ld 0x8000000000000000", enc_load(LD, A0, A1, 0), 0x8000000000000000, 0x8000000000000000 },
		{ "ld all ones", enc_load(LD, A0, A1, 0), 0xffffffffffffffff, 0xffffffffffffffff },
		{ "ld 0x0123456789abcdef", enc_load(LD, A0, A1, 0), 0x0123456789abcdef, 0x0123456789abcdef },
		/* Bits above the width are masked off before extending. */
		{ "lb high garbage, positive", enc_load(LB, A0, A1, 0), 0xdeadbeefcafe1234, 0x34 },
		{ "lb high garbage, negative", enc_load(LB, A0, A1, 0), 0x12345678000000f0, 0xfffffffffffffff0 },
		{ "lbu high garbage", enc_load(LBU, A0, A1, 0), 0xffffffffffffff80, 0x80 },
		{ "lh high garbage", enc_load(LH, A0, A1, 0), 0xffffffff00001234, 0x1234 },
		{ "lhu high garbage", enc_load(LHU, A0, A1, 0), 0xffffffffffff8001, 0x8001 },
		{ "lw high garbage", enc_load(LW, A0, A1, 0), 0xffffffff7fffffff, 0x7fffffff },
		{ "lwu high garbage", enc_load(LWU, A0, A1, 0), 0xffffffff80000001, 0x80000001 },
		{ "lw high garbage, negative", enc_load(LW, A0, A1, 0), 0x00000001fffffffe, 0xfffffffffffffffe },
		/* The compressed forms extend like their 32-bit twins. */
		{ "c.lw 0x80000000", enc_c_lw(A0, A1, 0), 0x80000000, 0xffffffff80000000 },
		{ "c.lwsp 0x80000000", enc_c_lwsp(RA, 0), 0x80000000, 0xffffffff80000000 },
		{ "c.ld 0x8000000000000000", enc_c_ld(S0, S1, 0), 0x8000000000000000, 0x8000000000000000 },
		{ "c.ldsp all ones", enc_c_ldsp(T6, 8), 0xffffffffffffffff, 0xffffffffffffffff },
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(t); i++) {
		struct mmio_insn mi;
		uint64_t got;

		assert_int_equal(insn_decode_mmio(t[i].insn, &mi), 0);
		assert_int_equal(mi.kind, MMIO_INSN_LOAD);
		got = insn_extend_load(&mi, t[i].value);
		if (got != t[i].want)
			fail_msg("%s: extend %#llx -> %#llx, want %#llx", t[i].name, (unsigned long long)t[i].value,
				 (unsigned long long)got, (unsigned long long)t[i].want);
	}
}

/* Width and sign are all that matter: a hand-filled struct extends the same way. */
static void test_extend_load_every_width(void **state)
{
	static const struct {
		unsigned width;
		uint64_t zext, sext;
	} t[] = {
		{ 1, 0xa5, 0xffffffffffffffa5 },
		{ 2, 0xa5a5, 0xffffffffffffa5a5 },
		{ 4, 0xa5a5a5a5, 0xffffffffa5a5a5a5 },
		{ 8, 0xa5a5a5a5a5a5a5a5, 0xa5a5a5a5a5a5a5a5 },
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(t); i++) {
		struct mmio_insn mi = { MMIO_INSN_LOAD, t[i].width, 0, A0, 4 };

		assert_int_equal(insn_extend_load(&mi, 0xa5a5a5a5a5a5a5a5), t[i].zext);
		mi.sign_extend = 1;
		assert_int_equal(insn_extend_load(&mi, 0xa5a5a5a5a5a5a5a5), t[i].sext);
	}
}

/* ---- insn_decode_htinst ---- */

static void test_htinst_zero_and_pseudo(void **state)
{
	static const unsigned long none[] = { 0, PSEUDO_READ_32, PSEUDO_WRITE_32, PSEUDO_READ_64, PSEUDO_WRITE_64 };
	const struct expect inv = exp_invalid();

	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(none); i++)
		check_htinst("zero or pseudo-instruction", none[i], &inv);
}

/* The pseudo-instructions of a VS-stage walk's implicit access, and nothing else, are recognized as such. */
static void test_htinst_pseudo_recognized(void **state)
{
	static const unsigned long pseudo[] = { PSEUDO_READ_32, PSEUDO_WRITE_32, PSEUDO_READ_64, PSEUDO_WRITE_64 };

	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(pseudo); i++)
		assert_true(htinst_is_pseudo(pseudo[i]));
	assert_false(htinst_is_pseudo(0));
	assert_false(htinst_is_pseudo(enc_load(LD, A0, 0, 0)));
	assert_false(htinst_is_pseudo(PSEUDO_READ_64 | 1));
	assert_false(htinst_is_pseudo(PSEUDO_READ_64 | 0x10));
}

/* Which way a memory instruction goes (the access fault it gets): stores, SC and AMOs write; loads and LR read. */
static void test_mem_writes(void **state)
{
	(void)state;
	assert_int_equal(insn_mem_writes(enc_load(LW, A0, S0, 4)), 0);
	assert_int_equal(insn_mem_writes(enc_store(SD, A0, S0, 8)), 1);
	assert_int_equal(insn_mem_writes(enc_fload(FP_D, FA0, S0, 0)), 0);
	assert_int_equal(insn_mem_writes(enc_fstore(FP_W, FA0, S0, 0)), 1);
	assert_int_equal(insn_mem_writes(enc_amo(LR, AMO_W, 0, 0, A0, 0, S0)), 0);
	assert_int_equal(insn_mem_writes(enc_amo(LR, AMO_D, 1, 0, A0, 0, S0)), 0);
	assert_int_equal(insn_mem_writes(enc_amo(SC, AMO_D, 0, 0, A0, RA, S0)), 1);
	assert_int_equal(insn_mem_writes(enc_amo(AMOADD, AMO_W, 0, 0, A0, RA, S0)), 1);
	assert_int_equal(insn_mem_writes(enc_c_lw(A0, S0, 4)), 0);
	assert_int_equal(insn_mem_writes(enc_c_sw(A0, S0, 4)), 1);
	assert_int_equal(insn_mem_writes(enc_c_fld(FA0, S0, 8)), 0);
	assert_int_equal(insn_mem_writes(enc_c_fsd(FA0, S0, 8)), 1);
	assert_int_equal(insn_mem_writes(enc_c_ldsp(A0, 8)), 0);
	assert_int_equal(insn_mem_writes(enc_c_sdsp(A0, 8)), 1);
	assert_int_equal(insn_mem_writes(enc_c_swsp(A0, 4)), 1);
	assert_int_equal(insn_mem_writes(enc_i(OP_IMM, 0, A0, A0, 1)), -1);
	assert_int_equal(insn_mem_writes(0), -1);
}

/* Bit 0 clear means "not a transformed instruction", even if the rest looks like a load. */
static void test_htinst_bit0_clear(void **state)
{
	const struct expect inv = exp_invalid();

	(void)state;
	check_htinst("ld a0 with bits 1:0 = 10", enc_load(LD, A0, 0, 0) & ~1u, &inv);
	check_htinst("sw ra with bits 1:0 = 00", enc_store(SW, RA, 0, 0) & ~3u, &inv);
}

/* Transformed non-memory instructions and values wider than 32 bits are not decoded. */
static void test_htinst_rejects_others(void **state)
{
	const struct expect inv = exp_invalid();

	(void)state;
	check_htinst("addi", enc_i(OP_IMM, 0, A0, A0, 1), &inv);
	check_htinst("ecall", OP_SYSTEM, &inv);
	check_htinst("load funct3 7", enc_load(LOAD_F3_RESERVED, A0, 0, 0), &inv);
	check_htinst("load funct3 7 from 16-bit", from_compressed(enc_load(LOAD_F3_RESERVED, A0, 0, 0)), &inv);
	check_htinst("bits above 31", (1UL << 32) | enc_load(LD, A0, 0, 0), &inv);
}

/* For every table entry that traps as itself: htinst (rs1 and offset zeroed) decodes the same, len 4. */
static void test_htinst_transformed_32bit(void **state)
{
	unsigned n = 0;

	(void)state;
	build_table();
	for (unsigned i = 0; i < ncases; i++) {
		if (!table[i].htinst || insn_length(table[i].insn) != 4)
			continue;
		assert_int_equal(table[i].htinst & HTINST_ORIG_32BIT, HTINST_ORIG_32BIT);
		check_htinst(table[i].what, table[i].htinst, &table[i].want);
		n++;
	}
	assert_true(n > 0);
}

/* For every compressed entry: the 32-bit equivalent with bit 1 clear decodes the same, len 2. */
static void test_htinst_transformed_compressed(void **state)
{
	unsigned n = 0;

	(void)state;
	build_table();
	for (unsigned i = 0; i < ncases; i++) {
		if (!table[i].htinst || insn_length(table[i].insn) != 2)
			continue;
		assert_int_equal(table[i].htinst & HTINST_ORIG_32BIT, 0);
		assert_int_equal(table[i].want.mi.len, 2);
		check_htinst(table[i].what, table[i].htinst, &table[i].want);
		n++;
	}
	assert_true(n > 0);
}

/* Hand-computed htinst values (priv spec 8.6.3 transformation) as hardware would report them. */
static void test_htinst_examples(void **state)
{
	struct expect want;

	(void)state;
	want = exp_load(4, 1, A0, 2);
	check_htinst("c.lw a0 -> lw a0,0(x0) bit1 clear", 0x00002501, &want);
	want = exp_load(4, 1, A0, 4);
	check_htinst("lw a0 -> lw a0,0(x0)", 0x00002503, &want);
	want = exp_store(8, A0, 2);
	check_htinst("c.sdsp a0 -> sd a0,0(x0) bit1 clear", 0x00a03021, &want);
	want = exp_store(8, A0, 4);
	check_htinst("sd a0 -> sd a0,0(x0)", 0x00a03023, &want);
	want = exp_amo(8, A5);
	check_htinst("sc.d a5,a6 with rs1 = offset 0", 0x190037af, &want);
}

/* Print and sanity-check the size of the generated table, by class. */
static void test_table_summary(void **state)
{
	unsigned per[CLS_N] = { 0 };

	(void)state;
	build_table();
	for (unsigned i = 0; i < ncases; i++)
		per[table[i].cls]++;
	print_message("insn table: %u encodings:", ncases);
	for (unsigned c = 0; c < CLS_N; c++) {
		print_message(" %s %u", cls_names[c], per[c]);
		assert_true(per[c] > 0);
	}
	print_message("\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_objdump_cross_check),
		cmocka_unit_test(test_loads),
		cmocka_unit_test(test_stores),
		cmocka_unit_test(test_compressed_loads),
		cmocka_unit_test(test_compressed_stores),
		cmocka_unit_test(test_fp_classified),
		cmocka_unit_test(test_amo_classified),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_compressed_ignores_upper_half),
		cmocka_unit_test(test_invalid_overwrites_previous_result),
		cmocka_unit_test(test_extend_load),
		cmocka_unit_test(test_extend_load_every_width),
		cmocka_unit_test(test_htinst_zero_and_pseudo),
		cmocka_unit_test(test_htinst_pseudo_recognized),
		cmocka_unit_test(test_mem_writes),
		cmocka_unit_test(test_htinst_bit0_clear),
		cmocka_unit_test(test_htinst_rejects_others),
		cmocka_unit_test(test_htinst_transformed_32bit),
		cmocka_unit_test(test_htinst_transformed_compressed),
		cmocka_unit_test(test_htinst_examples),
		cmocka_unit_test(test_table_summary),
	};

	return run_unit_tests(tests);
}
