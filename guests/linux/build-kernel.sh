#!/bin/sh
# Build the riscv64 Linux guest kernel Image for Keel (6.1, or 6.12), cached outside
# the work tree.
#
# Debian packages needed (bookworm):
#   linux-source-6.1 xz-utils tar          kernel source tarball + extraction
#   (6.12: linux-source-6.12, installed on trixie, or fetched by scripts/trixie.sh
#    into $KEEL_CACHE/trixie on bookworm)
#   gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu   cross toolchain
#   make gcc libc6-dev                      kbuild and its host tools
#   flex bison                              kconfig and dtc parsers
#   bc                                      kernel/time/timeconst.h
#   (coreutils, dpkg, util-linux: sha256sum, dpkg-query, flock — always present)
#
# Usage: guests/linux/build-kernel.sh [6.1|6.12]   (default 6.1)
#   Env: KEEL_CACHE   cache root (default $HOME/.cache/keel)
#        KEEL_JOBS    parallel jobs (default $(nproc))
#
# The config is keel.config, plus keel-<version>.config when there is one (6.12:
# vector and the RVA23 extensions on). The tree lives in $KEEL_CACHE/linux-<hash>/,
# <hash> = first 16 hex digits of sha256(the fragments + this script + the source
# package's version, or for a fetched tarball its size and time).
# Any change to one of those three gives a new directory (old ones can be
# deleted by hand). If linux-<hash>/arch/riscv/boot/Image already exists the
# script only prints its path. Otherwise it builds in linux-<hash>.tmp/ and
# renames that to linux-<hash>/ only after success, so an interrupted build
# never looks cached; concurrent invocations are serialised with flock.
#
# All progress goes to stderr; stdout is exactly one line, the Image path,
# so callers can do IMAGE=$(guests/linux/build-kernel.sh).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
self="$here/$(basename "$0")"
version=${1:-6.1}
case "$version" in 6.1 | 6.12) ;; *) echo "build-kernel: version must be 6.1 or 6.12, not '$version'" >&2; exit 1 ;; esac
cache=${KEEL_CACHE:-${HOME:?HOME is not set}/.cache/keel}
pkg=linux-source-$version
tarball=/usr/src/$pkg.tar.xz
[ -r "$tarball" ] || [ ! -r "$cache/trixie/usr/src/$pkg.tar.xz" ] || tarball="$cache/trixie/usr/src/$pkg.tar.xz"
base="$here/keel.config"
extra="$here/keel-$version.config"
fragment="$base"
if [ -r "$extra" ]; then
	fragment="$cache/keel-$version.config.$$" # both, written below
	trap 'rm -f "$fragment"' EXIT
fi
jobs=${KEEL_JOBS:-$(nproc)}
kmake_vars="ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu-"

log() { echo "build-kernel: $*" >&2; }
die() { log "error: $*"; exit 1; }

mkdir -p "$cache"
[ -r "$base" ] || die "missing $base"
if [ -r "$extra" ]; then
	cat "$base" "$extra" >"$fragment"
fi
if ! srcver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null); then
	[ -r "$tarball" ] || die "$pkg is not installed (apt-get install $pkg; on bookworm scripts/trixie.sh fetches 6.12)"
	srcver="fetched $(stat -c '%s %Y' "$tarball")"
fi
hash=$({ cat "$fragment" "$self"; printf '%s' "$srcver"; } | sha256sum | cut -c1-16)
final="$cache/linux-$hash"
image="$final/arch/riscv/boot/Image"

# Fast path: already built.
if [ -f "$image" ]; then
	echo "$image"
	exit 0
fi

# Check tools before spending minutes.
missing=""
for t in riscv64-linux-gnu-gcc:gcc-riscv64-linux-gnu riscv64-linux-gnu-ld:binutils-riscv64-linux-gnu \
	make:make gcc:gcc flex:flex bison:bison bc:bc xz:xz-utils tar:tar flock:util-linux; do
	command -v "${t%%:*}" >/dev/null 2>&1 || missing="$missing ${t#*:}"
