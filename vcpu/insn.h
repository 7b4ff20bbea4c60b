/* Instruction decoding for MMIO emulation and virtual-instruction exits (unpriv spec ch. 2, 16). */
#ifndef KEEL_VCPU_INSN_H
#define KEEL_VCPU_INSN_H
#include "arch/riscv/insn_len.h"
#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

#define INSN_WFI 0x10500073UL
#define INSN_WRS_NTO 0x00d00073UL /* Zawrs: wait on a reservation set, no timeout */
/* htinst (priv spec 8.6.3): bit 0 set = transformed; then bit 1 clear = the original was 16-bit. */
#define HTINST_TRANSFORMED 0x1UL
#define HTINST_ORIG_32BIT 0x2UL
/*
 * htinst pseudo-instructions (priv spec 8.6.3): a guest-page fault on an implicit access of the
 * VS-stage walk, a 32-bit (RV32) or 64-bit read of a PTE, or a write for its A/D bits.
 */
#define HTINST_PSEUDO_READ32 0x2000UL
#define HTINST_PSEUDO_64BIT 0x1000UL
#define HTINST_PSEUDO_WRITE 0x20UL

#ifndef __ASSEMBLER__

static inline int htinst_is_pseudo(unsigned long htinst)
{
	return (htinst & ~(HTINST_PSEUDO_64BIT | HTINST_PSEUDO_WRITE)) == HTINST_PSEUDO_READ32;
}

static inline unsigned insn_length(unsigned long insn)
{
	return (insn & 3) == INSN_LOW_BITS_32 ? 4 : 2;
}

/* What decoding a trapping load or store says. */
enum mmio_insn_kind {
	MMIO_INSN_INVALID, /* not a load or store Keel emulates (or not an instruction at all) */
	MMIO_INSN_LOAD,
	MMIO_INSN_STORE,
	MMIO_INSN_FP, /* FLW/FLD/FSW/FSD and compressed FP forms: devices get an access fault */
	MMIO_INSN_AMO, /* AMO*, LR, SC: devices get an access fault */
};

struct mmio_insn {
	enum mmio_insn_kind kind;
	unsigned width; /* bytes: 1, 2, 4 or 8 */
	int sign_extend; /* loads: LB LH LW (and C.LW, C.LWSP) sign-extend; LBU LHU LWU, LD do not */
	unsigned reg; /* x-register: rd for loads, rs2 for stores */
	unsigned len; /* instruction length to skip: 2 or 4 */
};

/*
 * Decode a raw instruction (16-bit in the low half when its low bits are not 11).
 * Covers LB LH LW LD LBU LHU LWU SB SH SW SD and C.LW C.LD C.SW C.SD C.LWSP C.LDSP C.SWSP C.SDSP.
 */
int insn_decode_mmio(uint32_t insn, struct mmio_insn *out);

/*
 * Decode from htinst (priv spec 8.6.3): a transformed instruction (bit 0 set) is decoded,
 * with length 2 when its bit 1 is clear; 0 or a pseudo-instruction returns -1 (fetch instead).
 */
int insn_decode_htinst(unsigned long htinst, struct mmio_insn *out);

/*
 * Whether a memory instruction writes (a store, SC or AMO: their faults are store/AMO faults),
 * 0 when it reads (a load, LR), -1 when it is not a load or store at all.
 */
int insn_mem_writes(uint32_t insn);

/* Sign- or zero-extend a `width`-byte value as the decoded load asks (inline: every emulated load). */
static inline uint64_t insn_extend_load(const struct mmio_insn *mi, uint64_t value)
{
	unsigned bits = mi->width * 8;
	uint64_t mask, sign;

	if (bits >= 64)
		return value;
	mask = (UINT64_C(1) << bits) - 1;
	value &= mask;
	if (mi->sign_extend && bits) {
		sign = UINT64_C(1) << (bits - 1);
		value = (value ^ sign) - sign; /* two's-complement sign extension without shifts into the sign bit */
	}
	return value;
}

#endif /* __ASSEMBLER__ */

#endif
