#!/usr/bin/env python3
"""Instructions by Keel function for a whole run (`make bench-profile`): the Linux guest's
boot to power-off by default, or the bench guest (--bare).

QEMU logs every translation block it translates (-d in_asm, with its privilege and V bit) and
every one it runs (-d exec,nochain); each run block adds its instructions to the Keel
function each instruction belongs to (HS-mode code, build/keel.elf symbols), to "OpenSBI"
(M-mode) or to "guest" (V=1). "boot" is everything before the guest's first instruction.
Blocks cut short by a trap count whole, so the figures are close, not exact: the instret
rows of `make bench` are the exact ones. The log is large (about 15 bytes per instruction)
and goes to a temporary file that is removed afterwards.
"""
import argparse
import bisect
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
import keelrun  # noqa: E402

IN_RE = re.compile(r"^Priv: (\d); Virt: (\d)")
INSN_RE = re.compile(r"^0x([0-9a-f]+):")
TRACE_RE = re.compile(r"^Trace \d+: (0x[0-9a-f]+) \[[0-9a-f]+/([0-9a-f]+)/")


def keel_symbols(elf):
    out = subprocess.run(["riscv64-linux-gnu-nm", "-n", elf], capture_output=True, text=True, check=True).stdout
    syms = [(int(p[0], 16), p[2]) for p in (l.split() for l in out.splitlines()) if len(p) == 3 and p[1] in "tTwW"]
    return [a for a, _ in syms], [n for _, n in syms]


def profile(log, elf):
    addrs, names = keel_symbols(elf)
    blocks, counts, phase, cur = {}, collections.Counter(), "boot", None
    with open(log, errors="replace") as f:
        for line in f:
            if line.startswith("IN:"):
                cur = {"priv": None, "virt": None, "pcs": []}
                continue
            if cur is not None:
                m = IN_RE.match(line)
                if m:
                    cur["priv"], cur["virt"] = int(m.group(1)), int(m.group(2))
                    continue
                m = INSN_RE.match(line)
                if m:
                    cur["pcs"].append(int(m.group(1), 16))
                    continue
            m = TRACE_RE.match(line)
            if not m:
                continue
            # A block's listing comes right before its first run; later runs name it by host address.
            if cur is not None and cur["pcs"] and cur["pcs"][0] == int(m.group(2), 16):
                blocks[m.group(1)] = cur
            cur = None
            b = blocks.get(m.group(1))
            if b is None:
                counts[(phase, "(unknown block)")] += 1
            elif b["virt"]:
                phase = "run"
                counts[(phase, "guest")] += len(b["pcs"])
            elif b["priv"] == 3:
                counts[(phase, "OpenSBI (M-mode)")] += len(b["pcs"])
            else:
                for pc in b["pcs"]:
                    i = bisect.bisect_right(addrs, pc) - 1
                    counts[(phase, names[i] if i >= 0 else "?")] += 1
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--linux-kernel", default=os.path.join("build", "linux", "Image"))
    ap.add_argument("--linux-initrd", default=os.path.join("build", "linux", "initramfs.cpio"))
    ap.add_argument("--bare", action="store_true", help="the bench guest's single-hart rows instead of Linux")
    ap.add_argument("--top", type=int, default=25, help="functions to list per phase")
    keelrun.add_platform_options(ap)
    args = ap.parse_args()
    keelrun.use_platform(args.platform, args.qemu_cpu, args.qemu_machine)
    if args.bare:
        vm = {"name": "bench", "image": os.path.join(args.build, "guests", "bench.bin"), "bootargs": "keel"}
    else:
        vm = {"name": "linux", "image": args.linux_kernel, "initrd": args.linux_initrd,
              "bootargs": "console=ttyS0 keel.poweroff=1"}
    vm.update(harts="0", mem="128M", timer="sstc")
    tmp = tempfile.mkdtemp(prefix="keel-profile-")
    log = os.path.join(tmp, "exec.log")
    cmd = keelrun.keel_command(args.build, 1, "512M", [vm], tmp,
                               ["-icount", "shift=0,sleep=off", "-d", "in_asm,exec,nochain", "-D", log])
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=600)
        if p.returncode != 0:
            sys.exit("bench-profile: QEMU exit status %d" % p.returncode)
        counts = profile(log, os.path.join(args.build, "keel.elf"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    total = collections.Counter()
    for (phase, _), n in counts.items():
        total[phase] += n
    for phase, title in (("boot", "until the guest's first instruction"), ("run", "from then to power-off")):
        print("\n%s: %d instructions %s" % (phase, total[phase], title))
        ranked = sorted(((n, fn) for (ph, fn), n in counts.items() if ph == phase), reverse=True)
        for n, fn in ranked[:args.top]:
            print("%12d  %5.1f%%  %s" % (n, 100.0 * n / total[phase], fn))


if __name__ == "__main__":
    main()
