#!/usr/bin/env python3
"""Keel's test runner: host unit tests, then every test guest under QEMU.

Each QEMU case boots Keel with the VMs it describes (or the guest alone on OpenSBI, the
reference), with a timeout. Every TAP line a guest prints is one assertion; so is every
check the harness makes on Keel's own log (expected lines, QEMU's exit status, the TAP
plan being complete). The last line is "N passed, N failed" over all of them.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
import keelrun  # noqa: E402

from cases import CASES, machine_facts, machine_of  # noqa: E402

# With several VMs Keel prefixes each guest line with "[vm-name] ", and the start of a line that
# another VM's line broke into ends with " [...]": that line comes again whole (board/vconsole.c).
BROKEN = " [...]"
TAP_RE = re.compile(r"^(?:\[\S+\] )?(not ok|ok) (\d+) - (.*)$")
PLAN_RE = re.compile(r"^(?:\[\S+\] )?1\.\.(\d+)$")


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []
        self.platform = None  # the platform the cases run on, named in their failures

    def check(self, case, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.failures.append("%s%s: %s" % (self.platform + "/" if self.platform else "", case, what))
        return ok


def run_qemu(cmd, timeout, steps=(), kill_after=None):
    """Run QEMU, collecting its console. `steps` is a list of (regex, text): each text is typed
    once its regex has appeared on the console (and the previous steps were typed). With
    kill_after, QEMU is stopped once that regex appears (rc is then "killed")."""
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    chunks = []
    # Host actions' reports: kept apart from the console so that none lands inside a guest's line,
    # and put after it in the log (steps may wait on them all the same).
    host_lines = []
    reader = threading.Thread(target=lambda: chunks.extend(iter(lambda: p.stdout.read1(4096), b"")))
    reader.start()
    steps = list(steps)
    rc = None

    def console():
        text = b"".join(chunks).decode(errors="replace").replace("\r", "")
        return text + "".join("\nhost: %s\n" % line for line in host_lines)

    while time.monotonic() - start < timeout:
        if steps:
            seen = console()
            after, text = steps[0]
            if after is None or re.search(after, seen, re.M):
                if callable(text):  # a host action (e.g. a client on 127.0.0.1): its report joins the log
                    threading.Thread(target=lambda fn=text: host_lines.append(fn()), daemon=True).start()
                else:
                    p.stdin.write(text.encode())
                    p.stdin.flush()
                steps.pop(0)
        if kill_after and re.search(kill_after, console(), re.M):
            time.sleep(0.2)
            p.kill()
            p.wait()
            rc = "killed"
            break
        try:
            rc = p.wait(timeout=0.05)
            break
        except subprocess.TimeoutExpired:
            continue
    if rc is None:
        p.kill()
        p.wait()
    reader.join()
    return console(), rc, time.monotonic() - start


LINUX = {}  # "kernel", "initrd" and "rootfs" paths, from the command line
# The Linux guests a case names (native: NAME, a VM's guest: NAME): the project's own and Debian's
# distribution kernel (scripts/distro-kernel.sh), by their LINUX keys of kernel and initramfs.
LINUX_GUESTS = {"linux": ("kernel", "initrd"), "distro": ("distro_kernel", "distro_initrd")}

# Bounds of the commands make test runs beside QEMU (each QEMU run has its case's own timeout).
UNIT_TIMEOUT = 600  # every host unit test binary together
CHECK_TIMEOUT = 1200  # one --check command (the fuzz smoke runs are the longest, about 3 minutes)
HOST_CHECK_TIMEOUT = 120  # one host command after a run (e2fsck, debugfs)


def run_bounded(cmd, timeout, shell=False):
    """Run cmd with its output collected; after `timeout` seconds it and everything it started (its
    own process group) are killed. Returns (exit status or None when it was killed, output)."""
    p = subprocess.Popen(cmd, shell=shell, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
        return p.returncode, out.decode(errors="replace")
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        return None, out.decode(errors="replace") + "\n[killed after %d s]\n" % timeout


def make_disks(case, build):
    """The case's disk images, made afresh in build/test-disks: each {"size": bytes, "fill": fn}
    where fn(sector) gives the sector's 512 bytes (zeros without it)."""
    paths = []
    os.makedirs(os.path.join(build, "test-disks"), exist_ok=True)
    for i, disk in enumerate(case.get("disks", [])):
        path = os.path.join(build, "test-disks", "%s-%d.img" % (case["name"], i))
        fill = disk.get("fill")
        with open(path, "wb") as f:
            if fill:
                f.write(b"".join(fill(s) for s in range(disk["size"] // 512)))
            else:
                f.truncate(disk["size"])
        paths.append(path)
    return paths


def build_command(case, build, workdir, disks=()):
    """The QEMU command line of one run; `disks` (paths or (path, readonly)) are attached as
    virtio-blk devices: natively the guest's /dev/vda..., under Keel the host disks Keel drives.
    A native guest is told the platform's firmware facts on its command line (keelrun.Platform.bootarg)."""
    facts = " " + keelrun.PLATFORM.bootarg()
    if case.get("native") in LINUX_GUESTS:
        kernel, initrd = (LINUX[k] for k in LINUX_GUESTS[case["native"]])
        initrd = ["-initrd", initrd] if case.get("initrd", True) else []
        return keelrun.native_command(kernel, case.get("smp", 1), case.get("mem", "256M"),
                                      case["bootargs"] + facts, qemu_opts=initrd + case.get("qemu_opts", []),
                                      cpu=case.get("qemu_cpu"), disks=disks, nets=case.get("nets", ()),
                                      console=case.get("console"))
    if case.get("native"):
        return keelrun.native_command(os.path.join(build, "guests", case["native"] + ".bin"),
                                      case.get("smp", 1), case.get("mem", "256M"), case.get("bootargs", "native") + facts,
                                      qemu_opts=case.get("qemu_opts", []), cpu=case.get("qemu_cpu"), disks=disks)
    if case.get("config"):
        return keelrun.keel_command(build, case.get("smp", 2), case.get("mem", "1G"), [], workdir,
                                    case.get("qemu_opts", []), config=case["config"], disks=disks)
    vms = []
    for vm in case["vms"]:
        vm = dict(vm)
        if vm.get("guest") in LINUX_GUESTS:
            # bootargs and initrd: False may come from the case (the disk cases' runs)
            kernel, initrd = (LINUX[k] for k in LINUX_GUESTS[vm.pop("guest")])
            vm["image"] = kernel
            if "bootargs" in case:
                vm.setdefault("bootargs", case["bootargs"])
            if vm.pop("initrd", case.get("initrd", True)):
                vm["initrd"] = initrd
        elif "guest" in vm:
            vm["image"] = os.path.join(build, "guests", vm.pop("guest") + ".bin")
        vms.append(vm)
    cmd = keelrun.keel_command(build, case.get("smp", 2), case.get("mem", "512M"), vms, workdir,
                               case.get("qemu_opts", []), case.get("qemu_cpu"), disks=disks,
                               legacy_disks=case.get("legacy_disks", False), nets=case.get("nets", ()),
                               uplink=case.get("uplink"), chosen=case.get("chosen", ()))
    return cmd


def free_ports(n):
    """n TCP/UDP port numbers free on 127.0.0.1 just now (engineers' test runs share the machine)."""
    import socket
    socks, ports = [], []
    while len(ports) < n:
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
        except OSError:
            t.close()
            continue
        socks += [t, u]
        ports.append(port)
    for sock in socks:
        sock.close()
    return ports


def fill(value, pattern, repl):
    """Every match of `pattern` in the strings of a case's value (lists, tuples and dicts of them)
    replaced by repl(match)."""
    if isinstance(value, str):
        return re.sub(pattern, repl, value)
    if isinstance(value, list):
        return [fill(v, pattern, repl) for v in value]
    if isinstance(value, tuple):
        return tuple(fill(v, pattern, repl) for v in value)
    if isinstance(value, dict):
        return {k: fill(v, pattern, repl) for k, v in value.items()}
    return value


def with_ports(value, ports):
    """{port0}, {port1}... in the case's strings (bootargs, nets, input) become the ports."""
    return fill(value, r"\{port(\d+)\}", lambda m: str(ports[int(m.group(1))]))


def with_platform(value):
    """{platform.NAME} in the case's strings (expectations, bootargs, qemu_cpu) become the facts of the
    platform the run is on (keelrun.Platform: sbi_spec, sbi_impl_version, opensbi, cpu...)."""
    return fill(value, r"\{platform\.(\w+)\}", lambda m: str(getattr(keelrun.PLATFORM, m.group(1))))


class EchoServers:
    """A TCP and a UDP echo server on 127.0.0.1:port for one case (guests reach it as 10.0.2.2
    under QEMU's user network). Bounded: at most `limit` connections and datagrams."""

    def __init__(self, port, limit=10000):
        import socket
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("127.0.0.1", port))
        self.tcp.listen(4)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", port))
        self.tcp.settimeout(0.5)
        self.udp.settimeout(0.5)
        self.stop = False
        self.limit = limit
        self.threads = [threading.Thread(target=self.serve_tcp), threading.Thread(target=self.serve_udp)]
        for t in self.threads:
            t.start()

    def serve_tcp(self):
        import socket
        n = 0
        while not self.stop and n < self.limit:
            try:
                conn, _ = self.tcp.accept()
            except socket.timeout:
                continue
            n += 1
            conn.settimeout(10)
            try:
                while True:
                    data = conn.recv(65536)
                    if not data:
                        break
                    conn.sendall(data)
            except OSError:
                pass
            conn.close()

    def serve_udp(self):
        import socket
        n = 0
        while not self.stop and n < self.limit:
            try:
                data, peer = self.udp.recvfrom(65536)
            except socket.timeout:
                continue
            n += 1
            self.udp.sendto(data, peer)

    def close(self):
        self.stop = True
        for t in self.threads:
            t.join()
        self.tcp.close()
        self.udp.close()


def check_tap(name, out, tally, expect_plans):
    """Every TAP line is an assertion; the plans must add up to the lines seen."""
    lines = out.splitlines()
    seen, planned, plans = 0, 0, 0
    for line in lines:
        if line.endswith(BROKEN):
            continue
        m = TAP_RE.match(line.strip())
        if m:
            seen += 1
            tally.check(name, m.group(1) == "ok", "%s %s - %s" % (m.group(1), m.group(2), m.group(3)))
            continue
        m = PLAN_RE.match(line.strip())
        if m:
            plans += 1
            planned += int(m.group(1))
    tally.check(name, plans == expect_plans and seen == planned and seen > 0,
                "TAP plan: %d plan line(s) (want %d) for %d assertions, %d seen" %
                (plans, expect_plans, planned, seen))


def check_memory_isolation(name, out, tally):
    """Guest RAM never overlaps Keel's image, a reserved region (OpenSBI's) or another VM."""
    taken = []
    for m in re.finditer(r"^keel: (?:Keel image|reserved) (0x[0-9a-f]+)-(0x[0-9a-f]+)", out, re.M):
        taken.append((int(m.group(1), 16), int(m.group(2), 16), "Keel/reserved"))
    vms = [(int(m.group(2), 16), int(m.group(3), 16), m.group(1)) for m in
           re.finditer(r"^keel: vm '(\S+)': .*\(host (0x[0-9a-f]+)-(0x[0-9a-f]+)\)", out, re.M)]
    for lo, hi, vm in vms:
        clash = [t for t in taken if lo < t[1] and t[0] < hi]
        tally.check(name, not clash, "guest RAM of %s (0x%x-0x%x) overlaps %s" % (vm, lo, hi, clash))
        taken.append((lo, hi, vm))


def make_disk(case, build, tally):
    """A fresh disk image for the case in build/test-disks/: a copy of the Linux root filesystem
    image ("from": "rootfs"), the distribution kernel check's ("from": "distro") or an empty ext4
    filesystem of "size" ("from": "empty")."""
    spec = case["disk"]
    path = os.path.join(build, "test-disks", case["name"] + ".img")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path):
        os.unlink(path)
    try:
        if spec["from"] in ("rootfs", "distro"):
            shutil.copyfile(LINUX[{"rootfs": "rootfs", "distro": "distro_disk"}[spec["from"]]], path)
        else:
            subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-L", "keel-test", path, spec.get("size", "32M")],
                           check=True, capture_output=True, timeout=HOST_CHECK_TIMEOUT)
    except (OSError, subprocess.SubprocessError) as e:
        tally.check(case["name"], False, "disk image %s not made: %s" % (path, e))
        return None
    return path


