/*
 * A VM reset while a passed-through interrupt is in flight (Keel only; the goldfish RTC passed
 * through, source 11). Boot 1 reboots with the RTC's interrupt claimed and not completed, boot 2
 * with it forwarded and still pending; each next boot must get the interrupt again, so the
 * reset released Keel's claim on the host PLIC.
 */
#include "guests/common/goldfish_rtc.h"
#include "guests/common/guest.h"

#define RTC_BASE 0x101000UL
#define RTC_IRQ 11
/* The VM's PLIC (QEMU virt's address); context 0 is vCPU 0's S-mode under Keel. */
#define PLIC_BASE 0xc000000UL
#define PLIC_PRIORITY(id) (4UL * (id))
#define PLIC_PENDING 0x1000UL
#define PLIC_ENABLE0 0x2000UL
#define PLIC_THRESHOLD0 0x200000UL
#define PLIC_CLAIM0 (PLIC_THRESHOLD0 + 4)
#define SPIN 50000000UL

static volatile uint32_t *reg(uintptr_t base, uintptr_t off)
{
	return (volatile uint32_t *)(base + off);
}

static void rtc_lower(void)
{
	*reg(RTC_BASE, RTC_CLEAR_ALARM) = 1;
	*reg(RTC_BASE, RTC_CLEAR_INTERRUPT) = 1;
	*reg(RTC_BASE, RTC_IRQ_ENABLED) = 0;
}

static void rtc_raise(void)
{
	uint32_t lo = *reg(RTC_BASE, RTC_TIME_LOW), hi = *reg(RTC_BASE, RTC_TIME_HIGH);

	*reg(RTC_BASE, RTC_IRQ_ENABLED) = 1;
	*reg(RTC_BASE, RTC_ALARM_HIGH) = hi;
	*reg(RTC_BASE, RTC_ALARM_LOW) = lo; /* in the past: fires at once */
}

static int rtc_pending(void)
{
	for (unsigned long i = 0; i < SPIN / 100; i++)
		if (*reg(PLIC_BASE, PLIC_PENDING) & (1U << RTC_IRQ))
			return 1;
	return 0;
}

static void reboot(void)
{
	tap_plan();
	SBI2(SBI_EXT_SRST, SBI_EXT_SRST_RESET, SBI_SRST_RESET_TYPE_COLD_REBOOT, SBI_SRST_RESET_REASON_NONE);
	tap_ok(0, "passreset: SRST reboot returned");
}

void guest_main(unsigned long hartid)
{
	struct sbiret r = SBI0(SBI_EXT_KEEL_HVC, KEEL_HVC_BOOT_COUNT);
	unsigned id;

	(void)hartid;
	csr_clear(sstatus, SSTATUS_SIE);
	/* The RTC is not reset with the VM: start from a quiet device, then make it interrupt. */
	rtc_lower();
	*reg(PLIC_BASE, PLIC_PRIORITY(RTC_IRQ)) = 1;
	*reg(PLIC_BASE, PLIC_THRESHOLD0) = 0;
	*reg(PLIC_BASE, PLIC_ENABLE0) = 1U << RTC_IRQ;
	rtc_raise();
	tap_ok(rtc_pending(), "passreset: boot %ld: the RTC's interrupt reaches the VM", r.value);
	if (r.value == 1) {
		id = *reg(PLIC_BASE, PLIC_CLAIM0);
		tap_ok(id == RTC_IRQ, "passreset: boot 1: claimed (%u), not completed: reboot", id);
		reboot();
	} else if (r.value == 2) {
		tap_ok(1, "passreset: boot 2: left pending: reboot");
		reboot();
	}
	id = *reg(PLIC_BASE, PLIC_CLAIM0);
	tap_ok(id == RTC_IRQ, "passreset: boot %ld: claim returns it (%u)", r.value, id);
	rtc_lower();
	*reg(PLIC_BASE, PLIC_CLAIM0) = id;
}
