/* Hart timer multiplexing between Keel and the pinned vCPU. */
#ifndef KEEL_VCPU_TIMER_H
#define KEEL_VCPU_TIMER_H
#include <stdint.h>
#include "vcpu/vcpu.h"

struct hart;

void hart_timer_program(struct hart *h);
/* The host timer fired (scause = S timer interrupt). */
void timer_handle_irq(struct hart *h);
void vcpu_timer_set(struct vcpu *v, uint64_t deadline);

#endif
