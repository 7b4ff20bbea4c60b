# Keel's build. Read only by the Makefile's sub-make, after scripts/deps.sh has installed the
# tools: the variables below ask those tools things as this file is read, so every tool is
# checked first and a missing one stops the build with its name rather than an empty variable.

BUILD ?= build
CROSS ?= riscv64-linux-gnu-
CC := $(CROSS)gcc
OBJCOPY := $(CROSS)objcopy
HOSTCC ?= gcc
QEMU ?= qemu-system-riscv64
# The platforms QEMU runs on (scripts/keelrun.py's PLATFORMS): bookworm (Debian 12's QEMU 7.2 and
# OpenSBI 1.1, -cpu rv64, the PLIC) and trixie (Debian 13's QEMU 10.0 and OpenSBI 1.5, -cpu rva23s64,
# the AIA with guest interrupt files, from scripts/trixie.sh). PLATFORM picks one; without it make test runs both, make run and make bench
# trixie. QEMU_CPU and QEMU_MACHINE replace either's hart model and machine options.
PLATFORMS := bookworm trixie
$(if $(filter-out $(PLATFORMS),$(PLATFORM)),$(error PLATFORM must be one of: $(PLATFORMS)))
TEST_PLATFORMS = $(or $(PLATFORM),$(PLATFORMS))
RUN_PLATFORM = $(or $(PLATFORM),trixie)
QEMU_OVERRIDES = $(if $(QEMU_CPU),--qemu-cpu "$(QEMU_CPU)") $(if $(QEMU_MACHINE),--qemu-machine "$(QEMU_MACHINE)")
RUN_PLATFORM_ARGS = --platform $(RUN_PLATFORM) $(QEMU_OVERRIDES)
TEST_PLATFORM_ARGS = $(foreach p,$(TEST_PLATFORMS),--platform $(p)) $(QEMU_OVERRIDES)

LIBFDT_DIR := $(BUILD)/libfdt
LIBFDT_SRCS := fdt.c fdt_ro.c fdt_wip.c fdt_sw.c fdt_rw.c fdt_strerror.c fdt_empty_tree.c fdt_addresses.c
GEN := $(BUILD)/gen

# Every tool the build runs, by the Debian package that brings it: a missing one stops here, named.
TOOLS := $(CC):gcc-riscv64-linux-gnu $(OBJCOPY):binutils-riscv64-linux-gnu $(HOSTCC):gcc \
	$(QEMU):qemu-system-misc dtc:device-tree-compiler python3:python3
$(foreach t,$(TOOLS),$(if $(shell command -v $(firstword $(subst :, ,$(t))) 2>/dev/null),,\
	$(error $(firstword $(subst :, ,$(t))) not found (Debian package $(lastword $(subst :, ,$(t)))): \
	run `make deps` or plain `make`, which installs it)))
GCC_INC := $(shell $(CC) -print-file-name=include 2>/dev/null)
$(if $(wildcard $(GCC_INC)/stddef.h),,$(error $(CC) gives no freestanding include directory ($(GCC_INC))))
# The virtio layouts come from the Linux UAPI headers of the cross toolchain's package, as kvmtool
# takes them: only these, linked into $(UAPI_DIR)/linux, so no libc header comes along. Keel, the test
# guests, the unit tests and the fuzz targets all read these same files; the freestanding builds get
# linux/types.h from lib/include, the host builds from the host's linux-libc-dev.
UAPI_INC ?= /usr/riscv64-linux-gnu/include
UAPI_HEADERS := virtio_config.h virtio_types.h virtio_ids.h virtio_ring.h virtio_mmio.h virtio_blk.h virtio_net.h \
	virtio_console.h if_ether.h
$(foreach h,$(UAPI_HEADERS),$(if $(wildcard $(UAPI_INC)/linux/$(h)),,\
	$(error $(UAPI_INC)/linux/$(h) not found (Debian package linux-libc-dev-riscv64-cross): \
	run `make deps` or plain `make`, which installs it)))
