/*
 * Fuzz target: the MMIO instruction decoder (vcpu/insn.c), which reads guest-controlled bits: the
 * instruction Keel fetched from guest memory and the htinst value the hart reported.
 *
 * Input: up to 8 bytes, little-endian. The low 32 bits go through insn_decode_mmio, all 64 through
 * insn_decode_htinst, and the 64-bit value through insn_extend_load of whatever decoded as a load.
 * Besides the structural invariants (kind valid, width 1/2/4/8, len 2/4, reg < 32, a failed decode
 * says INVALID), each answer is compared with a reference decoder written here from the unpriv spec's
 * listings ("RV32/64G Instruction Set Listings", "RVC Instruction Set Listings"), not from insn.c.
 */
#include "fuzz.h"
#include "vcpu/insn.h"

/* ---- reference decoder (unpriv spec listings) ---- */

static struct mmio_insn ref_result(enum mmio_insn_kind kind, unsigned width, int sext, unsigned reg, unsigned len)
{
	return (struct mmio_insn){ .kind = kind, .width = width, .sign_extend = sext, .reg = reg, .len = len };
}

static struct mmio_insn ref_decode32(uint32_t insn)
{
	unsigned op = insn & 0x7f, f3 = (insn >> 12) & 7, rd = (insn >> 7) & 31, rs2 = (insn >> 20) & 31;
	unsigned f5 = insn >> 27;
	struct mmio_insn none = { .kind = MMIO_INSN_INVALID };

	switch (op) {
	case 0x03: /* LB LH LW LD LBU LHU LWU; funct3 7 is reserved */
		if (f3 == 7)
			return none;
		return ref_result(MMIO_INSN_LOAD, 1u << (f3 & 3), f3 < 3, rd, 4);
	case 0x23: /* SB SH SW SD */
		return f3 < 4 ? ref_result(MMIO_INSN_STORE, 1u << f3, 0, rs2, 4) : none;
	case 0x07: /* FLH (Zfh) FLW FLD; FLQ and the vector loads are not decoded */
		return f3 >= 1 && f3 <= 3 ? ref_result(MMIO_INSN_FP, 1u << f3, 0, rd, 4) : none;
	case 0x27: /* FSH FSW FSD */
		return f3 >= 1 && f3 <= 3 ? ref_result(MMIO_INSN_FP, 1u << f3, 0, rs2, 4) : none;
	case 0x2f: /* A: LR SC AMO*.W/.D */
		if (f3 != 2 && f3 != 3)
			return none;
		switch (f5) {
		case 0x02: /* LR: rs2 must be 0 */
			if (rs2)
				return none;
			/* fall through */
		case 0x00:
		case 0x01:
		case 0x03:
		case 0x04:
		case 0x08:
		case 0x0c:
		case 0x10:
		case 0x14:
		case 0x18:
		case 0x1c:
			return ref_result(MMIO_INSN_AMO, f3 == 2 ? 4 : 8, 0, rd, 4);
		default:
			return none;
		}
	default:
		return none;
	}
}

static struct mmio_insn ref_decode16(uint16_t c)
{
	unsigned q = c & 3, f3 = c >> 13, rprime = 8 + ((c >> 2) & 7), rd = (c >> 7) & 31, rs2 = (c >> 2) & 31;
	struct mmio_insn none = { .kind = MMIO_INSN_INVALID };

	if (q == 0) {
		switch (f3) {
		case 1:
			return ref_result(MMIO_INSN_FP, 8, 0, rprime, 2); /* C.FLD */
		case 2:
			return ref_result(MMIO_INSN_LOAD, 4, 1, rprime, 2); /* C.LW */
		case 3:
			return ref_result(MMIO_INSN_LOAD, 8, 0, rprime, 2); /* C.LD */
		case 5:
			return ref_result(MMIO_INSN_FP, 8, 0, rprime, 2); /* C.FSD */
		case 6:
			return ref_result(MMIO_INSN_STORE, 4, 0, rprime, 2); /* C.SW */
		case 7:
			return ref_result(MMIO_INSN_STORE, 8, 0, rprime, 2); /* C.SD */
		default:
			return none; /* C.ADDI4SPN, reserved */
		}
	}
	if (q == 2) {
		switch (f3) {
		case 1:
			return ref_result(MMIO_INSN_FP, 8, 0, rd, 2); /* C.FLDSP */
		case 2:
			return rd ? ref_result(MMIO_INSN_LOAD, 4, 1, rd, 2) : none; /* C.LWSP, rd = 0 reserved */
		case 3:
			return rd ? ref_result(MMIO_INSN_LOAD, 8, 0, rd, 2) : none; /* C.LDSP, rd = 0 reserved */
		case 5:
			return ref_result(MMIO_INSN_FP, 8, 0, rs2, 2); /* C.FSDSP */
		case 6:
			return ref_result(MMIO_INSN_STORE, 4, 0, rs2, 2); /* C.SWSP */
		case 7:
			return ref_result(MMIO_INSN_STORE, 8, 0, rs2, 2); /* C.SDSP */
		default:
			return none;
		}
	}
	return none; /* quadrant 1 has no loads or stores */
}

/* ---- checks ---- */

