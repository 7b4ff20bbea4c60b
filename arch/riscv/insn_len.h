/* Instruction length encoding (unpriv spec 1.5): what the hart's own fetch helpers need. */
#ifndef KEEL_ARCH_INSN_LEN_H
#define KEEL_ARCH_INSN_LEN_H

#define INSN_LOW_BITS_32 0x3 /* low two bits 11: a 32-bit instruction */
#define INSN_HALF_BITS 16 /* instructions come in 16-bit parcels */

#endif
