/* Host tests for vm/vmid.c: VMIDs stay distinct while the hart has enough bits, and sharing is seen. */
#include "unit.h"
#include "vm/vmid.h"

#define VMS 4 /* MAX_VMS */
#define HART_VMID_BITS 14 /* QEMU's */

static void assign(unsigned long *vmids, unsigned bits)
{
	for (unsigned i = 0; i < VMS; i++)
		vmids[i] = vmid_assign(i, bits);
}

static unsigned shared_count(const unsigned long *vmids)
{
	unsigned n = 0;

	for (unsigned i = 0; i < VMS; i++)
		n += (unsigned)vmid_shared(vmids, VMS, i);
	return n;
}

static void test_enough_bits(void **state)
{
	unsigned long vmids[VMS];

	(void)state;
	assign(vmids, HART_VMID_BITS);
	for (unsigned i = 0; i < VMS; i++)
		assert_int_equal(vmids[i], i + VMID_FIRST);
	assert_int_equal(shared_count(vmids), 0);
	assign(vmids, 3); /* 8 VMIDs for 4 VMs */
	assert_int_equal(shared_count(vmids), 0);
	assign(vmids, 2); /* exactly 4: VMID 0 goes to the fourth VM */
	assert_int_equal(vmids[VMS - 1], 0);
	assert_int_equal(shared_count(vmids), 0);
}

static void test_too_few_bits(void **state)
{
	unsigned long vmids[VMS];

	(void)state;
	assign(vmids, 1); /* 1, 0, 1, 0 */
	assert_int_equal(vmids[0], vmids[2]);
	assert_int_equal(vmids[1], vmids[3]);
	assert_int_equal(shared_count(vmids), VMS);
	assign(vmids, 0); /* no VMIDs at all: every VM has 0 */
	for (unsigned i = 0; i < VMS; i++)
		assert_int_equal(vmids[i], 0);
	assert_int_equal(shared_count(vmids), VMS);
	/* Alone, a VM shares nothing, even with VMID 0. */
	assert_false(vmid_shared(vmids, 1, 0));
	/* Two of three on a 1-bit hart share: the third's VMID is its own. */
	assert_true(vmid_shared(vmids, 2, 0));
	unsigned long three[] = { vmid_assign(0, 1), vmid_assign(1, 1), vmid_assign(2, 1) };

	assert_true(vmid_shared(three, 3, 0));
	assert_false(vmid_shared(three, 3, 1));
	assert_true(vmid_shared(three, 3, 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enough_bits),
		cmocka_unit_test(test_too_few_bits),
	};

	return run_unit_tests(tests);
}
