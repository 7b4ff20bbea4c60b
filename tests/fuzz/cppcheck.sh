#!/bin/bash
# make static-check: cppcheck over Keel's own C sources (not build/, not tests/, not guests/).
# Every finding fails the check unless tests/fuzz/cppcheck-suppressions.txt suppresses it with a
# reason. Prints the findings, then "cppcheck: N findings"; exits non-zero when N > 0.
#
#   tests/fuzz/cppcheck.sh                  the gate: --enable=warning,portability,performance
#   CPPCHECK_STYLE=1 tests/fuzz/cppcheck.sh  style checks too (advice, also counted)
#
# Only the C configuration is checked (-U__ASSEMBLER__): arch/riscv/csr.h defines its constants
# without the UL suffix for assembly, and cppcheck would otherwise also check every .c file as if it
# were assembled and report each 64-bit CSR constant as a 32-bit shift overflow.
cd "$(dirname "$0")/../.." || exit 2
CPPCHECK=${CPPCHECK:-cppcheck}
# The rooms from the Makefile (KEEL_DIRS), when it runs this script.
DIRS=${KEEL_DIRS:-"boot sched vm board exit sbi vcpu vdev drivers net core mm arch lib"}
ENABLE=warning,portability,performance
[ -n "$CPPCHECK_STYLE" ] && ENABLE=$ENABLE,style

if ! command -v "$CPPCHECK" >/dev/null; then
	echo "cppcheck: not installed (Debian package cppcheck)" >&2
	exit 2
fi
out=$(mktemp "${TMPDIR:-/tmp}/keel-cppcheck.XXXXXX") || exit 2
trap 'rm -f "$out"' EXIT

# rv64 lp64 has the sizes of unix64. libfdt's headers (build/libfdt, from make) give its prototypes.
# shellcheck disable=SC2086 # DIRS is a list
"$CPPCHECK" --enable="$ENABLE" --std=c11 --platform=unix64 -U__ASSEMBLER__ -DKEEL_CPPCHECK \
	-I. -Ilib/include -Ibuild/gen -Ibuild/libfdt -Ibuild/uapi \
	--suppressions-list=tests/fuzz/cppcheck-suppressions.txt --inline-suppr \
	--template='{file}:{line}: {severity}: {id}: {message}' -q -j 2 $DIRS 2>"$out"
rc=$?
if [ $rc -ne 0 ]; then
	cat "$out"
	echo "cppcheck: failed to run (status $rc)"
	exit 2
fi
cat "$out"
n=$(grep -c ': [a-z]*: [A-Za-z0-9_]*: ' "$out")
echo "cppcheck: $n findings"
[ "$n" -eq 0 ]
