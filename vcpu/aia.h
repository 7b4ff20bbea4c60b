/*
 * The vCPU's AIA state (AIA 1.0, chapter 5): the VS guest interrupt file of its hart that is its
 * IMSIC (hstatus.VGEIN; 0: none, the vPLIC's vCPUs), vsiselect, and what hstateen0 opens to it.
 * The file itself stays in the hart: a vCPU keeps its hart, so only vsiselect is switched.
 */
#ifndef KEEL_VCPU_AIA_H
#define KEEL_VCPU_AIA_H
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "vcpu/vcpu.h"

/* Give v guest interrupt file `file` (1..cpu.geilen) of its hart, of `ids` identities, before vcpu_setup. */
void vcpu_aia_attach(struct vcpu *v, unsigned file, unsigned ids);
/* Bound: v's file back to its reset state (delivery off, nothing enabled or pending), vsiselect 0. */
void vcpu_aia_reset(struct vcpu *v);

/* Whether v's file has an interrupt for it, on v's own hart (hgeip: what the file would deliver). */
static inline int vcpu_aia_pending(const struct vcpu *v)
{
	return v->aia_file && (csr_read(CSR_HGEIP) & BIT(v->aia_file));
}

/*
 * Bind: with a file, what VS-mode may reach (hstateen0 opens the AIA's CSRs) and vsiselect. The
 * vPLIC's vCPUs find hstateen0 as every hart sets it (arch/riscv/cpu.c): unbinding restores it.
 */
static inline __attribute__((always_inline)) void vcpu_aia_load(const struct vcpu *v)
{
	if (!v->aia_file)
		return;
	if (cpu.has_hstateen)
		csr_write(CSR_HSTATEEN0, v->hstateen0);
	csr_write(CSR_VSISELECT, v->vsiselect);
}

static inline __attribute__((always_inline)) void vcpu_aia_put(struct vcpu *v)
{
	if (!v->aia_file)
		return;
	v->vsiselect = csr_read(CSR_VSISELECT);
	if (cpu.has_hstateen)
		csr_write(CSR_HSTATEEN0, hstateen0_default());
}

#endif
