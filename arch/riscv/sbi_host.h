/* Keel's own calls into the SBI implementation below it (OpenSBI in M-mode). */
#ifndef KEEL_ARCH_SBI_HOST_H
#define KEEL_ARCH_SBI_HOST_H
#include "arch/riscv/sbi_defs.h"

struct sbiret {
	long error;
	long value;
};

static inline struct sbiret sbi_host_call(unsigned long ext, unsigned long fid, unsigned long arg0, unsigned long arg1,
					  unsigned long arg2)
{
	register unsigned long a0 __asm__("a0") = arg0;
	register unsigned long a1 __asm__("a1") = arg1;
	register unsigned long a2 __asm__("a2") = arg2;
	register unsigned long a6 __asm__("a6") = fid;
	register unsigned long a7 __asm__("a7") = ext;

	__asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a6), "r"(a7) : "memory");
	return (struct sbiret){ (long)a0, (long)a1 };
}

#endif
