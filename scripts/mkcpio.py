#!/usr/bin/env python3
"""Write a newc cpio archive (the initramfs format) from a list of entries, without root:
  mkcpio.py OUT  dir:/proc  file:/init=build/linux/init:0755  nod:/dev/console:c:5:1:0600
"""
import os
import sys

NEWC_MAGIC = "070701"
S_IFDIR, S_IFREG, S_IFCHR = 0o040000, 0o100000, 0o020000


def entry(out, ino, name, mode, data=b"", rdev=(0, 0)):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0]
    out.write((NEWC_MAGIC + "".join("%08x" % f for f in fields)).encode())
    out.write(name_b)
    out.write(b"\0" * ((4 - (110 + len(name_b)) % 4) % 4))
    out.write(data)
    out.write(b"\0" * ((4 - len(data) % 4) % 4))


def main():
    out_path, specs = sys.argv[1], sys.argv[2:]
    with open(out_path, "wb") as out:
        for ino, spec in enumerate(specs, 1):
            kind, rest = spec.split(":", 1)
            if kind == "dir":
                entry(out, ino, rest.lstrip("/"), S_IFDIR | 0o755)
            elif kind == "file":
                path, _, src_mode = rest.partition("=")
                src, _, mode = src_mode.partition(":")
                with open(src, "rb") as f:
                    entry(out, ino, path.lstrip("/"), S_IFREG | int(mode or "644", 8), f.read())
            elif kind == "nod":
                path, typ, major, minor, mode = rest.split(":")
                assert typ == "c"
                entry(out, ino, path.lstrip("/"), S_IFCHR | int(mode, 8), rdev=(int(major), int(minor)))
            else:
                sys.exit("mkcpio: unknown entry kind " + kind)
        entry(out, len(specs) + 1, "TRAILER!!!", 0)


if __name__ == "__main__":
    main()
