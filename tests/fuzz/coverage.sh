#!/bin/bash
# make fuzz-coverage: line and branch coverage of Keel's sources reached by each target's corpus
# (BUILD_DIR/corpus/<target> after make fuzz, else the checked-in seeds), with clang's source-based
# coverage. Needs llvm-profdata and llvm-cov (Debian: llvm). Report per target, Keel files only.
#
#   tests/fuzz/coverage.sh BUILD_DIR TARGET...
cd "$(dirname "$0")/../.." || exit 2
if [ $# -lt 2 ]; then
	echo "usage: tests/fuzz/coverage.sh BUILD_DIR TARGET..." >&2
	exit 2
fi
build=$1
shift
out=$build/coverage
mkdir -p "$out"
flags=(-O1 -g -I. -Ibuild/libfdt -isystem build/uapi -Itests/fuzz -DKEEL_HOST_TEST
	-fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping)

for t in "$@"; do
	srcs=$(make -s --no-print-directory -p -n fuzz-build 2>/dev/null | sed -n "s/^FUZZ_SRCS_$t := //p")
	extra=$(make -s --no-print-directory -p -n fuzz-build 2>/dev/null | sed -n "s/^FUZZ_WRAP_$t := //p")
	case $t in config | guest_fdt) extra="$extra build/libfdt/fdt*.c" ;; esac
	# shellcheck disable=SC2086 # lists of files
	clang "${flags[@]}" tests/fuzz/fuzz_"$t".c $srcs $extra -o "$out/fuzz_$t" || exit 1
	corpus=$build/corpus/$t
	[ -d "$corpus" ] || corpus=tests/fuzz/corpus/$t
	rm -f "$out/$t".profraw
	LLVM_PROFILE_FILE="$out/$t.profraw" "$out/fuzz_$t" -runs=0 "$corpus" >"$out/$t.log" 2>&1 || exit 1
	llvm-profdata merge -sparse "$out/$t.profraw" -o "$out/$t.profdata" || exit 1
	echo "== $t ($(ls "$corpus" | wc -l) inputs from $corpus)"
	# shellcheck disable=SC2086
	llvm-cov report "$out/fuzz_$t" -instr-profile="$out/$t.profdata" $srcs | sed -n '1,2p;/^[a-z].*\.c /p;/^TOTAL/p'
done