def run_host_checks(name, case, disk, tally, log):
    """Commands run on the host after a run (e2fsck, debugfs on the disk image): each one's exit
    status and each regex its output must (expect) or must not (reject) match are assertions.
    {disk} and {rootfs} in a command are replaced by the case's disk image and the Linux one."""
    for check in case.get("host", []):
        cmd = check["cmd"].format(disk=disk, rootfs=LINUX.get("rootfs"))
        rc, out = run_bounded(cmd, HOST_CHECK_TIMEOUT, shell=True)
        log.write("\n$ %s\n%s[exit status %s]\n" % (cmd, out, rc))
        tally.check(name, rc == check.get("rc", 0),
                    "host: `%s` exit status %s (want %d)" % (cmd, rc, check.get("rc", 0)))
        for pattern in check.get("expect", []):
            tally.check(name, re.search(pattern, out, re.M) is not None, "host: `%s` output has /%s/" % (cmd, pattern))
        for pattern in check.get("reject", []):
            tally.check(name, re.search(pattern, out, re.M) is None, "host: `%s` output has no /%s/" % (cmd, pattern))


def run_case(case, build, tally, verbose):
    """A case is one QEMU run, or with "runs" several in a row (each a dict overriding the case's
    keys), all on the same fresh disk image when the case has a "disk"."""
    disk = make_disk(case, build, tally) if case.get("disk") else None
    if case.get("disk") and not disk:
        return
    runs = case.get("runs", [{}])
    for i, run in enumerate(runs):
        name = case["name"] + (".%d" % (i + 1) if len(runs) > 1 else "")
        run_once(name, dict(case, **run), build, tally, verbose, disk)


