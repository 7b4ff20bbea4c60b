#!/bin/sh
# The trixie platform's packages: Debian trixie's QEMU 10.0, OpenSBI 1.5 and linux-source-6.12,
# from bookworm-backports on a bookworm machine (from trixie itself on a trixie machine), unpacked
# into $KEEL_CACHE/trixie (default ~/.cache/keel/trixie). The machine's apt sources and its own
# QEMU are never touched: apt reads a private sources file and keeps its lists and cache under
# $KEEL_CACHE/trixie-apt, `apt-get download` fetches the .debs and `dpkg -x` unpacks them. The
# few runtime libraries QEMU 10 needs that the machine lacks are bookworm packages, installed
# from the machine's own sources with apt-get. The install ends by booting the unpacked QEMU
# into OpenSBI 1.5 (its banner within a bounded time).
# Usage: scripts/trixie.sh [--check]   (--check: exit 1 if anything is missing, install nothing)
#        scripts/trixie.sh --env       (print the platform's paths as shell assignments)
set -eu

cache=${KEEL_CACHE:-${HOME:?HOME is not set}/.cache/keel}
root="$cache/trixie"
apt_dir="$cache/trixie-apt"
PACKAGES="qemu-system-riscv qemu-system-common qemu-system-data qemu-system-modules-opengl \
qemu-system-modules-spice opensbi linux-source-6.12"
QEMU_BIN="$root/usr/bin/qemu-system-riscv64"
FIRMWARE="$root/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
LINUX_TARBALL="$root/usr/src/linux-source-6.12.tar.xz"
BOOT_TIMEOUT=60 # seconds for the unpacked QEMU to show OpenSBI's banner
LOCK_TIMEOUT=1200 # seconds to wait for another install of the same cache to finish

