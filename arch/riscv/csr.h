/* RISC-V CSR numbers, bit fields and trap causes (privileged spec 1.12, H extension). */
#ifndef KEEL_ARCH_CSR_H
#define KEEL_ARCH_CSR_H

#ifdef __ASSEMBLER__
#define _UL(x) x
#else
#define _UL(x) x##UL
#endif
#define BIT(n) (_UL(1) << (n))

/* sstatus / vsstatus (priv spec 4.1.1) */
#define SSTATUS_SIE BIT(1)
#define SSTATUS_SPIE BIT(5)
#define SSTATUS_UBE BIT(6)
#define SSTATUS_SPP BIT(8)
/* The vector unit's state (V extension 1.0, 3.2), in the same four steps as FS. */
#define SSTATUS_VS_SHIFT 9
#define SSTATUS_VS (_UL(3) << SSTATUS_VS_SHIFT)
#define SSTATUS_VS_OFF (_UL(0) << SSTATUS_VS_SHIFT)
#define SSTATUS_VS_INITIAL (_UL(1) << SSTATUS_VS_SHIFT)
#define SSTATUS_VS_CLEAN (_UL(2) << SSTATUS_VS_SHIFT)
#define SSTATUS_VS_DIRTY (_UL(3) << SSTATUS_VS_SHIFT)
#define SSTATUS_FS_SHIFT 13
#define SSTATUS_FS (_UL(3) << SSTATUS_FS_SHIFT)
#define SSTATUS_FS_OFF (_UL(0) << SSTATUS_FS_SHIFT)
#define SSTATUS_FS_INITIAL (_UL(1) << SSTATUS_FS_SHIFT)
#define SSTATUS_FS_CLEAN (_UL(2) << SSTATUS_FS_SHIFT)
#define SSTATUS_FS_DIRTY (_UL(3) << SSTATUS_FS_SHIFT)
#define SSTATUS_SUM BIT(18)
#define SSTATUS_MXR BIT(19)
#define SSTATUS_UXL_SHIFT 32
#define SSTATUS_UXL_64 (_UL(2) << SSTATUS_UXL_SHIFT)
#define SSTATUS_SD BIT(63)

/* hstatus (priv spec 8.2.1) */
#define HSTATUS_VSBE BIT(5)
#define HSTATUS_GVA BIT(6)
#define HSTATUS_SPV BIT(7)
#define HSTATUS_SPVP BIT(8)
#define HSTATUS_HU BIT(9)
#define HSTATUS_VGEIN_SHIFT 12
#define HSTATUS_VTVM BIT(20)
#define HSTATUS_VTW BIT(21)
#define HSTATUS_VTSR BIT(22)
#define HSTATUS_VSXL_SHIFT 32
#define HSTATUS_VSXL_64 (_UL(2) << HSTATUS_VSXL_SHIFT)

/* Interrupt numbers (priv spec 3.1.9, 8.2.3) */
#define IRQ_S_SOFT 1
#define IRQ_VS_SOFT 2
#define IRQ_S_TIMER 5
#define IRQ_VS_TIMER 6
#define IRQ_S_EXT 9
#define IRQ_VS_EXT 10
#define IRQ_S_GEXT 12

#define SIP_SSIP BIT(IRQ_S_SOFT)
#define SIP_STIP BIT(IRQ_S_TIMER)
#define SIP_SEIP BIT(IRQ_S_EXT)
#define SIE_SSIE SIP_SSIP
#define SIE_STIE SIP_STIP
#define SIE_SEIE SIP_SEIP
#define HIE_SGEIE BIT(IRQ_S_GEXT) /* hgeip & hgeie interrupts HS (priv spec 8.2.4) */
#define HIP_SGEIP HIE_SGEIE

#define HVIP_VSSIP BIT(IRQ_VS_SOFT)
#define HVIP_VSTIP BIT(IRQ_VS_TIMER)
#define HVIP_VSEIP BIT(IRQ_VS_EXT)
#define HIP_VS_MASK (HVIP_VSSIP | HVIP_VSTIP | HVIP_VSEIP)

/* VS-level view of the same bits (vsip/vsie use S positions) */
#define VSIP_TO_HVIP_SHIFT 1

/* scause (priv spec 4.1.9, table 8.6) */
#define CAUSE_IRQ_FLAG BIT(63)
#define EXC_INST_MISALIGNED 0
#define EXC_INST_ACCESS 1
#define EXC_ILLEGAL_INST 2
#define EXC_BREAKPOINT 3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS 7
#define EXC_ECALL_U 8
#define EXC_ECALL_S 9
#define EXC_ECALL_VS 10
#define EXC_ECALL_M 11
#define EXC_INST_PAGE_FAULT 12
#define EXC_LOAD_PAGE_FAULT 13
#define EXC_STORE_PAGE_FAULT 15
#define EXC_INST_GUEST_PAGE_FAULT 20
#define EXC_LOAD_GUEST_PAGE_FAULT 21
#define EXC_VIRTUAL_INST 22
#define EXC_STORE_GUEST_PAGE_FAULT 23

/* hgatp (priv spec 8.2.10) */
#define HGATP_MODE_SHIFT 60
#define HGATP_MODE_BARE _UL(0)
#define HGATP_MODE_SV39X4 _UL(8)
#define HGATP_MODE_SV48X4 _UL(9)
#define HGATP_VMID_SHIFT 44
#define HGATP_VMID_MASK _UL(0x3fff)
#define HGATP_PPN_MASK ((_UL(1) << 44) - 1)

