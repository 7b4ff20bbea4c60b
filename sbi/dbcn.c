/*
 * DBCN extension (SBI spec 12), served on Keel's console (OpenSBI 1.1 has none).
 * Buffers are guest-physical and may cross pages; each page is checked on its own.
 */
#include "sbi/sbi.h"
#include "arch/riscv/csr.h"
#include "vm/guest.h"

/* One call moves at most this much; the spec lets us report a short count. */
#define DBCN_MAX_CHUNK 4096UL

static long buffer_addr(const struct sbi_call *call, uint64_t *addr)
{
	/* RV64: the address is base_addr_lo; base_addr_hi must be 0 (SBI spec 12.1). */
	if (call->args[2])
		return SBI_ERR_INVALID_PARAM;
	*addr = call->args[1];
	return SBI_SUCCESS;
}

static long console_xfer(struct vcpu *v, const struct sbi_call *call, int write, unsigned long *done)
{
	uint64_t addr, len = call->args[0];
	long err = buffer_addr(call, &addr);

	*done = 0;
	if (err)
		return err;
	if (len > DBCN_MAX_CHUNK)
		len = DBCN_MAX_CHUNK;
	if (addr + len < addr || (len && !vm_gpa_to_host(v->vm, addr, len)))
		return SBI_ERR_INVALID_PARAM;
	while (*done < len) {
		uint64_t page_left = PAGE_SIZE - ((addr + *done) & (PAGE_SIZE - 1));
		uint64_t n = len - *done < page_left ? len - *done : page_left;
		char *p = vm_gpa_to_host(v->vm, addr + *done, n);

		if (!p)
			return SBI_ERR_INVALID_PARAM;
		if (write) {
			vm_console_write(v->vm, p, n);
			*done += n;
			continue;
		}
		for (uint64_t i = 0; i < n; i++) {
			int c = vm_console_getc(v->vm);

			if (c < 0)
				return SBI_SUCCESS;
			p[i] = (char)c;
			(*done)++;
		}
	}
	return SBI_SUCCESS;
}

static enum exit_reason dbcn_handle(struct vcpu *v, const struct sbi_call *call, struct sbi_ret *ret,
				    struct vcpu_exit *exit)
{
	(void)exit;
	switch (call->fid) {
	case SBI_EXT_DBCN_CONSOLE_WRITE:
		ret->error = console_xfer(v, call, 1, &ret->value);
		break;
	case SBI_EXT_DBCN_CONSOLE_READ:
		ret->error = console_xfer(v, call, 0, &ret->value);
		break;
	case SBI_EXT_DBCN_CONSOLE_WRITE_BYTE:
		vm_console_putc(v->vm, (char)(call->args[0] & 0xff));
		ret->error = SBI_SUCCESS;
		break;
	default:
		break;
	}
	return EXIT_NOTHING;
}

const struct sbi_ext sbi_ext_dbcn = {
	.name = "dbcn",
	.handle = dbcn_handle,
};
