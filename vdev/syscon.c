/*
 * sifive,test: a 32-bit write at offset 0 of FINISHER_PASS (or FINISHER_FAIL with an exit
 * code in the upper 16 bits) powers the VM off, FINISHER_RESET restarts it. Other values
 * and offsets are ignored; reads return 0. This stops or restarts that VM only.
 */
#include "vdev/syscon.h"

#define FINISHER_FAIL 0x3333
#define FINISHER_PASS 0x5555
#define FINISHER_RESET 0x7777
#define FINISHER_CODE_MASK 0xffff

static int syscon_read(void *dev, uint64_t off, unsigned width, uint64_t *val)
{
	(void)dev;
	(void)off;
	(void)width;
	*val = 0;
	return MMIO_OK;
}

static int syscon_write(void *dev, uint64_t off, unsigned width, uint64_t val)
{
	(void)dev;
	if (off != 0 || width < 4)
		return MMIO_OK;
	switch (val & FINISHER_CODE_MASK) {
	case FINISHER_PASS:
	case FINISHER_FAIL:
		return MMIO_POWEROFF;
	case FINISHER_RESET:
		return MMIO_RESET;
	default:
		return MMIO_OK;
	}
}

const struct mmio_ops syscon_ops = { .read = syscon_read, .write = syscon_write };