UAPI_DIR := $(BUILD)/uapi
UAPI_LINKS := $(addprefix $(UAPI_DIR)/linux/,$(UAPI_HEADERS))
ARCH_FLAGS := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany
FREESTANDING := -ffreestanding -nostdlib -nostdinc -isystem $(GCC_INC) -fno-stack-protector -fno-pic \
	-fno-common -fno-builtin-printf
WARN := -Wall -Wextra -Werror
CFLAGS := $(ARCH_FLAGS) $(FREESTANDING) -O2 -g $(WARN) -Ilib/include -I. -I$(GEN) -I$(LIBFDT_DIR) -isystem $(UAPI_DIR)
# ASSUME_LATEST (libfdt_internal.h): every tree Keel reads is version 17 (QEMU's, checked at boot, and
# its own), so libfdt skips the per-access version tests; bounds are still checked. 0.2M fewer
# instructions per boot (make bench-profile). The host builds (unit tests, fuzz) keep every check.
LIBFDT_ASSUME_LATEST := 0x4
LIBFDT_CFLAGS := $(ARCH_FLAGS) $(FREESTANDING) -O2 -g -Ilib/include -I$(LIBFDT_DIR) -DFDT_ASSUME_MASK=$(LIBFDT_ASSUME_LATEST)
LDFLAGS := -nostdlib -static -Wl,--build-id=none -Wl,--gc-sections -Wl,--no-warn-rwx-segments

