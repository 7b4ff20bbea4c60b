/*
 * Every SBI extension Keel gives its guests, one line each: SBI_EXTENSION(name, EID), or
 * SBI_EXTENSION_RANGE(name, first EID, last EID) for one that takes a range of EIDs.
 * sbi/<name>.c defines `const struct sbi_ext sbi_ext_<name>`; this table makes the externs and the
 * dispatch switch (sbi/sbi.h), and the build takes every .c file in sbi/. BASE's probe answers from it too.
 * A new extension: its file and one line here (its IDs beside the others in arch/riscv/sbi_defs.h).
 */
SBI_EXTENSION(time, SBI_EXT_TIME)
SBI_EXTENSION(ipi, SBI_EXT_IPI)
SBI_EXTENSION(rfence, SBI_EXT_RFENCE)
SBI_EXTENSION(base, SBI_EXT_BASE)
SBI_EXTENSION(hsm, SBI_EXT_HSM)
SBI_EXTENSION(srst, SBI_EXT_SRST)
SBI_EXTENSION(dbcn, SBI_EXT_DBCN)
SBI_EXTENSION(hvc, SBI_EXT_KEEL_HVC)
/* The legacy extensions are EIDs 0 up to SHUTDOWN (SBI spec 5). */
SBI_EXTENSION_RANGE(legacy, SBI_EXT_0_1_SET_TIMER, SBI_EXT_0_1_SHUTDOWN)
