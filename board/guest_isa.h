/*
 * What a guest is told about its harts' ISA: a whitelist. Only the host's extensions that Keel
 * virtualizes reach the guest's riscv,isa, riscv,isa-base and riscv,isa-extensions, and henvcfg
 * opens exactly what the guest is told (README "Guest ISA" has the table of every extension).
 */
#ifndef KEEL_BOARD_GUEST_ISA_H
#define KEEL_BOARD_GUEST_ISA_H
#include <stddef.h>
#include <stdint.h>

/* What the hart and the VM's configuration let Keel offer beyond the extensions it always passes. */
#define GUEST_ISA_SSTC (1U << 0) /* the VM's timer is Sstc (henvcfg.STCE) */
#define GUEST_ISA_V (1U << 1) /* Keel switches the vector unit per vCPU (cpu.vlenb) */
#define GUEST_ISA_ZICBOM (1U << 2) /* henvcfg.CBCFE and CBIE take, and the host DT gives the block size */
#define GUEST_ISA_ZICBOZ (1U << 3) /* henvcfg.CBZE takes, and the host DT gives the block size */
#define GUEST_ISA_SVPBMT (1U << 4) /* henvcfg.PBMTE takes */
#define GUEST_ISA_SSAIA (1U << 5) /* the VM's irqchip is the AIA: an IMSIC guest file per vCPU */

/*
 * The guest's riscv,isa from the host's: "rv64"/"rv32", the single letters and multi-letter
 * extensions on the whitelist that `offer` allows, in the host's order. 0, or -1 when the host
 * string is not an ISA string or the result does not fit in len bytes (never cut).
 */
int guest_isa_string(const char *host, unsigned offer, char *out, size_t len);
/* Whether an ISA string has the multi-letter extension ext (or, for one letter, that letter). */
int isa_string_has(const char *isa, const char *ext);
/*
 * riscv,isa-extensions for an ISA string: every extension as a string list ("i\0m\0...zicsr\0").
 * Its length in bytes, or -1 when it does not fit.
 */
int isa_extension_list(const char *isa, char *out, size_t len);
/* The henvcfg bits a guest with this ISA string needs (STCE, PBMTE, CBCFE/CBIE, CBZE). */
uint64_t guest_isa_henvcfg(const char *isa);

#endif
