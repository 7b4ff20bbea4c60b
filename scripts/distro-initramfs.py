#!/usr/bin/env python3
"""The initramfs of the distribution kernel check (scripts/distro-kernel.sh), without root:
  distro-initramfs.py OUT ROOT KVER DISK_TEXT MODULE...
ROOT is the unpacked linux-image and busybox-static packages. The archive holds busybox as
/bin/busybox, guests/distro/init as /init (DISK_TEXT: the line it expects on the disk), its DHCP
script, and the MODULEs from ROOT/usr/lib/modules/KVER/kernel with every module they depend on
(each one's own modinfo "depends=", as depmod reads it: the package has no modules.dep),
decompressed (.ko.xz) as /lib/modules/NAME.ko, and /modules.order, dependencies first.
"""
import lzma
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import mkcpio  # noqa: E402

INIT_DIR = os.path.join(HERE, "..", "guests", "distro")
MODINFO_RE = re.compile(rb"(?<=\0)(depends|softdep)=([^\0]*)")


def module_index(kdir):
    """Every module file under kdir by its name (dashes as underscores, as the kernel names them)."""
    index = {}
    for dirpath, _, files in os.walk(kdir):
        for f in files:
            m = re.match(r"(.+)\.ko(\.xz)?$", f)
            if m:
                index[m.group(1).replace("-", "_")] = os.path.join(dirpath, f)
    return index


def read_module(path):
    with open(path, "rb") as f:
        data = f.read()
    return lzma.decompress(data) if path.endswith(".xz") else data


def load_order(roots, index):
    """The modules to load, each after those it depends on (depends=, and softdep pre: when that
    names a module file)."""
    order, data, seen = [], {}, set()

    def visit(name, chain):
        if name in seen:
            return
        if name not in index:
            sys.exit("distro-initramfs: no module %s (needed by %s)" % (name, " <- ".join(chain) or "the list"))
        seen.add(name)
        data[name] = read_module(index[name])
        for key, value in MODINFO_RE.findall(b"\0" + data[name]):
            value = value.decode()
            if key == b"depends":
                deps = [d for d in value.split(",") if d]
            else:  # softdep=pre: a b post: c
                pre = re.search(r"pre:((?:\s+[^\s:]+(?!:))*)", value)
                deps = [d for d in (pre.group(1).split() if pre else []) if d.replace("-", "_") in index]
            for dep in deps:
                visit(dep.replace("-", "_"), [name] + chain)
        order.append(name)

    for root in roots:
        visit(root.replace("-", "_"), [])
    return order, data


def main():
    out, root, kver, disk_text, roots = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
    order, data = load_order(roots, module_index(os.path.join(root, "usr", "lib", "modules", kver, "kernel")))
    with open(os.path.join(INIT_DIR, "init")) as f:
        init = f.read().replace("DISK_TEXT", disk_text).encode()
    with open(os.path.join(INIT_DIR, "udhcpc.sh"), "rb") as f:
        udhcpc = f.read()
    with open(os.path.join(root, "usr", "bin", "busybox"), "rb") as f:
        busybox = f.read()
    files = [("init", 0o755, init), ("udhcpc.sh", 0o755, udhcpc), ("bin/busybox", 0o755, busybox),
             ("modules.order", 0o644, "".join(m + "\n" for m in order).encode())]
    files += [("lib/modules/%s.ko" % m, 0o644, data[m]) for m in order]
    ino = 1
    with open(out + ".tmp", "wb") as f:
        for d in ("bin", "dev", "lib", "lib/modules", "mnt", "proc", "sys", "tmp"):
            mkcpio.entry(f, ino, d, mkcpio.S_IFDIR | 0o755)
            ino += 1
        mkcpio.entry(f, ino, "dev/console", mkcpio.S_IFCHR | 0o600, rdev=(5, 1))
        for name, mode, content in files:
            ino += 1
            mkcpio.entry(f, ino, name, mkcpio.S_IFREG | mode, content)
        mkcpio.entry(f, ino + 1, "TRAILER!!!", 0)
    os.rename(out + ".tmp", out)
    print("distro-initramfs: %s: busybox, %d modules: %s" % (out, len(order), " ".join(order)), file=sys.stderr)


if __name__ == "__main__":
    main()
