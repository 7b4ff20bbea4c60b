# Benchmarks: Keel against the platform's OpenSBI alone, in instructions under QEMU -icount
# (bench/README.md). Included at the end of the Makefile. PLATFORM=bookworm|trixie (default trixie),
# QEMU_CPU, QEMU_MACHINE as for make run.
#   make bench          all rows; prints the table and writes bench/results-PLATFORM.json; fails if a
#                       figure cannot be measured
#   make bench-trace    one null SBI call, hypercall and MMIO read under Keel, by Keel function
#   make bench-profile  the Linux guest's boot under Keel, instructions by Keel function
#   make bench-table    both platforms' stored results side by side (bench/table.py), as README shows

BENCH_RESULTS ?= bench/results-$(RUN_PLATFORM).json

.PHONY: bench bench-trace bench-profile bench-table

# gdb-multiarch (from scripts/deps.sh) reads minstret at /init (Linux rows) and single-steps Keel (bench-trace).
bench: $(KEEL_BIN) guests linux
	@python3 bench/bench.py --build $(BUILD) --linux-kernel $(RUN_LINUX_IMAGE) --linux-initrd $(LINUX_INITRD) \
		--linux-init $(LINUX_DIR)/init --out $(BENCH_RESULTS) $(RUN_PLATFORM_ARGS)

bench-trace: $(KEEL_BIN) guests
	@python3 bench/trace_sbi.py --build $(BUILD) $(RUN_PLATFORM_ARGS)

bench-profile: $(KEEL_BIN) guests linux
	@python3 bench/profile.py --build $(BUILD) --linux-kernel $(RUN_LINUX_IMAGE) --linux-initrd $(LINUX_INITRD) \
		$(RUN_PLATFORM_ARGS)

bench-table:
	@python3 bench/table.py
