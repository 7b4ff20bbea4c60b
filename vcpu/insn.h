/* Instruction encodings Keel recognises (unprivileged spec ch. 24, priv spec ch. 9). */
#ifndef KEEL_VCPU_INSN_H
#define KEEL_VCPU_INSN_H

#define INSN_WFI 0x10500073UL
#define INSN_LOW_BITS_32 0x3 /* low two bits 11: a 32-bit instruction */

static inline unsigned insn_length(unsigned long insn) { return (insn & 3) == INSN_LOW_BITS_32 ? 4 : 2; }

#endif
