/*
 * Load/store decoding for MMIO emulation: the RV64I, F/D, A and C encodings (unpriv spec, with its
 * "RV32/64G Instruction Set Listings" and "RVC Instruction Set Listings") and the transformed
 * instructions of htinst (priv spec 8.6.3). Pure logic, no CSR access: also built for the host unit tests.
 */
#include "vcpu/insn.h"

/* 32-bit formats: field positions (unpriv spec, "Base Instruction Formats"). */
#define OPCODE_MASK 0x7fU
#define RD_SHIFT 7
#define FUNCT3_SHIFT 12
#define RS2_SHIFT 20
#define FUNCT5_SHIFT 27 /* AMO funct5 = funct7[6:2]; funct7[1:0] are aq/rl */
#define REG_FIELD_MASK 0x1fU
#define FUNCT3_MASK 0x7U
#define FUNCT5_MASK 0x1fU

/* Major opcodes, bits 6:0 (unpriv spec, "RISC-V base opcode map"). */
#define OPCODE_LOAD 0x03
#define OPCODE_LOAD_FP 0x07
#define OPCODE_STORE 0x23
#define OPCODE_STORE_FP 0x27
#define OPCODE_AMO 0x2f

/* funct3 of LOAD / STORE: bits 1:0 are log2(width), bit 2 means zero-extend. */
#define F3_B 0
#define F3_H 1
#define F3_W 2
#define F3_D 3
#define F3_BU 4
#define F3_HU 5
#define F3_WU 6
#define F3_WIDTH_MASK 0x3U
#define F3_UNSIGNED 0x4U

/* AMO funct5 (unpriv spec, "A" extension: LR/SC and AMOs). */
#define AMO_ADD 0x00
#define AMO_SWAP 0x01
#define AMO_LR 0x02
#define AMO_SC 0x03
#define AMO_XOR 0x04
#define AMO_OR 0x08
#define AMO_AND 0x0c
#define AMO_MIN 0x10
#define AMO_MAX 0x14
#define AMO_MINU 0x18
#define AMO_MAXU 0x1c

/* Compressed formats (unpriv spec, "C" extension): quadrant in bits 1:0, funct3 in bits 15:13. */
#define C_QUADRANT_MASK 0x3U
#define C_FUNCT3_SHIFT 13
#define C_REG_PRIME_SHIFT 2 /* rd' (CL) and rs2' (CS): bits 4:2 */
#define C_REG_PRIME_MASK 0x7U
#define C_REG_PRIME_BASE 8 /* rd'/rs2' name x8..x15 */
#define C_RD_SHIFT 7 /* rd (CI): bits 11:7 */
#define C_RS2_SHIFT 2 /* rs2 (CSS): bits 6:2 */
#define C_INSN_MASK 0xffffU /* a compressed instruction is the low half only */

#define C_QUADRANT_0 0x0
#define C_QUADRANT_2 0x2

/* Quadrant 0 funct3 (RVC opcode map). */
#define C0_F3_FLD 1
#define C0_F3_LW 2
#define C0_F3_LD 3
#define C0_F3_FSD 5
#define C0_F3_SW 6
#define C0_F3_SD 7

/* Quadrant 2 funct3 (RVC opcode map). */
#define C2_F3_FLDSP 1
#define C2_F3_LWSP 2
#define C2_F3_LDSP 3
#define C2_F3_FSDSP 5
#define C2_F3_SWSP 6
#define C2_F3_SDSP 7

#define HTINST_INSN_MASK 0xffffffffUL
/* STORE, STORE-FP and AMO differ from LOAD and LOAD-FP in opcode bit 5; RVC stores in funct3 bit 2. */
#define OPCODE_STORE_BIT 0x20U
#define C_FUNCT3_STORE_BIT 0x4U

/* Where the reported register lives in the encoding. */
enum reg_field {
	REG_RD, /* 32-bit rd, bits 11:7 */
	REG_RS2, /* 32-bit rs2, bits 24:20 */
	REG_C_PRIME, /* compressed rd'/rs2', bits 4:2, x8 + field */
	REG_C_RD, /* compressed CI rd, bits 11:7 */
	REG_C_RS2, /* compressed CSS rs2, bits 6:2 */
};

/* One encoding: (insn & mask) == match. */
struct insn_form {
	uint32_t mask, match;
	enum mmio_insn_kind kind;
	uint8_t width;
	uint8_t sign_extend;
	uint8_t reg; /* enum reg_field */
	uint8_t rd_nonzero; /* rd == 0 is reserved (C.LWSP, C.LDSP) */
};

