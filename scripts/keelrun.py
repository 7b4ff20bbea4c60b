#!/usr/bin/env python3
"""Start QEMU -> OpenSBI -> Keel with VMs described as data.

QEMU's own device tree for the same -m/-smp is dumped, the VM descriptions are
added under /chosen as keel,vm@N nodes, and the result is handed to the machine
with -dtb. Guest images are placed in host RAM with QEMU's -device loader.
"""
import argparse
import copy
import glob
import os
import queue
import re
import select
import subprocess
import sys
import tempfile
import threading
import time

CACHE = os.environ.get("KEEL_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "keel")
TRIXIE_ROOT = os.path.join(CACHE, "trixie")  # scripts/trixie.sh unpacks the trixie platform here


class Platform:
    """A QEMU, its OpenSBI and their defaults, and what that OpenSBI tells an S-mode payload
    (the native reference runs compare with these facts, not with one firmware's version)."""

    def __init__(self, name, qemu, firmware, cpu, opensbi, sbi_spec, sbi_impl_version, sbi_extensions,
                 machine="virt", env=None, install=None, sv48=""):
        self.name, self.qemu, self.firmware, self.cpu, self.machine = name, qemu, firmware, cpu, machine
        # What -cpu needs after the model for Sv48 (and Sv48x4): rva23s64 has only Sv39; QEMU 7.2 has no
        # such property, its rv64 has Sv48 anyway.
        self.sv48 = sv48
        self.opensbi = opensbi  # OpenSBI's own version, "1.1"
        self.sbi_spec = sbi_spec  # the SBI specification version it implements, "1.0"
        self.sbi_impl_version = sbi_impl_version  # BASE get_impl_version: major << 16 | minor, as "0x10001"
        self.sbi_extensions = tuple(sbi_extensions)  # what its BASE probe_extension finds on QEMU virt
        self.env = dict(env or {})  # environment QEMU needs
        self.install = install  # what installs it, for the error when it is missing

    def has(self, ext):
        return ext in self.sbi_extensions

    def bootarg(self):
        """The facts a native guest checks, as kernel command line words (keel.sbi_* for Linux's init,
        the same names for the bare test guests)."""
        return "keel.sbi_spec=%s keel.sbi_impl_version=%s keel.sbi_dbcn=%d" % (
            self.sbi_spec, self.sbi_impl_version, self.has("DBCN"))


def trixie_module_dir():
    for d in sorted(glob.glob(os.path.join(TRIXIE_ROOT, "usr", "lib", "*", "qemu"))):
        return d
    return os.path.join(TRIXIE_ROOT, "usr", "lib", "qemu")


# The trixie platform's machine: the AIA (an APLIC in MSI mode, an IMSIC per hart) with VS-level
# guest interrupt files on each hart, as many as QEMU's virt gives (7: 3 guest index bits).
# QEMU_MACHINE=virt keeps the PLIC.
TRIXIE_MACHINE = "virt,aia=aplic-imsic,aia-guests=7"
OPENSBI_1_1_EXTENSIONS = ("BASE", "TIME", "IPI", "RFENCE", "HSM", "SRST", "PMU", "legacy")
PLATFORMS = {
    # Debian 12: QEMU 7.2, OpenSBI 1.1 (SBI v1.0: no DBCN, that came in OpenSBI 1.3).
    "bookworm": Platform("bookworm", os.environ.get("QEMU", "qemu-system-riscv64"),
                         "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin", "rv64", "1.1", "1.0", "0x10001",
                         OPENSBI_1_1_EXTENSIONS, install="scripts/deps.sh (make deps)"),
    # Debian 13's versions (bookworm-backports on a bookworm machine): QEMU 10.0, OpenSBI 1.5.1 (SBI
    # v2.0), RVA23 harts on an AIA machine (TRIXIE_MACHINE). Its QEMU's modules are its own:
    # QEMU_MODULE_DIR says where.
    "trixie": Platform("trixie", os.path.join(TRIXIE_ROOT, "usr", "bin", "qemu-system-riscv64"),
                       os.path.join(TRIXIE_ROOT, "usr", "lib", "riscv64-linux-gnu", "opensbi", "generic",
                                    "fw_dynamic.bin"), "rva23s64", "1.5", "2.0", "0x10005",
                       OPENSBI_1_1_EXTENSIONS + ("DBCN",), env={"QEMU_MODULE_DIR": trixie_module_dir()},
                       install="scripts/trixie.sh (make deps)", sv48=",sv48=on", machine=TRIXIE_MACHINE),
}
DEFAULT_PLATFORM = "trixie"
PLATFORM = PLATFORMS["bookworm"]  # the one machine_args runs; use_platform chooses


def use_platform(name, cpu=None, machine=None):
    """Make `name` the platform every command below runs (QEMU_CPU/QEMU_MACHINE-style overrides of its
    hart model and machine options), with its environment in this process's for QEMU to inherit.
    Exits with a message when the platform is not installed."""
    global PLATFORM
    if name not in PLATFORMS:
        sys.exit("keel-run: unknown platform %r (%s)" % (name, ", ".join(PLATFORMS)))
    PLATFORM = copy.copy(PLATFORMS[name])
    PLATFORM.cpu, PLATFORM.machine = cpu or PLATFORM.cpu, machine or PLATFORM.machine
    for path in (PLATFORM.firmware,) + ((PLATFORM.qemu,) if os.sep in PLATFORM.qemu else ()):
        if not os.path.exists(path):
            sys.exit("keel-run: platform %s: %s not found: run %s" % (name, path, PLATFORM.install))
    os.environ.update(PLATFORM.env)
    return PLATFORM


def add_platform_options(ap, several=False):
    """--platform (with several: repeatable, a list, None when not given), --qemu-cpu, --qemu-machine."""
    if several:
        ap.add_argument("--platform", action="append", choices=sorted(PLATFORMS),
                        help="a platform to run on (repeatable: once on each; default %s)" % DEFAULT_PLATFORM)
    else:
        ap.add_argument("--platform", default=DEFAULT_PLATFORM, choices=sorted(PLATFORMS),
                        help="QEMU and OpenSBI to run on (default %s)" % DEFAULT_PLATFORM)
    ap.add_argument("--qemu-cpu", help="QEMU -cpu instead of the platform's (e.g. rv64 on trixie)")
    ap.add_argument("--qemu-machine", help="QEMU -machine instead of the platform's virt (e.g. virt,aia=aplic-imsic)")


RAM_BASE = 0x80000000
DTB_RESERVE = 0x200000  # QEMU puts its DTB in the top 2 MiB of RAM: guest images go just below


def parse_size(s):
    s = str(s).strip().upper()
    mult = 1
    for suffix, m in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if s.endswith(suffix):
            s, mult = s[:-1], m
            break
    return int(s, 0) * mult


def parse_harts(s):
    harts = []
    for part in str(s).split(","):
        if "-" in part:
            a, b = part.split("-")
            harts.extend(range(int(a), int(b) + 1))
        elif part:
            harts.append(int(part))
    return harts


def parse_vm(spec):
    """name=x,image=path,harts=0-1,vcpus=4,pinned=1,wfi-exits=1,read-exits=1,slice=4000,weight=2,mem=64M,ram_base=0x80000000,timer=sbi,
    stage2=sv48x4,devices=0x101000:4K:11,disks=HOST[:START[:NSECTORS[:ro]]]+...,nics=NET+NET,
    macs=02:00:00:00:00:01+...,console=virtio,bootargs=...   (bootargs last: it may contain commas)"""
    vm = {"mem": "64M", "harts": "0", "bootargs": "keel"}
    rest = spec
    while rest:
        key, _, rest = rest.partition("=")
        if key == "bootargs":
            vm[key] = rest
            break
        val, _, rest = rest.partition(",")
        vm[key] = val
    return vm


def cells(v):
    return "0x%x 0x%x" % (v >> 32, v & 0xFFFFFFFF)


def vm_nodes(vms, host_mem):
    """DTS text for the VM descriptions, and the -device loader options that place their images
    (from the top of host RAM down, so the RAM Keel gives to guests stays in one piece)."""
    top = RAM_BASE + parse_size(host_mem) - DTB_RESERVE
    nodes, loaders = [], []

    def place(size):
        nonlocal top
        top = (top - size) & ~0x1FFFFF
        return top

    for i, vm in enumerate(vms):
        lines = ['keel,vm@%d {' % i, 'compatible = "keel,vm";']
        if "name" in vm:
            lines.append('keel,name = "%s";' % vm["name"])
        if vm.get("harts") not in (None, "none"):
            lines.append("keel,harts = <%s>;" % " ".join(str(h) for h in parse_harts(vm["harts"])))
        ram_base = int(str(vm.get("ram_base", RAM_BASE)), 0)
        lines.append("keel,memory = <%s %s>;" % (cells(ram_base), cells(parse_size(vm.get("mem", "64M")))))
        image = vm.get("image")
        if image and os.path.exists(image):
            size = os.path.getsize(image)
            addr = place(size)
            lines.append("keel,kernel = <%s %s>;" % (cells(addr), cells(size)))
            loaders += ["-device", "loader,file=%s,addr=0x%x,force-raw=on" % (image, addr)]
        elif image:
            lines.append("keel,kernel-missing = \"%s\";" % image)
        initrd = vm.get("initrd")
        if initrd:
            size = os.path.getsize(initrd)
            addr = place(size)
            lines.append("keel,initrd = <%s %s>;" % (cells(addr), cells(size)))
            loaders += ["-device", "loader,file=%s,addr=0x%x,force-raw=on" % (initrd, addr)]
        if vm.get("devices"):
            # base:size:irq, several joined with '+'
            ents = []
            for d in vm["devices"].split("+"):
                base, size, irq = d.split(":")
                ents.append("%s %s %d" % (cells(int(base, 0)), cells(parse_size(size)), int(irq, 0)))
            lines.append("keel,devices = <%s>;" % " ".join(ents))
        if vm.get("disks"):
            lines.append("keel,disks = <%s>;" % " ".join(disk_cells(d) for d in vm["disks"].split("+")))
        if vm.get("nics"):
            lines.append("keel,nics = %s;" % ", ".join('"%s"' % n for n in vm["nics"].split("+")))
        if vm.get("macs"):
            lines.append("keel,macs = [%s];" % " ".join(m.replace(":", " ") for m in vm["macs"].split("+")))
        for key, prop in (("timer", "keel,timer"), ("stage2", "keel,stage2"), ("console", "keel,console"),
                          ("irqchip", "keel,irqchip")):
            if key in vm:
                lines.append('%s = "%s";' % (prop, vm[key]))
        for key, prop in (("vcpus", "keel,vcpus"), ("slice", "keel,slice-us"), ("weight", "keel,weight")):
            if key in vm:
                lines.append("%s = <%s>;" % (prop, vm[key]))
        for key in ("pinned", "wfi-exits", "read-exits"):
            if vm.get(key) not in (None, False, "0", "no"):
                lines.append("keel,%s;" % key)
        lines.append('bootargs = "%s";' % vm.get("bootargs", "keel").replace('"', '\\"'))
        lines.append("};")
        nodes.append("\n".join(lines))
    return nodes, loaders


def disk_cells(spec):
    """HOST[:START[:NSECTORS[:ro]]] (sectors of 512 bytes; NSECTORS 0 = to the end) -> keel,disks cells."""
    parts = spec.split(":")
    host = int(parts[0], 0)
    start = int(parts[1], 0) if len(parts) > 1 else 0
    nsectors = int(parts[2], 0) if len(parts) > 2 else 0
    flags = 1 if len(parts) > 3 and parts[3] == "ro" else 0
    return "%d %s %s %d" % (host, cells(start), cells(nsectors), flags)


# The options that shape the machine, and so the DT QEMU gives it: a run's own (QEMU_OPTS) replace the
# launcher's, for the DT dump as for the run.
MACHINE_OPTS = {"-smp": "smp", "-m": "mem", "-cpu": "cpu", "-machine": "machine", "-M": "machine"}


def split_machine_opts(opts, machine=None):
    """The -smp, -m, -cpu and -machine/-M values in QEMU options (a dict), and the other options. A
    -machine naming a machine type replaces `machine` (default the platform's); one of properties only
    (aia=aplic-imsic) adds them to it, as QEMU merges -machine options."""
    found, rest = {}, []
    it = iter(opts)
    for opt in it:
        key = MACHINE_OPTS.get(opt)
        if key is None:
            rest.append(opt)
            continue
        val = next(it, "")
        if key == "machine":
            base = found.get("machine", machine or PLATFORM.machine)
            val = val if "=" not in val.split(",")[0] else base + "," + val
        found[key] = val
    return found, rest


def hart_count(smp):
    """The harts a -smp value asks for: "4" or "cpus=4,sockets=1"."""
    first = str(smp).split(",")[0]
    return int(first.split("=")[1] if first.startswith("cpus=") else first)


def machine_args(smp, mem, cpu=None, machine=None):
    """QEMU on the platform's machine and harts (cpu and machine: the options of one run, e.g. a case's
    "rv64,h=false"), with its OpenSBI."""
    return [PLATFORM.qemu, "-machine", machine or PLATFORM.machine, "-cpu", cpu or PLATFORM.cpu, "-smp", str(smp),
            "-m", str(mem), "-nographic", "-bios", PLATFORM.firmware]


FILE_PROP = re.compile(r'keel,(kernel|initrd)-file\s*=\s*"([^"]*)"\s*;')
# The project's Linux guest as configs/*.dts name it, and the image a platform boots in its place
# (--linux-image: the trixie platform's Linux 6.12).
LINUX_GUEST = os.path.join("build", "linux", "Image")
LINUX_IMAGE = {}


def config_nodes(path, host_mem):
    """A VM description from configs/*.dts: its keel,kernel-file / keel,initrd-file properties
    become keel,kernel / keel,initrd with the address where -device loader puts each image."""
    with open(path) as f:
        text = f.read()
    top = RAM_BASE + parse_size(host_mem) - DTB_RESERVE
    loaders = []

    def place(m):
        nonlocal top
        image = LINUX_IMAGE.get(m.group(2), m.group(2))
        if not os.path.exists(image):
            return 'keel,%s-missing = "%s";' % (m.group(1), image)
        size = os.path.getsize(image)
        top = (top - size) & ~0x1FFFFF
        loaders.extend(["-device", "loader,file=%s,addr=0x%x,force-raw=on" % (image, top)])
        return "keel,%s = <%s %s>;" % (m.group(1), cells(top), cells(size))

    return FILE_PROP.sub(place, text), loaders


# Bound of each tool the launcher runs before QEMU proper (QEMU's DT dump, dtc).
TOOL_TIMEOUT = 60


def build_dtb(smp, mem, vms, workdir, cpu=None, config=None, uplink=None, chosen=(), machine=None):
    base = os.path.join(workdir, "base.dtb")
    subprocess.run(machine_args(smp, mem, cpu, machine) + ["-machine", "dumpdtb=" + base],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=TOOL_TIMEOUT)
    dts = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", base], check=True,
                         capture_output=True, text=True, timeout=TOOL_TIMEOUT).stdout
    if config:
        text, loaders = config_nodes(config, mem)
        dts += "\n" + text
    else:
        nodes, loaders = vm_nodes(vms, mem)
        if uplink:
            nodes.insert(0, 'keel,uplink = "%s";' % uplink)
        nodes[0:0] = list(chosen)  # more /chosen properties, as DTS lines
        dts += "\n/ {\n\tchosen {\n%s\n\t};\n};\n" % "\n".join(nodes)
    src = os.path.join(workdir, "keel.dts")
    with open(src, "w") as f:
        f.write(dts)
    out = os.path.join(workdir, "keel.dtb")
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", out, src], check=True, timeout=TOOL_TIMEOUT)
    return out, loaders


