#!/bin/bash
# Run Keel's host unit-test binaries (cmocka), show their output and total the test cases.
#
#   scripts/run-unit-tests.sh [--summary-file F] BINARY...
#
# The last line is "unit: N passed, N failed", counted per cmocka test case from each binary's
# "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s), listed below:" lines. A binary that
# crashes, or exits non-zero (or prints no summary at all) without reporting a failed case,
# counts as 1 failed. Exit status: 0 when nothing failed, 1 otherwise, 2 on a usage error.
# --summary-file F also writes "PASSED FAILED" to F, for scripts that run this one.
#
# Sourced (". scripts/run-unit-tests.sh"), it only defines run_unit_tests, which takes the same
# arguments, returns the same status and leaves the totals in UNIT_PASSED and UNIT_FAILED.

# Sum the N of every line "PREFIX N SUFFIX" in a log (cmocka prints one summary per group).
_unit_sum() {
	sed -n "s/^$2\([0-9][0-9]*\)$3.*/\1/p" "$1" | awk '{ n += $1 } END { print n + 0 }'
}

run_unit_tests() {
	local summary_file="" bin log rc passed failed run skipped

	while [ $# -gt 0 ]; do
		case "$1" in
		--summary-file)
			if [ $# -lt 2 ]; then
				echo "run-unit-tests: --summary-file needs a file name" >&2
				return 2
			fi
			summary_file=$2
			shift 2
			;;
		--summary-file=*)
			summary_file=${1#*=}
			shift
			;;
		--)
			shift
			break
			;;
		-*)
			echo "run-unit-tests: unknown option $1" >&2
			echo "usage: run-unit-tests.sh [--summary-file F] BINARY..." >&2
			return 2
			;;
		*)
			break
			;;
		esac
	done

	UNIT_PASSED=0
	UNIT_FAILED=0
	log=$(mktemp "${TMPDIR:-/tmp}/keel-unit.XXXXXX") || return 2
	for bin in "$@"; do
		echo "== $bin"
		if [ ! -x "$bin" ]; then
			echo "run-unit-tests: $bin: no such executable (counted as 1 failed)"
			UNIT_FAILED=$((UNIT_FAILED + 1))
			continue
		fi
		# cmocka's plain-text report is what is parsed here, whatever the environment asks for.
		CMOCKA_MESSAGE_OUTPUT=stdout "$bin" 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
		passed=$(_unit_sum "$log" '\[  PASSED  \] ' ' test(s)\.')
		failed=$(_unit_sum "$log" '\[  FAILED  \] ' ' test(s),')
		run=$(_unit_sum "$log" '\[==========\] ' ' test(s) run\.')
		skipped=$(_unit_sum "$log" '\[  SKIPPED \] ' ' test(s),')
		if ! grep -q '^\[  PASSED  \] [0-9]* test(s)\.' "$log"; then
			# No summary: it crashed (ASan, UBSan, a signal) or is not a cmocka binary.
			passed=$(grep -c '^\[       OK \] ' "$log")
			failed=1
			echo "run-unit-tests: $bin: exited with status $rc before its summary (counted as 1 failed)"
		elif [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
			# Errors in setup/teardown are not in the FAILED count; a leak report comes after it.
			failed=$((run - passed - skipped))
			[ "$failed" -gt 0 ] || failed=1
			echo "run-unit-tests: $bin: exited with status $rc (counted as $failed failed)"
		fi
		UNIT_PASSED=$((UNIT_PASSED + passed))
		UNIT_FAILED=$((UNIT_FAILED + failed))
	done
	rm -f "$log"

	if [ -n "$summary_file" ]; then
		echo "$UNIT_PASSED $UNIT_FAILED" >"$summary_file" || return 2
	fi
	echo "unit: $UNIT_PASSED passed, $UNIT_FAILED failed"
	[ "$UNIT_FAILED" -eq 0 ]
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	run_unit_tests "$@"
	exit $?
fi