def run_once(name, case, build, tally, verbose, disk):
    workdir = tempfile.mkdtemp(prefix="keel-test-")
    case = with_platform(case)
    ports = free_ports(case.get("ports", 0))
    servers = None
    if ports:
        steps_with_ports = [(after, text(ports) if callable(text) else text) for after, text in case.get("input", [])]
        case = dict(with_ports({k: v for k, v in case.items() if k not in ("input", "after")}, ports),
                    input=steps_with_ports, after=case.get("after", lambda paths, out: []))
    if case.get("echo_server"):  # the port named by the key gets TCP and UDP echo servers
        servers = EchoServers(ports[case["echo_server"]])
    made = make_disks(case, build)
    # A disk's "drive" key: more QEMU -drive options (e.g. throttling, to keep requests in flight).
    cmd = build_command(case, build, workdir, ([(disk, case["disk"].get("readonly", False))] if disk else []) +
                        [(p, False, spec.get("drive")) for p, spec in zip(made, case.get("disks", []))])
    steps = case.get("input", [])
    if "stdin" in case:
        steps = [(case.get("stdin_after"), case["stdin"])] + steps
    try:
        out, rc, secs = run_qemu(cmd, case.get("timeout", 60), steps, case.get("kill_after"))
    finally:
        if servers:
            servers.close()
    before = tally.failed
    log = os.path.join(build, "test-logs", keelrun.PLATFORM.name, name + ".log")
    with open(log, "w") as f:
        f.write(" ".join(cmd) + "\n\n" + out)
        run_host_checks(name, case, disk, tally, f)
    tally.check(name, rc is not None, "finished within %ss" % case.get("timeout", 60))
    tally.check(name, rc == case.get("exit", 0), "QEMU exit status %s (want %s)" % (rc, case.get("exit", 0)))
    if case.get("tap", True):
        check_tap(name, out, tally, case.get("plans", len(case.get("vms", [None]))))
    if not case.get("native"):
        check_memory_isolation(name, out, tally)
    for pattern in case.get("expect", []):
        tally.check(name, re.search(pattern, out, re.M) is not None, "log has /%s/" % pattern)
    # Checks on the disk images after the run (what reached the files).
    for ok, what in case.get("after", lambda paths, out: [])(made, out):
        tally.check(name, ok, what)
    reject = case.get("reject", []) + [r"keel: BUG"] + ([] if case.get("fatal_ok") else [r"keel: FATAL"])
    for pattern in reject:
        tally.check(name, re.search(pattern, out, re.M) is None, "log has no /%s/" % pattern)
    status = "ok" if tally.failed == before else "FAILED"
    print("%-28s %-6s %5.1fs  (log: %s)" % (name, status, secs, log))
    if verbose or tally.failed != before:
        for f in tally.failures[-(tally.failed - before):] if tally.failed != before else []:
            print("    " + f)


