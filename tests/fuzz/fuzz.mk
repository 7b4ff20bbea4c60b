# Fuzzing (libFuzzer) and static analysis (cppcheck) of the code that reads guest-controlled or
# user-supplied data. Included by the Makefile (its last line); tests/fuzz/README.md explains the targets.
#
#   make fuzz            each target for FUZZ_SECONDS (default 60), FUZZ_JOBS (default 2) at a time,
#                        corpus in build/fuzz/corpus/<target>, seeded from tests/fuzz/corpus/<target>
#   make fuzz-smoke      the checked-in corpus once, then FUZZ_SMOKE_SECONDS (default 3) per target
#   make fuzz-seeds      regenerate tests/fuzz/corpus with tests/fuzz/make-seeds.py
#   make fuzz-coverage   line/branch coverage of Keel code reached by each corpus (llvm-cov)
#   make static-check    cppcheck over Keel's sources (tests/fuzz/cppcheck.sh)
#
# Needs clang and libFuzzer (Debian: clang, libclang-rt-14-dev) and cppcheck.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 2
FUZZ_SMOKE_SECONDS ?= 3
FUZZ_BUILD := $(BUILD)/fuzz
FUZZ_TARGETS := insn sbi vdev vaplic config guest_fdt switch virtio vnet vcons vswalk
FUZZ_BINS := $(patsubst %,$(FUZZ_BUILD)/bin/fuzz_%,$(FUZZ_TARGETS))

# UBSan aborts (no recovery) so libFuzzer sees every report as a crash and keeps the input.
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror -Wno-unused-function -I. -I$(LIBFDT_DIR) \
	-isystem $(UAPI_DIR) -Itests/fuzz -DKEEL_HOST_TEST $(FUZZ_SAN)

# Keel sources each target links (FUZZ_SRCS_<target>), as tests/unit/sources.mk does for unit tests.
FUZZ_SRCS_insn := vcpu/insn.c
FUZZ_SRCS_sbi := $(SBI_SRCS) vm/guest_mem.c tests/unit/stub_vm.c
FUZZ_SRCS_vdev := vdev/mmio.c vdev/vplic.c vdev/vuart.c vdev/syscon.c
FUZZ_SRCS_vaplic := vdev/vaplic.c
FUZZ_SRCS_config := vm/config.c mm/stage2.c drivers/platform.c board/guest_fdt.c board/guest_isa.c
FUZZ_SRCS_guest_fdt := board/guest_fdt.c board/guest_isa.c
FUZZ_SRCS_switch := net/switch.c net/offload.c
FUZZ_SRCS_virtio := vdev/virtio/queue.c vdev/virtio/transport.c vdev/virtio/blk.c
FUZZ_SRCS_vnet := vdev/virtio/queue.c vdev/virtio/transport.c vdev/virtio/net.c net/switch.c net/offload.c
FUZZ_SRCS_vcons := vdev/virtio/queue.c vdev/virtio/transport.c vdev/virtio/console.c
FUZZ_SRCS_vswalk := vcpu/vswalk.c
FUZZ_LIBFDT_insn :=
FUZZ_LIBFDT_sbi :=
FUZZ_LIBFDT_vdev :=
FUZZ_LIBFDT_vaplic :=
FUZZ_LIBFDT_switch :=
FUZZ_LIBFDT_virtio :=
FUZZ_LIBFDT_vnet :=
FUZZ_LIBFDT_vcons :=
FUZZ_LIBFDT_vswalk :=
FUZZ_LIBFDT_config = $(FUZZ_LIBFDT_OBJS)
FUZZ_LIBFDT_guest_fdt = $(FUZZ_LIBFDT_OBJS)
# FUZZ_WRAP_<target>: extra sources and linker options, e.g. a -Wl,--wrap stand-in that steps around
# a Keel bug already reported (its reproducer in tests/unit/test_regress_fuzz.c) while it is open.

# libfdt is instrumented too: coverage inside it guides the DTB targets.
FUZZ_LIBFDT_OBJS := $(patsubst %.c,$(FUZZ_BUILD)/libfdt/%.o,$(LIBFDT_SRCS))
FUZZ_HDRS := $(wildcard $(addsuffix /*.h,$(KEEL_DIRS)) tests/unit/*.h tests/fuzz/*.h)

.PHONY: fuzz fuzz-build fuzz-smoke fuzz-seeds fuzz-coverage static-check

$(FUZZ_BUILD)/libfdt/%.o: $(LIBFDT_DIR)/libfdt.h
	@mkdir -p $(dir $@)
	@$(FUZZ_CC) -O1 -g -I$(LIBFDT_DIR) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -c $(LIBFDT_DIR)/$*.c -o $@

# One rule per target (not a pattern rule with .SECONDEXPANSION, which would reach the Makefile's
# later includes too): rebuilt when the harness, a linked source or any header changes.
define FUZZ_RULE
$(FUZZ_BUILD)/bin/fuzz_$(1): tests/fuzz/fuzz_$(1).c $(FUZZ_SRCS_$(1)) $(FUZZ_LIBFDT_$(1)) $(FUZZ_HDRS) \
		tests/fuzz/fuzz.mk $(LIBFDT_DIR)/libfdt.h $(UAPI_LINKS)
	@mkdir -p $$(dir $$@)
	@echo "  FUZZCC  $$<"
	@$$(FUZZ_CC) $$(FUZZ_CFLAGS) -fsanitize=fuzzer $$< $(FUZZ_SRCS_$(1)) $(FUZZ_LIBFDT_$(1)) $(FUZZ_WRAP_$(1)) -o $$@
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_RULE,$(t))))

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_TARGETS)

fuzz-smoke: $(FUZZ_BINS)
	@FUZZ_SMOKE_SECONDS=$(FUZZ_SMOKE_SECONDS) tests/fuzz/smoke.sh $(FUZZ_BUILD) $(FUZZ_TARGETS)

fuzz-seeds:
	@python3 tests/fuzz/make-seeds.py tests/fuzz/corpus

static-check: $(LIBFDT_DIR)/libfdt.h $(UAPI_LINKS)
	@KEEL_DIRS='$(KEEL_DIRS)' tests/fuzz/cppcheck.sh

fuzz-coverage: $(UAPI_LINKS)
	@tests/fuzz/coverage.sh $(FUZZ_BUILD) $(FUZZ_TARGETS)
