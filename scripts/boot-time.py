#!/usr/bin/env python3
"""Wall time from QEMU start to the Linux guest's init ("keel-init: Linux guest up"), under
Keel and natively on OpenSBI with the same kernel and initramfs; the median of N runs each.
  scripts/boot-time.py [--runs 5] [--build build]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keelrun  # noqa: E402

MARK = b"keel-init: Linux guest up"
BOOTARGS = "console=ttyS0 keel.poweroff=1"


def time_to_init(cmd, timeout=120):
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    seen, found = b"", None
    while True:
        chunk = p.stdout.read1(4096)
        if not chunk:
            break
        seen += chunk
        if found is None and MARK in seen:
            found = time.monotonic() - start
        if time.monotonic() - start > timeout:
            break
    p.kill()
    p.wait()
    return found, seen


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--build", default="build")
    ap.add_argument("--cpus", type=int, default=1, help="vCPUs (harts) of the guest")
    args = ap.parse_args()
    kernel = os.path.join(args.build, "linux", "Image")
    initrd = os.path.join(args.build, "linux", "initramfs.cpio")
    vm = {"name": "linux", "image": kernel, "initrd": initrd, "harts": "0-%d" % (args.cpus - 1), "mem": "128M",
          "bootargs": BOOTARGS}
    results = {}
    for label in ("keel", "native"):
        times = []
        for _ in range(args.runs):
            if label == "keel":
                cmd = keelrun.keel_command(args.build, max(2, args.cpus), "1G", [vm], tempfile.mkdtemp(prefix="keel-boot-"))
            else:
                cmd = keelrun.native_command(kernel, args.cpus, "128M", BOOTARGS, qemu_opts=["-initrd", initrd])
            t, out = time_to_init(cmd)
            if t is None:
                sys.exit("boot-time: %s boot never reached init:\n%s" % (label, out.decode(errors="replace")[-2000:]))
            times.append(t)
        results[label] = times
        print("%-6s median %.3f s  (runs: %s)" % (label, statistics.median(times), ", ".join("%.3f" % t for t in times)))
    print("ratio keel/native: %.2f" % (statistics.median(results["keel"]) / statistics.median(results["native"])))


if __name__ == "__main__":
    main()
