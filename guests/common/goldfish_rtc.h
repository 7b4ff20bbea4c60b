/* The goldfish RTC on QEMU virt (the test guests' pass-through device): its registers. */
#ifndef KEEL_GUESTS_GOLDFISH_RTC_H
#define KEEL_GUESTS_GOLDFISH_RTC_H

#define RTC_TIME_LOW 0x00
#define RTC_TIME_HIGH 0x04
#define RTC_ALARM_LOW 0x08
#define RTC_ALARM_HIGH 0x0c
#define RTC_IRQ_ENABLED 0x10
#define RTC_CLEAR_ALARM 0x14
#define RTC_CLEAR_INTERRUPT 0x1c

#endif
