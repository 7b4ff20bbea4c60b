# Keel: a small type-1 hypervisor for RISC-V. `make help` lists the targets.

BUILD ?= build
CROSS ?= riscv64-linux-gnu-
CC := $(CROSS)gcc
OBJCOPY := $(CROSS)objcopy
HOSTCC ?= gcc
QEMU ?= qemu-system-riscv64

LIBFDT_DIR := $(BUILD)/libfdt
LIBFDT_SRCS := fdt.c fdt_ro.c fdt_wip.c fdt_sw.c fdt_rw.c fdt_strerror.c fdt_empty_tree.c fdt_addresses.c
GEN := $(BUILD)/gen

GCC_INC := $(shell $(CC) -print-file-name=include 2>/dev/null)
ARCH_FLAGS := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany
FREESTANDING := -ffreestanding -nostdlib -nostdinc -isystem $(GCC_INC) -fno-stack-protector -fno-pic \
	-fno-common -fno-builtin-printf
WARN := -Wall -Wextra -Werror
CFLAGS := $(ARCH_FLAGS) $(FREESTANDING) -O2 -g $(WARN) -Ilib/include -I. -I$(GEN) -I$(LIBFDT_DIR)
LIBFDT_CFLAGS := $(ARCH_FLAGS) $(FREESTANDING) -O2 -g -Ilib/include -I$(LIBFDT_DIR)
LDFLAGS := -nostdlib -static -Wl,--build-id=none -Wl,--gc-sections -Wl,--no-warn-rwx-segments

KEEL_SRCS := arch/riscv/head.S arch/riscv/entry.S arch/riscv/cpu.c \
	vcpu/trap.S vcpu/fp.S vcpu/vcpu.c vcpu/exit.c vcpu/timer.c \
	sbi/sbi.c sbi/base.c sbi/time.c sbi/ipi.c sbi/rfence.c sbi/hsm.c sbi/srst.c sbi/dbcn.c sbi/hvc.c sbi/legacy.c \
	mm/palloc.c mm/keel_pool.c mm/stage2.c \
	drivers/ns16550.c drivers/platform.c \
	vm/vm.c vm/guest_mem.c vm/config.c vm/guest_fdt.c vm/run.c vm/vconsole.c vm/devices.c \
	vdev/mmio.c vdev/vuart.c vdev/vplic.c vdev/syscon.c drivers/plic.c vcpu/insn.c \
	vdev/virtio/transport.c vdev/virtio/queue.c vdev/virtio/blk.c vm/vdisk.c \
	drivers/virtio/mmio.c drivers/virtio/ring.c drivers/virtio/blk.c \
	core/main.c core/console.c lib/string.c lib/printf.c

KEEL_OBJS := $(patsubst %,$(BUILD)/keel/%.o,$(KEEL_SRCS))
LIBFDT_OBJS := $(patsubst %.c,$(BUILD)/libfdt-obj/%.o,$(LIBFDT_SRCS))
KEEL_ELF := $(BUILD)/keel.elf
KEEL_BIN := $(BUILD)/keel.bin