def keel_command(build, smp, mem, vms, workdir, qemu_opts=(), cpu=None, config=None, disks=(), legacy_disks=False,
                 nets=(), uplink=None, chosen=(), machine=None):
    """QEMU -> OpenSBI -> Keel with the VMs; the DT Keel gets is QEMU's for the machine it really runs
    (-smp, -m, -cpu, -machine in qemu_opts win over the arguments)."""
    m, qemu_opts = split_machine_opts(qemu_opts, machine)
    smp, mem, cpu, machine = m.get("smp", smp), m.get("mem", mem), m.get("cpu", cpu), m.get("machine", machine)
    dtb, loaders = build_dtb(smp, mem, vms, workdir, cpu, config, uplink, chosen, machine)
    return (machine_args(smp, mem, cpu, machine) + ["-kernel", os.path.join(build, "keel.bin"), "-dtb", dtb] +
            loaders + disk_args(disks, legacy_disks) + net_args(nets, not disks) + qemu_opts)


def net_args(nets, modern_global=True):
    """QEMU options for the machine's network cards, each a QEMU netdev spec "TYPE[,OPTIONS]" (e.g.
    "user,hostfwd=tcp:127.0.0.1:8080-:80"): virtio-net devices after the disks, on the modern
    transport (unless the disks asked for the legacy one)."""
    args = []
    for i, net in enumerate(nets):
        kind, _, opts = net.partition(",")
        args += ["-netdev", "%s,id=net%d%s" % (kind, i, "," + opts if opts else ""),
                 "-device", "virtio-net-device,netdev=net%d" % i]
    if nets and modern_global:
        args += ["-global", "virtio-mmio.force-legacy=false"]
    return args


