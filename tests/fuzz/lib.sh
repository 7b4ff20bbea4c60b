# Shared by tests/fuzz/run.sh and tests/fuzz/smoke.sh (sourced, not run).

# libFuzzer options per target: the longest input worth trying, and the DTB dictionary.
fuzz_target_opts() {
	case "$1" in
	insn) echo "-max_len=8" ;;
	sbi) echo "-max_len=2048" ;;
	vdev) echo "-max_len=4096" ;;
	config) echo "-max_len=16384 -dict=tests/fuzz/config.dict" ;;
	guest_fdt) echo "-max_len=1024" ;;
	switch) echo "-max_len=8192" ;;
	*) echo "" ;;
	esac
}

# Options every run shares: a hung input is a failure too; report the totals at the end.
FUZZ_COMMON_OPTS="-timeout=10 -rss_limit_mb=2048 -print_final_stats=1"

# Executions a libFuzzer log reports (0 when it stopped before its final stats).
fuzz_log_execs() {
	sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$1" | awk '{ n += $1 } END { print n + 0 }'
}

# "cov: N ft: N corp: N/SIZE" of the last status line, as "N N N".
fuzz_log_cov() {
	grep -E '^#[0-9]+' "$1" | tail -n 1 | sed -n 's/.*cov: \([0-9]*\) ft: \([0-9]*\) corp: \([0-9]*\)\/.*/\1 \2 \3/p'
}

# The first line that says why libFuzzer stopped on a failure, if any.
fuzz_log_failure() {
	grep -m1 -E 'invariant broken|ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer|UndefinedBehaviorSanitizer)|runtime error:|SUMMARY: ' "$1"
}
