/*
 * The Linux UAPI type names for the freestanding build: the virtio headers Keel takes from
 * linux-libc-dev-riscv64-cross (build.mk's UAPI_HEADERS) include this in place of the package's
 * own, which would pull in asm/types.h and posix_types.h. The same types as asm-generic/int-ll64.h
 * (so __u64 is unsigned long long, as in the host builds); __bitwise is empty, as without sparse.
 */
#ifndef _LINUX_TYPES_H
#define _LINUX_TYPES_H

typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;

#define __bitwise
typedef __u16 __le16;
typedef __u16 __be16;
typedef __u32 __le32;
typedef __u32 __be32;
typedef __u64 __le64;
typedef __u64 __be64;
typedef __u16 __sum16;
typedef __u32 __wsum;

#endif
