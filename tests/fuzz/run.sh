#!/bin/bash
# make fuzz: run each fuzz target for FUZZ_SECONDS (default 60), FUZZ_JOBS (default 2) at a time.
# Each keeps a growing corpus in BUILD_DIR/corpus/<target>, seeded from tests/fuzz/corpus/<target>;
# crashes, timeouts and OOMs land in BUILD_DIR/artifacts/<target>/, logs in BUILD_DIR/logs/<target>.log.
# FUZZ_ARGS adds libFuzzer options to every run (e.g. FUZZ_ARGS=-use_value_profile=1).
# Prints per target
#   fuzz: TARGET ok|FAILED execs N time Ns exec/s N cov N ft N corpus N [failure, reproducer]
# then "fuzz: N passed, N failed"; exits non-zero if any target failed.
#
#   tests/fuzz/run.sh BUILD_DIR TARGET...
cd "$(dirname "$0")/../.." || exit 2
. tests/fuzz/lib.sh

if [ $# -lt 2 ]; then
	echo "usage: tests/fuzz/run.sh BUILD_DIR TARGET..." >&2
	exit 2
fi
build=$1
shift
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-2}

run_one() {
	local t=$1 bin=$build/bin/fuzz_$1 corpus=$build/corpus/$1 art=$build/artifacts/$1 log=$build/logs/$1.log
	local start end

	mkdir -p "$corpus" "$art" "$build/logs"
	cp -n tests/fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null
	start=$(date +%s)
	# shellcheck disable=SC2046,SC2086 # the options are words
	"$bin" $(fuzz_target_opts "$t") $FUZZ_COMMON_OPTS $FUZZ_ARGS -max_total_time="$seconds" \
		-artifact_prefix="$art/" "$corpus" >"$log" 2>&1
	echo $? >"$log.rc"
	end=$(date +%s)
	echo $((end - start)) >"$log.time"
}

echo "fuzz: $* for ${seconds}s each, $jobs at a time (logs in $build/logs)"
running=0
for t in "$@"; do
	if [ ! -x "$build/bin/fuzz_$t" ]; then
		echo "fuzz: no binary $build/bin/fuzz_$t" >&2
		exit 2
	fi
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	run_one "$t" &
	running=$((running + 1))
done
wait

passed=0
failed=0
for t in "$@"; do
	log=$build/logs/$t.log
	rc=$(cat "$log.rc")
	secs=$(cat "$log.time")
	execs=$(fuzz_log_execs "$log")
	read -r cov ft corp <<<"$(fuzz_log_cov "$log")"
	line="execs $execs time ${secs}s exec/s $((execs / (secs > 0 ? secs : 1))) cov ${cov:-?} ft ${ft:-?} corpus ${corp:-?}"
	if [ "$rc" -eq 0 ]; then
		echo "fuzz: $t ok $line"
		passed=$((passed + 1))
	else
		repro=$(ls -t "$build/artifacts/$t"/crash-* "$build/artifacts/$t"/timeout-* "$build/artifacts/$t"/oom-* \
			"$build/artifacts/$t"/leak-* 2>/dev/null | head -n 1)
		echo "fuzz: $t FAILED $line: $(fuzz_log_failure "$log") (reproducer: ${repro:-none}; log: $log)"
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