static void check_wellformed(const char *what, uint64_t raw, int ret, const struct mmio_insn *mi)
{
	FUZZ_CHECK(ret == 0 || ret == -1, "%s(%#llx) returned %d", what, (unsigned long long)raw, ret);
	if (ret) {
		FUZZ_CHECK(mi->kind == MMIO_INSN_INVALID, "%s(%#llx) failed but left kind %d", what,
			   (unsigned long long)raw, mi->kind);
		return;
	}
	FUZZ_CHECK(mi->kind == MMIO_INSN_LOAD || mi->kind == MMIO_INSN_STORE || mi->kind == MMIO_INSN_FP ||
			   mi->kind == MMIO_INSN_AMO,
		   "%s(%#llx): kind %d", what, (unsigned long long)raw, mi->kind);
	FUZZ_CHECK(mi->width == 1 || mi->width == 2 || mi->width == 4 || mi->width == 8, "%s(%#llx): width %u", what,
		   (unsigned long long)raw, mi->width);
	FUZZ_CHECK(mi->len == 2 || mi->len == 4, "%s(%#llx): len %u", what, (unsigned long long)raw, mi->len);
	FUZZ_CHECK(mi->reg < 32, "%s(%#llx): reg %u", what, (unsigned long long)raw, mi->reg);
	FUZZ_CHECK(mi->sign_extend == 0 || mi->sign_extend == 1, "%s(%#llx): sign_extend %d", what,
		   (unsigned long long)raw, mi->sign_extend);
	FUZZ_CHECK(mi->kind == MMIO_INSN_LOAD || !mi->sign_extend, "%s(%#llx): sign_extend on kind %d", what,
		   (unsigned long long)raw, mi->kind);
}

static void check_same(const char *what, uint64_t raw, int ret, const struct mmio_insn *got,
		       const struct mmio_insn *want)
{
	int want_ret = want->kind == MMIO_INSN_INVALID ? -1 : 0;

	FUZZ_CHECK(ret == want_ret, "%s(%#llx) returned %d, the spec says %d (kind %d)", what, (unsigned long long)raw,
		   ret, want_ret, want->kind);
	if (ret)
		return;
	FUZZ_CHECK(got->kind == want->kind && got->width == want->width && got->reg == want->reg &&
			   got->len == want->len && !got->sign_extend == !want->sign_extend,
		   "%s(%#llx): got kind %d width %u reg %u len %u sext %d, the spec says %d %u %u %u %d", what,
		   (unsigned long long)raw, got->kind, got->width, got->reg, got->len, got->sign_extend, want->kind,
		   want->width, want->reg, want->len, want->sign_extend);
}

/* The loaded value keeps its low `width` bytes; above them, copies of the sign bit or zeros. */
static void check_extend(const struct mmio_insn *mi, uint64_t value)
{
	unsigned bits = mi->width * 8;
	uint64_t got = insn_extend_load(mi, value), low_mask, high;

	if (bits == 64) {
		FUZZ_CHECK(got == value, "extend width 8 changed %#llx to %#llx", (unsigned long long)value,
			   (unsigned long long)got);
		return;
	}
	low_mask = (UINT64_C(1) << bits) - 1;
	high = mi->sign_extend && (value >> (bits - 1)) & 1 ? ~low_mask : 0;
	FUZZ_CHECK(got == ((value & low_mask) | high), "extend width %u sext %d: %#llx -> %#llx", mi->width,
		   mi->sign_extend, (unsigned long long)value, (unsigned long long)got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	uint64_t raw = take_u64(&in);
	uint32_t insn = (uint32_t)raw;
	struct mmio_insn mi, upper, want;
	int ret;

	/* Raw instruction: 32-bit when bits 1:0 are 11, else the low half only. */
	memset(&mi, 0x5a, sizeof(mi)); /* stale garbage must not survive a failed decode */
	ret = insn_decode_mmio(insn, &mi);
	check_wellformed("insn_decode_mmio", insn, ret, &mi);
	want = insn_length(insn) == 4 ? ref_decode32(insn) : ref_decode16((uint16_t)insn);
	check_same("insn_decode_mmio", insn, ret, &mi, &want);
	if (!ret)
		FUZZ_CHECK(mi.len == insn_length(insn), "len %u for %#x", mi.len, insn);
	if (insn_length(insn) == 2) {
		int r2 = insn_decode_mmio((insn & 0xffff) | (uint32_t)(raw >> 32) << 16, &upper);

		FUZZ_CHECK(r2 == ret && (ret || !memcmp(&upper, &mi, sizeof(mi))),
			   "16-bit %#x decodes differently with other upper bits", insn & 0xffff);
	}
	if (!ret && mi.kind == MMIO_INSN_LOAD)
		check_extend(&mi, raw);

	/* htinst: only a transformed instruction (bit 0 set, nothing above bit 31) decodes. */
	memset(&mi, 0xa5, sizeof(mi));
	ret = insn_decode_htinst((unsigned long)raw, &mi);
	check_wellformed("insn_decode_htinst", raw, ret, &mi);
	if (!(raw & 1) || raw >> 32) {
		want = (struct mmio_insn){ .kind = MMIO_INSN_INVALID };
	} else {
		want = ref_decode32(insn | 3);
		want.len = raw & 2 ? 4 : 2;
	}
	check_same("insn_decode_htinst", raw, ret, &mi, &want);
	if (!ret && mi.kind == MMIO_INSN_LOAD)
		check_extend(&mi, ~raw);
	return 0;
}
