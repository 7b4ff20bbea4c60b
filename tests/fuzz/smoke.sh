#!/bin/bash
# make fuzz-smoke: every fuzz target over its checked-in corpus (tests/fuzz/corpus/<target>, each input
# once), then FUZZ_SMOKE_SECONDS (default 3) of fuzzing from it with a fixed seed. The checked-in corpus
# is never written: new inputs go to a scratch directory. Prints per target
#   fuzz-smoke: TARGET ok N execs        (or  fuzz-smoke: TARGET FAILED: why (log: path))
# and last "fuzz: N passed, N failed" (one assertion per target); exits non-zero on any failure.
#
#   tests/fuzz/smoke.sh BUILD_DIR TARGET...     (binaries in BUILD_DIR/bin/fuzz_TARGET)
cd "$(dirname "$0")/../.." || exit 2
. tests/fuzz/lib.sh

if [ $# -lt 2 ]; then
	echo "usage: tests/fuzz/smoke.sh BUILD_DIR TARGET..." >&2
	exit 2
fi
build=$1
shift
seconds=${FUZZ_SMOKE_SECONDS:-3}
seed=${FUZZ_SMOKE_SEED:-1}
passed=0
failed=0

for t in "$@"; do
	bin=$build/bin/fuzz_$t
	dir=$build/smoke/$t
	corpus=tests/fuzz/corpus/$t
	rm -rf "$dir"
	mkdir -p "$dir/new"
	why=""
	if [ ! -x "$bin" ]; then
		why="no binary $bin (make fuzz-build; needs clang and libclang-rt-14-dev)"
	elif [ -z "$(ls -A "$corpus" 2>/dev/null)" ]; then
		why="no seeds in $corpus (make fuzz-seeds)"
	else
		# shellcheck disable=SC2046 # the options are words
		"$bin" $(fuzz_target_opts "$t") $FUZZ_COMMON_OPTS -runs=0 -artifact_prefix="$dir/" "$corpus" \
			>"$dir/replay.log" 2>&1
		rc=$?
		if [ $rc -ne 0 ]; then
			why="a checked-in input fails: $(fuzz_log_failure "$dir/replay.log") (log: $dir/replay.log)"
		else
			# shellcheck disable=SC2046
			"$bin" $(fuzz_target_opts "$t") $FUZZ_COMMON_OPTS -seed="$seed" -max_total_time="$seconds" \
				-artifact_prefix="$dir/" "$dir/new" "$corpus" >"$dir/fuzz.log" 2>&1
			rc=$?
			[ $rc -eq 0 ] || why="$(fuzz_log_failure "$dir/fuzz.log") (log: $dir/fuzz.log, input: $(ls "$dir"/crash-* "$dir"/timeout-* "$dir"/oom-* 2>/dev/null | head -n 1))"
		fi
	fi
	if [ -z "$why" ]; then
		execs=$(($(fuzz_log_execs "$dir/replay.log") + $(fuzz_log_execs "$dir/fuzz.log")))
		echo "fuzz-smoke: $t ok $execs execs"
		passed=$((passed + 1))
	else
		echo "fuzz-smoke: $t FAILED: $why"
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
