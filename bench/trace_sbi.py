#!/usr/bin/env python3
"""Where the instructions of one exit under Keel go (`make bench-trace`): a null SBI call,
a Keel hypercall, an emulated MMIO read (lbu) and write (c.sw to the vPLIC), and which pages
the exit touches: Keel's code pages (every pc stepped) and data pages (the address of every
load and store Keel executes, worked out from its registers before the step).

Boots Keel with the bench guest in its "bench=trace-WHAT" part, stops under gdb at the guest's
instruction (bench_trace_WHAT in guests/bare/bench.c), single-steps from Keel's trap entry (trap_vector) to the
sret back into the guest, for the second of two runs of the instruction (warm, as in the rows' loops), and counts the steps by Keel function (symbols of build/keel.elf). QEMU runs
without -icount here (gdb cannot single-step under -icount in QEMU 7.2); the path is the
same code, so the totals should match the sbi_null, hvc_version, mmio_read_lbu and
mmio_write_csw rows of `make bench` (give or take an instruction of register choice).

The guest's code and Keel's sit at the same addresses (guest physical 0x80200000 = Keel's
load address), so "in the guest" is told apart by stvec: with V=1 gdb reads the guest's.
"""
import argparse
import bisect
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
import keelrun  # noqa: E402

GDB_SCRIPT = r'''
import re
import gdb
gdb.execute("set architecture riscv:rv64")
gdb.execute("set tcp connect-timeout 20")
gdb.execute("target remote 127.0.0.1:%(port)d")
gdb.execute("hbreak *0x%(ecall)x if $stvec == 0x%(vector)x")
# The guest runs the instruction twice (TRACE_LOOP in guests/bare/bench.c): trace the second, warm.
gdb.execute("continue")
gdb.execute("continue")
# A stepi over the ecall comes back after the whole call: stop at Keel's trap entry instead.
gdb.execute("delete")
gdb.execute("hbreak *0x%(entry)x")
gdb.execute("continue")
gdb.execute("delete")
arch = gdb.selected_frame().architecture()
mem_re = re.compile(r"(-?\d+)\((\w+)\)")


def access(pc):
    """The address a load or store at pc reaches (None for anything else)."""
    asm = arch.disassemble(pc)[0]["asm"]
    m = mem_re.search(asm)
    if not m or asm.split()[0] in ("jalr", "jr"):
        return None
    return (int(gdb.parse_and_eval("$" + m.group(2))) + int(m.group(1))) & 0xffffffffffffffff


pc = 0x%(entry)x
print("PC 0x%%x %%s" %% (pc, "host"))
steps = 0
while steps < 20000:
    addr = access(pc)
    if addr is not None:
        print("MEM 0x%%x" %% addr)
    gdb.execute("stepi", to_string=True)
    steps += 1
    pc = int(gdb.parse_and_eval("$pc")) & 0xffffffffffffffff
    stvec = int(gdb.parse_and_eval("$stvec")) & 0xffffffffffffffff
    print("PC 0x%%x %%s" %% (pc, "guest" if stvec == 0x%(vector)x else "host"))
    # Stepping over sret would run the guest on: stop at trap.S's sret, the last of the call.
    if pc == 0x%(sret)x:
        break
gdb.execute("delete")
gdb.execute("kill")
'''


