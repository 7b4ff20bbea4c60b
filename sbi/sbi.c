/* The SBI layer's shared state (the dispatcher itself is inline in sbi.h, on the exit path). */
#include "sbi/sbi.h"
#include "vcpu/regs.h"

struct sbi_machine_ids sbi_machine_ids;

const struct sbi_ext *sbi_find_ext(unsigned long eid)
{
	return sbi_ext_of(eid);
}
