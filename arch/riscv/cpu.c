/* CPU feature probes and per-hart HS-mode configuration. */
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/sbi_host.h"

struct cpu_features cpu;

/* Exceptions the guest handles itself (hedeleg, priv spec 8.2.2). */
#define HEDELEG_GUEST                                                                                         \
	(BIT(EXC_INST_MISALIGNED) | BIT(EXC_ILLEGAL_INST) | BIT(EXC_BREAKPOINT) | BIT(EXC_LOAD_MISALIGNED) |  \
	 BIT(EXC_STORE_MISALIGNED) | BIT(EXC_ECALL_U) | BIT(EXC_INST_PAGE_FAULT) | BIT(EXC_LOAD_PAGE_FAULT) | \
	 BIT(EXC_STORE_PAGE_FAULT))
/* VS-level interrupts go straight to the guest (hideleg). */
#define HIDELEG_GUEST HIP_VS_MASK

static int hgatp_mode_works(unsigned long mode)
{
	csr_write(hgatp, mode << HGATP_MODE_SHIFT);
	int ok = (csr_read(hgatp) >> HGATP_MODE_SHIFT) == mode;

	csr_write(hgatp, 0);
	return ok;
}

int cpu_probe(void)
{
	unsigned long v;

	cpu.has_h = csr_probe_hstatus(&v) == 0;
	if (!cpu.has_h)
		return -1;
	cpu.has_sstc = csr_probe_stimecmp(&v) == 0;
	cpu.has_senvcfg = csr_probe_senvcfg(&v) == 0;
	cpu.has_hstateen = csr_probe_hstateen0(&v) == 0;
	cpu.has_ssaia = csr_probe_stopi(&v) == 0;
	/* GEILEN: the hgeie bits that stick (bit 0 never does). */
	csr_write(CSR_HGEIE, -1UL);
	v = csr_read(CSR_HGEIE);
	csr_write(CSR_HGEIE, 0);
	cpu.geilen = 0;
	while (v & (2UL << cpu.geilen))
		cpu.geilen++;
	/* vlenb is reachable only with sstatus.VS on; VS is read-only zero on a hart without V. */
	csr_set(sstatus, SSTATUS_VS_INITIAL);
	cpu.vlenb_found = csr_probe_vlenb(&v) == 0 ? v : 0;
	csr_clear(sstatus, SSTATUS_VS);
	cpu.vlenb = cpu.vlenb_found <= VLENB_MAX ? cpu.vlenb_found : 0;
	/* henvcfg bits whose menvcfg bit is clear are read-only zero (priv spec 3.1.18). */
	csr_write(CSR_HENVCFG, HENVCFG_STCE | HENVCFG_PBMTE | HENVCFG_CBZE | HENVCFG_CBCFE | HENVCFG_CBIE_FLUSH);
	cpu.henvcfg = csr_read(CSR_HENVCFG);
	csr_write(CSR_HENVCFG, 0);
	cpu.has_sv39x4 = hgatp_mode_works(HGATP_MODE_SV39X4);
	cpu.has_sv48x4 = hgatp_mode_works(HGATP_MODE_SV48X4);
	/* VMIDLEN: write all ones with Bare mode and count what sticks (priv spec 8.2.10). */
	csr_write(hgatp, HGATP_VMID_MASK << HGATP_VMID_SHIFT);
	v = (csr_read(hgatp) >> HGATP_VMID_SHIFT) & HGATP_VMID_MASK;
	csr_write(hgatp, 0);
	cpu.vmid_bits = 0;
	while (v & (1UL << cpu.vmid_bits))
		cpu.vmid_bits++;
	return 0;
}

void hart_init_local(void)
{
	csr_write(hedeleg, HEDELEG_GUEST);
	csr_write(hideleg, HIDELEG_GUEST);
	csr_write(hcounteren, COUNTEREN_CY | COUNTEREN_TM | COUNTEREN_IR);
	csr_write(hvip, 0);
	csr_write(hgatp, 0);
	/* HLV/HSV act with VS-mode privilege. */
	csr_write(hstatus, HSTATUS_SPVP | HSTATUS_VSXL_64);
	if (cpu.has_sstc)
		csr_write(CSR_STIMECMP, -1UL);
	/*
	 * With Smstateen, VS-mode reaches senvcfg only through hstateen0.ENVCFG (it resets to 0):
	 * Keel switches senvcfg per vCPU, so the guest may have it. Nothing else is opened.
	 */
	if (cpu.has_hstateen)
		csr_write(CSR_HSTATEEN0, hstateen0_default());
	/* Keel polls: interrupts wake wfi and end guest runs, but never trap in HS (SIE stays 0). */
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, SIE_SSIE | SIE_STIE | SIE_SEIE);
}

void host_timer_set(uint64_t deadline)
{
	if (cpu.has_sstc)
		csr_write(CSR_STIMECMP, deadline);
	else
		sbi_host_call(SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, deadline, 0, 0);
}

void host_send_ipi(unsigned long hart)
{
	sbi_host_call(SBI_EXT_IPI, SBI_EXT_IPI_SEND_IPI, 1, hart, 0);
}

int host_hart_start(unsigned long hart, uintptr_t entry, unsigned long arg)
{
	return (int)sbi_host_call(SBI_EXT_HSM, SBI_EXT_HSM_HART_START, hart, entry, arg).error;
}

void host_system_reset(unsigned long type, unsigned long reason)
{
	sbi_host_call(SBI_EXT_SRST, SBI_EXT_SRST_RESET, type, reason, 0);
	for (;;)
		wfi();
}