log() { echo "keel trixie: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# The folder QEMU's modules (ui-*.so, audio-*.so) are in: QEMU_MODULE_DIR must name it, or the
# binary loads the machine's own QEMU's modules, which refuse to load into another build.
module_dir() {
	for d in "$root"/usr/lib/*/qemu; do
		[ -d "$d" ] && echo "$d" && return 0
	done
	return 1
}

missing() {
	out=""
	for f in "$QEMU_BIN" "$FIRMWARE" "$LINUX_TARBALL"; do
		[ -e "$f" ] || out="$out $f"
	done
	for p in $PACKAGES; do
		[ -e "$root/.keel/$p" ] || out="$out $p"
	done
	if [ -x "$QEMU_BIN" ]; then
		libs=$(ldd "$QEMU_BIN" 2>/dev/null | awk '/not found/ { print $1 }')
		[ -z "$libs" ] || out="$out $(echo $libs)"
	fi
	echo "$out"
}

case "${1:-}" in
--env)
	echo "KEEL_TRIXIE_ROOT=$root"
	echo "KEEL_TRIXIE_QEMU=$QEMU_BIN"
	echo "KEEL_TRIXIE_FIRMWARE=$FIRMWARE"
	echo "KEEL_TRIXIE_LINUX_TARBALL=$LINUX_TARBALL"
	echo "QEMU_MODULE_DIR=$(module_dir || true)"
	exit 0
	;;
--check)
	m=$(missing)
	[ -z "$m" ] && exit 0
	echo "trixie platform missing:$m"
	exit 1
	;;
"") ;;
*) die "usage: $0 [--check|--env]" ;;
esac

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
mkdir -p "$cache"
# One install at a time per cache (two makes may start together); the second finds it done.
exec 9>"$cache/trixie.lock"
flock -w "$LOCK_TIMEOUT" 9 || die "another install holds $cache/trixie.lock for more than $LOCK_TIMEOUT s"
[ -z "$(missing)" ] && exit 0

. /etc/os-release
case "${VERSION_CODENAME:-}" in
trixie) suite=trixie ;; # the machine's own release: the same packages, built for it
*) suite=bookworm-backports ;;
esac
log "fetching $PACKAGES from Debian $suite into $root"
mkdir -p "$apt_dir/sources" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs"
cat >"$apt_dir/sources/keel-trixie.sources" <<EOF
Types: deb
URIs: http://deb.debian.org/debian
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
APT_PRIVATE="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$apt_dir/sources \
-o Dir::State::Lists=$apt_dir/lists -o Dir::Cache=$apt_dir/cache -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
timeout 600 apt-get -qq $APT_PRIVATE update || die "apt-get update of the private $suite list failed"
rm -f "$apt_dir/debs"/*.deb
# shellcheck disable=SC2086
(cd "$apt_dir/debs" && timeout 1200 apt-get -qq $APT_PRIVATE download $PACKAGES) ||
	die "apt-get download from $suite failed"

# Their runtime libraries: every Depends that is none of the packages above and not installed.
# They are bookworm packages (bookworm-backports builds against bookworm), from the machine's sources.
need=""
for deb in "$apt_dir/debs"/*.deb; do
	for dep in $(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/:any//' | tr -d ' '); do
		case " $PACKAGES qemu-system-any " in *" $dep "*) continue ;; esac
		dpkg-query -W -f='${Status}' "$dep" 2>/dev/null | grep -q "install ok installed" && continue
		case " $need " in *" $dep "*) ;; *) need="$need $dep" ;; esac
	done
done
if [ -n "$need" ]; then
	log "installing the libraries QEMU 10 needs from the machine's own sources:$need"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	timeout 600 $SUDO apt-get install -y -qq --no-install-recommends $need ||
		{ timeout 600 $SUDO apt-get update -qq && timeout 600 $SUDO apt-get install -y -qq --no-install-recommends $need; } ||
		die "apt-get install$need failed"
fi

rm -rf "$root.tmp"
mkdir -p "$root.tmp/.keel"
for deb in "$apt_dir/debs"/*.deb; do
	pkg=$(dpkg-deb -f "$deb" Package)
	log "unpacking $pkg $(dpkg-deb -f "$deb" Version)"
	dpkg -x "$deb" "$root.tmp" || die "dpkg -x $deb failed"
	dpkg-deb -f "$deb" Version >"$root.tmp/.keel/$pkg"
done
rm -rf "$root"
mv "$root.tmp" "$root"
rm -f "$apt_dir/debs"/*.deb

# The check: the unpacked QEMU boots OpenSBI 1.5 on an RVA23 hart, within BOOT_TIMEOUT seconds.
m=$(missing)
[ -z "$m" ] || die "still missing after the install:$m"
QEMU_MODULE_DIR=$(module_dir) || die "no QEMU module folder under $root/usr/lib"
export QEMU_MODULE_DIR
out="$apt_dir/boot-check.log"
"$QEMU_BIN" -machine virt -cpu rva23s64 -m 256M -smp 1 -bios "$FIRMWARE" -nographic </dev/null >"$out" 2>&1 &
qemu=$!
waited=0
while ! grep -q "^Runtime SBI Version *: 2\.0" "$out" && [ "$waited" -lt $((BOOT_TIMEOUT * 5)) ] &&
	kill -0 "$qemu" 2>/dev/null; do
	sleep 0.2
	waited=$((waited + 1))
done
kill "$qemu" 2>/dev/null || true
wait "$qemu" 2>/dev/null || true
if ! grep -q "^OpenSBI v1\.5" "$out" || ! grep -q "^Runtime SBI Version *: 2\.0" "$out"; then
	cat "$out" >&2
	rm -rf "$root"
	die "$QEMU_BIN -cpu rva23s64 did not boot OpenSBI 1.5 within $BOOT_TIMEOUT s (its output above)"
fi
if grep -q "failed to .* module" "$out"; then
	cat "$out" >&2
	rm -rf "$root"
	die "QEMU 10 loads a module that is not its own (above)"
fi
log "$("$QEMU_BIN" --version | head -1), $(grep -m1 '^OpenSBI v' "$out"): boots on -cpu rva23s64"
