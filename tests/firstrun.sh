#!/bin/sh
# The first run's order (make test runs this): on a machine where `make deps` still has the
# cross compiler to install, `make` installs it before anything asks it a question, and a build
# without it stops naming it instead of compiling with an empty include path.
# Simulated without touching the machine: a PATH that lacks the riscv64-linux-gnu- tools, and a
# stand-in for scripts/deps.sh that "installs" them by linking them into a PATH folder that
# starts empty. Usage: tests/firstrun.sh BUILD   (BUILD holds an extracted libfdt)
set -u
build=${1:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin" "$tmp/installed" "$tmp/build"
for d in /usr/local/bin /usr/bin /bin; do
	for f in "$d"/*; do
		case "${f##*/}" in riscv64-linux-gnu-*) continue ;; esac
		[ -e "$tmp/bin/${f##*/}" ] || ln -s "$f" "$tmp/bin/"
	done
done
printf '#!/bin/sh\nln -sf /usr/bin/riscv64-linux-gnu-* %s/\n' "$tmp/installed" >"$tmp/fake-deps"
chmod +x "$tmp/fake-deps"
[ -d "$build/libfdt" ] && cp -a "$build/libfdt" "$tmp/build/" # saves extracting it again; its rules only need libfdt.h to exist
first_path="$tmp/bin:$tmp/installed"

passed=0 failed=0
check() { # check NAME OK(1 = pass) OUTPUT
	if [ "$2" -eq 1 ]; then
		passed=$((passed + 1))
		echo "ok - firstrun: $1"
	else
		failed=$((failed + 1))
		echo "not ok - firstrun: $1"
		printf '%s\n' "$3" | sed 's/^/    /'
	fi
}

# 1. The build proper, with the cross compiler absent: it stops and names what is missing.
out=$(PATH=$first_path make --no-print-directory -f build.mk BUILD="$tmp/build" config 2>&1)
rc=$? ok=0
[ $rc -ne 0 ] && echo "$out" | grep -q 'riscv64-linux-gnu-gcc not found (Debian package gcc-riscv64-linux-gnu)' && ok=1
check "without the cross compiler the build stops naming it" $ok "$out"

# 2. `make` on that machine: deps first, then the build, which now finds the compiler. The target
#    is the object whose build failed on a real first run (no stdint.h: empty include path).
obj="$tmp/build/guests/bench.o"
out=$(PATH=$first_path make --no-print-directory DEPS="$tmp/fake-deps" BUILD="$tmp/build" "$obj" 2>&1)
rc=$? ok=0
[ $rc -eq 0 ] && [ -s "$obj" ] && ok=1
check "make installs the compiler before the build reads its include path" $ok "$out"

# 3. And the configuration it then reports is complete.
out=$(PATH=$first_path make --no-print-directory DEPS="$tmp/fake-deps" BUILD="$tmp/build" config 2>&1)
rc=$? ok=0
[ $rc -eq 0 ] && echo "$out" | grep -q "^GCC_INC  /.*/include$" && ok=1
check "make config reports the compiler's include directory" $ok "$out"

# 4. Without the virtio UAPI headers (their package not installed) the build stops naming the package.
out=$(make --no-print-directory -f build.mk BUILD="$tmp/build" UAPI_INC="$tmp/no-uapi" config 2>&1)
rc=$? ok=0
[ $rc -ne 0 ] && echo "$out" | grep -q 'linux/virtio_config.h not found (Debian package linux-libc-dev-riscv64-cross)' && ok=1
check "without the virtio UAPI headers the build stops naming their package" $ok "$out"

# 5. The trixie platform (scripts/trixie.sh, which scripts/deps.sh runs when it is missing): with an
#    empty cache its check fails naming what it would fetch, so deps.sh does not skip it.
out=$(KEEL_CACHE="$tmp/cache" scripts/trixie.sh --check 2>&1)
rc=$? ok=0
[ $rc -eq 1 ] && echo "$out" | grep -q "^trixie platform missing: .*qemu-system-riscv64 .*opensbi" && ok=1
check "with an empty cache the trixie platform's check names what is missing" $ok "$out"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
