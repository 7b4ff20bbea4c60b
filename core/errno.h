/* Keel's internal error codes (negative returns); SBI errors are translated at the SBI boundary. */
#ifndef KEEL_CORE_ERRNO_H
#define KEEL_CORE_ERRNO_H

enum keel_err {
	EOK = 0,
	EPERM = 1,
	ENOENT = 2,
	EIO = 5,
	ENOMEM = 12,
	EFAULT = 14,
	EBUSY = 16,
	EEXIST = 17,
	EINVAL = 22,
	ENOSPC = 28,
	ERANGE = 34,
	ENOSYS = 38,
};

#endif
