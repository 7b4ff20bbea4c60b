#!/bin/sh
# Install the Debian packages Keel needs, only when something is missing: the bookworm platform's
# (the machine's own packages), then the trixie platform's (scripts/trixie.sh: unpacked into
# ~/.cache/keel/trixie, the machine's apt sources and QEMU untouched), then Debian's riscv64 kernel
# for the distro cases (scripts/distro-kernel.sh, into ~/.cache/keel/distro).
# Usage: scripts/deps.sh [--check]   (--check: exit 1 if anything is missing, install nothing)
set -e
here=$(dirname "$0")
# linux-libc-dev-riscv64-cross: the virtio UAPI headers every build reads (build.mk's UAPI_HEADERS);
# linux-libc-dev: the host builds' linux/types.h under them.
PACKAGES="make gcc libc6-dev linux-libc-dev libcmocka-dev python3 qemu-system-misc opensbi gcc-riscv64-linux-gnu \
libc6-dev-riscv64-cross linux-libc-dev-riscv64-cross binutils-riscv64-linux-gnu linux-source-6.1 device-tree-compiler xz-utils \
flex bison bc e2fsprogs u-boot-qemu clang libclang-rt-14-dev clang-format cppcheck gdb-multiarch"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ "${1:-}" = "--check" ]; then
	rc=0
	[ -z "$missing" ] || { echo "missing packages:$missing"; rc=1; }
	"$here/trixie.sh" --check || rc=1
	"$here/distro-kernel.sh" --check || rc=1
	exit $rc
fi
if [ -n "$missing" ]; then
	echo "keel deps: installing$missing"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends $missing
fi
"$here/trixie.sh" --check >/dev/null || "$here/trixie.sh"
# Debian trixie's riscv64 kernel for the distro cases: fetched once (it needs python3 and mke2fs, above).
"$here/distro-kernel.sh" --check >/dev/null || "$here/distro-kernel.sh" >/dev/null
