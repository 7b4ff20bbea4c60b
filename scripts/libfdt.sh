#!/bin/sh
# Extract libfdt from Debian's linux-source-6.1 tarball into $1 (never committed).
set -e
out="$1"
tarball=/usr/src/linux-source-6.1.tar.xz
[ -f "$tarball" ] || { echo "libfdt: $tarball missing (run make deps)" >&2; exit 1; }
tmp="$out.tmp"
rm -rf "$tmp"
mkdir -p "$tmp"
tar -xJf "$tarball" -C "$tmp" linux-source-6.1/scripts/dtc/libfdt
rm -rf "$out"
mv "$tmp/linux-source-6.1/scripts/dtc/libfdt" "$out"
rm -rf "$tmp"