# Bare-metal test guests: guests/bare/NAME.c -> build/guests/NAME.bin
GUEST_NAMES := $(basename $(notdir $(wildcard guests/bare/*.c)))
GUEST_COMMON := guests/common/crt0.S guests/common/guest.c lib/printf.c lib/string.c
GUEST_COMMON_OBJS := $(patsubst %,$(BUILD)/guests/common/%.o,$(GUEST_COMMON))
GUEST_BINS := $(patsubst %,$(BUILD)/guests/%.bin,$(GUEST_NAMES))
GUEST_CFLAGS := $(ARCH_FLAGS) $(FREESTANDING) -O2 -g $(WARN) -Ilib/include -I. -I$(LIBFDT_DIR)

.PHONY: all deps run test unit-tests qemu-tests guests clean help format check-format gdb linux FORCE

all: deps $(KEEL_BIN) guests

help:
	@echo "make run        build and boot QEMU -> OpenSBI -> Keel -> Linux guest shell (Ctrl-A x quits)"
	@echo "                GUEST_KERNEL=img GUEST_INITRD=cpio GUEST_BOOTARGS=... GUEST_MEM=256M GUEST_CPUS=1 QEMU_OPTS=..."
	@echo "                GUEST_DISK=raw-image (the VM's first disk, a virtio-blk device)"
	@echo "                CONFIG=vms.dts DISKS=\"a.img b.img\" (host disks 0, 1... for the VMs' keel,disks)"
	@echo "make test       host unit tests + every test guest under QEMU; ends with 'N passed, N failed'"
	@echo "make deps       install the Debian packages Keel needs (only what is missing)"
	@echo "make            build Keel ($(KEEL_BIN)) and the test guests"
	@echo "make unit-tests host unit tests only (cmocka)"
	@echo "make linux      the Linux guest kernel (cached in ~/.cache/keel by config hash) and initramfs"
	@echo "make qemu-tests QEMU integration tests only"
	@echo "make gdb        attach gdb-multiarch to a QEMU started with 'make run QEMU_OPTS=\"-s -S\"'"
	@echo "make bench      instruction counts under QEMU -icount, Keel against OpenSBI (bench/results.json)"
	@echo "make fuzz       every fuzz target for FUZZ_SECONDS (make fuzz-smoke: the short runs make test does)"
	@echo "make static-check  cppcheck over Keel's sources (also part of make test)"
	@echo "make format     clang-format the sources; make check-format checks them"
	@echo "make clean      remove $(BUILD)/"

deps:
	@scripts/deps.sh

# ---- libfdt, extracted from linux-source-6.1 at build time ----
$(LIBFDT_DIR)/libfdt.h:
	@echo "  LIBFDT  extract from /usr/src/linux-source-6.1.tar.xz"
	@scripts/libfdt.sh $(LIBFDT_DIR)

$(BUILD)/libfdt-obj/%.o: $(LIBFDT_DIR)/libfdt.h
	@mkdir -p $(dir $@)
	@echo "  CC      libfdt/$*.c"
	@$(CC) $(LIBFDT_CFLAGS) -c $(LIBFDT_DIR)/$*.c -o $@

# ---- generated assembly offsets ----
$(GEN)/asm-offsets.h: arch/riscv/asm-offsets.c arch/riscv/hart.h vcpu/regs.h scripts/gen-asm-offsets.sh
	@mkdir -p $(GEN)
	@echo "  GEN     $@"
	@$(CC) $(CFLAGS) -S $< -o $(GEN)/asm-offsets.s
	@scripts/gen-asm-offsets.sh $(GEN)/asm-offsets.s > $@

# ---- Keel ----
$(BUILD)/keel/%.c.o: %.c $(LIBFDT_DIR)/libfdt.h $(GEN)/asm-offsets.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -MMD -c $< -o $@

$(BUILD)/keel/%.S.o: %.S $(GEN)/asm-offsets.h
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(CFLAGS) -MMD -c $< -o $@

$(KEEL_ELF): $(KEEL_OBJS) $(LIBFDT_OBJS) linker.ld
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -T linker.ld $(KEEL_OBJS) $(LIBFDT_OBJS) -lgcc -o $@

$(KEEL_BIN): $(KEEL_ELF)
	@$(OBJCOPY) -O binary $< $@

# ---- test guests ----
guests: $(GUEST_BINS)

$(BUILD)/guests/common/%.c.o: %.c $(LIBFDT_DIR)/libfdt.h
	@mkdir -p $(dir $@)
	@echo "  CC      $< (guest)"
	@$(CC) $(GUEST_CFLAGS) -MMD -c $< -o $@

$(BUILD)/guests/common/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $< (guest)"
	@$(CC) $(GUEST_CFLAGS) -MMD -c $< -o $@

$(BUILD)/guests/%.o: guests/bare/%.c $(LIBFDT_DIR)/libfdt.h
	@mkdir -p $(dir $@)
	@echo "  CC      $< (guest)"
	@$(CC) $(GUEST_CFLAGS) -MMD -c $< -o $@

$(BUILD)/guests/%.elf: $(BUILD)/guests/%.o $(GUEST_COMMON_OBJS) $(LIBFDT_OBJS) guests/common/guest.ld
	@$(CC) $(GUEST_CFLAGS) $(LDFLAGS) -T guests/common/guest.ld $< $(GUEST_COMMON_OBJS) $(LIBFDT_OBJS) -lgcc -o $@

$(BUILD)/guests/%.bin: $(BUILD)/guests/%.elf
	@$(OBJCOPY) -O binary $< $@

# ---- the Linux guest: kernel (cached outside the clone by config hash) and initramfs ----
LINUX_DIR := $(BUILD)/linux
LINUX_IMAGE := $(LINUX_DIR)/Image
LINUX_INITRD := $(LINUX_DIR)/initramfs.cpio
INIT_SRCS := $(wildcard guests/linux/init/*.c)

linux: $(LINUX_IMAGE) $(LINUX_INITRD)

# The script answers at once from its cache; it prints the cached Image's path.
$(LINUX_IMAGE): FORCE
	@mkdir -p $(LINUX_DIR)
	@img=$$(guests/linux/build-kernel.sh) && cmp -s "$$img" $@ || cp "$$img" $@

$(LINUX_DIR)/init: $(INIT_SRCS) $(wildcard guests/linux/init/*.h)
	@mkdir -p $(LINUX_DIR)
	@echo "  CC      $@ (static, for the Linux guest)"
	@$(CC) -static -O2 -Wall -Wextra -Werror -o $@ $(INIT_SRCS)

$(LINUX_INITRD): $(LINUX_DIR)/init scripts/mkcpio.py
	@python3 scripts/mkcpio.py $@ dir:/dev dir:/proc dir:/sys nod:/dev/console:c:5:1:0600 file:/init=$<:0755

# ---- host unit tests (cmocka) ----
HOST_CFLAGS := -O1 -g -Wall -Wextra -Werror -I. -I$(LIBFDT_DIR) -DKEEL_HOST_TEST -fsanitize=address,undefined
HOST_LIBFDT_OBJS := $(patsubst %.c,$(BUILD)/host/libfdt/%.o,$(LIBFDT_SRCS))
UNIT_TESTS := $(basename $(notdir $(wildcard tests/unit/test_*.c)))
UNIT_BINS := $(patsubst %,$(BUILD)/host/%,$(UNIT_TESTS))

$(BUILD)/host/libfdt/%.o: $(LIBFDT_DIR)/libfdt.h
	@mkdir -p $(dir $@)
	@$(HOSTCC) -O1 -g -I$(LIBFDT_DIR) -c $(LIBFDT_DIR)/$*.c -o $@

include tests/unit/sources.mk

$(BUILD)/host/%: tests/unit/%.c $(HOST_LIBFDT_OBJS) $(LIBFDT_DIR)/libfdt.h
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	@$(HOSTCC) $(HOST_CFLAGS) $< $(UNIT_SRCS_$*) $(HOST_LIBFDT_OBJS) -lcmocka -o $@

unit-tests: deps $(UNIT_BINS)
	@scripts/run-unit-tests.sh $(UNIT_BINS)

# ---- QEMU ----
QEMU_TEST_ARGS = --build $(BUILD) --linux-kernel $(LINUX_IMAGE) --linux-initrd $(LINUX_INITRD)

qemu-tests: deps $(KEEL_BIN) guests linux
	@python3 tests/qemu/run.py $(QEMU_TEST_ARGS)

# The fuzz targets' prerequisites come from tests/fuzz/fuzz.mk, included at the end.
test: deps $(KEEL_BIN) guests linux $(UNIT_BINS)
	@python3 tests/qemu/run.py $(QEMU_TEST_ARGS) --unit $(UNIT_BINS) \
		--check "fuzz=FUZZ_SMOKE_SECONDS=$(FUZZ_SMOKE_SECONDS) tests/fuzz/smoke.sh $(FUZZ_BUILD) $(FUZZ_TARGETS)" \
		--check "cppcheck=tests/fuzz/cppcheck.sh" --check "format=clang-format --dry-run --Werror $(FORMAT_FILES)"

# make run: the VMs in CONFIG (default configs/linux.dts). Any GUEST_* variable instead boots one
# VM from the command line: GUEST_KERNEL=path [GUEST_INITRD=path] [GUEST_BOOTARGS="..."]
# [GUEST_MEM=256M] [GUEST_CPUS=1] [GUEST_DISK=raw-image, the VM's first disk, read-write]
# (without GUEST_KERNEL: the Linux guest and its initramfs).
CONFIG ?= configs/linux.dts
GUEST_VARS := $(strip $(GUEST_KERNEL)$(GUEST_INITRD)$(GUEST_BOOTARGS)$(GUEST_MEM)$(GUEST_CPUS)$(GUEST_DISK))
RUN_INITRD = $(if $(GUEST_KERNEL),$(GUEST_INITRD),$(or $(GUEST_INITRD),$(LINUX_INITRD)))
run: deps $(KEEL_BIN) guests $(if $(GUEST_KERNEL),,linux)
ifeq ($(GUEST_VARS),)
	@python3 scripts/keelrun.py --build $(BUILD) --config $(CONFIG) $(if $(QEMU_OPTS),--qemu-opts "$(QEMU_OPTS)") \
		$(foreach d,$(DISKS),--disk "$(d)")
else
	@python3 scripts/keelrun.py --build $(BUILD) --kernel "$(or $(GUEST_KERNEL),$(LINUX_IMAGE))" \
		$(if $(RUN_INITRD),--initrd "$(RUN_INITRD)") --bootargs "$(or $(GUEST_BOOTARGS),console=ttyS0)" \
		--guest-mem $(or $(GUEST_MEM),256M) --cpus $(or $(GUEST_CPUS),1) $(if $(QEMU_OPTS),--qemu-opts "$(QEMU_OPTS)") \
		$(if $(GUEST_DISK),--disk "$(GUEST_DISK)")
endif

gdb: $(KEEL_ELF)
	gdb-multiarch -ex "target remote :1234" $(KEEL_ELF)

FORMAT_FILES = $(shell git ls-files '*.c' '*.h')
format:
	clang-format -i $(FORMAT_FILES)
check-format:
	clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf $(BUILD)

-include $(KEEL_OBJS:.o=.d) $(GUEST_COMMON_OBJS:.o=.d)
.SECONDARY:
-include tests/fuzz/fuzz.mk
test: fuzz-build
-include bench/bench.mk