#define MASK_F3 ((FUNCT3_MASK << FUNCT3_SHIFT) | OPCODE_MASK)
#define MATCH_F3(op, f3) (((uint32_t)(f3) << FUNCT3_SHIFT) | (op))
#define MASK_AMO ((FUNCT5_MASK << FUNCT5_SHIFT) | MASK_F3)
#define MATCH_AMO(f5, f3) (((uint32_t)(f5) << FUNCT5_SHIFT) | MATCH_F3(OPCODE_AMO, f3))
#define MASK_C ((FUNCT3_MASK << C_FUNCT3_SHIFT) | C_QUADRANT_MASK)
#define MATCH_C(q, f3) (((uint32_t)(f3) << C_FUNCT3_SHIFT) | (q))

#define FP_LOAD(f3, w)                                                               \
	{                                                                            \
		MASK_F3, MATCH_F3(OPCODE_LOAD_FP, f3), MMIO_INSN_FP, w, 0, REG_RD, 0 \
	}
#define FP_STORE(f3, w)                                                                \
	{                                                                              \
		MASK_F3, MATCH_F3(OPCODE_STORE_FP, f3), MMIO_INSN_FP, w, 0, REG_RS2, 0 \
	}
#define AMO(f5)                                                               \
	{ MASK_AMO, MATCH_AMO(f5, F3_W), MMIO_INSN_AMO, 4, 0, REG_RD, 0 },    \
	{                                                                     \
		MASK_AMO, MATCH_AMO(f5, F3_D), MMIO_INSN_AMO, 8, 0, REG_RD, 0 \
	}
/* LR.W/LR.D: rs2 must be 0. */
#define MASK_LR (MASK_AMO | (REG_FIELD_MASK << RS2_SHIFT))
#define LR(f3, w)                                                              \
	{                                                                      \
		MASK_LR, MATCH_AMO(AMO_LR, f3), MMIO_INSN_AMO, w, 0, REG_RD, 0 \
	}
#define C_FORM(q, f3, kind, w, s, reg, rdnz)                  \
	{                                                     \
		MASK_C, MATCH_C(q, f3), kind, w, s, reg, rdnz \
	}

/*
 * The 32-bit forms besides LOAD and STORE (decode32 takes those from their fields). FP and AMO
 * forms are only classified (the caller raises an access fault); their `reg` is the f-register
 * and rd respectively.
 * FLH/FSH (Zfh) are classified as FP too; FLQ/FSQ and vector loads/stores are not decoded.
 */
static const struct insn_form insn32_forms[] = {
	FP_LOAD(F3_H, 2), FP_LOAD(F3_W, 4), FP_LOAD(F3_D, 8), FP_STORE(F3_H, 2), FP_STORE(F3_W, 4), FP_STORE(F3_D, 8),
	LR(F3_W, 4),	  LR(F3_D, 8),	    AMO(AMO_SC),      AMO(AMO_SWAP),	 AMO(AMO_ADD),	    AMO(AMO_XOR),
	AMO(AMO_AND),	  AMO(AMO_OR),	    AMO(AMO_MIN),     AMO(AMO_MAX),	 AMO(AMO_MINU),	    AMO(AMO_MAXU),
};

