#!/bin/sh
# Debian trixie's own riscv64 kernel (linux-image-6.12.*-riscv64, the unsigned image that
# linux-image-riscv64 depends on) and busybox-static, for the check that a distribution kernel
# boots under Keel with a disk and a network. The .debs come from a private apt list (the
# machine's apt sources are never touched: lists and cache under $KEEL_CACHE/distro-apt) and are
# unpacked with dpkg -x into $KEEL_CACHE/distro/<version>/root. Then, without root: an initramfs
# (scripts/distro-initramfs.py: busybox, guests/distro/init, virtio_mmio, virtio_blk, virtio_net,
# ext4, crc32c and what they depend on) and an ext4 disk image holding one known file (mke2fs -d).
# Prints three lines: the kernel Image (the package's EFI-stub Image, bootable by QEMU -kernel and
# by Keel as it is), the initramfs, the disk image. A second run answers from the cache, without
# the network: the initramfs and disk are keyed by a hash of the files that make them.
# Usage: scripts/distro-kernel.sh [--check | --update]
#   --check: exit 1 if nothing is cached (install nothing); --update: ask Debian for a newer kernel.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache=${KEEL_CACHE:-${HOME:?HOME is not set}/.cache/keel}
apt_dir="$cache/distro-apt"
top="$cache/distro"
MODULES="virtio_mmio virtio_blk virtio_net crc32c_generic ext4"
DISK_TEXT="written by scripts/distro-kernel.sh for Debian's kernel"
LOCK_TIMEOUT=1200 # seconds to wait for another run on the same cache to finish

log() { echo "keel distro: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# The key of what this script makes from the packages: the files that make it.
key=$(cat "$here/distro-kernel.sh" "$here/distro-initramfs.py" "$here/mkcpio.py" \
	"$here/../guests/distro/init" "$here/../guests/distro/udhcpc.sh" | sha256sum | cut -c1-16)

# The paths for the version in $top/current, if it and everything made from it are there.
cached() {
	[ -r "$top/current" ] || return 1
	version=$(cat "$top/current")
	dir="$top/$version"
	kver=$(cat "$dir/kver" 2>/dev/null) || return 1
	image="$dir/root/boot/vmlinux-$kver"
	initrd="$dir/initramfs-$key.cpio"
	disk="$dir/disk-$key.ext4"
	[ -f "$image" ] && [ -f "$initrd" ] && [ -f "$disk" ] || return 1
	printf '%s\n%s\n%s\n' "$image" "$initrd" "$disk"
}

mode=${1:-}
case "$mode" in
--check)
	cached >/dev/null && exit 0
	echo "distro kernel missing: run scripts/distro-kernel.sh"
	exit 1
	;;
"" | --update) ;;
*) die "usage: $0 [--check|--update]" ;;
esac
[ "$mode" = --update ] || ! cached || exit 0

mkdir -p "$top"
# One run at a time per cache (make test on two platforms, or two makes); the second finds it done.
exec 9>"$top/lock"
flock -w "$LOCK_TIMEOUT" 9 || die "another run holds $top/lock for more than $LOCK_TIMEOUT s"
[ "$mode" = --update ] || ! cached || exit 0

# The packages, when this version is not unpacked yet (or --update finds a newer one).
version=$(cat "$top/current" 2>/dev/null || true)
if [ "$mode" = --update ] || [ -z "$version" ] || [ ! -f "$top/$version/kver" ]; then
	mkdir -p "$apt_dir/sources" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs"
	cat >"$apt_dir/sources/keel-distro.sources" <<-EOF2
		Types: deb
		URIs: http://deb.debian.org/debian
		Suites: trixie
		Components: main
		Architectures: riscv64
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF2
	APT_PRIVATE="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$apt_dir/sources \
-o Dir::State::Lists=$apt_dir/lists -o Dir::Cache=$apt_dir/cache -o APT::Sandbox::User=root \
-o APT::Architectures::=riscv64 -o APT::Architecture=riscv64"
	log "apt-get update of a private list: Debian trixie main riscv64"
	# shellcheck disable=SC2086
	timeout 600 apt-get -qq $APT_PRIVATE update || die "apt-get update of the private trixie list failed"
	# shellcheck disable=SC2086
	pkg=$(timeout 120 apt-cache $APT_PRIVATE depends linux-image-riscv64 |
		sed -n 's/^ *Depends: \(linux-image-6\.12\.[^ ]*-riscv64\)$/\1/p' | head -1)
	[ -n "$pkg" ] || die "linux-image-riscv64 depends on no linux-image-6.12.*-riscv64"
	rm -f "$apt_dir/debs"/*.deb
	log "apt-get download $pkg busybox-static"
	# shellcheck disable=SC2086
	(cd "$apt_dir/debs" && timeout 1200 apt-get -qq $APT_PRIVATE download "$pkg" busybox-static) ||
		die "apt-get download $pkg busybox-static failed"
	kdeb=$(ls "$apt_dir/debs/${pkg}_"*.deb)
	version="${pkg#linux-image-}_$(dpkg-deb -f "$kdeb" Version)"
	dir="$top/$version"
	rm -rf "$dir"
	mkdir -p "$dir.tmp/root"
	for deb in "$apt_dir/debs"/*.deb; do
		log "unpacking $(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)"
		dpkg -x "$deb" "$dir.tmp/root" || die "dpkg -x $deb failed"
		echo "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)" >>"$dir.tmp/packages"
	done
	kver=$(ls "$dir.tmp/root/usr/lib/modules")
	[ -f "$dir.tmp/root/boot/vmlinux-$kver" ] || die "no boot/vmlinux-$kver in $pkg"
	[ -x "$dir.tmp/root/usr/bin/busybox" ] || die "no usr/bin/busybox in busybox-static"
	echo "$kver" >"$dir.tmp/kver"
	mv "$dir.tmp" "$dir"
	rm -f "$apt_dir/debs"/*.deb
	echo "$version" >"$top/current.tmp" && mv "$top/current.tmp" "$top/current"
fi

dir="$top/$version"
kver=$(cat "$dir/kver")
rm -f "$dir"/initramfs-*.cpio "$dir"/disk-*.ext4
# shellcheck disable=SC2086
timeout 300 python3 "$here/distro-initramfs.py" "$dir/initramfs-$key.cpio" "$dir/root" "$kver" "$DISK_TEXT" \
	$MODULES || die "the initramfs was not made"
rm -rf "$dir/disk" && mkdir -p "$dir/disk"
echo "$DISK_TEXT" >"$dir/disk/distro.txt"
timeout 300 mke2fs -q -F -t ext4 -L keel-distro -E root_owner=0:0 -d "$dir/disk" "$dir/disk-$key.ext4.tmp" 16M \
	>/dev/null || die "mke2fs of the disk image failed"
mv "$dir/disk-$key.ext4.tmp" "$dir/disk-$key.ext4"
log "$(tr '\n' ',' <"$dir/packages" | sed 's/,$//; s/,/, /g'): $dir"
cached || die "nothing cached after the run"