def run_unit(binaries, tally):
    if not binaries:
        return
    summary = tempfile.mktemp(prefix="keel-unit-")
    rc, out = run_bounded([os.path.join(HERE, "..", "..", "scripts", "run-unit-tests.sh"), "--summary-file", summary]
                          + binaries, UNIT_TIMEOUT)
    sys.stdout.write(out)
    if rc is None:
        tally.failures.append("unit tests: did not finish within %d s" % UNIT_TIMEOUT)
    try:
        with open(summary) as f:
            passed, failed = (int(x) for x in f.read().split())
    except (OSError, ValueError):
        passed, failed = 0, 1
        tally.failures.append("unit tests: no summary (crashed?)")
    tally.passed += passed
    tally.failed += failed
    if failed:
        tally.failures.append("unit tests: %d failed" % failed)


SUMMARY_RE = re.compile(r"(\d+) passed, (\d+) failed")


def run_check(spec, tally):
    """Another test command (fuzz smoke runs, static analysis): its own "N passed, N failed"
    line counts, else its exit status counts as one assertion."""
    name, _, cmd = spec.partition("=")
    rc, out = run_bounded(cmd, CHECK_TIMEOUT, shell=True)
    sys.stdout.write(out)
    m = None
    for m in SUMMARY_RE.finditer(out):
        pass
    if m:
        tally.passed += int(m.group(1))
        tally.failed += int(m.group(2))
    if rc != 0 or (m and int(m.group(2))):
        if not m or rc is None:
            tally.failed += 1
        tally.failures.append("%s: failed (exit status %s)" % (name, rc if rc is not None else
                                                              "none: killed after %d s" % CHECK_TIMEOUT))
    elif not m:
        tally.passed += 1


