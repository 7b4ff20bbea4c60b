/*
 * Host IMSIC (AIA 1.0, chapter 3): Keel's S-level interrupt file on each hart, reached through
 * siselect/sireg and stopei, and the other harts' files, written to send them an interrupt.
 */
#ifndef KEEL_DRIVERS_IMSIC_H
#define KEEL_DRIVERS_IMSIC_H
#include <stdint.h>

/* This hart's S-level file: every identity enabled, threshold none, delivery on. */
void imsic_hart_init(unsigned ids);
/* Whether identity `id` is pending in this hart's file; it is not afterwards. */
int imsic_take(unsigned id);
/* Claim the highest-priority pending identity of this hart's file: it, or 0. */
unsigned imsic_claim(void);
/* Make identity `id` pending in hart's S-level file (a 32-bit write to its seteipnum_le). */
void imsic_send(unsigned long hart, unsigned id);
/* The page of hart's file `file` (0: the S-level one, 1.. its VS guest files), or 0 when it has none. */
uint64_t imsic_file_page(unsigned long hart, unsigned file);
/* The same write into hart's file `file`. */
void imsic_send_file(unsigned long hart, unsigned file, unsigned id);

#endif
