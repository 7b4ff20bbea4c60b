# Keel sources each unit test links (UNIT_SRCS_<test>), plus the host stand-ins in tests/unit/.
# Included by the Makefile: the rule $(BUILD)/host/% links tests/unit/%.c with $(UNIT_SRCS_%).

UNIT_SRCS_test_stage2 := mm/stage2.c
UNIT_SRCS_test_palloc := mm/palloc.c
# vm/vm.c runs hfence/IPIs on the hart: tests/unit/stub_vm.c stands in for it, board/vconsole.c and vcpu/;
# the pure helpers in vm/guest_mem.c are linked as they are.
UNIT_SRCS_test_sbi := $(SBI_SRCS) vm/guest_mem.c tests/unit/stub_vm.c
# snprintf comes from the host libc: linking lib/printf.c would interpose it under libcmocka too.
UNIT_SRCS_test_guest_fdt := board/guest_fdt.c board/guest_isa.c
UNIT_SRCS_test_config := vm/config.c mm/stage2.c drivers/platform.c
UNIT_SRCS_test_platform := drivers/platform.c
UNIT_SRCS_test_insn := vcpu/insn.c
UNIT_SRCS_test_vswalk := vcpu/vswalk.c

UNIT_SRCS_test_vplic := vdev/vplic.c vdev/mmio.c
UNIT_SRCS_test_vaplic := vdev/vaplic.c vdev/mmio.c
UNIT_SRCS_test_vuart := vdev/vuart.c vdev/mmio.c
UNIT_SRCS_test_mmio := vdev/mmio.c vdev/syscon.c

UNIT_SRCS_test_virtio_blk := vdev/virtio/queue.c vdev/virtio/transport.c vdev/virtio/blk.c
UNIT_SRCS_test_virtio_ring := drivers/virtio/ring.c
UNIT_SRCS_test_virtio_console := vdev/virtio/queue.c vdev/virtio/transport.c vdev/virtio/console.c
UNIT_SRCS_test_virtio_net := vdev/virtio/queue.c vdev/virtio/transport.c vdev/virtio/net.c net/switch.c net/offload.c

UNIT_SRCS_test_shell := guests/linux/init/shell.c guests/linux/init/fscmds.c guests/linux/init/cksum.c \
	guests/linux/init/netcmds.c
UNIT_SRCS_test_switch := net/switch.c net/offload.c
UNIT_SRCS_test_net_offload := net/switch.c net/offload.c
UNIT_SRCS_test_runq := sched/runq.c
UNIT_SRCS_test_vmid := vm/vmid.c

# Reproducers of what tests/fuzz found. It compiles board/guest_fdt.c itself under other names (to watch
# its libfdt calls); the real one is linked so that changing it rebuilds the test.
UNIT_SRCS_test_regress_fuzz := board/guest_fdt.c board/guest_isa.c drivers/platform.c vm/config.c mm/stage2.c

# It compiles lib/string.c itself under other names (beside libc's): a prerequisite, not linked.
$(BUILD)/host/test_string: lib/string.c

# ---- keep this last: the rules below read the UNIT_SRCS_ lines above when make parses them ----

# The Makefile's pattern rule only depends on the test's own .c: rebuild when a linked source or any
# header changes too (a prerequisite-only rule keeps the pattern rule's recipe).
UNIT_HDRS := $(wildcard $(addsuffix /*.h,$(KEEL_DIRS)) tests/unit/*.h)
$(foreach t,$(UNIT_TESTS),$(eval $(BUILD)/host/$(t): $$(UNIT_SRCS_$(t)) $$(UNIT_HDRS) tests/unit/sources.mk))