def disk_args(disks, legacy=False):
    """QEMU options for disk images, each a path, (path, readonly) or (path, readonly, more -drive
    options): virtio-blk devices on the virt machine's virtio-mmio transports, which QEMU fills from
    the highest address down, so the first file is host disk 0 (natively: the guest's /dev/vda).
    Modern (version 2) transport, as Keel drives it; QEMU 7.2's default legacy one with legacy=True."""
    args = []
    for i, disk in enumerate(disks):
        disk = (disk,) if isinstance(disk, str) else tuple(disk)
        path, readonly, opts = disk + (False, None)[len(disk) - 1:]
        args += ["-drive", "file=%s,if=none,format=raw,id=disk%d%s%s" % (path, i, ",readonly=on" if readonly else "",
                                                                         "," + opts if opts else ""),
                 "-device", "virtio-blk-device,drive=disk%d" % i]
    return args + ([] if legacy else ["-global", "virtio-mmio.force-legacy=false"]) if disks else []


def console_args(console, modern_global=True):
    """QEMU options for the guest's console device: the UART alone (None or "uart"), or "virtio": a
    virtio console (virtio-serial-device + virtconsole, port 0: Linux's hvc1 beside the SBI console's
    hvc0) sharing standard input and output with the UART and the monitor (a mux: Ctrl-A c moves
    the input between them; it starts on the virtio console, the last one attached)."""
    if console in (None, "uart"):
        return []
    if console != "virtio":
        raise ValueError("console must be uart or virtio, not %r" % console)
    args = ["-chardev", "stdio,id=con0,mux=on,signal=off", "-serial", "chardev:con0",
            "-mon", "chardev=con0,mode=readline", "-device", "virtio-serial-device,max_ports=1",
            "-device", "virtconsole,chardev=con0"]
    return args + (["-global", "virtio-mmio.force-legacy=false"] if modern_global else [])


