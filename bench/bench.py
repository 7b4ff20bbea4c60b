#!/usr/bin/env python3
"""Keel's benchmarks (`make bench`): Keel against the platform's OpenSBI alone, counted in instructions.

Every run is QEMU with `-icount shift=0,sleep=off`. Then QEMU's virtual clock advances exactly
1 ns per instruction retired by any hart in any mode (M, HS, VS/S, U); the instret and cycle
CSRs read that clock, and `time` is its 10 MHz tick. So instret differences count everything
the machine ran, deterministically. sleep=off makes idle time (all harts in WFI) jump to the
next timer instead of following the host's clock, so runs repeat exactly. Each bare-metal
guest checks this model before reporting anything (guests/bare/bench.c).

A figure that cannot be measured stops the run with a message and exit status 1: QEMU failing
or timing out, a guest TAP line "not ok" or a missing plan, a missing "bench:" line, Keel's
exit report missing, gdb not reaching /init. Results go to bench/results-PLATFORM.json (sorted keys;
"generated" is the only field that changes between identical runs, wall times are printed only).
"""
import argparse
import datetime
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
import keelrun  # noqa: E402

ICOUNT = ["-icount", "shift=0,sleep=off"]
# The bare guests drive a PLIC: natively they run on the PLIC machine (under Keel they get a vPLIC on
# whatever the host has, the trixie platform's AIA included).
PLIC_MACHINE = ["-machine", "virt"]
BARE_TIMEOUT = 60
LINUX_TIMEOUT = 120
LINUX_BOOTARGS = "console=ttyS0 keel.poweroff=1"
# The virtio console rows: port 0 of the virtio console is hvc1 (the SBI console registers hvc0 first).
# Linux 6.1 loses the log it replays to hvc1 (hvc_alloc registers the console before the driver can
# write to the port), so the early part goes out on earlycon=sbi, as `make run` does.
LINUX_VIRTIO_BOOTARGS = "earlycon=sbi console=hvc1 keel.poweroff=1"
WALL_RUNS = 5
LINUX_MEM = "128M"
INIT_MARKER = "keel-init: Linux guest up"
MTIME = 0x200BFF8  # QEMU virt's ACLINT mtime register (CLINT base 0x2000000 + 0xbff8)
PRIV_U = 0  # gdb's $priv: the privilege level in its low two bits
PRIV_LEVEL_MASK = 3
TAP_RE = re.compile(r"^(not ok|ok) (\d+) - (.*)$")
PLAN_RE = re.compile(r"^1\.\.(\d+)$")
BENCH_RE = re.compile(r"^bench: (\w+) (-?\d+)$")
EXITS_RE = re.compile(r"^keel: vm '(\S+)' vcpu (\d+) exits (\d+):((?: [\w-]+=\d+)*)$", re.M)
DD_RE = re.compile(r"^ddtest: (wrote|read) (\d+) bytes in (\d+) KiB requests: ([\d.]+) s, ([\d.]+) MB/s$", re.M)
DISK_ANSWERED_RE = re.compile(r"^keel: vm '\S+' disk 0: (\d+) requests answered", re.M)
# Sequential O_DIRECT I/O of the Linux guest on its raw disk (/dev/vda), per request size in KiB.
# 64 MiB: at native speed 1 MiB requests take about 30 ms, long enough for the host clock to measure.
LINUX_DISK_MIB = 64
LINUX_DISK_KIB = (64, 1024)
LINUX_DISK_RUNS = 5
SCHED_RE = re.compile(r"^keel: hart 0 scheduler: (\d+) switches, (\d+) instret each .*; (\d+) ticks kept the vCPU, "
                      r"(\d+) instret each .*$", re.M)
RUN_INIT_RE = re.compile(r"^\[\s*(\d+)\.(\d{6})\] Run /init as init process$", re.M)


class BenchError(Exception):
    pass


def run_qemu(cmd, timeout, marker=None):
    """QEMU's console output, exit status, wall seconds, and the wall seconds at which `marker`
    first appeared (None if it did not)."""
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    chunks, seen = [], {}

    def reader():
        for chunk in iter(lambda: p.stdout.read1(4096), b""):
            chunks.append(chunk)
            if marker and "at" not in seen and marker.encode() in b"".join(chunks):
                seen["at"] = time.monotonic() - start

    t = threading.Thread(target=reader)
    t.start()
    try:
        rc = p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        rc = None
    t.join()
    out = b"".join(chunks).decode(errors="replace").replace("\r", "")
    return out, rc, time.monotonic() - start, seen.get("at")


def save_log(logdir, name, cmd, out):
    path = os.path.join(logdir, name + ".log")
    with open(path, "w") as f:
        f.write(" ".join(cmd) + "\n\n" + out)
    return path


def check_run(name, out, rc, timeout, log):
    if rc is None:
        raise BenchError("%s: QEMU did not finish within %ds (log: %s)" % (name, timeout, log))
    if rc != 0:
        raise BenchError("%s: QEMU exit status %d (log: %s)" % (name, rc, log))


def parse_guest(name, out, log, want):
    """The bench guest's figures; every TAP line must be ok and the plan complete."""
    lines = [re.sub(r"^\[\S+\] ", "", l.strip()) for l in out.splitlines()]
    taps = [TAP_RE.match(l) for l in lines]
    taps = [m for m in taps if m]
    bad = ["%s %s - %s" % m.groups() for m in taps if m.group(1) != "ok"]
    plans = [int(m.group(1)) for m in (PLAN_RE.match(l) for l in lines) if m]
    if bad:
        raise BenchError("%s: the guest's checks failed, figures not trusted:\n    %s\n  (log: %s)" %
                         (name, "\n    ".join(bad), log))
    if not taps or plans != [len(taps)]:
        raise BenchError("%s: TAP plan %s for %d assertions: the guest did not finish (log: %s)" %
                         (name, plans or "missing", len(taps), log))
    figures = {m.group(1): int(m.group(2)) for m in (BENCH_RE.match(l) for l in lines) if m}
    missing = [k for k in want if k not in figures]
    if missing:
        raise BenchError("%s: no figure for %s (log: %s)" % (name, ", ".join(missing), log))
    return figures


def parse_exits(name, out, log, vm):
    """Keel's per-vCPU exit report for `vm`: {vcpu: {"total": n, reason: n, ...}}."""
    exits = {}
    for m in EXITS_RE.finditer(out):
        if m.group(1) == vm:
            reasons = dict((k, int(v)) for k, v in (kv.split("=") for kv in m.group(4).split()))
            reasons["total"] = int(m.group(3))
            exits[int(m.group(2))] = reasons
    if not exits:
        raise BenchError("%s: Keel's exit report for vm '%s' is missing (log: %s)" % (name, vm, log))
    return exits


