/* The vCPU's IMSIC guest interrupt file (vcpu/aia.h). */
#include "vcpu/aia.h"

void vcpu_aia_attach(struct vcpu *v, unsigned file, unsigned ids)
{
	v->aia_file = file;
	v->aia_ids = ids;
	v->hstateen0 = hstateen0_default() | HSTATEEN0_CSRIND | HSTATEEN0_AIA | HSTATEEN0_IMSIC;
}

void vcpu_aia_reset(struct vcpu *v)
{
	if (!v->aia_file)
		return;
	/* With hstatus.VGEIN = the file, HS-mode's vsiselect / vsireg reach it. */
	csr_write(CSR_VSISELECT, IMSIC_EIDELIVERY);
	csr_write(CSR_VSIREG, 0);
	csr_write(CSR_VSISELECT, IMSIC_EITHRESHOLD);
	csr_write(CSR_VSIREG, 0);
	/* Only the registers of identities the file has: the others are illegal to reach. */
	for (unsigned id = 0; id <= v->aia_ids; id += IMSIC_EIREG_BITS) {
		csr_write(CSR_VSISELECT, IMSIC_EIP(id));
		csr_write(CSR_VSIREG, 0);
		csr_write(CSR_VSISELECT, IMSIC_EIE(id));
		csr_write(CSR_VSIREG, 0);
	}
	csr_write(CSR_VSISELECT, 0);
	v->vsiselect = 0;
}