def native_command(image, smp, mem, bootargs="native", qemu_opts=(), cpu=None, disks=(), nets=(), console=None,
                   machine=None):
    m, qemu_opts = split_machine_opts(qemu_opts, machine)
    return (machine_args(m.get("smp", smp), m.get("mem", mem), m.get("cpu", cpu), m.get("machine", machine)) +
            ["-kernel", image, "-append", bootargs] + disk_args(disks) + net_args(nets, not disks) +
            console_args(console, not disks and not nets) + qemu_opts)


# The console's unfinished line looks like a prompt (Keel's Linux init "keel# ", a shell's "$ ",
# U-Boot's "=> ", "login: ") once it ends so and nothing more has come for PROMPT_SETTLE seconds.
PROMPT_RE = re.compile(rb"[#$>%:] ?$")
PROMPT_SETTLE = 0.2
QUIET_SECONDS = 3.0  # a guest with no prompt we know is ready after this long without output


def run_scripted(cmd):
    """QEMU with piped input (standard input is not a terminal). A guest's serial driver throws
    away what arrived before it opened the port, so each piped line is held back until the guest
    shows a prompt (or has been quiet for QUIET_SECONDS) after the previous one. Returns QEMU's
    exit status."""
    lines = queue.Queue()  # None marks the end of the input

    def read_input():
        for line in iter(sys.stdin.buffer.readline, b""):
            lines.put(line)
        lines.put(None)

    if sys.stdin is not None:
        threading.Thread(target=read_input, daemon=True).start()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    out = p.stdout.fileno()
    tail, last_out, sent_at, pending = b"", time.monotonic(), None, None
    while True:
        if select.select([out], [], [], 0.05)[0]:
            data = os.read(out, 4096)
            if not data:
                break
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
            tail = (tail + data.replace(b"\r", b"")).rsplit(b"\n", 1)[-1][-80:]
            last_out = time.monotonic()
        if pending is None and not lines.empty():
            pending = lines.get()
        if pending is None or p.stdin.closed:
            continue
        quiet = time.monotonic() - last_out
        answered = sent_at is None or last_out > sent_at  # the guest said something since our last line
        if answered and ((PROMPT_RE.search(tail) and quiet >= PROMPT_SETTLE) or quiet >= QUIET_SECONDS):
            try:
                p.stdin.write(pending)
                p.stdin.flush()
            except BrokenPipeError:
                p.stdin.close()
            pending, sent_at = None, time.monotonic()
    return p.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", default="build")
    ap.add_argument("--guest", help="guest image for a single VM on hart 0 (same as --kernel)")
    ap.add_argument("--kernel", help="guest kernel image (any S-mode payload)")
    ap.add_argument("--initrd", help="initramfs for the guest")
    ap.add_argument("--bootargs", default="", help="guest kernel command line")
    ap.add_argument("--guest-mem", default="256M", help="guest RAM")
    ap.add_argument("--cpus", type=int, default=1,
                    help="vCPUs of the single VM; it gets every hart QEMU has (-smp, else one per vCPU)")
    ap.add_argument("--vm", action="append", default=[], help="VM spec (see parse_vm)")
    ap.add_argument("--config", help="VM descriptions in a .dts file (see configs/)")
    ap.add_argument("--linux-image", help="boot this where a --config names %s" % LINUX_GUEST)
    ap.add_argument("--smp", type=int, default=0, help="harts (default: enough for the VMs, at least 2)")
    ap.add_argument("--mem", default="1G", help="host RAM (QEMU -m)")
    ap.add_argument("--native", action="store_true", help="run the guest on QEMU+OpenSBI without Keel")
    ap.add_argument("--disk", action="append", default=[],
                    help="raw disk image for the machine (repeatable; the first is host disk 0); a single "
                         "--kernel VM gets every host disk whole, in order")
    ap.add_argument("--net", action="append", default=[],
                    help="a network card for the machine: a QEMU netdev spec, e.g. user or "
                         "user,hostfwd=tcp:127.0.0.1:8080-:80 (repeatable); a single --kernel VM gets a NIC on "
                         "network 'lan', the first card's network")
    ap.add_argument("--uplink", help="the network the machine's card is plugged into (with --vm)")
    ap.add_argument("--console", choices=("uart", "virtio"), default="uart",
                    help="the single --kernel VM's console device (keel,console); natively, virtio adds QEMU's "
                         "virtconsole")
    ap.add_argument("--irqchip", choices=("plic", "aia"),
                    help="the single --kernel VM's interrupt controller (keel,irqchip; default Keel's)")
    ap.add_argument("--qemu-opts", default="",
                    help="more QEMU options; -smp, -m, -cpu and -machine here shape the machine (and its DT)")
    add_platform_options(ap)
    args = ap.parse_args()
    if args.linux_image:
        LINUX_IMAGE[LINUX_GUEST] = args.linux_image
    use_platform(args.platform, args.qemu_cpu, args.qemu_machine)
    opts = args.qemu_opts.split()
    machine, _ = split_machine_opts(opts)
    args.smp = args.smp or (hart_count(machine["smp"]) if "smp" in machine else 0)
    image = args.kernel or args.guest
    if args.native:
        cmd = native_command(image, args.smp or args.cpus, args.mem, args.bootargs or "native", qemu_opts=opts,
                             disks=args.disk, nets=args.net, console=args.console)
        if args.initrd:
            cmd += ["-initrd", args.initrd]
    elif args.config:
        harts = max([int(h, 0) for h in re.findall(r"keel,harts\s*=\s*<([^>]*)>", open(args.config).read())
                     for h in h.split()] or [0]) + 1
        cmd = keel_command(args.build, args.smp or max(2, harts), args.mem, [],
                           tempfile.mkdtemp(prefix="keel-run-"), opts, config=args.config, disks=args.disk,
                           nets=args.net)
    else:
        vms = [parse_vm(v) for v in args.vm]
        if not vms:
            if not image or not os.path.exists(image):
                sys.exit("keel-run: guest image %r not found" % image)
            # The VM gets the machine's harts; with more vCPUs than harts, the scheduler shares them.
            machine = args.smp or max(2, args.cpus)
            vm = {"name": "guest", "image": image, "harts": "0-%d" % (machine - 1),
                  "vcpus": str(args.cpus), "mem": args.guest_mem, "bootargs": args.bootargs or "keel",
                  "console": args.console}
            if args.irqchip:
                vm["irqchip"] = args.irqchip
            if args.initrd:
                vm["initrd"] = args.initrd
            if args.disk:  # every host disk, whole, in order: the guest's vda, vdb...
                vm["disks"] = "+".join(str(i) for i in range(len(args.disk)))
            if args.net:
                vm["nics"] = "lan"
                args.uplink = args.uplink or "lan"
            vms = [vm]
        harts = max(max(parse_harts(vm.get("harts", "0"))) for vm in vms) + 1
        cmd = keel_command(args.build, args.smp or max(2, harts), args.mem, vms,
                           tempfile.mkdtemp(prefix="keel-run-"), opts, disks=args.disk,
                           nets=args.net, uplink=args.uplink)
    print("keel-run: " + " ".join(cmd), file=sys.stderr)
    if sys.stdin is not None and sys.stdin.isatty():
        os.execvp(cmd[0], cmd)  # typing at a terminal: QEMU has the terminal to itself
    sys.exit(run_scripted(cmd))


if __name__ == "__main__":
    main()