def symbols(elf, kinds="tTwW"):
    out = subprocess.run(["riscv64-linux-gnu-nm", "-n", elf], capture_output=True, text=True, check=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in kinds:
            syms.append((int(parts[0], 16), parts[2]))
    return syms


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("what", nargs="*", default=["sbi", "hvc", "mmio", "csw"], help="sbi, hvc, mmio, csw")
    keelrun.add_platform_options(ap)
    args = ap.parse_args()
    keelrun.use_platform(args.platform, args.qemu_cpu, args.qemu_machine)
    for what in args.what:
        trace(args, what)


PAGE_SHIFT = 12


def trap_span(ksyms):
    """trap.S's exit path: from trap_vector to the next global symbol after _run_guest."""
    names = dict((n, a) for a, n in ksyms)
    after = [a for a, n in ksyms if a > names["_run_guest"]]
    return names["trap_vector"], (min(after) if after else names["_run_guest"] + 4096)


def page_owner(ksyms, dsyms, page):
    """A name for what lives on a page: the symbols there (the first few)."""
    lo, hi = page << PAGE_SHIFT, (page + 1) << PAGE_SHIFT
    names = [n for a, n in ksyms + dsyms if lo <= a < hi]
    if not names:
        before = [n for a, n in sorted(ksyms + dsyms) if a < lo]
        return "inside " + before[-1] if before else "?"
    return ", ".join(names[:3]) + (" ..." if len(names) > 3 else "")


TITLES = {"sbi": "null SBI call (BASE get_spec_version)", "hvc": "Keel hypercall (KEEL_HVC_VERSION)",
          "mmio": "MMIO read (lbu of the vUART scratch register)",
          "csw": "MMIO write (c.sw to the vPLIC enable word 0x0c002004)"}


def trace(args, what):
    guest_elf = os.path.join(args.build, "guests", "bench.elf")
    gsyms = dict((name, addr) for addr, name in symbols(guest_elf))
    ksyms = symbols(os.path.join(args.build, "keel.elf"))
    dsyms = symbols(os.path.join(args.build, "keel.elf"), "dDbBrR")
    dis = subprocess.run(["riscv64-linux-gnu-objdump", "-d", "-j", ".text", os.path.join(args.build, "keel.elf")],
                         capture_output=True, text=True, check=True).stdout
    # trap.S's one way into the guest (resume_guest); the host trap vector's srets are elsewhere.
    start, end = trap_span(ksyms)
    srets = [a for a in map(lambda x: int(x, 16), re.findall(r"^\s*([0-9a-f]+):\s+10200073\s+sret", dis, re.M))
             if start <= a < end]
    if len(srets) != 1:
        sys.exit("bench-trace: expected one sret in trap.S's exit path, found %d" % len(srets))
    sret = srets[0]
    gdb = shutil.which("gdb-multiarch")
    if not gdb:
        sys.exit("bench-trace: gdb-multiarch is needed (apt-get install gdb-multiarch)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    vm = {"name": "bench", "image": os.path.join(args.build, "guests", "bench.bin"), "harts": "0", "mem": "128M",
          "timer": "sstc", "bootargs": "keel bench=trace-%s" % what}
    workdir = tempfile.mkdtemp(prefix="keel-trace-")
    cmd = keelrun.keel_command(args.build, 1, "512M", [vm], workdir, ["-S", "-gdb", "tcp:127.0.0.1:%d" % port])
    script = tempfile.NamedTemporaryFile("w", suffix=".py", delete=False)
    script.write(GDB_SCRIPT % {"port": port, "ecall": gsyms["bench_trace_" + what], "vector": gsyms["guest_trap_entry"],
                        "entry": dict((n, a) for a, n in ksyms)["trap_vector"], "sret": sret})
    script.close()
    q = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        g = subprocess.run([gdb, "-nx", "-batch", "-x", script.name], capture_output=True, text=True, timeout=300)
    finally:
        q.kill()
        q.wait()
        os.unlink(script.name)
        shutil.rmtree(workdir, ignore_errors=True)
    steps = [(int(m.group(1), 16), m.group(2)) for m in re.finditer(r"^PC 0x([0-9a-f]+) (\w+)$", g.stdout, re.M)]
    data = [int(m.group(1), 16) for m in re.finditer(r"^MEM 0x([0-9a-f]+)$", g.stdout, re.M)]
    if not steps or steps[-1] != (sret, "host"):
        sys.exit("bench-trace: gdb did not step through the call:\n" + g.stdout[-2000:] + g.stderr[-2000:])
    addrs = [a for a, _ in ksyms]
    per_fn, order = {}, []
    # From _guest_exit to the sret into the guest; + 1 for the ecall.
    for pc, where in steps:
        i = bisect.bisect_right(addrs, pc) - 1
        fn = ksyms[i][1] if where == "host" and i >= 0 else "(guest)"
        if fn not in per_fn:
            order.append(fn)
        per_fn[fn] = per_fn.get(fn, 0) + 1
    total = len(steps) + 1
    print("\nOne %s under Keel: %d instructions, the guest's trapping instruction included" % (TITLES[what], total))
    print("%6s  %s" % ("insns", "Keel function (in first-run order)"))
    print("%6d  %s" % (1, "the guest's instruction"))
    for fn in order:
        print("%6d  %s" % (per_fn[fn], fn))
    code_pages = sorted({pc >> PAGE_SHIFT for pc, where in steps if where == "host"})
    data_pages = sorted({a >> PAGE_SHIFT for a in data})
    print("pages touched: %d (%d code, %d data: %d loads and stores)" %
          (len(code_pages) + len(data_pages), len(code_pages), len(data_pages), len(data)))
    for kind, pages in (("code", code_pages), ("data", data_pages)):
        print("  %s: %s" % (kind, " ".join("0x%x (%s)" % (p << PAGE_SHIFT, page_owner(ksyms, dsyms, p)) for p in pages)))


if __name__ == "__main__":
    main()
