/* The SBI layer's shared state (the extension lookup and the dispatcher are inline in sbi.h, on the exit path). */
#include "sbi/sbi.h"
#include "vcpu/regs.h"

struct sbi_machine_ids sbi_machine_ids;