done
[ -r "$tarball" ] || missing="$missing $pkg"
[ -z "$missing" ] || die "missing Debian packages:$missing (see scripts/deps.sh)"

mkdir -p "$cache"
# Serialise concurrent builds of the same hash; fd 9 stays open until exit.
exec 9>"$final.lock"
if ! flock -n 9; then
	log "another build of linux-$hash is running; waiting for it"
	flock 9
fi
if [ -f "$image" ]; then # built by whoever held the lock
	echo "$image"
	exit 0
fi

tmp="$final.tmp"
# Holding the lock, any leftover .tmp is from an interrupted build.
rm -rf "$tmp" "$final"
mkdir -p "$tmp"
start=$(date +%s)

log "hash $hash ($pkg $srcver); building in $tmp"
log "extracting $tarball"
# A progress line on stderr every ~200 MB ("tar: extracting: R: ... MiB").
tar -xJf "$tarball" -C "$tmp" --strip-components=1 \
	--checkpoint=20000 --checkpoint-action='echo=extracting: %T' >&2
[ -f "$tmp/Makefile" ] || die "extraction failed"

# Do not let a calling make's flags/overrides (e.g. CC=..., -j, O=) or
# kbuild environment leak into the kernel build.
unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL GNUMAKEFLAGS \
	KBUILD_OUTPUT KCONFIG_CONFIG KCFLAGS KCPPFLAGS KAFLAGS LOCALVERSION \
	CROSS_COMPILE ARCH O CC LD AS 2>/dev/null || true
# Reproducible output: fixed user/host/version, and a timestamp that must be
# a date(1)-parseable string (it also stamps the built-in initramfs cpio);
# the tarball's mtime comes from the .deb, so it is fixed per package version.
# The banner reads "Linux version 6.x.y (keel@keel-<hash>) ... #1 SMP <date>".
export KBUILD_BUILD_USER=keel KBUILD_BUILD_HOST="keel-$hash" KBUILD_BUILD_VERSION=1
KBUILD_BUILD_TIMESTAMP=$(LC_ALL=C date -u -r "$tarball")
export KBUILD_BUILD_TIMESTAMP

cd "$tmp"
log "make tinyconfig + keel.config"
# shellcheck disable=SC2086
make $kmake_vars tinyconfig >&2
# -m: merge only; olddefconfig resolves the result (what kbuild's own
# "make foo.config" does). We check the outcome ourselves below.
# shellcheck disable=SC2086
{ scripts/kconfig/merge_config.sh -m .config "$fragment" >merge_config.log 2>&1 &&
	make $kmake_vars olddefconfig >&2; } || { cat merge_config.log >&2; die "config merge failed"; }

# Every option in the fragment must have survived with the requested value.
# "# CONFIG_X is not set" is also satisfied when X is absent (unmet deps).
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		sym=${line%%=*}
		grep -qxF "$line" .config || {
			got=$(grep -E "^$sym=|^# $sym is not set" .config || echo "(absent)")
			log "config: asked for '$line', got '$got'"
			bad=1
		} ;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }
		sym=${sym%% *}
		if grep -q "^$sym=" .config; then
			log "config: asked for '$line', got '$(grep "^$sym=" .config)'"
			bad=1
		fi ;;
	esac
done <"$fragment"
[ "$bad" -eq 0 ] || die "keel.config options were dropped (missing dependencies?)"
log "config: all $(grep -cE '^(CONFIG_|# CONFIG_.* is not set)' "$fragment") fragment options present in .config"

log "make -j$jobs Image"
# shellcheck disable=SC2086
make $kmake_vars -j"$jobs" Image >&2
[ -f arch/riscv/boot/Image ] || die "no arch/riscv/boot/Image after make"
cd "$cache"

mv "$tmp" "$final"
end=$(date +%s)
log "built in $((end - start)) s: $(wc -c <"$image") bytes"
echo "$image"