class Bench:
    def __init__(self, args):
        self.args = args
        self.build = args.build
        self.logdir = os.path.join(args.build, "bench-logs")
        os.makedirs(self.logdir, exist_ok=True)
        self.guest = os.path.join(args.build, "guests", "bench.bin")
        for path in (os.path.join(args.build, "keel.bin"), self.guest, args.linux_kernel, args.linux_initrd,
                     args.linux_init):
            if not os.path.exists(path):
                raise BenchError("missing %s: run make bench, which builds it" % path)

        self.tmp = tempfile.mkdtemp(prefix="keel-bench-")

    def workdir(self):
        """A directory for one run's device tree (removed at the end, see main)."""
        return tempfile.mkdtemp(dir=self.tmp)

    # ---- bare-metal guest runs ----

    def bare(self, name, want, keel=None, smp=1, bootargs=""):
        """Run the bench guest under Keel (keel = VM fields) or natively; its figures."""
        if keel is not None:
            vm = {"name": "bench", "image": self.guest, "mem": "128M", "bootargs": ("keel " + bootargs).strip()}
            vm.update(keel)
            cmd = keelrun.keel_command(self.build, smp, "512M", [vm], self.workdir(), ICOUNT)
        else:
            cmd = keelrun.native_command(self.guest, smp, "128M", ("native " + bootargs).strip(),
                                         qemu_opts=ICOUNT + PLIC_MACHINE)
        out, rc, secs, _ = run_qemu(cmd, BARE_TIMEOUT)
        log = save_log(self.logdir, name, cmd, out)
        check_run(name, out, rc, BARE_TIMEOUT, log)
        figures = parse_guest(name, out, log, want)
        exits = parse_exits(name, out, log, "bench") if keel is not None else None
        print("  %-22s %5.1fs  (log: %s)" % (name, secs, log))
        return figures, exits

    def blk(self, name, keel):
        """The blk test guest's bench mode over a fresh 8 MiB image: 64 KiB requests, from sector 2048
        (a slice starting there under Keel, the whole image natively)."""
        image = os.path.join(self.tmp, name + ".img")
        with open(image, "wb") as f:
            f.truncate(8 << 20)
        guest = os.path.join(self.build, "guests", "blk.bin")
        if keel:
            vm = {"name": "bench", "image": guest, "mem": "128M", "harts": "0", "disks": "0:2048:12288",
                  "bootargs": "keel blk=bench"}
            cmd = keelrun.keel_command(self.build, 1, "512M", [vm], self.workdir(), ICOUNT, disks=[image])
        else:
            cmd = keelrun.native_command(guest, 1, "128M", "native blk=bench start=2048",
                                         qemu_opts=ICOUNT + PLIC_MACHINE, disks=[image])
        out, rc, secs, _ = run_qemu(cmd, BARE_TIMEOUT)
        log = save_log(self.logdir, name, cmd, out)
        check_run(name, out, rc, BARE_TIMEOUT, log)
        figures = parse_guest(name, out, log, ["blk_read_64k", "blk_write_64k"])
        exits = parse_exits(name, out, log, "bench") if keel else None
        print("  %-22s %5.1fs  (log: %s)" % (name, secs, log))
        return figures, exits
    def sched(self, name, vector=False):
        """Two busy VMs of the sched guest sharing hart 0 (1 ms slices, weights 3 and 1): Keel's own
        instret count per vCPU switch and per scheduler tick that keeps the vCPU (its last report).
        vector: their loops dirty a vector register, so every switch saves and loads V."""
        image = os.path.join(self.build, "guests", "sched.bin")
        vms = [{"name": n, "image": image, "harts": "0", "mem": "16M", "slice": "1000", "weight": w,
                "bootargs": "keel sched=busy share=%d tol=5 window=60%s" % (share, " vector=1" if vector else "")}
               for n, w, share in (("heavy", "3", 75), ("light", "1", 25))]
        cmd = keelrun.keel_command(self.build, 1, "512M", vms, self.workdir(), ICOUNT)
        out, rc, secs, _ = run_qemu(cmd, BARE_TIMEOUT)
        log = save_log(self.logdir, name, cmd, out)
        check_run(name, out, rc, BARE_TIMEOUT, log)
        if "not ok" in out:
            raise BenchError("%s: a sched guest check failed (log: %s)" % (name, log))
        found = SCHED_RE.findall(out)
        if not found:
            raise BenchError("%s: Keel's scheduler report is missing (log: %s)" % (name, log))
        switches, switch, ticks, tick = (int(x) for x in found[-1])
        print("  %-22s %5.1fs  (log: %s)" % (name, secs, log))
        return {"switches": switches, "switch": switch, "ticks": ticks, "tick": tick,
                "vector": re.search(r"keel: vector registers of \d+ bits, switched per vCPU", out) is not None}

    # ---- network: TCP streams of the Linux guest's tcpsend ----

    def net(self, name, mode, icount=True):
        """A NET_MIB MiB tcpsend stream, in Mbit/s of guest time (= instructions under -icount: the
        whole machine's). mode "vm2vm": two Linux VMs on one network of Keel's switch; "uplink": one
        VM through Keel's uplink to a sink on this machine's 127.0.0.1 (10.0.2.2 from the guest);
        "native": the same guest on QEMU's own virtio-net to the same sink. Returns the rate and, under
        Keel, {"per_frame": exits per frame (every exit of the VMs over every frame their cards sent and
        received; with offloads a frame carries up to 64 KiB), "per_mib": exits per MiB streamed,
        "frames": frames}. icount=False: no -icount, so guest time follows the host's clock and the
        harts run in parallel on QEMU's threads (a wall-clock figure, noisy on a shared machine)."""
        sink = HostSink() if mode != "vm2vm" else None
        run = "tcpsend,%s,%d,%d,unchecked" % ("10.0.3.2" if mode == "vm2vm" else "10.0.2.2",
                                               sink.port if sink else 5001, NET_MIB)
        args = "console=ttyS0 keel.run=%s keel.poweroff=1" % run
        opts = ICOUNT if icount else []
        try:
            if mode == "vm2vm":
                vms = [{"name": n, "image": self.args.linux_kernel, "initrd": self.args.linux_initrd, "harts": str(h),
                        "mem": LINUX_MEM, "nics": "lan",
                        "bootargs": "console=hvc0 ip=10.0.3.%d:::255.255.255.0:%s:eth0:off keel.run=%s keel.poweroff=1"
                                    % (h + 1, n, r)}
                       for h, n, r in ((0, "alpha", run), (1, "beta", "tcpsink,5001,1,unchecked"))]
                cmd = keelrun.keel_command(self.build, 2, "512M", vms, self.workdir(), opts)
            elif mode == "uplink":
                vm = {"name": "linux", "image": self.args.linux_kernel, "initrd": self.args.linux_initrd, "harts": "0",
                      "mem": LINUX_MEM, "nics": "lan", "bootargs": args + " ip=dhcp"}
                cmd = keelrun.keel_command(self.build, 1, "512M", [vm], self.workdir(), opts, nets=["user"],
                                           uplink="lan")
            else:
                cmd = keelrun.native_command(self.args.linux_kernel, 1, LINUX_MEM, args + " ip=dhcp",
                                             qemu_opts=["-initrd", self.args.linux_initrd] + opts, nets=["user"])
            out, rc, secs, _ = run_qemu(cmd, LINUX_TIMEOUT * 2)
        finally:
            if sink:
                sink.close()
        log = save_log(self.logdir, name, cmd, out)
        check_run(name, out, rc, LINUX_TIMEOUT * 2, log)
        m = TCPSEND_RE.search(out)
        if not m:
            raise BenchError("%s: no checked tcpsend stream (log: %s)" % (name, log))
        per_frame = None
        # Exits come from the -icount runs: without it two VMs may stop at once and one report may be cut.
        if mode != "native" and icount:
            vms = ("alpha", "beta") if mode == "vm2vm" else ("linux",)
            exits = sum(e["total"] for vm in vms for e in parse_exits(name, out, log, vm).values())
            frames = sum(int(a) + int(b) for a, b in NIC_FRAMES_RE.findall(out))
            per_frame = {"per_frame": round(exits / frames, 2) if frames else None,
                         "per_mib": round(exits / NET_MIB, 1), "frames": frames}
        print("  %-22s %5.1fs  (log: %s)" % (name, secs, log))
        return float(m.group(1)), per_frame

    def net_median(self, name, mode):
        """The run with the median rate of NET_ICOUNT_RUNS -icount runs (see net): its rate and exits,
        and every run's rate. Under -icount the guests' instructions are exact, but QEMU's user network
        works on the host's clock, so how soon its ACKs come back in guest time varies from run to run
        (natively most: the guest outruns it and idles)."""
        runs = sorted((self.net("%s-%d" % (name, i), mode) for i in range(NET_ICOUNT_RUNS)), key=lambda r: r[0])
        rate, exits = runs[len(runs) // 2]
        return rate, exits, [r[0] for r in runs]

    def net_wall(self, name, mode):
        """The median rate of NET_WALL_RUNS runs without -icount (see net)."""
        rates = sorted(self.net("%s-%d" % (name, i), mode, icount=False)[0] for i in range(NET_WALL_RUNS))
        return rates[len(rates) // 2], rates

    # ---- Linux ----

    def linux_disk(self, name, keel, io=True):
        """The Linux guest on a fresh raw image (its /dev/vda; under Keel host disk 0, the VM's disk whole):
        ddtest writes then reads LINUX_DISK_MIB MiB with O_DIRECT in each request size (keel.run), then
        powers off. Not under -icount: a guest waiting for the disk sleeps in WFI, and -icount would
        count that wait in timer jumps, so MB/s is the guest clock's, which follows the host's."""
        image = os.path.join(self.tmp, name + ".img")
        with open(image, "wb") as f:
            f.truncate((LINUX_DISK_MIB + 1) << 20)
        cmds = "+".join("ddtest,%s,/dev/vda,%d,%d" % (op, LINUX_DISK_MIB, kib)
                        for kib in LINUX_DISK_KIB for op in ("write", "read")) if io else ""
        # The SBI console: its output exits are ecalls, apart from the disk's MMIO exits counted below.
        bootargs = "console=hvc0 keel.poweroff=1" + (" keel.run=" + cmds if cmds else "")
        if keel:
            vm = {"name": "linux", "image": self.args.linux_kernel, "initrd": self.args.linux_initrd, "harts": "0",
                  "mem": LINUX_MEM, "disks": "0", "bootargs": bootargs}
            cmd = keelrun.keel_command(self.build, 1, "512M", [vm], self.workdir(), disks=[image])
        else:
            cmd = keelrun.native_command(self.args.linux_kernel, 1, LINUX_MEM, bootargs,
                                         qemu_opts=["-initrd", self.args.linux_initrd], disks=[image])
        out, rc, secs, _ = run_qemu(cmd, LINUX_TIMEOUT)
        log = save_log(self.logdir, name, cmd, out)
        check_run(name, out, rc, LINUX_TIMEOUT, log)
        dd = {(m.group(1), int(m.group(3))): float(m.group(5)) for m in DD_RE.finditer(out)}
        if io and len(dd) != 2 * len(LINUX_DISK_KIB):
            raise BenchError("%s: not every ddtest line is there (log: %s)" % (name, log))
        fig = {"mbps": dd}
        if keel:
            exits = parse_exits(name, out, log, "linux")[0]
            answered = DISK_ANSWERED_RE.search(out)
            if not answered:
                raise BenchError("%s: Keel's disk report is missing (log: %s)" % (name, log))
            fig.update(exits=exits["guest-page-fault"] + exits["ext-irq"], requests=int(answered.group(1)))
        print("  %-22s %5.1fs  (log: %s)" % (name, secs, log))
        return fig

    def linux_cmd(self, timer, extra, workdir, console=None, icount=True):
        """The Linux guest under Keel (timer "sstc"/"sbi") or natively (None); console "virtio" for the
        virtio console (Keel's, or QEMU's virtconsole natively) with its command line."""
        bootargs = LINUX_VIRTIO_BOOTARGS if console == "virtio" else LINUX_BOOTARGS
        opts = (ICOUNT if icount else []) + extra
        if timer is None:
            return keelrun.native_command(self.args.linux_kernel, 1, LINUX_MEM, bootargs,
                                          qemu_opts=["-initrd", self.args.linux_initrd] + opts, console=console)
        # wfi-exits: the guest's WFIs trap (Keel counts them) though the vCPU has its hart alone, for the
        # check that the boot never idles before init; it never does, so trapping changes no figure. The
        # wall-time runs (no -icount) go as `make run` does, without it.
        vm = {"name": "linux", "image": self.args.linux_kernel, "initrd": self.args.linux_initrd, "harts": "0",
              "mem": LINUX_MEM, "timer": timer, "bootargs": bootargs}
        if icount:
            vm["wfi-exits"] = 1
        if console:
            vm["console"] = console
        return keelrun.keel_command(self.build, 1, "512M", [vm], workdir, opts)

    def linux(self, name, timer, console=None):
        """Boot the Linux guest twice: once plain (console log, wall time, exits), once stopped by
        gdb at /init's first instruction to read minstret there."""
        cmd = self.linux_cmd(timer, [], self.workdir(), console)
        out, rc, secs, at = run_qemu(cmd, LINUX_TIMEOUT, INIT_MARKER)
        log = save_log(self.logdir, name, cmd, out)
        check_run(name, out, rc, LINUX_TIMEOUT, log)
        if at is None or not powered_off(out, timer, console):
            raise BenchError("%s: the guest never printed '%s' and powered off (log: %s)" % (name, INIT_MARKER, log))
        m = RUN_INIT_RE.search(out)
        if not m:
            raise BenchError("%s: no printk line 'Run /init as init process' (log: %s)" % (name, log))
        kernel_ns = (int(m.group(1)) * 1000000 + int(m.group(2))) * 1000
        exits = parse_exits(name, out, log, "linux")[0] if timer else None
        to_init = self.linux_to_init(name + "-gdb", timer, kernel_ns, console)
        print("  %-22s %5.1fs  (log: %s)" % (name, secs, log))
        return {"to_init": to_init, "kernel_ns": kernel_ns, "wall_to_init": at, "wall_total": secs, "exits": exits}

    def linux_to_init(self, name, timer, kernel_ns, console=None):
        entry = elf_entry(self.args.linux_init)
        gdb = shutil.which("gdb-multiarch")
        if not gdb:
            raise BenchError("gdb-multiarch is needed for the Linux boot rows (apt-get install gdb-multiarch)")
        for attempt in range(3):
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            cmd = self.linux_cmd(timer, ["-S", "-gdb", "tcp:127.0.0.1:%d" % port], self.workdir(), console)
            qemu_out = tempfile.TemporaryFile()
            q = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=qemu_out, stderr=subprocess.STDOUT)
            gdb_out, rc = "", None
            try:
                g = subprocess.run([gdb, "-nx", "-batch", "-ex", "set architecture riscv:rv64",
                                    "-ex", "set tcp connect-timeout 20", "-ex", "target remote 127.0.0.1:%d" % port,
                                    "-ex", "hbreak *0x%x" % entry, "-ex", "continue", "-ex", "print $priv",
                                    "-ex", "info registers minstret", "-ex", "monitor xp /1gx 0x%x" % MTIME,
                                    "-ex", "delete", "-ex", "continue"],
                                   stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=LINUX_TIMEOUT)
                gdb_out = g.stdout + g.stderr
                rc = q.wait(timeout=LINUX_TIMEOUT)
            except subprocess.TimeoutExpired:
                gdb_out += "\n(timed out after %ds)" % LINUX_TIMEOUT
            finally:
                if q.poll() is None:
                    q.kill()
                    q.wait()
            qemu_out.seek(0)
            out = qemu_out.read().decode(errors="replace").replace("\r", "")
            log = save_log(self.logdir, name, cmd, out + "\n---- gdb ----\n" + gdb_out)
            if "Address already in use" in out and attempt < 2:
                continue
            break
        hit = re.search(r"^Breakpoint 1, 0x0*%x in" % entry, gdb_out, re.M)
        priv = re.search(r"^\$1 = (\d+)$", gdb_out, re.M)
        m = re.search(r"^minstret\s+0x[0-9a-f]+\s+(\d+)$", gdb_out, re.M)
        # $priv is the privilege level (U = 0); QEMU 10's gdbstub adds the V bit as bit 2 (VU = 4).
        if rc != 0 or not hit or not priv or int(priv.group(1)) & PRIV_LEVEL_MASK != PRIV_U or not m:
            raise BenchError("%s: gdb did not stop at /init's entry 0x%x in U-mode and read minstret (log: %s)" %
                             (name, entry, log))
        # Stopped, the clock stands still: QEMU's mtime (10 MHz) is the virtual clock, 100 instructions a
        # tick under -icount shift=0. QEMU 7.2's minstret agrees with it to the tick; QEMU 10's, with
        # OpenSBI 1.5, counts fewer (M-mode's instructions not all counted), so the clock is the figure.
        mt = re.search(r"^0*%x: 0x([0-9a-f]+)$" % MTIME, gdb_out, re.M)
        if not mt:
            raise BenchError("%s: mtime at /init unread (log: %s)" % (name, log))
        clock = 100 * int(mt.group(1), 16)
        if not 0 <= int(m.group(1)) - clock < 100:
            print("  %-22s minstret %s at /init, the virtual clock %d: the clock's figure is kept" %
                  (name, m.group(1), clock))
            return clock
        m2 = RUN_INIT_RE.search(out)
        if not m2 or (int(m2.group(1)) * 1000000 + int(m2.group(2))) * 1000 != kernel_ns:
            raise BenchError("%s: the run under gdb differs from the plain one ('Run /init' at %s): not "
                             "deterministic (log: %s)" % (name, m2.group(0) if m2 else "missing", log))
        return int(m.group(1))


    def linux_wall(self, name, timer, console):
        """Host seconds from QEMU's start to the guest's init line, WALL_RUNS boots without -icount (as
        `make run` runs), each checked to have reached init and powered off."""
        secs = []
        for i in range(WALL_RUNS):
            cmd = self.linux_cmd(timer, [], self.workdir(), console, icount=False)
            out, rc, total, at = run_qemu(cmd, LINUX_TIMEOUT, INIT_MARKER)
            log = save_log(self.logdir, "%s-%d" % (name, i), cmd, out)
            check_run(name, out, rc, LINUX_TIMEOUT, log)
            if at is None or not powered_off(out, timer, console):
                raise BenchError("%s: the guest never printed '%s' and powered off (log: %s)" %
                                 (name, INIT_MARKER, log))
            secs.append(at)
        secs.sort()
        print("  %-22s to init in %s s" % (name, " ".join("%.2f" % t for t in secs)))
        return {"median": round(secs[len(secs) // 2], 3), "min": round(secs[0], 3), "max": round(secs[-1], 3)}


def powered_off(out, keel, console):
    """The guest powered off: its last printk says so, but on the virtio console that line is lost (the
    device is shut down first), so there QEMU's exit status 0 (checked before) and, under Keel, the VM's
    stop line say it."""
    if console != "virtio":
        return "reboot: Power down" in out
    return not keel or "keel: vm 'linux' stopped: guest shut down" in out


def console_rows(b, row):
    """The virtio console's rows: a Linux boot to /init on it (instructions, Keel vs QEMU's own
    virtconsole, same kernel and command line) and the wall time to init on it and on ttyS0.
    Returns the goals they serve."""
    print("bench: Linux on the virtio console (bootargs \"%s\"; natively QEMU's virtconsole)" % LINUX_VIRTIO_BOOTARGS)
    lv = b.linux("linux-keel-virtio-console", "sstc", "virtio")
    nv = b.linux("linux-native-virtio-console", None, "virtio")
    if lv["exits"].get("virtual-inst", 0):
        raise BenchError("linux-keel-virtio-console: the guest executed WFI %d times before init: idle time would "
                         "count as instructions" % lv["exits"]["virtual-inst"])
    row("linux_boot_virtio_console", "Linux boot to /init, virtio console", lv["to_init"], nv["to_init"],
        "instructions", "gdb: minstret at /init's first instruction",
        "as linux_boot, with the command line \"%s\" and the console on the virtio console: Keel's "
        "(keel,console = \"virtio\", Sstc) against QEMU's virtio-serial-device + virtconsole on the modern "
        "virtio-mmio transport; the log before the driver registers hvc1 goes out on earlycon=sbi (Linux 6.1 loses "
        "the replay of its log to a virtio console that registers from hvc_alloc)"
        % LINUX_VIRTIO_BOOTARGS,
        extra={"keel_exits": lv["exits"], "kernel_to_init_ns": lv["kernel_ns"],
               "native_kernel_to_init_ns": nv["kernel_ns"]})
    print("bench: wall time to init, %d boots each, no -icount" % WALL_RUNS)
    walls = {}
    for console, tag in (("virtio", "virtio console"), (None, "ttyS0")):
        k = b.linux_wall("wall-keel-" + (console or "ttyS0"), "sstc", console)
        n = b.linux_wall("wall-native-" + (console or "ttyS0"), None, console)
        walls[tag] = (k, n)
        row("linux_wall_to_init_" + (console or "ttys0"), "Linux wall time QEMU start to init, " + tag,
            k["median"], n["median"], "host seconds (median of %d)" % WALL_RUNS,
            "wall clock to init's first line, no -icount",
            "host seconds from starting QEMU to the console showing '%s' (printed by /init), median of %d boots "
            "each, Keel (Sstc) and natively, the same kernel, initramfs and command line (\"%s\"), QEMU without "
            "-icount as `make run` runs it; min-max Keel %.2f-%.2f s, native %.2f-%.2f s. Noisy: other QEMU runs "
            "on this 2-core machine share the CPUs" % (INIT_MARKER, WALL_RUNS,
                                                       LINUX_VIRTIO_BOOTARGS if console else LINUX_BOOTARGS,
                                                       k["min"], k["max"], n["min"], n["max"]),
            extra={"keel_min": k["min"], "keel_max": k["max"], "native_min": n["min"], "native_max": n["max"]})
    kw, nw = walls["virtio console"]
    return {
        "linux_boot_virtio_le_1_05x": {"goal": "Linux boot to /init on the virtio console <= 1.05x native "
                                               "instructions", "value": ratio(lv["to_init"], nv["to_init"]),
                                       "met": lv["to_init"] <= 1.05 * nv["to_init"]},
        "linux_wall_virtio_le_1_5x": {"goal": "wall time QEMU start to init on the virtio console <= 1.5x native "
                                              "(median of %d)" % WALL_RUNS, "value": ratio(kw["median"], nw["median"]),
                                      "met": kw["median"] <= 1.5 * nw["median"]},
    }


NET_MIB = 8
NET_ICOUNT_RUNS = 5  # the median: see Bench.net_median
NET_WALL_RUNS = 3  # wall-clock streams are noisy (other QEMUs share the machine's cores): the median
TCPSEND_RE = re.compile(r"^(?:\[\S+\] )?tcpsend: \d+ bytes sent, the sink got them all: cksum (?:\d+|-); [\d.]+ s, "
                        r"([\d.]+) Mbit/s guest time", re.M)
NIC_FRAMES_RE = re.compile(r"^keel: vm '\S+' NIC \d+: (\d+) frames sent, (\d+) received", re.M)


class HostSink:
    """The machine's end of the uplink rows: one TCP connection on 127.0.0.1 whose bytes it counts,
    answered "BYTES -" as the guest's tcpsink does for an unchecked stream."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(LINUX_TIMEOUT * 2)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(60)
            size = 0
            try:
                while True:
                    data = conn.recv(65536)
                    if not data:
                        break
                    size += len(data)
            except OSError:
                pass
            conn.sendall(b"%d -\n" % size)

    def close(self):
        self.sock.close()
        self.thread.join(timeout=5)


def elf_entry(path):
    with open(path, "rb") as f:
        hdr = f.read(64)
    if hdr[:4] != b"\x7fELF" or hdr[4] != 2:
        raise BenchError("%s is not a 64-bit ELF file" % path)
    return struct.unpack_from("<Q", hdr, 24)[0]


def ratio(keel, native):
    return round(keel / native, 2) if keel is not None and native else None


def fmt_n(v):
    if v is None:
        return "-"
    if isinstance(v, float):
        return "%.2f" % v
    return "{:,}".format(v)


def collect(b):
    """All runs; returns the rows (in table order) and the goal verdicts."""
    rows = []

    def row(key, name, keel, native, unit, short, how, native_note=None, comparable=True, extra=None):
        r = {"name": name, "keel": keel, "native": native, "unit": unit, "how": how, "how_short": short,
             "ratio": ratio(keel, native) if comparable else None}
        if native_note:
            r["native_note"] = native_note
        if extra:
            r.update(extra)
        rows.append((key, r))
        return r

    print("bench: bare-metal guest runs (QEMU -icount shift=0,sleep=off)")
    single = ["main_instret", "sbi_null", "mmio_read_lbu", "mmio_write_sb", "mmio_read_clw", "mmio_write_csw",
              "timer_stimecmp", "timer_sbi"]
    # keel,read-exits: the c.lw row reads a vPLIC enable word, which otherwise comes from its read-only
    # shadow page without an exit; the row measures the trapped read.
    ks, ks_exits = b.bare("keel-sstc", single + ["hvc_version"], keel={"harts": "0", "timer": "sstc", "read-exits": 1})
    kt, kt_exits = b.bare("keel-sbi-timer", ["timer_sbi"], keel={"harts": "0", "timer": "sbi"})
    nat, _ = b.bare("native", single)
    ki, ki_exits = b.bare("keel-ipi", ["ipi_round_trip"], keel={"harts": "0-1", "timer": "sstc"}, smp=2,
                          bootargs="bench=ipi")
    ni, _ = b.bare("native-ipi", ["ipi_round_trip"], smp=2, bootargs="bench=ipi")
    kb, kb_exits = b.blk("keel-blk", True)
    nb, _ = b.blk("native-blk", False)
    sc = b.sched("keel-sched-shared-hart")
    scv = b.sched("keel-sched-dirty-v", vector=True) if sc["vector"] else None
    print("bench: Linux boots (same Image and initramfs, bootargs \"%s\", %s RAM)" % (LINUX_BOOTARGS, LINUX_MEM))
    ls = b.linux("linux-keel-sstc", "sstc")
    lt = b.linux("linux-keel-sbi-timer", "sbi")
    ln = b.linux("linux-native", None)
    print("bench: Linux disk I/O (O_DIRECT on /dev/vda, %d MiB per request size, %d runs each, no -icount)" %
          (LINUX_DISK_MIB, LINUX_DISK_RUNS))
    # Keel and native runs alternate, so that a change in the host's load falls on both alike.
    kd, nd = [], []
    for i in range(LINUX_DISK_RUNS):
        kd.append(b.linux_disk("linux-disk-keel-%d" % i, True))
        nd.append(b.linux_disk("linux-disk-native-%d" % i, False))
    kd0 = b.linux_disk("linux-disk-keel-idle", True, io=False)

    loop = ("guest: rdinstret around 10000 back-to-back %s, minus the same loop without it; per %s, "
            "so it counts the trap, %s and the return")
    per = "guest rdinstret: 10000 x loop - empty loop"
    row("sbi_null", "null SBI call (BASE get_spec_version)", ks["sbi_null"], nat["sbi_null"], "instructions per call",
        per, loop % ("ecalls", "call", "everything Keel (or OpenSBI, natively) runs"))
    row("hvc_version", "Keel hypercall (KEEL_HVC_VERSION)", ks["hvc_version"], None, "instructions per call",
        per, loop % ("ecalls (EID 0x485643)", "call", "Keel's exit, dispatch, hvc_complete"))
    mmio = [("mmio_read_lbu", "MMIO read, lbu of vUART SCR 0x10000007", "lbu (4-byte insn)"),
            ("mmio_write_sb", "MMIO write, sb to vUART SCR 0x10000007", "sb (4-byte insn)"),
            ("mmio_read_clw", "MMIO read, c.lw of vPLIC enable 0x0c002004 (keel,read-exits)", "c.lw (2-byte insn)"),
            ("mmio_write_csw", "MMIO write, c.sw to vPLIC enable 0x0c002004", "c.sw (2-byte insn)")]
    for key, name, insn in mmio:
        row(key, name, ks[key], nat[key], "instructions per access", per,
            loop % ("%s accesses" % insn, "access", "the guest-page fault, Keel's decode (instruction fetch when "
                    "htinst is 0), the device model"),
            native_note="QEMU's own device: no trap, the access is 1 instruction; not comparable",
            comparable=False)
    lat = ("guest: 100 trials, arming %s 0..99 instructions after a time tick; handler's first instret minus the "
           "instret at which QEMU raised the interrupt (solved from all trials, see bench.c): instructions "
           "retired after the deadline before the guest handler's first instruction")
    row("timer_sstc", "timer latency, Keel Sstc path (guest writes stimecmp)", ks["timer_stimecmp"],
        nat["timer_stimecmp"], "instructions", "guest rdinstret in handler, 100 arming phases", lat % "by csrw stimecmp (vstimecmp under Keel)",
        native_note="OpenSBI enables Sstc for S-mode: the same direct write", comparable=False)
    row("timer_sbi_path", "timer latency, Keel SBI-timer path (SBI set_timer)", kt["timer_sbi"], nat["timer_sbi"],
        "instructions", "guest rdinstret in handler, 100 arming phases", lat % "by SBI set_timer on a VM with keel,timer = \"sbi\" (Keel arms the host timer and "
        "injects VSTIP)",
        native_note="OpenSBI writes stimecmp (Sstc) for set_timer: the interrupt goes straight to S-mode",
        comparable=False, extra={"keel_timer_exits": kt_exits[0]["timer-irq"]})
    row("timer_sbi_on_sstc", "timer latency, SBI set_timer on a Sstc VM", ks["timer_sbi"], nat["timer_sbi"],
        "instructions", "guest rdinstret in handler, 100 arming phases", lat % "by SBI set_timer on a VM with keel,timer = \"sstc\" (Keel writes vstimecmp)",
        comparable=False)
    row("ipi_round_trip", "IPI round trip, 2 vCPUs on harts 0-1", ki["ipi_round_trip"], ni["ipi_round_trip"],
        "instructions per round trip", "guest rdinstret: 1000 rounds, both harts counted",
        "guest hart 0: rdinstret around 1000 rounds of SBI send_ipi to hart 1 then WFI until hart 1's handler's "
        "IPI back is taken; both harts wait in WFI. QEMU -icount runs the two harts round-robin in one thread "
        "and icount is machine-wide, so this is every instruction of both harts, per round: deterministic")
    blk_how = ("guest (guests/bare/blk.c, blk=bench): rdinstret around 64 sequential 64 KiB %s of one virtio-blk "
               "disk, one at a time, each polled for with interrupts on (under -icount a WFI without a timer never "
               "wakes for the disk) and the polling's instructions taken out again (the poll loop's cost is "
               "calibrated exactly), divided by 64: the guest's driver and interrupt handler and, under Keel, the "
               "exits (notify, the host disk's interrupt, ACK, PLIC claim and complete; the InterruptStatus read and "
               "the claim that returns 0 read Keel's read-only pages) with Keel's request handling. QEMU's own device work is not guest instructions and counts "
               "on neither side. Under Keel the VM's disk is a slice of the machine's virtio-blk, natively QEMU's "
               "device is the guest's. Keel exits per request (guest page faults + host interrupts over all 128 "
               "requests, setup included): %.1f")
    blk_exits = ((kb_exits[0]["guest-page-fault"] + kb_exits[0]["ext-irq"]) / (2.0 * 64)) if kb_exits else 0
    row("blk_read_64k", "virtio-blk 64 KiB read, one in flight", kb["blk_read_64k"], nb["blk_read_64k"],
        "instructions per request", "guest rdinstret: 64 requests", blk_how % ("reads", blk_exits),
        extra={"keel_exits_per_request": round(blk_exits, 1)})
    row("blk_write_64k", "virtio-blk 64 KiB write, one in flight", kb["blk_write_64k"], nb["blk_write_64k"],
        "instructions per request", "guest rdinstret: 64 requests", blk_how % ("writes", blk_exits),
        extra={"keel_exits_per_request": round(blk_exits, 1)})
    # Exits per request: the I/O run's exits and requests less those of the same boot without I/O.
    disk_exits = (kd[0]["exits"] - kd0["exits"]) / max(1, kd[0]["requests"] - kd0["requests"])
    mib_per_req = {kib: LINUX_DISK_MIB * 1024 // kib for kib in LINUX_DISK_KIB}

    def median(v):
        return sorted(v)[len(v) // 2]

    disk_ratio = {}
    for kib in LINUX_DISK_KIB:
        for op, verb in (("write", "wrote"), ("read", "read")):
            k, n = median([r["mbps"][(verb, kib)] for r in kd]), median([r["mbps"][(verb, kib)] for r in nd])
            disk_ratio[(op, kib)] = ratio(k, n)
            row("linux_disk_%s_%dk" % (op, kib), "Linux O_DIRECT sequential %s, %d KiB requests" % (op, kib), k, n,
                "MB/s (median of %d, host clock; runs in keel_runs/native_runs)" % LINUX_DISK_RUNS,
                "ddtest in the guest, %d MiB" % LINUX_DISK_MIB,
                "the Linux guest's ddtest %ss %d MiB of /dev/vda with O_DIRECT in %d KiB requests (%d requests) "
                "and prints MB/s by its CLOCK_MONOTONIC, which follows the host's clock (no -icount: the guest "
                "sleeps while the disk works). Under Keel the disk is the machine's virtio-blk, sliced by Keel; "
                "natively it is QEMU's device itself. Varies with the host's load" %
                (op, LINUX_DISK_MIB, kib, mib_per_req[kib]),
                extra={"keel_runs": [r["mbps"][(verb, kib)] for r in kd],
                       "native_runs": [r["mbps"][(verb, kib)] for r in nd]})
    row("linux_disk_exits_per_request", "Linux disk I/O: Keel exits per request", round(disk_exits, 2), None,
        "exits per request", "Keel's counters, I/O boot less idle boot",
        "(guest-page-fault and host-interrupt exits of a boot that runs every ddtest above, less those of the same "
        "boot without them; console on hvc0, whose exits are ecalls) / (disk requests answered, less the idle "
        "boot's). Per interrupt Linux 6.1 accesses the devices 6 times: PLIC claim, virtio InterruptStatus read and "
        "ACK, the PLIC enable read of plic_irq_eoi and the complete, the claim that returns 0. The InterruptStatus "
        "and enable reads and the claim that returns 0 read Keel's read-only pages (a VM of one vCPU), so 3 of "
        "them trap; with the notify and the host disk's interrupt that is 5 for a request completed alone (8 "
        "with keel,read-exits), fewer when one interrupt completes several")
    sched_how = ("Keel: instret read by Keel itself on a hart shared by two busy VMs (guests/bare/sched.c, 1 ms "
                 "slices, weights 3 and 1, -icount): %s, averaged over the run's %s (Keel's 'hart 0 scheduler' "
                 "line). The guest's trap into Keel and the return (the null SBI row's path) come on top")
    row("vcpu_switch", "vCPU switch on one hart (scheduler)", sc["switch"], None, "instructions per switch",
        "Keel instret: tick start to next vCPU's entry",
        sched_how % ("from the start of the tick that preempts one vCPU to the entry into the other: run queue, "
                     "full state save (vcpu_unbind) and load (vcpu_bind), slice set-up", "%d switches" % sc["switches"]),
        comparable=False)
    if scv:
        row("vcpu_switch_dirty_v", "vCPU switch on one hart, both vCPUs' V dirty", scv["switch"], None,
            "instructions per switch", "Keel instret: tick start to next vCPU's entry",
            sched_how % ("as vcpu_switch, with the sched guests' loops writing a vector register (vector=1): "
                         "each switch saves the one's vector state (v0-v31 and its CSRs) and loads the other's",
                         "%d switches" % scv["switches"]),
            comparable=False)
    row("sched_tick", "scheduler tick that keeps the vCPU", sc["tick"], None, "instructions per tick",
        "Keel instret: tick start to its return",
        sched_how % ("one tick that keeps the running vCPU: charge, run-queue update, preemption check, timer "
                     "re-arm", "%d such ticks" % sc["ticks"]),
        comparable=False)
    row("boot_to_guest_main", "QEMU start to a bare guest's main()", ks["main_instret"], nat["main_instret"],
        "instructions", "guest's first rdinstret in main()",
        "guest: first rdinstret in guest_main (after crt0, DTB check, one console line): OpenSBI boot (+ Keel's "
        "boot and VM build under Keel, 512 MiB host RAM, 128 MiB VM like the Linux rows)")
    linux_how = ("gdb: hbreak at /init's entry (0x%x, from build/linux/init), QEMU started with -S; minstret there = "
                 "every instruction since reset (OpenSBI, Keel, kernel), plus idle time, and there is none: the "
                 "guest never executes WFI before init (Keel, told to trap WFI with keel,wfi-exits, reports virtual-inst=0; "
                 "natively the same kernel path). "
                 "Cross-checked there: minstret = 100 x mtime (+0..99)" % elf_entry(b.args.linux_init))
    for key, name, k in (("linux_boot", "Linux boot to /init, Keel Sstc path", ls),
                         ("linux_boot_sbi_timer", "Linux boot to /init, Keel SBI-timer path", lt)):
        if k["exits"].get("virtual-inst", 0):
            raise BenchError("%s: the guest executed WFI %d times before powering off: idle time would count as "
                             "instructions" % (key, k["exits"]["virtual-inst"]))
        row(key, name, k["to_init"], ln["to_init"], "instructions", "gdb: minstret at /init's first instruction",
            linux_how,
            extra={"keel_exits": k["exits"], "kernel_to_init_ns": k["kernel_ns"],
                   "native_kernel_to_init_ns": ln["kernel_ns"]})
    row("linux_kernel_to_init", "Linux kernel: time_init to 'Run /init' (printk)", ls["kernel_ns"], ln["kernel_ns"],
        "instructions (virtual ns)", "kernel printk timestamp of 'Run /init'",
        "the kernel's printk timestamp of 'Run /init as init process': sched_clock counts from time_init, in "
        "virtual ns = instructions (1 us resolution); leaves out OpenSBI, Keel and the kernel's start before "
        "time_init")
    console_goals = console_rows(b, row)
    print("bench: TCP streams (%d MiB, the Linux guest's tcpsend)" % NET_MIB)
    vv, vv_exits, vv_runs = b.net_median("net-vm2vm", "vm2vm")
    up, up_exits, up_runs = b.net_median("net-uplink", "uplink")
    nu, _, nu_runs = b.net_median("native-net-uplink", "native")
    print("bench: the same TCP streams without -icount (host clock, %d runs each, the median)" % NET_WALL_RUNS)
    vvw, vvw_runs = b.net_wall("net-vm2vm-wall", "vm2vm")
    upw, upw_runs = b.net_wall("net-uplink-wall", "uplink")
    nuw, nuw_runs = b.net_wall("native-net-uplink-wall", "native")
    stream = ("tcpsend's rate over a %d MiB unchecked stream (as iperf: the sender repeats one 64 KiB chunk of the "
              "test pattern, the sink counts the bytes and confirms their number; the checked streams of make test "
              "run cksum over every byte at both ends)" % NET_MIB)
    net_how = ("guest: %s, in Mbit/s of guest time (CLOCK_MONOTONIC = the machine's instructions under -icount, "
               "every hart's); the median of %d runs (all: %s); %s" % (stream, NET_ICOUNT_RUNS, "%s", "%s"))
    net_wall_how = ("guest: %s, in Mbit/s of guest time WITHOUT -icount: the guest's clock follows the host's, and "
                    "QEMU runs the harts in parallel threads (MTTCG), so two VMs really overlap; the median of %d runs "
                    "(all: %s), noisy on a shared machine; %s" % (stream, NET_WALL_RUNS, "%s", "%s"))
    uplink_how = ("Keel: the VM's NIC on the switch, the uplink is Keel's driver of the machine's virtio-net on QEMU's "
                  "user network; natively QEMU's virtio-net on the same netdev")
    vm2vm_how = ("two VMs on harts 0 and 1, one network; compared with the native guest-to-machine stream (there is no "
                 "native VM to VM), whose sink (Python on the host) costs no guest instructions while the VM-to-VM "
                 "sink's receiving runs in the second guest")
    row("net_tcp_guest_to_machine", "TCP stream, guest to this machine (uplink)", up, nu, "Mbit/s (guest time)",
        "guest tcpsend to 10.0.2.2", net_how % ("Keel %s, native %s" % (up_runs, nu_runs), uplink_how),
        extra={"keel_exits_per_frame": up_exits["per_frame"], "keel_exits_per_mib": up_exits["per_mib"],
               "keel_nic_frames": up_exits["frames"]})
    row("net_tcp_vm_to_vm", "TCP stream, VM to VM (Keel's switch)", vv, nu, "Mbit/s (guest time)",
        "guest tcpsend to a guest tcpsink", net_how % ("Keel %s, native %s" % (vv_runs, nu_runs), vm2vm_how),
        extra={"keel_exits_per_frame": vv_exits["per_frame"], "keel_exits_per_mib": vv_exits["per_mib"],
               "keel_nic_frames": vv_exits["frames"]})
    row("net_tcp_guest_to_machine_wall", "TCP stream, guest to this machine (uplink), host clock", upw, nuw,
        "Mbit/s (host clock)", "guest tcpsend to 10.0.2.2, no -icount",
        net_wall_how % ("Keel %s, native %s" % (upw_runs, nuw_runs), uplink_how))
    row("net_tcp_vm_to_vm_wall", "TCP stream, VM to VM (Keel's switch), host clock", vvw, nuw, "Mbit/s (host clock)",
        "guest tcpsend to a guest tcpsink, no -icount", net_wall_how % ("Keel %s" % vvw_runs, vm2vm_how))
    walls = {"linux_keel_sstc": (ls["wall_to_init"], ls["wall_total"]),
             "linux_keel_sbi_timer": (lt["wall_to_init"], lt["wall_total"]),
             "linux_native": (ln["wall_to_init"], ln["wall_total"])}

    goals = {
        "null_sbi_le_150": {"goal": "null SBI call <= 150 instructions (OpenSBI ~250)", "value": ks["sbi_null"],
                            "met": ks["sbi_null"] <= 150},
        "mmio_read_le_300": {"goal": "MMIO read round trip <= 300 instructions, including the instruction fetch",
                             "value": max(ks["mmio_read_lbu"], ks["mmio_read_clw"]),
                             "met": max(ks["mmio_read_lbu"], ks["mmio_read_clw"]) <= 300},
        "mmio_write_le_300": {"goal": "MMIO write round trip <= 300 instructions, including the instruction fetch",
                              "value": max(ks["mmio_write_sb"], ks["mmio_write_csw"]),
                              "met": max(ks["mmio_write_sb"], ks["mmio_write_csw"]) <= 300},
        "ipi_le_2x": {"goal": "IPI round trip between vCPUs on two harts <= 2x native",
                      "value": ratio(ki["ipi_round_trip"], ni["ipi_round_trip"]),
                      "met": ki["ipi_round_trip"] <= 2 * ni["ipi_round_trip"]},
        "linux_boot_le_1_10x": {"goal": "Linux boot under Keel <= 1.10x native instructions",
                                "value": ratio(ls["to_init"], ln["to_init"]),
                                "met": ls["to_init"] <= 1.10 * ln["to_init"]},
        "linux_disk_ge_0_9x": {"goal": "Linux sequential disk I/O (1 MiB requests) >= 0.9x native MB/s",
                               "value": min(disk_ratio[("write", 1024)], disk_ratio[("read", 1024)]),
                               "met": min(disk_ratio[("write", 1024)], disk_ratio[("read", 1024)]) >= 0.9},
        "linux_disk_le_2_exits": {"goal": "at most 2 Keel exits per large disk request", "value": round(disk_exits, 2),
                                  "met": disk_exits <= 2},
        "net_guest_to_machine_ge_0_8x": {"goal": "TCP guest to machine >= 0.8x native", "value": ratio(up, nu),
                                         "met": up >= 0.8 * nu},
        "net_vm_to_vm_ge_native": {"goal": "TCP VM to VM >= native guest to machine", "value": ratio(vv, nu),
                                   "met": vv >= nu},
        "net_guest_to_machine_wall_ge_0_8x": {"goal": "TCP guest to machine >= 0.8x native (host clock, no -icount)",
                                              "value": ratio(upw, nuw), "met": upw >= 0.8 * nuw},
        "net_vm_to_vm_wall_ge_native": {"goal": "TCP VM to VM >= native guest to machine (host clock, no -icount)",
                                        "value": ratio(vvw, nuw), "met": vvw >= nuw},
        "linux_sstc_zero_timer_exits": {"goal": "zero timer exits during the Linux boot with Sstc on",
                                        "value": ls["exits"]["timer-irq"], "met": ls["exits"]["timer-irq"] == 0},
    }
    goals.update(console_goals)
    return rows, goals, walls


def print_table(rows, goals, walls):
    head = ("row", "Keel", "native", "Keel/native", "how measured")
    cells = []
    for key, r in rows:
        native = fmt_n(r["native"]) + (" *" if r.get("native_note") else "")
        cells.append((r["name"], fmt_n(r["keel"]), native, fmt_n(r["ratio"]), "%s; %s" % (r["unit"], r["how_short"])))
    widths = [max(len(c[i]) for c in cells + [head]) for i in range(4)]
    line = " | ".join("%-*s" % (widths[i], head[i]) for i in range(4)) + " | " + head[4]
    print("\n" + line + "\n" + "-" * len(line))
    for c in cells:
        print("%-*s | %*s | %*s | %*s | %s" % (widths[0], c[0], widths[1], c[1], widths[2], c[2], widths[3], c[3], c[4]))
    print("\nHow each row was measured (all under QEMU -icount shift=0,sleep=off: 1 instruction = 1 ns, except the "
          "rows marked host clock):")
    print("  (* native figure not comparable, see the note; ratio '-' where there is nothing to divide by)")
    for i, (key, r) in enumerate(rows, 1):
        print("  %-22s %s" % (key, r["how"]))
        if r.get("native_note"):
            print("  %-22s * native: %s" % ("", r["native_note"]))
        if r.get("keel_exits"):
            e = r["keel_exits"]
            print("  %-22s Keel exits during the boot: %s" % ("", ", ".join(
                "%s=%d" % (k, e[k]) for k in sorted(e) if k != "total")) + " (total %d)" % e["total"])
    print("\nWall time (host seconds, varies from run to run, not stored): " + "; ".join(
        "%s %.2fs to init, %.2fs in all" % (k, v[0], v[1]) for k, v in walls.items()))
    print("\nGoals:")
    for g in goals.values():
        print("  [%s] %s: %s" % ("met" if g["met"] else "MISSED", g["goal"], fmt_n(g["value"])))


def tool_versions():
    p = keelrun.PLATFORM
    qemu = subprocess.run([p.qemu, "--version"], capture_output=True, text=True, timeout=60).stdout.splitlines()
    return {"platform": p.name, "qemu": qemu[0] if qemu else "?", "opensbi": p.opensbi,
            "qemu_options": "-machine %s -cpu %s %s" % (p.machine, p.cpu, " ".join(ICOUNT))}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--linux-kernel", default=os.path.join("build", "linux", "Image"))
    ap.add_argument("--linux-initrd", default=os.path.join("build", "linux", "initramfs.cpio"))
    ap.add_argument("--linux-init", default=os.path.join("build", "linux", "init"),
                    help="the /init ELF inside the initramfs (its entry point is where gdb stops)")
    ap.add_argument("--out", help="the results file (default bench/results-PLATFORM.json)")
    keelrun.add_platform_options(ap)
    args = ap.parse_args()
    keelrun.use_platform(args.platform, args.qemu_cpu, args.qemu_machine)
    args.out = args.out or os.path.join(HERE, "results-%s.json" % args.platform)
    bench = None
    try:
        bench = Bench(args)
        rows, goals, walls = collect(bench)
    except (BenchError, subprocess.TimeoutExpired) as e:
        print("\nmake bench: FAILED, no figures written: %s" % e, file=sys.stderr)
        sys.exit(1)
    finally:
        if bench:
            shutil.rmtree(bench.tmp, ignore_errors=True)
    print_table(rows, goals, walls)
    result = {
        "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "method": __doc__.strip().split("\n\n")[1].replace("\n", " "),
        "tools": tool_versions(),
        "rows": {key: dict(r, order=i) for i, (key, r) in enumerate(rows)},
        "goals": goals,
    }
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2, sort_keys=True)
        f.write("\n")
    print("\nwrote %s" % os.path.relpath(args.out))


if __name__ == "__main__":
    main()
