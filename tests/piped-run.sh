#!/bin/sh
# The README's unattended example, exactly: piped commands reach the Linux guest's shell, it
# prints the uname line, powers off, and `make run` exits with status 0 (make test runs this).
# Usage: tests/piped-run.sh MAKE LOG
make=${1:-make}
log=${2:-build/test-logs/piped-run.log}
mkdir -p "$(dirname "$log")"
printf 'uname -a\npoweroff\n' | timeout 120 $make --no-print-directory run >"$log" 2>&1
rc=$?
passed=0 failed=0
check() { # check NAME OK(1 = pass)
	if [ "$2" -eq 1 ]; then
		passed=$((passed + 1)) && echo "ok - piped-run: $1"
	else
		failed=$((failed + 1)) && echo "not ok - piped-run: $1 (log: $log)"
	fi
}
check "make run exits with status 0 (got $rc)" $((rc == 0))
has() { tr -d '\r' <"$log" | grep -qE "$1" && echo 1 || echo 0; }
check "the guest ran uname -a" "$(has '^Linux .* riscv64$')"
check "the guest powered off" "$(has "^keel: vm '.*' stopped: guest shut down")"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
