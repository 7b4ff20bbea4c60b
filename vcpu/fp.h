/* The vCPU's FP registers: loaded and put lazily, by sstatus.FS (vcpu/fp.c, the copies in vcpu/fp.S). */
#ifndef KEEL_VCPU_FP_H
#define KEEL_VCPU_FP_H
#include "vcpu/vcpu.h"

void vcpu_fp_load(struct vcpu *v);
void vcpu_fp_put(struct vcpu *v);

#endif