/* Every RV64C load/store (quadrant 1 has none), indexed by quadrant and funct3: one lookup. */
#define C_QUADRANTS 3 /* quadrant 3 (bits 11) is a 32-bit instruction */
#define C_FUNCT3_COUNT 8
#define C_INDEX(q, f3) ((q)*C_FUNCT3_COUNT + (f3))
#define C_AT(q, f3, kind, w, s, reg, rdnz) [C_INDEX(q, f3)] = C_FORM(q, f3, kind, w, s, reg, rdnz)
static const struct insn_form insn16_forms[C_QUADRANTS * C_FUNCT3_COUNT] = {
	C_AT(C_QUADRANT_0, C0_F3_LW, MMIO_INSN_LOAD, 4, 1, REG_C_PRIME, 0),
	C_AT(C_QUADRANT_0, C0_F3_LD, MMIO_INSN_LOAD, 8, 0, REG_C_PRIME, 0),
	C_AT(C_QUADRANT_0, C0_F3_SW, MMIO_INSN_STORE, 4, 0, REG_C_PRIME, 0),
	C_AT(C_QUADRANT_0, C0_F3_SD, MMIO_INSN_STORE, 8, 0, REG_C_PRIME, 0),
	C_AT(C_QUADRANT_0, C0_F3_FLD, MMIO_INSN_FP, 8, 0, REG_C_PRIME, 0),
	C_AT(C_QUADRANT_0, C0_F3_FSD, MMIO_INSN_FP, 8, 0, REG_C_PRIME, 0),
	C_AT(C_QUADRANT_2, C2_F3_LWSP, MMIO_INSN_LOAD, 4, 1, REG_C_RD, 1),
	C_AT(C_QUADRANT_2, C2_F3_LDSP, MMIO_INSN_LOAD, 8, 0, REG_C_RD, 1),
	C_AT(C_QUADRANT_2, C2_F3_SWSP, MMIO_INSN_STORE, 4, 0, REG_C_RS2, 0),
	C_AT(C_QUADRANT_2, C2_F3_SDSP, MMIO_INSN_STORE, 8, 0, REG_C_RS2, 0),
	C_AT(C_QUADRANT_2, C2_F3_FLDSP, MMIO_INSN_FP, 8, 0, REG_C_RD, 0),
	C_AT(C_QUADRANT_2, C2_F3_FSDSP, MMIO_INSN_FP, 8, 0, REG_C_RS2, 0),
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

__attribute__((hot)) static unsigned reg_number(uint32_t insn, enum reg_field f)
{
	switch (f) {
	case REG_RD:
	case REG_C_RD:
		return (insn >> RD_SHIFT) & REG_FIELD_MASK;
	case REG_RS2:
		return (insn >> RS2_SHIFT) & REG_FIELD_MASK;
	case REG_C_PRIME:
		return C_REG_PRIME_BASE + ((insn >> C_REG_PRIME_SHIFT) & C_REG_PRIME_MASK);
	case REG_C_RS2:
		return (insn >> C_RS2_SHIFT) & REG_FIELD_MASK;
	}
	return 0;
}

/* One form matched: fill *out (-1 for a reserved register choice). */
__attribute__((hot)) static int take(uint32_t insn, const struct insn_form *f, unsigned len, struct mmio_insn *out)
{
	unsigned reg = reg_number(insn, (enum reg_field)f->reg);

	if (f->rd_nonzero && reg == 0)
		return -1;
	out->kind = f->kind;
	out->width = f->width;
	out->sign_extend = f->sign_extend;
	out->reg = reg;
	out->len = len;
	return 0;
}

/*
 * A 32-bit instruction. Loads and stores, what devices see, straight from their fields (funct3
 * bits 1:0 are log2 of the width, bit 2 asks for zero-extension); FP and AMO forms from the table.
 */
__attribute__((hot)) static int decode32(uint32_t insn, unsigned len, struct mmio_insn *out)
{
	unsigned opcode = insn & OPCODE_MASK, f3 = (insn >> FUNCT3_SHIFT) & FUNCT3_MASK;

	*out = (struct mmio_insn){ .kind = MMIO_INSN_INVALID };
	if ((opcode == OPCODE_LOAD && f3 <= F3_WU) || (opcode == OPCODE_STORE && f3 <= F3_D)) {
		out->width = 1U << (f3 & F3_WIDTH_MASK);
		out->len = len;
		if (opcode == OPCODE_LOAD) {
			out->kind = MMIO_INSN_LOAD;
			out->sign_extend = !(f3 & F3_UNSIGNED) && out->width < sizeof(uint64_t);
			out->reg = reg_number(insn, REG_RD);
		} else {
			out->kind = MMIO_INSN_STORE;
			out->reg = reg_number(insn, REG_RS2);
		}
		return 0;
	}
	for (unsigned i = 0; i < ARRAY_LEN(insn32_forms); i++)
		if ((insn & insn32_forms[i].mask) == insn32_forms[i].match)
			return take(insn, &insn32_forms[i], len, out);
	return -1;
}

__attribute__((hot)) int insn_decode_mmio(uint32_t insn, struct mmio_insn *out)
{
	const struct insn_form *f;

	if (insn_length(insn) == 4)
		return decode32(insn, 4, out);
	*out = (struct mmio_insn){ .kind = MMIO_INSN_INVALID };
	f = &insn16_forms[C_INDEX(insn & C_QUADRANT_MASK, (insn >> C_FUNCT3_SHIFT) & FUNCT3_MASK)];
	return f->kind == MMIO_INSN_INVALID ? -1 : take(insn & C_INSN_MASK, f, 2, out);
}

__attribute__((hot)) int insn_decode_htinst(unsigned long htinst, struct mmio_insn *out)
{
	int ret;

	/* 0: nothing reported; bit 0 clear: a pseudo-instruction (implicit VS-stage walk access). */
	if (!(htinst & HTINST_TRANSFORMED) || (htinst & ~HTINST_INSN_MASK)) {
		*out = (struct mmio_insn){ .kind = MMIO_INSN_INVALID };
		return -1;
	}
	/* A transformed compressed instruction is its 32-bit equivalent with bit 1 clear. */
	ret = decode32((uint32_t)htinst | INSN_LOW_BITS_32, 4, out);
	if (!ret && !(htinst & HTINST_ORIG_32BIT))
		out->len = 2;
	return ret;
}

int insn_mem_writes(uint32_t insn)
{
	struct mmio_insn mi;

	if (insn_decode_mmio(insn, &mi))
		return -1;
	if (insn_length(insn) == 2)
		return ((insn >> C_FUNCT3_SHIFT) & C_FUNCT3_STORE_BIT) != 0;
	if ((insn & MASK_LR) == MATCH_AMO(AMO_LR, F3_W) || (insn & MASK_LR) == MATCH_AMO(AMO_LR, F3_D))
		return 0;
	return (insn & OPCODE_STORE_BIT) != 0;
}
