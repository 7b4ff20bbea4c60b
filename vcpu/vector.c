/* The vCPU's vector image: generations, and the state a vector unit has after reset. */
#include "vcpu/vector.h"
#include <string.h>

static unsigned long vector_gen = VECTOR_GEN_INITIAL; /* 0: a hart holding none */

unsigned long vcpu_vector_next_gen(void)
{
	return __atomic_add_fetch(&vector_gen, 1, __ATOMIC_RELAXED);
}

void vcpu_vector_reset(struct vcpu *v)
{
	memset(&v->vector, 0, sizeof(v->vector));
	v->vector.vtype = VTYPE_VILL;
	v->vector.gen = VECTOR_GEN_INITIAL;
}