/* henvcfg (priv spec 8.2.5) */
#define HENVCFG_STCE BIT(63)
#define HENVCFG_PBMTE BIT(62)
#define HENVCFG_ADUE BIT(61)
#define HENVCFG_CBZE BIT(7)
#define HENVCFG_CBCFE BIT(6)
#define HENVCFG_CBIE_SHIFT 4
#define HENVCFG_CBIE (_UL(3) << HENVCFG_CBIE_SHIFT)
#define HENVCFG_CBIE_FLUSH (_UL(1) << HENVCFG_CBIE_SHIFT) /* cbo.inval executes as cbo.flush */
#define HENVCFG_FIOM BIT(0)

/* hstateen0 (Smstateen 1.0): what VS-mode may reach; ENVCFG is senvcfg. */
#define HSTATEEN0_ENVCFG BIT(62)
#define HSTATEEN0_CSRIND BIT(60) /* vsiselect / vsireg */
#define HSTATEEN0_AIA BIT(59) /* the AIA's other VS state (vstopi) */
#define HSTATEEN0_IMSIC BIT(58) /* vstopei and the guest interrupt file behind vsireg */

/* hcounteren / scounteren */
#define COUNTEREN_CY BIT(0)
#define COUNTEREN_TM BIT(1)
#define COUNTEREN_IR BIT(2)

/* CSR numbers the assembler may not know by name in gcc 12 */
#define CSR_STIMECMP 0x14d
#define CSR_VSTIMECMP 0x24d
#define CSR_HENVCFG 0x60a
#define CSR_SENVCFG 0x10a
#define CSR_HSTATEEN0 0x60c
/* The vector CSRs (V extension 1.0, 3) */
#define CSR_VSTART 0x008
#define CSR_VCSR 0x00f
#define CSR_VL 0xc20
#define CSR_VTYPE 0xc21
#define CSR_VLENB 0xc22
#define VTYPE_VILL BIT(63) /* vtype after reset: no vector configuration (V 1.0, 3.4.4) */

/* The AIA's CSRs (Smaia/Ssaia 1.0, chapter 2) */
#define CSR_SISELECT 0x150
#define CSR_SIREG 0x151
#define CSR_STOPEI 0x15c
#define CSR_STOPI 0xdb0
#define CSR_VSISELECT 0x250
#define CSR_VSIREG 0x251
#define CSR_HGEIE 0x607
#define CSR_HGEIP 0xe12
/* What siselect reaches of an IMSIC interrupt file (AIA 3.8) */
#define IMSIC_EIDELIVERY 0x70
#define IMSIC_EITHRESHOLD 0x72
#define IMSIC_EIP0 0x80
#define IMSIC_EIE0 0xc0
/* RV64: only the even-numbered eip/eie registers exist, 64 identities each (AIA 3.8.4). */
#define IMSIC_EIREG_BITS 64
#define IMSIC_EIP(id) (IMSIC_EIP0 + 2 * ((id) / IMSIC_EIREG_BITS)) /* the eip register holding identity id */
#define IMSIC_EIE(id) (IMSIC_EIE0 + 2 * ((id) / IMSIC_EIREG_BITS))
#define IMSIC_EIDELIVERY_ON 1
/* *topei (AIA 3.9): the top interrupt's identity; a csrrw claims it */
#define TOPEI_ID_SHIFT 16
#define TOPEI_ID_MASK _UL(0x7ff)

#define PAGE_SHIFT 12
#define PAGE_SIZE (_UL(1) << PAGE_SHIFT)

#ifndef __ASSEMBLER__
#include <stdint.h>

#define __str(x) #x
#define csr_read(csr)                                                           \
	({                                                                      \
		unsigned long __v;                                              \
		__asm__ volatile("csrr %0, " __str(csr) : "=r"(__v)::"memory"); \
		__v;                                                            \
	})
#define csr_write(csr, val)                                                         \
	({                                                                          \
		unsigned long __v = (unsigned long)(val);                           \
		__asm__ volatile("csrw " __str(csr) ", %0" ::"rK"(__v) : "memory"); \
	})
#define csr_swap(csr, val)                                                                           \
	({                                                                                           \
		unsigned long __v = (unsigned long)(val);                                            \
		__asm__ volatile("csrrw %0, " __str(csr) ", %1" : "=r"(__v) : "rK"(__v) : "memory"); \
		__v;                                                                                 \
	})
#define csr_set(csr, val)                                                           \
	({                                                                          \
		unsigned long __v = (unsigned long)(val);                           \
		__asm__ volatile("csrs " __str(csr) ", %0" ::"rK"(__v) : "memory"); \
	})
#define csr_clear(csr, val)                                                         \
	({                                                                          \
		unsigned long __v = (unsigned long)(val);                           \
		__asm__ volatile("csrc " __str(csr) ", %0" ::"rK"(__v) : "memory"); \
	})

static inline void wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}
static inline uint64_t read_time(void)
{
	return csr_read(time);
}

#define H_INSN(insn) ".option push\n.option arch,+h\n" insn "\n.option pop"
static inline void hfence_gvma_all(void)
{
	__asm__ volatile(H_INSN("hfence.gvma zero, zero")::: "memory");
}
static inline void hfence_gvma_vmid(unsigned long vmid)
{
	__asm__ volatile(H_INSN("hfence.gvma zero, %0")::"r"(vmid) : "memory");
}
/* hfence.vvma acts on the VMID currently in hgatp (priv spec 8.3.2) */
static inline void hfence_vvma_all(void)
{
	__asm__ volatile(H_INSN("hfence.vvma zero, zero")::: "memory");
}
static inline void hfence_vvma_addr(unsigned long va)
{
	__asm__ volatile(H_INSN("hfence.vvma %0, zero")::"r"(va) : "memory");
}
static inline void hfence_vvma_asid(unsigned long asid)
{
	__asm__ volatile(H_INSN("hfence.vvma zero, %0")::"r"(asid) : "memory");
}
#endif

#endif
