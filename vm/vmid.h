/*
 * VMIDs (priv spec 8.2.10: hgatp.VMID, VMIDLEN from 0 to 14 bits): one per VM while the hart has
 * enough, else shared. A VM whose VMID another VM also has gets a G-stage fence whenever one of
 * its vCPUs is switched in (vcpu_bind), so no translation of the other VM's can be used. Pure logic.
 */
#ifndef KEEL_VM_VMID_H
#define KEEL_VM_VMID_H

#define VMID_FIRST 1 /* VMID 0 is a hart's own while no vCPU is bound (hgatp 0) */

/* The VMID of the n-th VM created (from 0) on harts with `bits` VMID bits. */
unsigned long vmid_assign(unsigned n, unsigned bits);
/* Whether VM i of the n VMs in vmids[] shares its VMID with another one. */
int vmid_shared(const unsigned long *vmids, unsigned n, unsigned i);

#endif