# Keel's rooms, in their order from the top (README "Layout"; make check-layers holds it): every .c
# and .S in them is part of the image (the generated-offsets sources, */asm-offsets.c, are not).
KEEL_DIRS := boot sched vm board exit sbi vcpu vdev vdev/virtio drivers drivers/virtio net core mm arch/riscv lib
KEEL_SRCS := $(filter-out %/asm-offsets.c,$(foreach d,$(KEEL_DIRS),$(wildcard $(d)/*.c $(d)/*.S)))
SBI_SRCS := $(wildcard sbi/*.c)

KEEL_OBJS := $(patsubst %,$(BUILD)/keel/%.o,$(KEEL_SRCS))
LIBFDT_OBJS := $(patsubst %.c,$(BUILD)/libfdt-obj/%.o,$(LIBFDT_SRCS))
KEEL_ELF := $(BUILD)/keel.elf
KEEL_BIN := $(BUILD)/keel.bin

# Bare-metal test guests: guests/bare/NAME.c -> build/guests/NAME.bin
GUEST_NAMES := $(basename $(notdir $(wildcard guests/bare/*.c)))
GUEST_COMMON := guests/common/crt0.S guests/common/guest.c lib/printf.c lib/string.c
GUEST_COMMON_OBJS := $(patsubst %,$(BUILD)/guests/common/%.o,$(GUEST_COMMON))
GUEST_BINS := $(patsubst %,$(BUILD)/guests/%.bin,$(GUEST_NAMES))
GUEST_CFLAGS := $(ARCH_FLAGS) $(FREESTANDING) -O2 -g $(WARN) -Ilib/include -I. -I$(LIBFDT_DIR) -isystem $(UAPI_DIR)

.PHONY: all run test unit-tests qemu-tests guests format check-format check-layers gdb linux config FORCE

all: $(KEEL_BIN) guests

# ---- libfdt, extracted from linux-source-6.1 at build time ----
$(LIBFDT_DIR)/libfdt.h:
	@echo "  LIBFDT  extract from /usr/src/linux-source-6.1.tar.xz"
	@scripts/libfdt.sh $(LIBFDT_DIR)

$(BUILD)/libfdt-obj/%.o: $(LIBFDT_DIR)/libfdt.h
	@mkdir -p $(dir $@)
	@echo "  CC      libfdt/$*.c"
	@$(CC) $(LIBFDT_CFLAGS) -c $(LIBFDT_DIR)/$*.c -o $@

# ---- the Linux UAPI headers (links: a newer package rebuilds what includes them) ----
$(UAPI_DIR)/linux/%.h: $(UAPI_INC)/linux/%.h
	@mkdir -p $(dir $@)
	@ln -sf $< $@

# ---- generated assembly offsets: one header per room that has assembly (arch/riscv, vcpu) ----
ASM_OFFSETS := $(GEN)/arch-offsets.h $(GEN)/vcpu-offsets.h
$(GEN)/arch-offsets.h: arch/riscv/asm-offsets.c arch/riscv/hart.h scripts/gen-asm-offsets.sh
$(GEN)/vcpu-offsets.h: vcpu/asm-offsets.c arch/riscv/hart.h arch/riscv/cpu.h vcpu/regs.h scripts/gen-asm-offsets.sh
$(ASM_OFFSETS):
	@mkdir -p $(GEN)
	@echo "  GEN     $@"
	@$(CC) $(CFLAGS) -S $< -o $(@:.h=.s)
	@scripts/gen-asm-offsets.sh $(@:.h=.s) $< > $@

# ---- Keel ----
$(BUILD)/keel/%.c.o: %.c $(LIBFDT_DIR)/libfdt.h $(ASM_OFFSETS) $(UAPI_LINKS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/keel/%.S.o: %.S $(ASM_OFFSETS)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(KEEL_ELF): $(KEEL_OBJS) $(LIBFDT_OBJS) linker.ld
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -T linker.ld $(KEEL_OBJS) $(LIBFDT_OBJS) -lgcc -o $@

$(KEEL_BIN): $(KEEL_ELF)
	@$(OBJCOPY) -O binary $< $@

# ---- test guests ----
guests: $(GUEST_BINS)

$(BUILD)/guests/common/%.c.o: %.c $(LIBFDT_DIR)/libfdt.h $(UAPI_LINKS)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (guest)"
	@$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/guests/common/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $< (guest)"
	@$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/guests/%.o: guests/bare/%.c $(LIBFDT_DIR)/libfdt.h $(UAPI_LINKS)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (guest)"
	@$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/guests/%.elf: $(BUILD)/guests/%.o $(GUEST_COMMON_OBJS) $(LIBFDT_OBJS) guests/common/guest.ld
	@$(CC) $(GUEST_CFLAGS) $(LDFLAGS) -T guests/common/guest.ld $< $(GUEST_COMMON_OBJS) $(LIBFDT_OBJS) -lgcc -o $@

$(BUILD)/guests/%.bin: $(BUILD)/guests/%.elf
	@$(OBJCOPY) -O binary $< $@

# ---- the Linux guest: kernel (cached outside the clone by config hash) and initramfs ----
LINUX_DIR := $(BUILD)/linux
LINUX_IMAGE := $(LINUX_DIR)/Image
LINUX_INITRD := $(LINUX_DIR)/initramfs.cpio
LINUX_ROOTFS := $(LINUX_DIR)/rootfs.ext4
INIT_SRCS := $(wildcard guests/linux/init/*.c)

# The trixie platform's guest is Linux 6.12 (linux-source-6.12, keel-6.12.config), bookworm's 6.1;
# both share the initramfs and the disk image.
LINUX_612_IMAGE := $(BUILD)/linux-6.12/Image
LINUX_IMAGES := $(LINUX_IMAGE) $(if $(filter trixie,$(TEST_PLATFORMS) $(RUN_PLATFORM)),$(LINUX_612_IMAGE))
linux: $(LINUX_IMAGES) $(LINUX_INITRD) $(LINUX_ROOTFS)

# The script answers at once from its cache; it prints the cached Image's path.
$(LINUX_IMAGE): FORCE
	@mkdir -p $(LINUX_DIR)
	@img=$$(guests/linux/build-kernel.sh) && cmp -s "$$img" $@ || cp "$$img" $@
$(LINUX_612_IMAGE): FORCE
	@mkdir -p $(dir $@)
	@img=$$(guests/linux/build-kernel.sh 6.12) && cmp -s "$$img" $@ || cp "$$img" $@

$(LINUX_DIR)/init: $(INIT_SRCS) $(wildcard guests/linux/init/*.h)
	@mkdir -p $(LINUX_DIR)
	@echo "  CC      $@ (static, for the Linux guest)"
	@$(CC) -static -O2 -Wall -Wextra -Werror -o $@ $(INIT_SRCS)

$(LINUX_INITRD): $(LINUX_DIR)/init scripts/mkcpio.py
	@python3 scripts/mkcpio.py $@ dir:/dev dir:/mnt dir:/proc dir:/sys nod:/dev/console:c:5:1:0600 \
		file:/init=$<:0755

# The same userspace as an ext4 disk image for a root on disk (root=/dev/vda): init as /sbin/init,
# guests/linux/rootfs/ and the mount points, filled in by mke2fs -d (no root privileges, no loop mount).
ROOTFS_SIZE ?= 64M
$(LINUX_ROOTFS): $(LINUX_DIR)/init $(wildcard guests/linux/rootfs/*)
	@echo "  MKE2FS  $@ ($(ROOTFS_SIZE) ext4)"
	@rm -rf $(LINUX_DIR)/rootfs $@.tmp && mkdir -p $(addprefix $(LINUX_DIR)/rootfs/,sbin dev proc sys mnt tmp)
	@cp -r guests/linux/rootfs/. $(LINUX_DIR)/rootfs/ && cp $< $(LINUX_DIR)/rootfs/sbin/init
	@mke2fs -q -F -t ext4 -L keel-root -E root_owner=0:0 -d $(LINUX_DIR)/rootfs $@.tmp $(ROOTFS_SIZE) >/dev/null
	@mv $@.tmp $@

# ---- Debian's own kernel for the distro cases (scripts/distro-kernel.sh: fetched once, then cached) ----
# Links in $(DISTRO_DIR) to the script's kernel Image, initramfs and disk image in ~/.cache/keel/distro.
DISTRO_DIR := $(BUILD)/distro
.PHONY: distro
distro:
	@mkdir -p $(DISTRO_DIR)
	@set -- $$(scripts/distro-kernel.sh) && [ $$# -eq 3 ] && ln -sfn "$$1" $(DISTRO_DIR)/Image && \
		ln -sfn "$$2" $(DISTRO_DIR)/initramfs.cpio && ln -sfn "$$3" $(DISTRO_DIR)/disk.ext4

# ---- host unit tests (cmocka) ----
HOST_CFLAGS := -O1 -g -Wall -Wextra -Werror -I. -I$(LIBFDT_DIR) -isystem $(UAPI_DIR) -DKEEL_HOST_TEST -fsanitize=address,undefined
HOST_LIBFDT_OBJS := $(patsubst %.c,$(BUILD)/host/libfdt/%.o,$(LIBFDT_SRCS))
UNIT_TESTS := $(basename $(notdir $(wildcard tests/unit/test_*.c)))
UNIT_BINS := $(patsubst %,$(BUILD)/host/%,$(UNIT_TESTS))

$(BUILD)/host/libfdt/%.o: $(LIBFDT_DIR)/libfdt.h
	@mkdir -p $(dir $@)
	@$(HOSTCC) -O1 -g -I$(LIBFDT_DIR) -c $(LIBFDT_DIR)/$*.c -o $@

include tests/unit/sources.mk

$(BUILD)/host/%: tests/unit/%.c $(HOST_LIBFDT_OBJS) $(LIBFDT_DIR)/libfdt.h $(UAPI_LINKS)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	@$(HOSTCC) $(HOST_CFLAGS) $< $(UNIT_SRCS_$*) $(HOST_LIBFDT_OBJS) -lcmocka -o $@

unit-tests: $(UNIT_BINS)
	@scripts/run-unit-tests.sh $(UNIT_BINS)

# ---- QEMU ----
QEMU_TEST_ARGS = --build $(BUILD) --linux-kernel $(LINUX_IMAGE) --linux-initrd $(LINUX_INITRD) \
	--linux-rootfs $(LINUX_ROOTFS) --linux-kernel-for trixie=6.12:$(LINUX_612_IMAGE)

QEMU_TEST_ARGS += --distro-kernel $(DISTRO_DIR)/Image --distro-initrd $(DISTRO_DIR)/initramfs.cpio \
	--distro-disk $(DISTRO_DIR)/disk.ext4
qemu-tests test: distro

qemu-tests: $(KEEL_BIN) guests linux
	@python3 tests/qemu/run.py $(QEMU_TEST_ARGS) $(TEST_PLATFORM_ARGS)

# The fuzz targets' prerequisites come from tests/fuzz/fuzz.mk, included at the end. The unit tests
# and the checks run once, the QEMU cases once per platform.
test: $(KEEL_BIN) guests linux $(UNIT_BINS)
	@python3 tests/qemu/run.py $(QEMU_TEST_ARGS) $(TEST_PLATFORM_ARGS) --unit $(UNIT_BINS) \
		--check "fuzz=FUZZ_SMOKE_SECONDS=$(FUZZ_SMOKE_SECONDS) tests/fuzz/smoke.sh $(FUZZ_BUILD) $(FUZZ_TARGETS)" \
		--check "layers=python3 scripts/check-layers.py" --check "cppcheck=KEEL_DIRS='$(KEEL_DIRS)' tests/fuzz/cppcheck.sh" --check "format=clang-format --dry-run --Werror $(FORMAT_FILES)" \
		--check "firstrun=tests/firstrun.sh $(BUILD)" \
		--check "piped-run=tests/piped-run.sh '$(MAKE)' $(BUILD)/test-logs/piped-run.log"

# make run: the VMs in CONFIG (default configs/linux.dts). Any GUEST_* variable instead boots one
# VM from the command line: GUEST_KERNEL=path [GUEST_INITRD=path] [GUEST_BOOTARGS="..."]
# [GUEST_MEM=256M] [GUEST_CPUS=1] (without GUEST_KERNEL: the Linux guest and its initramfs). The VM
# gets every hart QEMU has (QEMU_OPTS="-smp N", else one per vCPU); more vCPUs than harts share them.
# GUEST_ROOT=disk: the Linux guest's root on build/linux/rootfs.ext4 (/dev/vda), no initramfs;
# GUEST_DISK=image: one more disk. GUEST_NET=user[,QEMU netdev options]: a NIC on a network with the
# machine's own card (QEMU's user network, e.g. "user,hostfwd=tcp:127.0.0.1:8080-:80"), eth0 up by DHCP
# (ip=dhcp). With CONFIG: NETS="user ..." gives the machine those cards. NATIVE=1: the same guest on QEMU + OpenSBI, without Keel.
CONFIG ?= configs/linux.dts
GUEST_VARS := $(strip $(GUEST_KERNEL)$(GUEST_INITRD)$(GUEST_BOOTARGS)$(GUEST_MEM)$(GUEST_CPUS)$(GUEST_ROOT)$(GUEST_DISK) \
	$(GUEST_NET)$(GUEST_CONSOLE)$(GUEST_IRQCHIP)$(NATIVE))
ROOT_ON_DISK = $(if $(filter-out disk,$(GUEST_ROOT)),$(error GUEST_ROOT must be disk or empty),$(GUEST_ROOT))
RUN_INITRD = $(if $(GUEST_KERNEL)$(ROOT_ON_DISK),$(GUEST_INITRD),$(or $(GUEST_INITRD),$(LINUX_INITRD)))
RUN_DISKS = $(if $(ROOT_ON_DISK),$(LINUX_ROOTFS)) $(GUEST_DISK)
# GUEST_IRQCHIP=aia|plic: the guest's interrupt controller (keel,irqchip).
# GUEST_CONSOLE=virtio|uart: the device with the console input (keel,console; NATIVE=1: QEMU's
# virtconsole or not). The Linux guest with its default command line gets the virtio console (hvc1,
# the early log on earlycon=sbi); a GUEST_KERNEL or GUEST_BOOTARGS gets the UART unless asked.
RUN_CONSOLE = $(or $(GUEST_CONSOLE),$(if $(GUEST_KERNEL)$(GUEST_BOOTARGS),uart,virtio))
RUN_CONSOLE_ARGS = $(if $(filter virtio,$(RUN_CONSOLE)),earlycon=sbi console=hvc1,console=ttyS0)
RUN_BOOTARGS = $(or $(GUEST_BOOTARGS),$(RUN_CONSOLE_ARGS)$(if $(ROOT_ON_DISK), root=/dev/vda rw rootwait)$(if $(GUEST_NET), ip=dhcp))
RUN_LINUX_IMAGE = $(if $(filter trixie,$(RUN_PLATFORM)),$(LINUX_612_IMAGE),$(LINUX_IMAGE))
run: $(KEEL_BIN) guests $(if $(GUEST_KERNEL),,linux)
ifeq ($(GUEST_VARS),)
	@python3 scripts/keelrun.py --build $(BUILD) $(RUN_PLATFORM_ARGS) --config $(CONFIG) --linux-image $(RUN_LINUX_IMAGE) \
		$(if $(QEMU_OPTS),--qemu-opts "$(QEMU_OPTS)") \
		$(foreach d,$(DISKS),--disk "$(d)") $(foreach n,$(NETS),--net "$(n)")
else
	@python3 scripts/keelrun.py --build $(BUILD) $(RUN_PLATFORM_ARGS) --kernel "$(or $(GUEST_KERNEL),$(RUN_LINUX_IMAGE))" \
		$(if $(RUN_INITRD),--initrd "$(RUN_INITRD)") --bootargs "$(RUN_BOOTARGS)" --console $(RUN_CONSOLE) \
		$(if $(GUEST_IRQCHIP),--irqchip $(GUEST_IRQCHIP)) \
		--guest-mem $(or $(GUEST_MEM),256M) --cpus $(or $(GUEST_CPUS),1) $(if $(QEMU_OPTS),--qemu-opts "$(QEMU_OPTS)") \
		$(foreach d,$(RUN_DISKS),--disk "$(d)") $(if $(GUEST_NET),--net "$(GUEST_NET)") $(if $(NATIVE),--native --mem $(or $(GUEST_MEM),256M))
endif

# What the build found: its tools and where they are (make test checks this on a first run).
config:
	@echo "CC       $(shell command -v $(CC))"
	@echo "OBJCOPY  $(shell command -v $(OBJCOPY))"
	@echo "GCC_INC  $(GCC_INC)"
	@echo "UAPI     $(UAPI_INC)/linux ($(UAPI_HEADERS))"
	@echo "QEMU     $(shell command -v $(QEMU)) (bookworm)"
	@echo "TRIXIE   $(shell scripts/trixie.sh --env | sed -n 's/^KEEL_TRIXIE_QEMU=//p') (trixie)"

gdb: $(KEEL_ELF)
	gdb-multiarch -ex "target remote :1234" $(KEEL_ELF)

FORMAT_FILES = $(shell git ls-files '*.c' '*.h')
format:
	clang-format -i $(FORMAT_FILES)
# Who may include whom (README "Layout"): fails on a forbidden #include.
check-layers:
	@python3 scripts/check-layers.py
check-format:
	clang-format --dry-run --Werror $(FORMAT_FILES)

-include $(KEEL_OBJS:.o=.d) $(GUEST_COMMON_OBJS:.o=.d)
.SECONDARY:
-include tests/fuzz/fuzz.mk
test: fuzz-build
-include bench/bench.mk
