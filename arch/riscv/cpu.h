/* What this hart can do (probed, not assumed) and the per-hart HS-mode set-up. */
#ifndef KEEL_ARCH_CPU_H
#define KEEL_ARCH_CPU_H
#include <stdint.h>

struct cpu_features {
	int has_h;
	int has_sstc;
	int has_senvcfg; /* priv 1.12: VS-mode reaches the real senvcfg, so it is switched per vCPU */
	int has_sv39x4, has_sv48x4;
	unsigned vmid_bits;
};

extern struct cpu_features cpu;

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

#endif
