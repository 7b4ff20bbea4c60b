/* VMID assignment (vm/vmid.h). */
#include "vm/vmid.h"

unsigned long vmid_assign(unsigned n, unsigned bits)
{
	return ((unsigned long)n + VMID_FIRST) & ((1UL << bits) - 1);
}

int vmid_shared(const unsigned long *vmids, unsigned n, unsigned i)
{
	for (unsigned j = 0; j < n; j++)
		if (j != i && vmids[j] == vmids[i])
			return 1;
	return 0;
}
