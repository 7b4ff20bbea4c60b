/* What this hart can do (probed, not assumed) and the per-hart HS-mode set-up. */
#ifndef KEEL_ARCH_CPU_H
#define KEEL_ARCH_CPU_H
#include <stdint.h>
#include "arch/riscv/csr.h"

/* The widest vector registers Keel keeps per vCPU (VLEN 1024 bits): a wider hart's V stays the host's. */
#define VLENB_MAX 128

struct cpu_features {
	int has_h;
	int has_sstc;
	int has_senvcfg; /* priv 1.12: VS-mode reaches the real senvcfg, so it is switched per vCPU */
	int has_hstateen; /* Smstateen: hstateen0 decides what VS-mode may reach (senvcfg among it) */
	int has_ssaia; /* the AIA's S-mode CSRs (stopi, siselect, stopei for an IMSIC file) */
	unsigned geilen; /* VS guest interrupt files per hart: hgeie bits 1..geilen (AIA 5.3.2) */
	unsigned long vlenb_found; /* the hart's vlenb (V extension), 0 without V */
	unsigned long vlenb; /* the same when Keel gives guests V (at most VLENB_MAX), else 0 */
	int has_sv39x4, has_sv48x4;
	unsigned vmid_bits;
	uint64_t henvcfg; /* the henvcfg bits Keel may set for guests (those M-mode's menvcfg lets through) */
};

extern struct cpu_features cpu;

/* hstateen0 as every hart sets it: VS-mode reaches senvcfg (switched per vCPU) and nothing else. */
static inline unsigned long hstateen0_default(void)
{
	return cpu.has_senvcfg ? HSTATEEN0_ENVCFG : 0;
}

/* Probe on the boot hart; 0 when the hart can run Keel. */
int cpu_probe(void);
/* Delegation, counters, interrupt enables: run once on every hart. */
void hart_init_local(void);

void host_timer_set(uint64_t deadline);
void host_send_ipi(unsigned long hart);
int host_hart_start(unsigned long hart, uintptr_t entry, unsigned long arg);
void __attribute__((noreturn)) host_system_reset(unsigned long type, unsigned long reason);

/* Guarded accessors from arch/riscv/entry.S: 0 on success, else the scause taken. */
/* The guest instruction at gva (HLVX, 16 or 32 bits): 0, or the scause of the fault (arch/riscv/entry.S). */
unsigned long hlvx_insn(unsigned long gva, unsigned long *out);
unsigned long hlv_d(unsigned long gva, unsigned long *out);
unsigned long csr_probe_hstatus(unsigned long *out);
unsigned long csr_probe_stimecmp(unsigned long *out);
unsigned long csr_probe_senvcfg(unsigned long *out);
unsigned long csr_probe_hstateen0(unsigned long *out);
unsigned long csr_probe_stopi(unsigned long *out);
unsigned long csr_probe_vlenb(unsigned long *out);

#endif