def platform_line(p):
    """What a platform is: its QEMU's version, OpenSBI, hart model and machine."""
    rc, out = run_bounded([p.qemu, "--version"], HOST_CHECK_TIMEOUT)
    m = re.search(r"version (\S+)", out)
    return "%s: QEMU %s, OpenSBI %s (SBI v%s), -machine %s -cpu %s" % (
        p.name, m.group(1) if m else "?", p.opensbi, p.sbi_spec, p.machine, p.cpu)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--unit", nargs="*", default=[])
    ap.add_argument("--only", help="run only cases whose name contains this")
    ap.add_argument("--check", action="append", default=[], help="NAME=COMMAND: another test command to count")
    ap.add_argument("--linux-kernel", default=os.path.join("build", "linux", "Image"))
    ap.add_argument("--linux-initrd", default=os.path.join("build", "linux", "initramfs.cpio"))
    ap.add_argument("--linux-rootfs", default=os.path.join("build", "linux", "rootfs.ext4"))
    ap.add_argument("--linux-kernel-for", action="append", default=[], metavar="PLATFORM=VERSION:IMAGE",
                    help="the Linux guest kernel of one platform (else --linux-kernel, Linux 6.1)")
    ap.add_argument("--distro-kernel", default=os.path.join("build", "distro", "Image"),
                    help="Debian's kernel for the distro cases (scripts/distro-kernel.sh; --distro-initrd, --distro-disk)")
    ap.add_argument("--distro-initrd", default=os.path.join("build", "distro", "initramfs.cpio"))
    ap.add_argument("--distro-disk", default=os.path.join("build", "distro", "disk.ext4"))
    keelrun.add_platform_options(ap, several=True)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    LINUX.update(kernel=args.linux_kernel, initrd=args.linux_initrd, rootfs=args.linux_rootfs,
                 distro_kernel=args.distro_kernel, distro_initrd=args.distro_initrd, distro_disk=args.distro_disk)
    kernels = {}
    for spec in args.linux_kernel_for:
        name, _, rest = spec.partition("=")
        version, _, image = rest.partition(":")
        if not image:
            sys.exit("run.py: --linux-kernel-for wants PLATFORM=VERSION:IMAGE, not %r" % spec)
        kernels[name] = (version, image)
    platforms = args.platform or [keelrun.DEFAULT_PLATFORM]
    for name in platforms:  # a platform not installed stops the run before anything is counted
        keelrun.use_platform(name, args.qemu_cpu, args.qemu_machine)
    tally = Tally()
    run_unit(args.unit, tally)
    for spec in args.check:
        run_check(spec, tally)
    summaries = []
    if args.unit or args.check:
        summaries.append("unit tests and checks: %d passed, %d failed" % (tally.passed, tally.failed))
    for name in platforms:
        p = keelrun.use_platform(name, args.qemu_cpu, args.qemu_machine)
        # Its Linux guest: {platform.linux} in expectations is the kernel's version, dots escaped.
        version, LINUX["kernel"] = kernels.get(name, ("6.1", args.linux_kernel))
        keelrun.LINUX_IMAGE[keelrun.LINUX_GUEST] = LINUX["kernel"]  # in the configs/*.dts cases too
        p.linux = re.escape(version)
        # {platform.vector}: whether its harts have V (QEMU 10's rva23s64; rv64 has none on either QEMU)
        p.vector = int(p.cpu.split(",")[0].startswith("rva23") or "v=true" in p.cpu)
        vars(p).update(machine_facts(p.machine))
        default_machine = machine_of(p.machine)
        what = platform_line(p) + ", Linux %s guest" % version
        print("\n== %s" % what)
        os.makedirs(os.path.join(args.build, "test-logs", name), exist_ok=True)
        passed, failed, tally.platform = tally.passed, tally.failed, name
        for case in CASES:
            if args.only and args.only not in case["name"]:
                continue
            if case.get("machine_tag") == default_machine:
                continue  # the case itself runs on this machine
            if name not in case.get("platforms", (name,)):
                continue  # the case needs what only those platforms have (it says what)
            run_case(case, args.build, tally, args.verbose)
        summaries.append("%s: %d passed, %d failed" % (what, tally.passed - passed, tally.failed - failed))
    if tally.failures:
        print("\nFailures:")
        for f in tally.failures:
            print("  " + f)
    print()
    for line in summaries:
        print(line)
    print("%d passed, %d failed" % (tally.passed, tally.failed))
    sys.exit(1 if tally.failed else 0)


if __name__ == "__main__":
    main()
