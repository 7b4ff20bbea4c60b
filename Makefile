# Keel: a small type-1 hypervisor for RISC-V. `make help` lists the targets.
#
# This file installs what is missing (scripts/deps.sh, once per make) and only then runs the
# build itself, build.mk, in a sub-make: build.mk asks the cross compiler things while it is
# read, so on a fresh machine it must not be read before the compiler is there.

BUILD ?= build
DEPS ?= scripts/deps.sh
LOCAL_GOALS := help deps clean
BUILD_GOALS := $(filter-out $(LOCAL_GOALS),$(or $(MAKECMDGOALS),all))

.PHONY: $(LOCAL_GOALS) $(BUILD_GOALS) keel-build

# Every other goal, `make` alone included, goes to build.mk in one sub-make, after deps.
$(BUILD_GOALS): keel-build
	@:
keel-build:
	@$(DEPS)
	@$(MAKE) --no-print-directory -f build.mk $(BUILD_GOALS)

deps:
	@$(DEPS)

clean:
	rm -rf $(BUILD)

help:
	@echo "make run        build and boot QEMU -> OpenSBI -> Keel -> Linux guest shell (Ctrl-A x quits)"
	@echo "                GUEST_KERNEL=img GUEST_INITRD=cpio GUEST_BOOTARGS=... GUEST_MEM=256M GUEST_CPUS=1 QEMU_OPTS=..."
	@echo "                (GUEST_CPUS vCPUs share the harts QEMU has: GUEST_CPUS=4 QEMU_OPTS=\"-smp 2\")"
	@echo "                GUEST_ROOT=disk (root on build/linux/rootfs.ext4) GUEST_DISK=img NATIVE=1 (no Keel)"
	@echo "                GUEST_CONSOLE=virtio|uart (the Linux guest's default: virtio, hvc1 + earlycon=sbi)"
	@echo "                GUEST_IRQCHIP=aia|plic (keel,irqchip: the AIA, an IMSIC guest file per vCPU; default plic)"
	@echo "                CONFIG=vms.dts DISKS=\"a.img b.img\" (host disks 0, 1... for the VMs' keel,disks)"
	@echo "                PLATFORM=trixie (default: QEMU 10.0, OpenSBI 1.5, -cpu rva23s64, AIA) | bookworm (QEMU 7.2, OpenSBI 1.1, -cpu rv64)"
	@echo "                QEMU_CPU=rv64 QEMU_MACHINE=virt,aia=aplic-imsic (either platform's hart model / machine options)"
	@echo "make test       host unit tests + every test guest under QEMU on both platforms (PLATFORM=...: one);"
	@echo "                a summary line per platform, then 'N passed, N failed' over all"
	@echo "make deps       install the Debian packages Keel needs (only what is missing; trixie's into ~/.cache/keel/trixie)"
	@echo "make            build Keel ($(BUILD)/keel.bin) and the test guests"
	@echo "make unit-tests host unit tests only (cmocka)"
	@echo "make linux      the Linux guest kernel (cached in ~/.cache/keel by config hash) and initramfs"
	@echo "make qemu-tests QEMU integration tests only"
	@echo "make distro     Debian trixie's riscv64 kernel, an initramfs and a disk for the distro cases (cached)"
	@echo "make gdb        attach gdb-multiarch to a QEMU started with 'make run QEMU_OPTS=\"-s -S\"'"
	@echo "make bench      instruction counts under QEMU -icount, Keel against OpenSBI (PLATFORM=..., bench/results-PLATFORM.json)"
	@echo "make bench-trace / bench-profile   where one exit's instructions go and the pages it touches / a Linux boot's instructions"
	@echo "make bench-table  both platforms' bench results side by side (run make bench PLATFORM=bookworm and =trixie first)"
	@echo "make fuzz       every fuzz target for FUZZ_SECONDS (make fuzz-smoke: the short runs make test does)"
	@echo "make static-check  cppcheck over Keel's sources (also part of make test)"
	@echo "make format     clang-format the sources; make check-format checks them"
	@echo "make check-layers  the rooms' include order (README \"Layout\"); make test runs it too"
	@echo "make config     the tools the build found"
	@echo "make clean      remove $(BUILD)/"
