/* The test guests' small runtime: SBI calls, console, TAP output and trap bookkeeping. */
#ifndef KEEL_GUEST_H
#define KEEL_GUEST_H
#include <stdint.h>
#include "arch/riscv/csr.h"
#include "arch/riscv/sbi_defs.h"

struct sbiret {
	long error;
	long value;
};

struct trap_frame {
	unsigned long regs[32];
};

struct sbiret sbi_call(unsigned long eid, unsigned long fid, unsigned long a0, unsigned long a1, unsigned long a2,
		       unsigned long a3, unsigned long a4, unsigned long a5);
#define SBI0(e, f) sbi_call(e, f, 0, 0, 0, 0, 0, 0)
#define SBI1(e, f, a) sbi_call(e, f, a, 0, 0, 0, 0, 0)
#define SBI2(e, f, a, b) sbi_call(e, f, a, b, 0, 0, 0, 0)
#define SBI3(e, f, a, b, c) sbi_call(e, f, a, b, c, 0, 0, 0)
long sbi_legacy(unsigned long eid, unsigned long a0, unsigned long a1, unsigned long a2);

void gputc(char c);
int gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* TAP: one line per assertion; tap_done() prints the plan and powers the guest off. */
void tap_ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void __attribute__((noreturn)) tap_done(void);
/* Print the plan for the assertions so far and start counting afresh (before a reboot). */
void tap_plan(void);
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void __attribute__((noreturn)) guest_shutdown(void);

/* Set from /chosen/bootargs: "keel" under Keel, "native" on QEMU+OpenSBI. */
extern int under_keel;
extern const void *guest_dtb;
/* The value of key=value in /chosen/bootargs, copied into value (at most size - 1 bytes), or NULL. */
const char *bootarg(const char *key, char *value, unsigned long size);
/* The number after "key=" in /chosen/bootargs (strtoul's bases), or dflt. */
long bootarg_num(const char *key, long dflt);
/* Whether "key=value" is in /chosen/bootargs. */
int bootarg_is(const char *key, const char *value);
uint64_t dtb_memory_size(void);
int dtb_cpu_count(void);
const char *dtb_isa(void);
/* Whether the first cpu's riscv,isa names this extension: multi-letter ("sstc"), or one letter ("v"). */
int dtb_isa_has(const char *ext);

/* The last synchronous trap the guest's handler took, and how many. */
struct trap_record {
	volatile unsigned long cause, tval, epc, count;
	volatile unsigned long from_user;
	volatile unsigned long prev_cause, prev_from_user; /* the trap before the last one */
};
extern struct trap_record last_trap[8];
#define MY_TRAP (&last_trap[hart_id() & 7])
static inline unsigned long hart_id(void)
{
	unsigned long tp;

	__asm__ volatile("mv %0, tp" : "=r"(tp));
	return tp;
}

/* Interrupt hook: called with the interrupt number (scause without the flag). */
extern void (*volatile irq_hook)(unsigned long irq);

/* Each test guest defines guest_main; SMP guests define guest_secondary. */
void guest_main(unsigned long hartid);
void guest_secondary(unsigned long hartid, unsigned long arg);
void secondary_start(void);

/*
 * A split virtqueue of n entries as a guest driver lays it out in its RAM (virtio 1.1, 2.6; the
 * element types from the Linux UAPI virtio_ring.h, by lib/virtio_spec.h): declares struct name.
 */
#define GUEST_VRING(name, n)                                      \
	struct name {                                             \
		struct vring_desc desc[n];                        \
		struct {                                          \
			uint16_t flags, idx, ring[n], used_event; \
		} avail __attribute__((aligned(4)));              \
		struct {                                          \
			uint16_t flags, idx;                      \
			struct vring_used_elem ring[n];           \
			uint16_t avail_event;                     \
		} used __attribute__((aligned(4096)));            \
	} __attribute__((aligned(4096)))

static inline void mb(void)
{
	__asm__ volatile("fence rw, rw" ::: "memory");
}

#endif
