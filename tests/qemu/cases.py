"""The QEMU test cases. Each is data: the VMs to boot (or a guest to run natively on
OpenSBI as the reference), and what Keel's log must and must not say.

vms: list of keelrun VM specs: guest (name of a test guest), harts, mem, timer, stage2, bootargs.
native: run this guest on the platform's QEMU + OpenSBI alone (the spec reference), with smp harts; it is
      told what that OpenSBI offers on its command line (keelrun.Platform.bootarg).
{platform.NAME} in a case's strings: that fact of the platform the run is on (keelrun.Platform:
      sbi_spec, sbi_impl_version, opensbi, cpu, ...), e.g. "SBI specification v{platform.sbi_spec} detected".
expect / reject: regexes Keel's console output must / must not match.
plans: how many TAP plan lines the case prints (one per VM boot by default).
disk: a fresh disk image for the case in build/test-disks/ ({"from": "rootfs"}: a copy of the
      Linux guest's root filesystem image; {"from": "empty", "size": "32M"}: an empty ext4), attached
      as a virtio-blk device ("readonly": True: QEMU's readonly=on).
runs: several QEMU runs in a row on the same disk, each a dict overriding the case's keys.
host: commands run on this machine after a run ({disk}: the image), with the exit status and
      output regexes they must give.
initrd: False boots the Linux guest without its initramfs (root on the disk).
console: "virtio" gives a native Linux run QEMU's virtio console (keelrun.console_args); under Keel
      it is the VM's "console" field (keel,console).
machine_tag: the case is another's on that machine (AIA_MACHINES): not run where it is the default.
platforms: the platforms whose guests have what the case needs (default: all).
"""
import re
import struct

KEEL_BOOT = [
    r"^keel: hart ISA rv64\S+",
    r"^keel: H extension present; stage-2 modes: .*; Sstc (on|off)",
    r"^keel: vm '\S+': \d+ vCPU\(s\) on harts [\d ]+ \([^)]*\), RAM \d+ MiB at guest 0x80000000",
    r"^keel: no VM left running, powering off",
]

LINUX_CHECKS = "keel.checks=1 keel.poweroff=1 keel.input=hello-keel keel.mem=128 keel.cpus=1 keel.vector={platform.vector}"
LINUX_BOOT = [r"SBI specification v2.0 detected", r"SBI implementation ID=0x4b45454c Version=0x1",
              r"^keel-init: Linux guest up", r"reboot: Power down",
              r"^keel: vm 'linux' stopped: guest shut down", r"^keel: no VM left running, powering off"]

# Disk test images: each 8-byte word of sector s at offset o holds s << 32 | o (guests/bare/blk.c
# checks it through its slices); the guest writes 0xb10c << 48 | sector << 24 | offset.
BLK_IMAGE = {"size": 4 << 20, "fill": lambda s: struct.pack("<64Q", *((s << 32) | o for o in range(0, 512, 8)))}
BLK_SLICE, BLK_SLICE_SECTORS, BLK_WRITTEN = 2048, 1024, 16


def blk_image_check(skip=None, index=0, pristine=()):
    """After a blk run: the sectors the guest wrote hold its data in image `index`, every other
    sector (but the `skip` range, a hostile VM's own slice) still holds the pattern, and so does
    every sector of the images in `pristine`."""
    def check(paths, out):
        results = []
        for i in pristine:
            with open(paths[i], "rb") as f:
                other = f.read()
            results.append((all(other[s * 512:(s + 1) * 512] == BLK_IMAGE["fill"](s) for s in range(len(other) // 512)),
                            "image file %d: unchanged" % i))
        with open(paths[index], "rb") as f:
            data = f.read()
        written = all(data[(BLK_SLICE + s) * 512:(BLK_SLICE + s + 1) * 512] ==
                      struct.pack("<64Q", *((0xb10c << 48) | (s << 24) | o for o in range(0, 512, 8)))
                      for s in range(BLK_WRITTEN))
        untouched = [s for s in range(len(data) // 512)
                     if not BLK_SLICE <= s < BLK_SLICE + BLK_WRITTEN and not (skip and skip[0] <= s < skip[1])
                     and data[s * 512:(s + 1) * 512] != BLK_IMAGE["fill"](s)]
        return results + [
            (written, "image file %d: guest's %d sectors are at host sector %d" % (index, BLK_WRITTEN, BLK_SLICE)),
            (not untouched, "image file %d: every other sector unchanged (changed: %s)" % (index, untouched[:8]))]
    return check


STRESS_RE = re.compile(r"^\[(\S+)\] # stress checksum 0x([0-9a-f]+) over (\d+) sectors from host sector (\d+)$", re.M)


def slices_check(paths, out):
    """configs/two-vms-disks.dts after each VM wrote 4 MiB to its /dev/vda: each VM's data is at the
    start of its own 32 MiB slice, and nothing else of the image was touched."""
    mib = 1 << 20
    with open(paths[0], "rb") as f:
        data = f.read()
    zero = bytes(mib)
    return [(all(data[i * mib:(i + 1) * mib] != zero for i in range(4)), "alpha's 4 MiB are at host sector 0"),
            (all(data[(32 + i) * mib:(33 + i) * mib] != zero for i in range(4)), "beta's 4 MiB are at host sector 65536"),
            (data[4 * mib:32 * mib].count(0) == 28 * mib and data[36 * mib:].count(0) == 28 * mib,
             "the rest of both slices is untouched")]


def fnv64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def blk_stress_check(vms):
    """After the stress run: each VM's checksum of its slice matches the image file's bytes
    there, and no sector outside the slices changed."""
    def check(paths, out):
        with open(paths[0], "rb") as f:
            data = f.read()
        results, slices = [], []
        found = {m.group(1): m for m in STRESS_RE.finditer(out)}
        for vm in vms:
            m = found.get(vm)
            if not m:
                results.append((False, "image file: no stress checksum from %s" % vm))
                continue
            n, start = int(m.group(3)), int(m.group(4))
            slices.append((start, start + n))
            got = fnv64(data[start * 512:(start + n) * 512])
            results.append((got == int(m.group(2), 16),
                            "image file: %s's %d sectors from %d have the checksum it read (file 0x%016x, guest 0x%s)"
                            % (vm, n, start, got, m.group(2))))
        changed = [s for s in range(len(data) // 512) if not any(a <= s < b for a, b in slices)
                   and data[s * 512:(s + 1) * 512] != BLK_IMAGE["fill"](s)]
        results.append((not changed, "image file: nothing changed outside the slices (changed: %s)" % changed[:8]))
        return results
    return check


BLK_DISKS = "0:%d:%d+0:%d:%d:ro" % (BLK_SLICE, BLK_SLICE_SECTORS, BLK_SLICE + BLK_SLICE_SECTORS, BLK_SLICE_SECTORS)
# The disk cases: only the disk checks (keel.checks=disk), on the UART console.
DISK_CHECKS = "console=ttyS0 keel.checks=disk keel.poweroff=1"
# cksum(1) of the disk checks' 1 MiB test pattern (guests/linux/init/cksum.h), and of "written on the root disk\n"
PATTERN_CKSUM = "3513887405 1048576"
HELLO_CKSUM = "1154827348"
# After a clean power-off the filesystem was unmounted (no journal left to replay: e2fsck -n would
# skip it and exit 0 all the same) and has no errors (with -n, some problems only show as "Fix? no").
E2FSCK = [{"cmd": "dumpe2fs -h {disk}", "expect": [r"^Filesystem state: +clean$"], "reject": [r"needs_recovery"]},
          {"cmd": "e2fsck -fn {disk}", "expect": [r"^\S+: \d+/\d+ files \("],
           "reject": [r"skipping journal recovery", r"Fix\? no", r"WARNING"]}]
DISK_REJECT = [r"EXT4-fs error", r"I/O error", r"^init: .* stays mounted", r"Kernel panic"]

# Linux writes a file and fsyncs it, powers off; the image is clean for e2fsck and holds the
# bytes (debugfs reads them on the host); a second boot on the same image reads them back.
DISK_WRITE_VERIFY = {
    "timeout": 120,
    "disk": {"from": "empty", "size": "32M"},
    "reject": DISK_REJECT,
    "runs": [{"bootargs": DISK_CHECKS + " keel.disk=write",
              "expect": [r"^ok \d+ - linux disk: wrote 1048576 bytes to /mnt/keel-disk.bin and fsync'ed it",
                         r"^ok \d+ - linux disk: read back from the disk with O_DIRECT: cksum " + PATTERN_CKSUM,
                         r"reboot: Power down"],
              "host": E2FSCK + [
                  {"cmd": "debugfs -R 'cat /keel-disk.bin' {disk} 2>/dev/null | cksum",
                   "expect": [r"^%s$" % PATTERN_CKSUM]},
                  {"cmd": "debugfs -R 'cat /keel-disk.txt' {disk} 2>/dev/null",
                   "expect": [r"^Keel disk check: written by the Linux guest"]}]},
             {"bootargs": DISK_CHECKS + " keel.disk=verify",
              "expect": [r"^ok \d+ - linux disk: /mnt/keel-disk.bin kept its data: cksum " + PATTERN_CKSUM,
                         r"reboot: Power down"],
              "host": E2FSCK}]}

# Power cut: Linux writes and fsyncs the file and is killed with the filesystem still mounted. The
# journal needs replaying (e2fsck -fy on a copy, or the next mount does it) and then the fsync'ed
# bytes are there: fsync returned only once the data was on the disk.
DISK_POWER_CUT = {
    "timeout": 120,
    "disk": {"from": "empty", "size": "32M"},
    "reject": DISK_REJECT,
    "runs": [{"bootargs": "console=ttyS0 keel.checks=disk keel.disk=cut", "exit": "killed",
              "kill_after": r"^keel-init: type help for the commands",
              "expect": [r"^ok \d+ - linux disk: wrote 1048576 bytes to /mnt/keel-disk.bin and fsync'ed it",
                         r"^# disk: /mnt stays mounted, for the power cut"],
              "host": [{"cmd": "dumpe2fs -h {disk}", "expect": [r"^Filesystem features: .*needs_recovery"]},
                       {"cmd": "cp {disk} {disk}.replayed && e2fsck -fy {disk}.replayed >/dev/null; "
                               "debugfs -R 'cat /keel-disk.bin' {disk}.replayed 2>/dev/null | cksum; "
                               "e2fsck -fn {disk}.replayed >/dev/null && echo replayed copy clean; rm {disk}.replayed",
                        "expect": [r"^%s$" % PATTERN_CKSUM, r"^replayed copy clean$"]}]},
             {"bootargs": DISK_CHECKS + " keel.disk=verify",
              "expect": [r"^ok \d+ - linux disk: /mnt/keel-disk.bin kept its data: cksum " + PATTERN_CKSUM,
                         r"EXT4-fs \(vda\): recovery complete", r"reboot: Power down"],
              "host": E2FSCK}]}

# A read-only disk: the guest sees it read-only and every write is refused; the image is unchanged.
DISK_READONLY = {
    "timeout": 120,
    "disk": {"from": "rootfs", "readonly": True}, "bootargs": DISK_CHECKS + " keel.disk=readonly",
    "reject": DISK_REJECT,
    "expect": [r"^ok \d+ - linux disk: the kernel sees /dev/vda read-only",
               r"^ok \d+ - linux disk: creating a file is refused \(Read-only file system\)",
               r"reboot: Power down"],
    "host": [{"cmd": "cmp {disk} {rootfs}"}] + E2FSCK}

# Root on the disk, no initramfs: the prompt's disk commands, then a clean power-off.
DISK_ROOT = {
    "timeout": 120, "tap": False,
    "disk": {"from": "rootfs"}, "initrd": False, "bootargs": "console=ttyS0 root=/dev/vda rw rootwait",
    "reject": DISK_REJECT,
    # A command without output may be followed at once by the next (its echo cannot split anything).
    "input": [(r"^keel-init: type help for the commands", "mount\n"),
              (r"^(keel# )?/dev/root on / type ext4 \(rw", "df /\n"),
              (r"^(keel# )*/dev/root +\d+ +\d+ +\d+ +\d+% /$", "echo written on the root disk > /hello.txt\nsync\n"
                                                        "cat /hello.txt\n"),
              (r"^(keel# )*written on the root disk$", "cksum /hello.txt /sbin/init\n"),
              (r"^\d+ \d+ /sbin/init$", "ddtest write /dd.bin 4 256\n"),
              (r"^(keel# )*ddtest: wrote", "ddtest read /dd.bin 4 256\n"),
              (r"^(keel# )*ddtest: read", "rm /dd.bin\nls -l /\n"),
              (r"^ +\d+ sbin/$", "poweroff\n")],
    # No RTC: init starts the clock at the root directory's time (the image's build), not 1970.
    "expect": [r"VFS: Mounted root \(ext4 filesystem\) on device \d+:\d+", r"^keel-init: Linux guest up",
               r"^keel-init: no real-time clock; starting it at 20\d\d-",
               r"^(keel# )?/dev/root on / type ext4 \(rw", r"^(keel# )?/dev/root +\d+ +\d+ +\d+ +\d+% /$",
               r"^(keel# )*written on the root disk$", r"^(keel# )?%s 25 /hello.txt$" % HELLO_CKSUM,
               r"^(keel# )?ddtest: wrote 4194304 bytes in 256 KiB requests: [\d.]+ s, [\d.]+ MB/s$",
               r"^(keel# )?ddtest: read 4194304 bytes in 256 KiB requests: [\d.]+ s, [\d.]+ MB/s$",
               r"^ +25 hello.txt$", r"^(keel# )* +\d+ README$", r"reboot: Power down"],
    "host": E2FSCK + [{"cmd": "debugfs -R 'cat /hello.txt' {disk} 2>/dev/null",
                       "expect": [r"^written on the root disk$"]},
                      {"cmd": "debugfs -R 'ls /' {disk} 2>/dev/null", "expect": [r"hello\.txt"],
                       "reject": [r"dd\.bin"]}]}

# The disk cases are written once; each runs natively (QEMU's virtio-blk, the reference) and under
# Keel, where the image is host disk 0 and the Linux VM gets it whole as its virtio-blk disk (a Linux
# VM takes the case's bootargs and initrd).
NATIVE_LINUX = {"native": "linux", "mem": "128M"}
# The machine with a PLIC, for the native runs of the bare guests that drive one (devices, blk).
PLIC_MACHINE = ["-machine", "virt"]
KEEL_LINUX = {"vms": [{"guest": "linux", "name": "linux", "harts": "0", "mem": "128M", "disks": "0"}]}
KEEL_LINUX_RO = {"vms": [{"guest": "linux", "name": "linux", "harts": "0", "mem": "128M", "disks": "0:0:0:ro"}]}

# The scheduler cases count instructions: QEMU -icount shift=0 makes instret the machine's clock
# (one count per instruction of any hart), deterministic, on a one-hart machine.
ICOUNT = ["-icount", "shift=0,sleep=off"]


def sched_vm(name, role, **keys):
    """A VM of the sched test guest on hart 0 (guests/bare/sched.c: sched=busy|idle|latency)."""
    args = " ".join("%s=%s" % kv for kv in sorted(keys.pop("args", {}).items()))
    return dict({"guest": "sched", "name": name, "harts": "0", "mem": "16M",
                 "bootargs": ("keel sched=%s %s" % (role, args)).strip()}, **keys)

# ---- Network (virtio-net, Keel's switch, the uplink to QEMU's user network) ----
# Static addresses on Keel's own networks (the kernel's ip= autoconfiguration); DHCP on the uplink.
NET_IP = "ip=10.0.3.%d:::255.255.255.0:%s:eth0:off"
NET_UDP_COUNT = 10000
NET_TCP_MIB = 16


def net_vm(name, hart, nics, run, extra=""):
    return {"guest": "linux", "name": name, "harts": str(hart), "mem": "128M", "nics": nics,
            "bootargs": "console=hvc0 %s keel.run=%s keel.poweroff=1%s" % (NET_IP % (hart + 1, name), run, extra)}


def sink_matches_sender(paths, out):
    """The stream's checksum, computed by the receiving guest, is the one the sender computed."""
    sink = re.search(r"^\[beta\] tcpsink: received (\d+) bytes, cksum (\d+)$", out, re.M)
    sent = re.search(r"^\[alpha\] tcpsend: (\d+) bytes sent, the sink got them all: cksum (\d+)", out, re.M)
    return [(bool(sink and sent and sink.groups() == sent.groups()),
             "beta's tcpsink saw alpha's bytes and checksum (%s, %s)" % (sink and sink.groups(), sent and sent.groups()))]


def http_get(port):
    """The machine's side of the hostfwd test: GET / from 127.0.0.1:port (forwarded to the guest)."""
    import urllib.request
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=30) as r:
            return "http GET 127.0.0.1:%d -> %d %s" % (port, r.status, r.read().decode(errors="replace").strip())
    except Exception as e:  # noqa: BLE001 - any failure is the test's answer
        return "http GET 127.0.0.1:%d failed: %s" % (port, e)


# One guest on the uplink: eth0 by DHCP from QEMU's user network; it reaches TCP and UDP echo servers
# the harness runs on this machine's 127.0.0.1 (port1) as 10.0.2.2, then serves HTTP on port 80,
# which QEMU forwards from 127.0.0.1:port0, where the harness fetches it.
NET_UPLINK = {
    "ports": 2, "echo_server": 1, "timeout": 180,
    "nets": ["user,hostfwd=tcp:127.0.0.1:{port0}-:80"],
    "bootargs": "console=ttyS0 ip=dhcp keel.run=ifconfig+tcpecho,client,10.0.2.2,{port1},hello-keel-uplink+"
                "udpecho,client,10.0.2.2,{port1},1000+httpd,80,1 keel.poweroff=1",
    "input": [(r"httpd: listening on TCP port 80", lambda ports: lambda: http_get(ports[0]))],
    "expect": [r"IP-Config: Got DHCP answer from 10\.0\.2\.2, my address is 10\.0\.2\.15",
               r"^eth0: UP\S* inet 10\.0\.2\.15 netmask 255\.255\.255\.0 ether ",
               r"^tcpecho: echoed: hello-keel-uplink$",
               r"^udpecho: 1000 of 1000 datagrams echoed intact",
               r"^host: http GET 127\.0\.0\.1:\d+ -> 200 Hello from the Keel guest",
               r"^httpd: answered GET / HTTP/1\.1", r"^ok 4 - run: httpd 80 1"],
}
def vmid_fences_check(out):
    """The last scheduler report of hart 0: a G-stage fence at least at every switch."""
    reports = re.findall(r"^keel: hart 0 scheduler: (\d+) switches, .*; (\d+) G-stage fences", out, re.M)
    switches, fences = (int(x) for x in reports[-1]) if reports else (0, 0)
    return [(0 < switches <= fences, "hart 0: %d switches, %d G-stage fences (want one at every switch)"
             % (switches, fences))]


def flood_figures(paths, out):
    """The flood case's figures: alpha's stream rate alone and beside the flood, in guest time under
    -icount (instructions, not the host's clock). Beside the flood it must keep at least half its
    alone-rate."""
    rates = [float(r) for r in re.findall(r"^\[alpha\] tcpsend: \d+ bytes sent, the sink got them all: "
                                          r"cksum \d+; [\d.]+ s, ([\d.]+) Mbit/s guest time", out, re.M)]
    if len(rates) == 3:
        print("    net-flood: alpha -> beta alone %.2f Mbit/s, beside gamma's broadcast flood %.2f Mbit/s "
              "(%.2f of alone), guest time under -icount" % (rates[1], rates[2], rates[2] / rates[1]))
    return [(len(rates) == 3, "three stream rates measured (%s)" % rates),
            (len(rates) == 3 and rates[2] >= 0.5 * rates[1],
             "the stream beside the flood keeps at least half its alone-rate (%s)" % rates[1:])]


NET_CASES = [
    # 1. Two VMs on one network: 10,000 UDP datagrams echoed, then a 16 MiB TCP stream whose
    # checksum the receiver computes and the sender checks; then an unchecked stream (make bench's).
    {"name": "net-two-vms", "smp": 2, "timeout": 300, "plans": 2, "after": sink_matches_sender,
     "vms": [net_vm("alpha", 0, "lan", "udpecho,client,10.0.3.2,7,%d+tcpsend,10.0.3.2,5001,%d+"
                    "tcpsend,10.0.3.2,5001,%d,unchecked" % (NET_UDP_COUNT, NET_TCP_MIB, NET_TCP_MIB)),
             net_vm("beta", 1, "lan", "udpecho,server,7,&+tcpsink,5001,1+tcpsink,5001,1,unchecked")],
     "expect": [r"^keel: vm 'alpha': NIC 0 at 0x10001000 irq 1 on network 'lan', MAC 02:4b:",
                r"^\[alpha\] udpecho: %d of %d datagrams echoed intact" % (NET_UDP_COUNT, NET_UDP_COUNT),
                r"^\[alpha\] tcpsend: %d bytes sent, the sink got them all: cksum \d+;" % (NET_TCP_MIB << 20),
                r"^\[beta\] tcpsink: received %d bytes, cksum \d+$" % (NET_TCP_MIB << 20),
                r"^\[alpha\] tcpsend: %d bytes sent, the sink got them all: cksum -;" % (NET_TCP_MIB << 20),
                r"^\[beta\] tcpsink: received %d bytes, cksum -$" % (NET_TCP_MIB << 20),
                r"^keel: vm 'alpha' NIC 0: [1-9]\d+ frames sent, [1-9]\d+ received; dropped from it: 0 runt, "
                r"0 oversize, 0 malformed, 0 bad source",
                r"^keel: no VM left running, powering off"]},
    # 4. Two VMs on different networks, addresses in one subnet: neither reaches the other, and
    # neither NIC receives a single frame (not even the other's ARP broadcasts).
    {"name": "net-isolation", "smp": 2, "timeout": 120, "plans": 2,
     "vms": [net_vm("alpha", 0, "lan", "udpecho,server,7,&+!udpecho,client,10.0.3.2,7,5"),
             net_vm("beta", 1, "other", "udpecho,server,7,&+!udpecho,client,10.0.3.1,7,5")],
     "expect": [r"^\[alpha\] ok 2 - run: udpecho client 10\.0\.3\.2 7 5 \(fails, as it must\)",
                r"^\[beta\] ok 2 - run: udpecho client 10\.0\.3\.1 7 5 \(fails, as it must\)",
                r"^keel: vm 'alpha' NIC 0: [1-9]\d* frames sent, 0 received",
                r"^keel: vm 'beta': NIC 0 at 0x10001000 irq 1 on network 'other'",
                r"^keel: vm 'beta' NIC 0: [1-9]\d* frames sent, 0 received"]},
    # A neighbour floods: alpha streams to beta (a warm-up, then alone, then while gamma broadcasts
    # 1400-byte datagrams flat out, started and stopped by alpha's trigger datagrams). Every stream
    # must arrive whole and the flooded one at no less than half the alone-rate; storm control
    # (a rate per port for broadcasts, a few queue slots) drops most of gamma's flood. Under -icount
    # so the rates are in instructions, not host time.
    {"name": "net-flood", "smp": 3, "mem": "768M", "timeout": 300, "plans": 3,
     "qemu_opts": ["-icount", "shift=0,sleep=off"],
     "after": flood_figures,
     "vms": [net_vm("alpha", 0, "lan", "tcpsend,10.0.3.2,5001,4+tcpsend,10.0.3.2,5001,4+udpflood,10.0.3.3,9,0,64+"
                    "tcpsend,10.0.3.2,5001,4+udpflood,10.0.3.3,9,0,64"),
             net_vm("beta", 1, "lan", "tcpsink,5001,3"),
             net_vm("gamma", 2, "lan", "udpflood,10.0.3.255,10,60,1400,9")],
     "expect": [r"^\[alpha\] ok 4 - run: tcpsend 10\.0\.3\.2 5001 4$",
                r"^\[gamma\] udpflood: [1-9]\d+ datagrams of 1400 bytes sent",
                r"^keel: vm 'gamma' NIC 0: .* [1-9]\d* over the broadcast rate;",
                r"^keel: vm 'beta' NIC 0: .* 0 queue full, 0 no buffer room; 0 protocol errors"]},
    # A guest scribbling its virtio-net rings and registers and flooding frames of every length beside
    # two Linux VMs on the same network, whose UDP echo and checked TCP stream must still complete.
    # First it sends from their MACs and from made-up ones while they talk: none of their unicast
    # may reach it (a spoofed source), every such frame is dropped and counted as spoofed.
    {"name": "net-hostile", "smp": 3, "timeout": 240, "plans": 3, "after": sink_matches_sender,
     "vms": [{"guest": "nethostile", "name": "hostile", "harts": "2", "mem": "16M", "nics": "lan"},
             net_vm("alpha", 0, "lan", "udpecho,client,10.0.3.2,7,1000+tcpsend,10.0.3.2,5001,4"),
             net_vm("beta", 1, "lan", "udpecho,server,7,&+tcpsink,5001,1")],
     "expect": [r"^\[hostile\] ok 2 - nethostile: the MACs of 2 neighbours seen",
                r"^\[hostile\] ok 3 - nethostile: [1-9]\d* frames sent from the neighbours' MACs and [1-9]\d* from "
                r"made-up ones; 0 unicast frames for them reached it",
                r"^\[hostile\] ok 5 - nethostile: after a reset the card sends a good frame",
                r"^\[alpha\] ok 2 - run: tcpsend 10\.0\.3\.2 5001 4$",
                r"^\[alpha\] udpecho: 1000 of 1000 datagrams echoed intact",
                r"^keel: vm 'hostile' NIC 0: \d+ frames sent, \d+ received; dropped from it: [1-9]\d* runt, "
                r"[1-9]\d* oversize, [1-9]\d* malformed, \d+ bad source, [1-9]\d* spoofed source, .*; [1-9]\d* "
                r"protocol errors",
                r"^keel: vm 'alpha' NIC 0: [1-9]\d* frames sent, [1-9]\d* received; .* 0 spoofed source,",
                r"^keel: vm 'beta' NIC 0: [1-9]\d* frames sent, [1-9]\d* received; .* 0 spoofed source,",
                r"^keel: health: \d+ exits handled, 0 of 3 VMs alive"]},
    # 2 and 3. The uplink: DHCP, the machine's loopback reached as 10.0.2.2, hostfwd into the guest.
    dict(NET_UPLINK, name="net-uplink", uplink="lan",
         vms=[{"guest": "linux", "name": "guest", "harts": "0", "mem": "128M", "nics": "lan"}],
         expect=NET_UPLINK["expect"] + [r"^keel: uplink: virtio-net at 0x[0-9a-f]+ irq \d+, MAC 52:54:00:12:34:56",
                                        r"^keel: uplink on network 'lan'",
                                        r"^keel: vm 'guest' NIC 0: [1-9]\d+ frames sent, [1-9]\d+ received"]),
    # The same through the machine's card on QEMU 7.2's default legacy transport (10-byte header).
    dict(NET_UPLINK, name="net-uplink-legacy", uplink="lan", qemu_opts=["-global", "virtio-mmio.force-legacy=true"],
         vms=[{"guest": "linux", "name": "guest", "harts": "0", "mem": "128M", "nics": "lan"}],
         expect=NET_UPLINK["expect"] + [r"^keel: uplink: virtio-net at 0x[0-9a-f]+ irq \d+, MAC 52:54:00:12:34:56, "
                                        r"queues 256/256, legacy transport"]),
    # 5. The same guest natively on QEMU's own virtio-net: the differential reference.
    dict(NET_UPLINK, name="net-uplink-native", native="linux", mem="128M"),
]

# ---- A distribution kernel: Debian trixie's own linux-image-6.12.*-riscv64 (scripts/distro-kernel.sh) ----
# Its virtio_mmio, virtio_blk, virtio_net and ext4 are modules: the initramfs's /init (guests/distro/init)
# loads them, reads a known file back from the ext4 disk, gets eth0 by DHCP from QEMU's user network,
# has a line echoed by the harness's echo server on this machine (10.0.2.2:port1), and powers off.
DISTRO_VERSION = r"6\.12\.\d+\+deb13-riscv64"
DISTRO = {
    "ports": 2, "echo_server": 1, "timeout": 240, "tap": False, "disk": {"from": "distro"},
    "nets": ["user"], "bootargs": "console=ttyS0 distro.port={port1}",
    "expect": [r"^\[ *[\d.]+\] Linux version %s \(debian-kernel@lists\.debian\.org\) .* #1 SMP Debian 6\.12\."
               % DISTRO_VERSION,
               r"^distro: uname %s$" % DISTRO_VERSION,
               r"^distro: modules crc16 crc32c_generic ext4 failover jbd2 mbcache net_failover virtio_blk virtio_mmio "
               r"virtio_net $",
               r"^distro: disk ok \(written by scripts/distro-kernel\.sh for Debian's kernel\)$",
               r"^distro: eth0 10\.0\.2\.15/24$",
               r"^distro: net ok \(10\.0\.2\.2:\d+ echoed: hello from Debian's %s\)$" % DISTRO_VERSION,
               r"^distro: done$", r"reboot: Power down"],
    "reject": [r"^distro: .*FAIL", r"Kernel panic", r"Oops"],
}
DISTRO_CASES = [
    dict(DISTRO, name="distro-kernel", uplink="lan",
         vms=[{"guest": "distro", "name": "distro", "harts": "0", "mem": "256M", "disks": "0", "nics": "lan"}],
         expect=DISTRO["expect"] + [r"SBI implementation ID=0x4b45454c Version=0x1",
                                    r"^keel: vm 'distro': disk 0 at 0x[0-9a-f]+ irq \d+: host disk 0",
                                    r"^keel: vm 'distro' disk 0: [1-9]\d* requests answered \(0 with an error status\), "
                                    r"0 protocol errors",
                                    r"^keel: vm 'distro' NIC 0: [1-9]\d* frames sent, [1-9]\d* received; .* 0 protocol errors",
                                    r"^keel: vm 'distro' stopped: guest wrote power-off",
                                    r"^keel: no VM left running, powering off"]),
    # The same kernel, initramfs and disk natively on QEMU's own virtio devices: the reference.
    dict(DISTRO, name="distro-kernel-native", native="distro", mem="256M"),
]

CASES = [
    {"name": "hello", "vms": [{"guest": "hello", "harts": "0", "mem": "16M"}], "expect": KEEL_BOOT},

    # The SBI surface, under Keel and on OpenSBI.
    {"name": "sbi", "vms": [{"guest": "sbi", "harts": "0"}],
     "expect": KEEL_BOOT + [r"^dbcn: write over two pages ok$", r"vm 'vm0' stopped: guest shut down"]},
    {"name": "sbi-native", "native": "sbi", "smp": 1},

    # Traps and timers: both timer paths and both stage-2 modes.
    {"name": "traps-sstc", "vms": [{"guest": "traps", "harts": "0", "timer": "sstc"}],
     "expect": KEEL_BOOT + [r"timer sstc", r"# timer path: sstc",
                            r"keel: vm 'vm0' vcpu 0: access to 0x2800000 \(no RAM or device\) at pc 0x\w+: access fault injected"]},
    # Sv48x4 needs a hart that has it: the platform's, with Sv48 added where it lacks it (QEMU 10's
    # rva23s64 has Sv39x4 only, and Keel refuses the VM there: "field keel,stage2: not a mode this hart has").
    {"name": "traps-sbi-timer-sv48", "qemu_cpu": "{platform.cpu}{platform.sv48}",
     "vms": [{"guest": "traps", "harts": "0", "timer": "sbi", "stage2": "sv48x4"}],
     "expect": KEEL_BOOT + [r"timer sbi", r"stage-2 Sv48x4", r"# timer path: sbi-timer"]},
    {"name": "traps-native", "native": "traps", "smp": 1},
    # With keel,wfi-exits (hstatus.VTW) a guest's WFI and WRS.NTO trap to Keel and come back.
    {"name": "traps-wfi-exits", "vms": [{"guest": "traps", "harts": "0", "wfi-exits": 1}],
     "expect": KEEL_BOOT + [r"timer sstc", r"virtual-inst=[1-9]"]},

    # Two vCPUs on two harts: HSM, IPIs, remote fences.
    # Each vCPU alone on its hart: its WFIs wait in the guest (no virtual-instruction exit), the
    # IPIs that end them reach Keel as host interrupts; with keel,wfi-exits they trap again.
    {"name": "smp", "vms": [{"guest": "smp", "harts": "0-1"}],
     "expect": KEEL_BOOT + [r"vm 'vm0': 2 vCPU\(s\) on harts 0 1",
                            r"vm 'vm0' vcpu 1 exits \d+: .* virtual-inst=0 .*{platform.ipi_wake}"]},
    {"name": "smp-wfi-exits", "vms": [{"guest": "smp", "harts": "0-1", "wfi-exits": 1}],
     "expect": KEEL_BOOT + [r"vm 'vm0' vcpu 1 exits \d+: .* virtual-inst=[1-9]"]},
    {"name": "smp-sbi-timer", "vms": [{"guest": "smp", "harts": "0-1", "timer": "sbi"}],
     "expect": KEEL_BOOT + [r"timer sbi"]},
    {"name": "smp-native", "native": "smp", "smp": 2},
    # The same two vCPUs sharing one hart (the scheduler switches them), and four on two harts.
    {"name": "smp-shared-hart", "vms": [{"guest": "smp", "harts": "0", "vcpus": "2", "slice": "1000"}],
     "expect": KEEL_BOOT + [r"vm 'vm0': 2 vCPU\(s\) on harts 0 0 \(slice 1000 us, weight 1\)",
                            # on a shared hart a WFI traps: the scheduler runs the other vCPU
                            r"vm 'vm0' vcpu 1 exits \d+: .* virtual-inst=[1-9]"]},
    {"name": "smp-shared-sbi-timer", "vms": [{"guest": "smp", "harts": "0", "vcpus": "2", "timer": "sbi"}],
     "expect": KEEL_BOOT + [r"timer sbi", r"on harts 0 0 "]},
    # Between harts that are both shared: the SMP guest's vCPUs on harts 0 and 1, each hart also
    # running a vCPU of the SBI test guest.
    {"name": "smp-across-shared-harts", "plans": 2,
     "vms": [{"guest": "smp", "name": "smp", "harts": "0-1", "mem": "16M"},
             {"guest": "sbi", "name": "sbi", "harts": "0-1", "mem": "16M"}],
     "expect": [r"^keel: vm 'smp': 2 vCPU\(s\) on harts 0 1", r"^keel: vm 'sbi': 2 vCPU\(s\) on harts 0 1",
                r"^\[smp\] 1\.\.29$", r"^\[sbi\] 1\.\.60$", r"^keel: no VM left running, powering off"]},

    # Devices: interrupt-driven UART both ways (input typed by the harness), PLIC semantics
    # (the RTC passed through as a second source), every MMIO width, refused accesses, and
    # power-off through the sifive,test device.
    # keel,read-exits: every device read traps, so the width checks go through Keel's decoder; the
    # shared-hart run below reads the enable words from their read-only shadow page.
    {"name": "devices", "stdin": "keel-rx-test\n", "stdin_after": r"^uart: type a line$",
     "vms": [{"guest": "devices", "harts": "0", "devices": "0x101000:4K:11", "read-exits": 1,
              "bootargs": "keel read-exits=1"}],
     "expect": [r"^uart: interrupt-driven transmit ok$", r"passthrough@101000|stage-2 Sv39x4 \(0 x 1G, 32 x 2M, 1 x 4K\)",
                r"^keel: vm 'vm0' stopped: guest wrote power-off to its syscon \(1 access faults injected\)$",
                r"keel: vm 'vm0' vcpu 0: access to 0x10008000 \(no RAM or device\)"]},
    # The same beside another VM on its hart: UART and PLIC interrupts wake the vCPU through the scheduler.
    {"name": "devices-shared-hart", "stdin": "keel-rx-test\n", "stdin_after": r"^\[dev\] uart: type a line$",
     "plans": 2,
     "vms": [{"guest": "devices", "name": "dev", "harts": "0", "mem": "16M", "devices": "0x101000:4K:11"},
             {"guest": "sbi", "name": "other", "harts": "0", "mem": "16M"}],
     "expect": [r"^\[dev\] uart: interrupt-driven transmit ok$",
                r"^keel: vm 'dev' stopped: guest wrote power-off to its syscon \(1 access faults injected\)$",
                r"^keel: vm 'other' stopped: guest shut down"]},
    # The guest drives a PLIC (under Keel a vPLIC on any host): natively it runs on the PLIC machine.
    {"name": "devices-native", "native": "devices", "smp": 1, "stdin": "keel-rx-test\n", "qemu_opts": PLIC_MACHINE,
     "stdin_after": r"^uart: type a line$",
     "expect": [r"^uart: interrupt-driven transmit ok$"]},

    # A VS-stage PTE in a device window: the walk's implicit read is an access fault, not a device access.
    {"name": "ptwalk-device", "vms": [{"guest": "ptwalk", "harts": "0", "mem": "16M"}],
     "expect": [r"^keel: vm 'vm0' stopped: guest shut down"]},

    # Two VMs on one hart with no VMID bits (capped): both have VMID 0, each switch to one fences the
    # G-stage, and each sees only its own RAM (QEMU 7.2 flushes its TLB at every V switch anyway).
    {"name": "vmid-shared", "chosen": ["keel,vmid-bits = <0>;"], "plans": 2,
     "vms": [{"guest": "vmidiso", "name": "a", "harts": "0", "mem": "16M", "slice": "1000", "bootargs": "keel mark=1"},
             {"guest": "vmidiso", "name": "b", "harts": "0", "mem": "16M", "slice": "1000", "bootargs": "keel mark=2"}],
     "expect": [r"^keel: VMID bits capped at 0", r"^keel: vm 'a': .*, VMID 0, ", r"^keel: vm 'b': .*, VMID 0, ",
                r"^keel: vm 'b': VMID 0 is shared with another VM",
                r"^keel: no VM left running, powering off"],
     "after": lambda paths, out: vmid_fences_check(out)},

    # Restarting a VM by SRST reboot, then by the syscon reset value: it boots again each time.
    {"name": "reboot", "vms": [{"guest": "reboot", "harts": "0"}], "plans": 3,
     "expect": [r"keel: vm 'vm0' rebooting \(boot 2\)", r"keel: vm 'vm0' rebooting \(boot 3\)"]},

    # A reset with a passed-through interrupt claimed, then forwarded and pending: it arrives after each.
    {"name": "passthrough-reset", "plans": 3,
     "vms": [{"guest": "passreset", "harts": "0", "mem": "16M", "devices": "0x101000:4K:11"}],
     "expect": [r"keel: vm 'vm0' rebooting \(boot 3\)", r"^keel: vm 'vm0' stopped: guest shut down"]},

    # Two vCPUs resetting the VM at the same instant (SRST or syscon), a reset racing HSM starts, and
    # a shutdown racing a reboot: each reset is one operation, the VM comes back every time.
    {"name": "reset-race", "smp": 3, "plans": 24,
     "vms": [{"guest": "resetrace", "harts": "0-2", "mem": "16M"}],
     "expect": [r"keel: vm 'vm0' rebooting \(boot 24\)", r"^keel: vm 'vm0' stopped: guest shut down"],
     "reject": [r"not ok"]},
    # Placement: two one-vCPU VMs that may both run on harts 0 and 1 get one hart each.
    {"name": "placement-balanced", "plans": 2,
     "vms": [{"guest": "sbi", "name": "a", "harts": "0-1", "vcpus": "1", "mem": "16M"},
             {"guest": "sbi", "name": "b", "harts": "0-1", "vcpus": "1", "mem": "16M"}],
     "expect": [r"^keel: vm 'a': 1 vCPU\(s\) on harts 0 ", r"^keel: vm 'b': 1 vCPU\(s\) on harts 1 ",
                r"^\[a\] 1\.\.60$", r"^\[b\] 1\.\.60$"]},
    # The same three vCPUs sharing one hart: resets and starts race through the scheduler.
    {"name": "reset-race-shared", "smp": 1, "plans": 24, "timeout": 120,
     "vms": [{"guest": "resetrace", "harts": "0", "vcpus": "3", "slice": "1000", "mem": "16M"}],
     "expect": [r"keel: vm 'vm0' rebooting \(boot 24\)", r"^keel: vm 'vm0' stopped: guest shut down"],
     "reject": [r"not ok"]},

    # A guest that wrecks itself is stopped with a report; the VM beside it is unaffected (also when
    # both share one hart).
    {"name": "crash-contained", "vms": [{"guest": "crash", "name": "crash", "harts": "0", "mem": "16M"},
                                        {"guest": "sbi", "name": "good", "harts": "1", "mem": "16M"}],
     "plans": 1,
     "expect": [r"^keel: vm 'crash' stopped: vcpu 0: unhandled trap cause 20 tval 0x2800000", r"^\[good\] ok 1 - base",
                r"^keel: vm 'good' stopped: guest shut down", r"no VM left running"]},
    {"name": "crash-contained-shared", "vms": [{"guest": "crash", "name": "crash", "harts": "0", "mem": "16M"},
                                               {"guest": "sbi", "name": "good", "harts": "0", "mem": "16M"}],
     "plans": 1,
     "expect": [r"^keel: vm 'crash' stopped: vcpu 0: unhandled trap cause 20 tval 0x2800000", r"^\[good\] ok 1 - base",
                r"^keel: vm 'good' stopped: guest shut down", r"no VM left running"]},

    # Bad configuration: a clear error naming the VM and the field; the good VMs still start. A pinned
    # VM's hart is its own: a later VM wanting it is refused, and so is a pinned VM on a used hart.
    {"name": "config-errors",
     "vms": [{"guest": "hello", "name": "nohart", "harts": "7", "mem": "16M"},
             {"guest": "hello", "name": "dup", "harts": "0", "mem": "16M", "pinned": True},
             {"guest": "hello", "name": "good", "harts": "0", "mem": "16M"},
             {"guest": "hello", "name": "sharer", "harts": "1", "mem": "16M"},
             {"guest": "hello", "name": "loner", "harts": "1", "mem": "16M", "pinned": True},
             {"guest": "hello", "name": "toomany", "harts": "1", "vcpus": "9", "mem": "16M"},
             {"guest": "hello", "name": "badslice", "harts": "1", "slice": "5", "mem": "16M"},
             {"image": "/nonexistent/kernel.bin", "name": "nokernel", "harts": "1", "mem": "16M"},
             {"guest": "hello", "name": "huge", "harts": "1", "mem": "4096M"},
             {"guest": "hello", "name": "badtimer", "harts": "1", "mem": "16M", "timer": "fast"},
             {"guest": "hello", "name": "onplic", "harts": "1", "mem": "16M", "ram_base": "0xc000000"}],
     "plans": 2,
     "expect": [r"^keel: vm 'nohart' not started: field keel,harts: hart 7 does not exist",
                r"^keel: vm 'good' not started: field keel,harts: hart 0 is pinned to vm 'dup'",
                r"^keel: vm 'loner' not started: field keel,pinned: hart 1 is already used by vm 'sharer'",
                r"^keel: vm 'toomany' not started: field keel,vcpus: ",
                r"^keel: vm 'badslice' not started: field keel,slice-us: ",
                r"^keel: vm 'dup': 1 vCPU\(s\) on harts 0 \(pinned\)",
                r"^keel: vm 'nokernel' not started: field keel,kernel: missing",
                r"^keel: vm 'huge' not started: field keel,memory: ",
                r"^keel: vm 'badtimer' not started: field keel,timer: must be \"sstc\" or \"sbi\"",
                r"^keel: vm 'onplic' not started: field keel,memory: overlaps the plic at 0xc000000",
                r"^keel: vm 'dup': 1 vCPU\(s\) on harts 0"]},

    # A hart without the H extension: Keel says so clearly and powers off.
    {"name": "no-h-extension", "vms": [{"guest": "hello", "harts": "0"}], "tap": False, "fatal_ok": True,
     "qemu_cpu": "{platform.cpu},h=false",
     "expect": [r"keel: FATAL: this hart has no H extension"]},

    # Linux: the in-guest checks with the SBI console and the Sstc timer, then with the emulated
    # UART as console and the SBI-timer path; the same kernel and init on OpenSBI as reference.
    {"name": "linux-hvc0-sstc", "timeout": 120, "stdin": "hello-keel\n", "stdin_after": r"^keel-init: type a line",
     "vms": [{"guest": "linux", "name": "linux", "harts": "0", "mem": "128M", "timer": "sstc",
              "bootargs": "earlycon=sbi console=hvc0 keel.sstc=1 " + LINUX_CHECKS}],
     "expect": LINUX_BOOT + [r"printk: (legacy )?console \[hvc0\] enabled",
                             r"riscv-timer: Timer interrupt in S-mode is available via sstc extension",
                             r"vcpu 0 exits \d+: .* timer-irq=0 "]},
    {"name": "linux-ttyS0-sbi-timer", "timeout": 120, "stdin": "hello-keel\n",
     "stdin_after": r"^keel-init: type a line",
     "vms": [{"guest": "linux", "name": "linux", "harts": "0", "mem": "128M", "timer": "sbi",
              "bootargs": "console=ttyS0 keel.sstc=0 " + LINUX_CHECKS}],
     "expect": LINUX_BOOT + [r"10000000.serial: ttyS0 at MMIO 0x10000000 .* is a 16550A",
                             r"printk: (legacy )?console \[ttyS0\] enabled"]},
    # The virtio console (hvc1: the SBI console has hvc0) as the console, the early log on
    # earlycon=sbi (Linux 6.1 loses what it replays to hvc1), the console input check reading
    # through it. The same natively on QEMU's virtconsole. The kernel's last line, "reboot: Power
    # down", is lost on hvc1 (the device is shut down first), natively too.
    {"name": "linux-virtio-console", "timeout": 120, "stdin": "hello-keel\n", "stdin_after": r"^keel-init: type a line",
     "vms": [{"guest": "linux", "name": "linux", "harts": "0", "mem": "128M", "console": "virtio",
              "bootargs": "earlycon=sbi console=hvc1 keel.sstc=1 " + LINUX_CHECKS}],
     "expect": [p for p in LINUX_BOOT if "Power down" not in p] + [
         r"^keel: vm 'linux': virtio console at 0x10003000 irq 3 takes the console input",
         r"^\[    0\.000000\] Linux version {platform.linux}\b", r"printk: (legacy )?console \[hvc1\] enabled",
         r"printk: (legacy )?bootconsole \[sbi0\] disabled\n(.*\n)*keel-init: Linux guest up",
         r"^ok \d+ - linux: console input read back \"hello-keel\"",
         r"^keel: vm 'linux' virtio console: [1-9]\d* bytes out, 11 in; 0 bad buffers, 0 input bytes dropped, "
         r"0 protocol errors"],
     "reject": [r"printk: (legacy )?console \[(ttyS0|hvc0)\] enabled"]},
    {"name": "linux-virtio-console-native", "native": "linux", "mem": "128M", "timeout": 120, "console": "virtio",
     "stdin": "hello-keel\n", "stdin_after": r"^keel-init: type a line",
     "bootargs": "earlycon=sbi console=hvc1 keel.sstc=1 keel.isa_h=1 keel.sbi=opensbi " + LINUX_CHECKS,
     "expect": [r"SBI specification v{platform.sbi_spec} detected", r"^\[    0\.000000\] Linux version {platform.linux}\b",
                r"printk: (legacy )?console \[hvc1\] enabled", r"^ok \d+ - linux: console input read back \"hello-keel\"",
                r"^keel-init: Linux guest up"]},
    {"name": "linux-native", "native": "linux", "mem": "128M", "timeout": 120, "stdin": "hello-keel\n",
     "stdin_after": r"^keel-init: type a line",
     "bootargs": "console=ttyS0 keel.sstc=1 keel.isa_h=1 keel.sbi=opensbi " + LINUX_CHECKS,
     # Natively Linux drives the machine's own controller: {platform.linux_irqchip}.
     "expect": [r"SBI specification v{platform.sbi_spec} detected", r"^keel-init: Linux guest up", r"reboot: Power down",
                r"{platform.linux_irqchip}"]},

    # configs/two-vms-disks.dts: two Linux VMs, each writing to its own slice of one image.
    {"name": "two-vms-disks", "config": "configs/two-vms-disks.dts", "timeout": 120, "tap": False,
     "disks": [{"size": 64 << 20}], "after": slices_check,
     "input": [(r"^\[alpha\] keel-init: type help for the commands", ""),
               (r"^\[beta\] keel-init: type help for the commands", "ddtest write /dev/vda 4\n"),
               (r"^\[alpha\] (keel# )?ddtest: wrote 4194304 bytes", "poweroff\n"),
               (r"^keel: vm 'alpha' stopped", "ddtest write /dev/vda 4\n"),
               (r"^\[beta\] (keel# )?ddtest: wrote 4194304 bytes", "poweroff\n")],
     "expect": [r"^keel: vm 'alpha': disk 0 at 0x10008000 irq 8: host disk 0 sectors 0-65535",
                r"^keel: vm 'beta': disk 0 at 0x10008000 irq 8: host disk 0 sectors 65536-131071",
                r"^keel: vm 'beta' stopped: guest shut down", r"^keel: no VM left running, powering off"]},

    # `make run`'s default VM (configs/linux.dts) driven unattended: the prompt's built-ins, typed
    # into Keel's virtio console (the kernel's "reboot: Power down" is lost on it, see above).
    {"name": "linux-prompt", "config": "configs/linux.dts", "timeout": 120, "tap": False,
     # One command at a time, each once the previous one's output is there (typed-ahead input
     # would be echoed into the middle of a command's output).
     "input": [(r"^keel-init: type help for the commands", "help\n"),
               (r"^  reboot +restart this VM", "echo keel says hi\n"),
               (r"^(keel# )?keel says hi$", "uname -a\n"),
               (r"riscv64$", "uptime\n"),
               (r"MiB free of", "ls /\n"),
               (r"^sys/$", "cat /proc/cmdline\n"),
               (r"^(keel# )?earlycon=sbi console=hvc1$", "dmesg\n"),
               (r"^<\d>\[", "nosuch\n"),
               (r"unknown command", "poweroff\n")],
     # Typed input is echoed as it arrives, so a command's output may follow a "keel# " prompt.
     "expect": [r"^(keel# )?  help +list the commands", r"^  poweroff +stop this VM", r"^(keel# )?keel says hi$",
                r"^(keel# )?Linux \(none\) {platform.linux}\.\d+ .* riscv64$", r"^(keel# )?up \d+ s, \d+ process\(es\)",
                r"^(keel# )?dev/\ninit\nmnt/\nproc/\nroot/\nsys/", r"^(keel# )?earlycon=sbi console=hvc1$",
                r"Kernel command line: earlycon=sbi console=hvc1", r"printk: (legacy )?console \[hvc1\] enabled", r"^(keel# )?nosuch: unknown command \(try help\)$",
                r"^keel: vm 'linux' virtio console: [1-9]\d* bytes out, [1-9]\d* in; 0 bad buffers",
                r"^keel: vm 'linux' stopped: guest shut down", r"^keel: no VM left running, powering off"]},

    # Disks, natively on QEMU's own virtio-blk for now: the reference for Keel's.
    dict(DISK_WRITE_VERIFY, name="linux-disk-native", **NATIVE_LINUX),
    dict(DISK_POWER_CUT, name="linux-disk-power-cut-native", **NATIVE_LINUX),
    dict(DISK_READONLY, name="linux-disk-readonly-native", **NATIVE_LINUX),
    dict(DISK_ROOT, name="linux-rootdisk-native", **NATIVE_LINUX),
    dict(DISK_WRITE_VERIFY, name="linux-disk", **KEEL_LINUX),
    dict(DISK_POWER_CUT, name="linux-disk-power-cut", **KEEL_LINUX),
    dict(DISK_READONLY, name="linux-disk-readonly", **KEEL_LINUX_RO),
    dict(DISK_ROOT, name="linux-rootdisk", **KEEL_LINUX),

    # Any S-mode image boots unchanged: Debian's U-Boot for QEMU (ns16550 console, syscon power-off).
    # (U-Boot drains the keys typed while it stops autoboot, so each line waits for a prompt.)
    {"name": "uboot", "tap": False, "timeout": 120,
     "input": [(r"Hit any key to stop autoboot", "\n"), (r"^=> $", "version\n"), (r"^GNU ld", "poweroff\n")],
     "vms": [{"image": "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin", "harts": "0", "mem": "128M"}],
     "expect": [r"^U-Boot 2023\.01", r"^In: +serial@10000000", r"^=> version\nU-Boot 2023\.01",
                r"^keel: vm 'vm0' stopped: guest wrote power-off to its syscon"]},

    # SMP Linux: 4 vCPUs on 4 harts, every CPU online, wake-ups across CPUs (IPIs), CPU 1 taken
    # offline and back online through sysfs (SBI HSM stop/start).
    {"name": "linux-smp4", "smp": 4, "timeout": 240, "stdin": "hello-keel\n", "stdin_after": r"^keel-init: type a line",
     "vms": [{"guest": "linux", "name": "linux", "harts": "0-3", "mem": "256M",
              # hvc0 console: ttyS0 is then opened by the checks themselves, pinned to CPU 0.
              "bootargs": "earlycon=sbi console=hvc0 keel.sstc=1 " + LINUX_CHECKS.replace("keel.mem=128 keel.cpus=1",
                                                                            "keel.mem=256 keel.cpus=4")}],
     "expect": LINUX_BOOT + [r"smp: Brought up 1 node, 4 CPUs", r"CPU1: off", r"vcpu 3 exits \d+"]},

    # The same 4-vCPU Linux on 2 harts: the scheduler shares them (the 1 s sleep, IPIs, hotplug).
    {"name": "linux-smp4-2harts", "smp": 2, "timeout": 240, "stdin": "hello-keel\n",
     "stdin_after": r"^keel-init: type a line",
     "vms": [{"guest": "linux", "name": "linux", "harts": "0-1", "vcpus": "4", "mem": "256M",
              "bootargs": "earlycon=sbi console=hvc0 keel.sstc=1 " + LINUX_CHECKS.replace("keel.mem=128 keel.cpus=1",
                                                                            "keel.mem=256 keel.cpus=4")}],
     "expect": LINUX_BOOT + [r"on harts 0 1 0 1 \(slice 4000 us", r"smp: Brought up 1 node, 4 CPUs", r"CPU1: off",
                             r"vcpu 3 exits \d+"]},

    # configs/three-vms.dts: three VMs on two harts (Linux with weight 2 across both, the SMP test
    # guest's two vCPUs on hart 0, the SBI test guest on hart 1), every one passing its checks.
    {"name": "three-vms-two-harts", "config": "configs/three-vms.dts", "smp": 2, "timeout": 120, "plans": 2,
     "expect": [r"^\[sbi-tests\] 1\.\.60$", r"^\[smp-tests\] 1\.\.29$", r"^\[linux\] .*reboot: Power down",
                r"^keel: vm 'linux' stopped: guest shut down", r"^keel: vm 'smp-tests' stopped: guest shut down",
                r"^keel: vm 'sbi-tests' stopped: guest shut down", r"^keel: no VM left running, powering off"]},

    # Two CPU-bound VMs on one hart share it evenly over 100 slices of 1 ms (50 each); with weights 3 and 1
    # over 100 slices the shares are 75% and 25%.
    {"name": "sched-fair", "smp": 1, "qemu_opts": ICOUNT, "plans": 2,
     "vms": [sched_vm("a", "busy", slice="1000", args={"share": 50, "tol": 5, "window": 100}),
             sched_vm("b", "busy", slice="1000", args={"share": 50, "tol": 5, "window": 100})],
     "expect": [r"^\[a\] ok 1 - sched: busy VM got", r"^\[b\] ok 1 - sched: busy VM got"]},
    {"name": "sched-weights", "smp": 1, "qemu_opts": ICOUNT, "plans": 2,
     "vms": [sched_vm("heavy", "busy", slice="1000", weight="3", args={"share": 75, "tol": 5, "window": 100}),
             sched_vm("light", "busy", slice="1000", weight="1", args={"share": 25, "tol": 5, "window": 100})],
     "expect": [r"weight 3\)", r"^\[heavy\] ok 1 - sched: busy VM got", r"^\[light\] ok 1 - sched: busy VM got"]},
    # A VM idling in WFI (its timer every 5 ms) beside a busy one costs the busy one at most 2%.
    {"name": "sched-idle-beside-busy", "smp": 1, "qemu_opts": ICOUNT, "plans": 2,
     "vms": [sched_vm("busy", "busy", args={"share": 100, "tol": 2, "window": 60}),
             sched_vm("idle", "idle", args={"period": 5, "run": 150})],
     "expect": [r"^\[busy\] ok 1 - sched: busy VM got", r"^\[idle\] ok 1 - sched: idle VM woke"]},
    # Nothing of one guest is visible to another on the same hart: a poisoner fills every CSR and FP
    # register it can; the VM sharing its hart finds none of it, and keeps its own values across switches.
    {"name": "leak-shared-hart", "plans": 1,
     "vms": [{"guest": "leak", "name": "poisoner", "harts": "0", "mem": "16M", "slice": "1000",
              "bootargs": "keel leak=poison"},
             {"guest": "leak", "name": "probe", "harts": "0", "mem": "16M", "slice": "1000",
              "bootargs": "keel leak=probe"}],
     "expect": [r"^\[poisoner\] # poison: CSRs and FP registers poisoned", r"^\[probe\] ok 1 - leak: \d+ CSRs read",
                r"^keel: vm 'poisoner' stopped: guest shut down", r"^keel: vm 'probe' stopped: guest shut down"]},
    # A VM rebooted with its vector registers dirty finds a fresh vector unit on its next boot and
    # leaves nothing of them to the VM beside it (which has never used V). V on either platform.
    {"name": "leak-reset-shared-hart", "plans": 2, "qemu_cpu": "{platform.cpu},v=true",
     "vms": [{"guest": "leak", "name": "poisoner", "harts": "0", "mem": "16M", "slice": "1000",
              "bootargs": "keel leak=poison-reboot"},
             {"guest": "leak", "name": "probe", "harts": "0", "mem": "16M", "slice": "1000",
              "bootargs": "keel leak=probe-fresh wait=300"}],
     "expect": [r"^\[poisoner\] # poison-reboot: vector registers poisoned, rebooting",
                r"^\[poisoner\] # poison-reboot: boot 2, stopping", r"^\[poisoner\] ok 2 - leak: vector registers are fresh",
                r"^\[probe\] ok 3 - leak: vector registers are fresh",
                r"^keel: vm 'probe' stopped: guest shut down"]},
    # A vCPU sleeping beside a busy VM wakes for its timer within one slice (4 ms), on both timer paths.
] + [
    {"name": "sched-latency-%s" % timer, "smp": 1, "qemu_opts": ICOUNT, "plans": 2,
     "vms": [sched_vm("busy", "busy", args={"share": 100, "tol": 5, "window": 60, "tail": 250}),
             sched_vm("sleeper", "latency", timer=timer, args={"trials": 40, "max": 4000})],
     "expect": [r"^\[sleeper\] ok \d+ - sched: worst timer wake-up latency", r"^\[busy\] ok 1 - sched: busy VM"]}
    for timer in ("sstc", "sbi")
] + [
    # Each device's worst notify (guests/bare/flood.c) beside the latency VM on one hart: whatever a
    # guest posts, one exit does a bounded amount of work (a budget per turn, the rest on its next
    # turns), and the flooder's own work still gets done, in its own time. The neighbour's bound is
    # a quarter slice (1 ms), tighter than the slice the README promises, so a budget grown too big shows.
    dict({"name": "budget-%s" % dev, "smp": 1, "qemu_opts": ICOUNT, "plans": 2, "timeout": 300,
     "vms": [dict({"guest": "flood", "name": "flood", "harts": "0", "mem": "16M",
                   "bootargs": "keel flood=%s run=250" % dev}, **extra),
             sched_vm("sleeper", "latency", args={"trials": 40, "max": 1000})],
     "expect": [r"^\[sleeper\] ok \d+ - sched: worst timer wake-up latency", r"^\[flood\] ok \d+ - flood: %s" % dev,
                r"^keel: vm 'flood' stopped: guest shut down"] + expect}, **case)
    for dev, extra, expect, case in (
        ("console", {"console": "virtio"}, [], {}),
        ("net", {"nics": "lan"}, [r"^keel: vm 'flood' NIC 0: .* [1-9]\d* over the broadcast rate;"], {}),
        ("blk", {"disks": "0:0:2048"}, [], {"disks": [BLK_IMAGE]}))
] + [

    # Two SMP Linux VMs side by side, each running its checks; console input typed to the first,
    # then switched to the second with Ctrl-\.
    {"name": "two-linux-vms", "smp": 4, "timeout": 300, "plans": 2,
     "input": [(r"^\[alpha\] keel-init: type a line", "hello-alpha\n"),
               (r"^\[beta\] keel-init: type a line", "\x1chello-beta\n")],
     "vms": [{"guest": "linux", "name": "alpha", "harts": "0-1", "mem": "128M",
              "bootargs": "earlycon=sbi console=hvc0 keel.sstc=1 keel.checks=1 keel.poweroff=1 keel.mem=128 "
                          "keel.cpus=2 keel.input=hello-alpha"},
             {"guest": "linux", "name": "beta", "harts": "2-3", "mem": "128M", "timer": "sbi",
              "bootargs": "console=ttyS0 keel.sstc=0 keel.checks=1 keel.poweroff=1 keel.mem=128 keel.cpus=2 "
                          "keel.input=hello-beta"}],
     "expect": [r"^\[alpha\] keel-init: Linux guest up", r"^\[beta\] keel-init: Linux guest up",
                r"^\[alpha\] ok \d+ - linux: console input read back \"hello-alpha\"",
                r"keel: console input goes to vm 'beta'",
                r"^\[beta\] ok \d+ - linux: console input read back \"hello-beta\"",
                r"^keel: vm 'alpha' stopped: guest shut down", r"^keel: vm 'beta' stopped: guest shut down",
                r"^keel: no VM left running, powering off"]},

    # Consolidated: the same two SMP Linux VMs both on harts 0 and 1 (four vCPUs, two harts), each
    # passing its checks (the 1 s sleep included) while the other runs on the same harts.
    {"name": "two-linux-vms-shared", "smp": 2, "timeout": 300, "plans": 2,
     "input": [(r"^\[alpha\] keel-init: type a line", "hello-alpha\n"),
               (r"^\[beta\] keel-init: type a line", "\x1chello-beta\n")],
     "vms": [{"guest": "linux", "name": "alpha", "harts": "0-1", "mem": "128M",
              "bootargs": "earlycon=sbi console=hvc0 keel.sstc=1 keel.checks=1 keel.poweroff=1 keel.mem=128 "
                          "keel.cpus=2 keel.input=hello-alpha"},
             {"guest": "linux", "name": "beta", "harts": "0-1", "mem": "128M", "timer": "sbi",
              "bootargs": "console=ttyS0 keel.sstc=0 keel.checks=1 keel.poweroff=1 keel.mem=128 keel.cpus=2 "
                          "keel.input=hello-beta"}],
     "expect": [r"^\[alpha\] ok \d+ - linux: sleep 1 s took", r"^\[beta\] ok \d+ - linux: sleep 1 s took",
                r"^\[alpha\] ok \d+ - linux: console input read back \"hello-alpha\"",
                r"^\[beta\] ok \d+ - linux: console input read back \"hello-beta\"",
                r"^keel: vm 'alpha' stopped: guest shut down", r"^keel: vm 'beta' stopped: guest shut down",
                r"^keel: no VM left running, powering off"]},

    # With several VMs a prompt without a newline shows after a short quiet time (the answer is typed
    # only once it is seen), and a line printed a byte at a time beside a busy VM stays whole.
    {"name": "console-prompt", "plans": 2,
     "input": [(r"^\[prompt\] type a line> ", "keel-answer\n")],
     "vms": [{"guest": "prompt", "name": "prompt", "harts": "0", "mem": "16M", "bootargs": "keel prompt"},
             {"guest": "prompt", "name": "busy", "harts": "1", "mem": "16M", "bootargs": "keel busy"}],
     "expect": [r"^\[prompt\] slow line: 0123456789abcdef$", r"^\[busy\] busy line 300 of 300$",
                r"^\[prompt\] paused line: before-after$",
                r"^\[prompt\] ok 1 - prompt: the prompt showed", r"^keel: no VM left running, powering off"]},

    # A guest reaching for memory that is not its own gets faults; the VM beside it passes its checks.
    {"name": "isolation", "plans": 2,
     "vms": [{"guest": "isolation", "name": "intruder", "harts": "0", "mem": "16M"},
             {"guest": "sbi", "name": "victim", "harts": "1", "mem": "16M"}],
     "expect": [r"^\[intruder\] 1\.\.28$", r"^keel: vm 'intruder' stopped: guest shut down \(28 access faults",
                r"^\[victim\] 1\.\.60$", r"^keel: vm 'victim' stopped: guest shut down \(0 access faults"]},

    # One VM restarts twice while a Linux VM beside it runs its checks undisturbed.
    {"name": "reboot-beside-linux", "timeout": 180, "plans": 4,
     "vms": [{"guest": "linux", "name": "linux", "harts": "0", "mem": "128M",
              "bootargs": "console=hvc0 keel.sstc=1 keel.checks=1 keel.poweroff=1 keel.mem=128 keel.cpus=1"},
             {"guest": "reboot", "name": "rebooter", "harts": "1", "mem": "16M"}],
     "expect": [r"keel: vm 'rebooter' rebooting \(boot 2\)", r"keel: vm 'rebooter' rebooting \(boot 3\)",
                r"^keel: vm 'rebooter' stopped: guest shut down", r"^keel: vm 'linux' stopped: guest shut down",
                r"^\[linux\] 1\.\.9$"]},

    # Disks: a read-write and a read-only slice of one image, driven by the blk test guest; the
    # image file is checked afterwards. Then a guest scribbling its rings beside one doing that.
    {"name": "blk", "disks": [BLK_IMAGE], "after": blk_image_check(),
     "vms": [{"guest": "blk", "name": "blk", "harts": "0", "mem": "16M", "disks": BLK_DISKS,
              "bootargs": "keel start=%d" % BLK_SLICE}],
     "expect": [r"^keel: disk 0: virtio-blk at 0x10008000 irq 8, 8192 sectors \(4 MiB\), queue \d+, flush",
                r"^keel: vm 'blk': disk 0 at 0x10008000 irq 8: host disk 0 sectors 2048-3071",
                r"^keel: vm 'blk': disk 1 at 0x10007000 irq 7: host disk 0 sectors 3072-4095 \(512 KiB\), read-only",
                r"^keel: vm 'blk' stopped: guest shut down",
                r"^keel: vm 'blk' disk 0: 21 requests answered \(10 with an error status\), 10 protocol errors",
                r"^keel: vm 'blk' disk 1: 3 requests answered \(1 with an error status\), 0 protocol errors"]},
    # A reboot with reads in flight into the image's .data: none lands in the reloaded image. The
    # host disk is throttled (8 MiB/s) so that the reads are still at the host when Keel reboots.
    {"name": "blk-reboot-in-flight", "disks": [dict(BLK_IMAGE, drive="throttling.bps-read=%d" % (8 << 20))],
     "plans": 2,
     "vms": [{"guest": "blk", "name": "blk", "harts": "0", "mem": "16M", "disks": "0:0:2048",
              "bootargs": "keel blk=reboot"}],
     "expect": [r"^keel: vm 'blk' rebooting \(boot 2\), after \d+ ms for its disks' requests at the host",
                r"^keel: vm 'blk' stopped: guest shut down"]},
    # A reboot with receive buffers in the image's .data while a neighbour sends to it: no frame
    # lands in the reloaded image (the card is reset before the reload).
    {"name": "net-reboot-rx-buffers", "plans": 3,
     "vms": [{"guest": "netreboot", "name": "rebooter", "harts": "0", "mem": "16M", "nics": "lan",
              "macs": "02:00:00:00:00:01", "bootargs": "keel role=reboot"},
             {"guest": "netreboot", "name": "flooder", "harts": "1", "mem": "16M", "nics": "lan",
              "macs": "02:00:00:00:00:02", "bootargs": "keel role=flood"}],
     "expect": [r"^keel: vm 'rebooter' rebooting \(boot 2\)", r"^keel: vm 'rebooter' stopped: guest shut down",
                r"^\[flooder\] ok 2 - netreboot: [1-9]\d* frames sent"]},
    # Two images: host disk 0 is the first -drive (QEMU's highest transport), host disk 1 the second.
    # The read-write slice is on host disk 1, the read-only one on host disk 0: the writes land in
    # the second file only.
    {"name": "blk-two-disks", "disks": [BLK_IMAGE, BLK_IMAGE], "after": blk_image_check(index=1, pristine=(0,)),
     "vms": [{"guest": "blk", "name": "blk", "harts": "0", "mem": "16M",
              "disks": "1:%d:%d+0:%d:%d:ro" % (BLK_SLICE, BLK_SLICE_SECTORS, BLK_SLICE + BLK_SLICE_SECTORS,
                                              BLK_SLICE_SECTORS),
              "bootargs": "keel start=%d" % BLK_SLICE}],
     "expect": [r"^keel: disk 0: virtio-blk at 0x10008000 irq 8", r"^keel: disk 1: virtio-blk at 0x10007000 irq 7",
                r"^keel: vm 'blk': disk 0 at 0x10008000 irq 8: host disk 1 sectors 2048-3071",
                r"^keel: vm 'blk': disk 1 at 0x10007000 irq 7: host disk 0 sectors 3072-4095 \(512 KiB\), read-only",
                r"^keel: vm 'blk' stopped: guest shut down"]},
    # The machine's disk on QEMU 7.2's default legacy (version 1) transport: Keel drives that too;
    # the guest still sees a modern device.
    {"name": "blk-legacy-host", "disks": [BLK_IMAGE], "after": blk_image_check(), "legacy_disks": True,
     "vms": [{"guest": "blk", "name": "blk", "harts": "0", "mem": "16M", "disks": BLK_DISKS,
              "bootargs": "keel start=%d" % BLK_SLICE}],
     "expect": [r"^keel: disk 0: virtio-blk at 0x10008000 irq 8, 8192 sectors \(4 MiB\), queue 256, flush, "
                r"legacy transport, indirect$", r"^keel: vm 'blk' stopped: guest shut down"]},
    # The same driver on QEMU's own virtio-blk over the whole image: what the spec defines agrees,
    # and the same sectors reach the file (on the PLIC machine: the guest drives a PLIC).
    {"name": "blk-native", "native": "blk", "smp": 1, "disks": [BLK_IMAGE], "after": blk_image_check(),
     "qemu_opts": PLIC_MACHINE,
     "bootargs": "native start=%d" % BLK_SLICE},
    {"name": "blk-config-errors", "disks": [BLK_IMAGE], "plans": 1,
     "vms": [{"guest": "hello", "name": "nodisk", "harts": "0", "mem": "16M", "disks": "1"},
             {"guest": "hello", "name": "past", "harts": "0", "mem": "16M", "disks": "0:8000:1000"},
             {"guest": "hello", "name": "self", "harts": "0", "mem": "16M", "disks": "0:0:100+0:50:100"},
             {"guest": "hello", "name": "passdisk", "harts": "0", "mem": "16M", "devices": "0x10008000:4K:0"},
             {"guest": "hello", "name": "passwin", "harts": "0", "mem": "16M", "devices": "0x10007000:4K:0",
              "disks": "0:0:100+0:100:100"},
             {"guest": "hello", "name": "first", "harts": "0", "mem": "16M", "disks": "0:0:4096"},
             {"guest": "hello", "name": "second", "harts": "1", "mem": "16M", "disks": "0:4000:100"}],
     "expect": [r"^keel: vm 'nodisk' not started: field keel,disks: host disk 1 does not exist \(1 found\)",
                r"^keel: vm 'past' not started: field keel,disks: sectors 8000\+1000 are not inside host disk 0",
                r"^keel: vm 'self' not started: field keel,disks: disks 0 and 1 of vm 'self' overlap",
                r"^keel: vm 'passdisk' not started: field keel,devices: 0x10008000 is Keel's disk 0",
                r"^keel: vm 'passwin' not started: field keel,disks: disk 1's window 0x10007000 is a passed-through "
                r"device",
                r"^keel: vm 'second' not started: field keel,disks: sectors 4000\+100 of host disk 0 overlap "
                r"vm 'first'", r"^keel: vm 'first' stopped: guest shut down"]},
    # A VM with every device the board has room for: 2 NICs, the virtio console and 4 disks, 10
    # regions on its bus with the UART, PLIC and syscon; each answers where its DT node says.
    {"name": "board-full", "disks": [BLK_IMAGE], "plans": 1,
     "vms": [{"guest": "board", "name": "full", "harts": "0", "mem": "16M", "nics": "lan+lan", "console": "virtio",
              "disks": "0:0:100+0:100:100+0:200:100+0:300:100", "bootargs": "keel nets=2 blks=4 consoles=1"}],
     "expect": [r"^keel: vm 'full': disk 3 at 0x10005000 irq 5", r"^ok \d+ - 2 network cards, 4 disks, 1 consoles$",
                r"^keel: vm 'full' stopped: guest shut down"]},
    # A VM refused after its NIC was made gives the NIC back: its MAC is free for the next VM.
    {"name": "nic-teardown", "disks": [BLK_IMAGE], "plans": 1,
     "vms": [{"guest": "hello", "name": "refused", "harts": "0", "mem": "16M", "nics": "lan+lan",
              "macs": "02:00:00:00:00:0a+02:00:00:00:00:0b", "disks": "1"},
             {"guest": "hello", "name": "after", "harts": "0", "mem": "16M", "nics": "lan",
              "macs": "02:00:00:00:00:0b"}],
     "expect": [r"^keel: vm 'refused' not started: field keel,disks: host disk 1 does not exist \(1 found\)",
                r"^keel: vm 'after': NIC 0 at 0x10001000 irq 1 on network 'lan', MAC 02:00:00:00:00:0b",
                r"^keel: vm 'after' stopped: guest shut down"]},
] + [
    {"name": "hostile-blk-seed%d" % seed, "disks": [BLK_IMAGE], "after": blk_image_check(skip=(0, 2048)),
     "plans": 2, "timeout": 120,
     "vms": [{"guest": "blk", "name": "hostile", "harts": "0", "mem": "16M", "disks": "0:0:2048",
              "bootargs": "keel blk=hostile seed=%d" % seed},
             {"guest": "blk", "name": "good", "harts": "1", "mem": "16M", "disks": BLK_DISKS,
              "bootargs": "keel start=%d" % BLK_SLICE}],
     "expect": [r"^\[good\] 1\.\.\d+$", r"^keel: vm 'hostile' stopped: guest shut down",
                r"^keel: vm 'hostile' disk 0: [1-9]\d* requests answered \([1-9]\d* with an error status\), "
                r"[1-9]\d* protocol errors",
                r"^keel: vm 'good' disk 0: 21 requests answered \(10 with an error status\), 10 protocol errors",
                r"^keel: vm 'good' stopped: guest shut down",
                r"^keel: health: \d+ exits handled, 0 of 2 VMs alive"]}
    for seed in (1, 2)
] + [
    # Two VMs, each with up to 4 random reads and writes in flight over scattered multi-segment
    # buffers on its own slice, checked against a shadow copy; then the file against their checksums.
    {"name": "blk-stress", "disks": [BLK_IMAGE], "after": blk_stress_check(["a", "b"]), "plans": 2,
     "timeout": 120,
     "vms": [{"guest": "blk", "name": "a", "harts": "0", "mem": "16M", "disks": "0:1024:1024",
              "bootargs": "keel blk=stress seed=7 start=1024"},
             {"guest": "blk", "name": "b", "harts": "1", "mem": "16M", "disks": "0:4096:1024",
              "bootargs": "keel blk=stress seed=8 start=4096"}],
     "expect": [r"^keel: vm 'a' disk 0: \d+ requests answered \(0 with an error status\), 0 protocol errors",
                r"^keel: vm 'b' disk 0: \d+ requests answered \(0 with an error status\), 0 protocol errors"]},
    # Two vCPUs keep the ring full and the device busy; the good VM's completions are taken on the
    # hostile VM's hart (the first VM using the disk gets its interrupt) and must still get through.
    {"name": "hostile-blk-smp", "disks": [BLK_IMAGE], "after": blk_image_check(skip=(0, 2048)), "smp": 3,
     "plans": 2, "timeout": 120,
     "vms": [{"guest": "blk", "name": "hostile", "harts": "0-1", "mem": "16M", "disks": "0:0:2048",
              "bootargs": "keel blk=hostile-smp"},
             {"guest": "blk", "name": "good", "harts": "2", "mem": "16M", "disks": BLK_DISKS,
              "bootargs": "keel start=%d" % BLK_SLICE}],
     "expect": [r"^\[good\] 1\.\.\d+$", r"^\[hostile\] 1\.\.3$", r"^keel: vm 'hostile' stopped: guest shut down",
                # How many depends on how fast vCPU 1 refills against vCPU 0's notifies (parallel
                # threads, no -icount: 865 seen on a loaded machine, thousands unloaded)
                r"^keel: vm 'hostile' disk 0: [1-9]\d{2,} requests answered",
                r"^keel: vm 'good' disk 0: 21 requests answered \(10 with an error status\), 10 protocol errors",
                r"^keel: vm 'good' stopped: guest shut down",
                r"^keel: health: \d+ exits handled, 0 of 2 VMs alive"]},
] + [
    # Hostile guests (seeded, reproducible), each beside a well-behaved VM that must still pass.
] + [
    {"name": "hostile-%s-seed%d" % (mode, seed), "plans": 2, "timeout": 120,
     "vms": [{"guest": "hostile", "name": "hostile", "harts": "0", "mem": "16M",
              "bootargs": "keel hostile=%s seed=%d" % (mode, seed)},
             {"guest": "sbi", "name": "good", "harts": "1", "mem": "16M"}],
     "expect": [r"^\[good\] 1\.\.60$", r"^keel: vm 'hostile' stopped: guest shut down",
                r"^keel: vm 'good' stopped: guest shut down",
                r"^keel: health: \d+ exits handled, 0 of 2 VMs alive, \d+ exceptions injected"]}
    for mode, seed in (("sbi", 1), ("sbi", 2), ("mmio", 3), ("storm", 4), ("priv", 5))
] + [
    # The same, the two VMs sharing hart 0: the scheduler switches between them all along.
    {"name": "hostile-shared-%s-seed%d" % (mode, seed), "plans": 2, "timeout": 120,
     "vms": [{"guest": "hostile", "name": "hostile", "harts": "0", "mem": "16M", "slice": "1000",
              "bootargs": "keel hostile=%s seed=%d" % (mode, seed)},
             {"guest": "sbi", "name": "good", "harts": "0", "mem": "16M", "slice": "1000"}],
     "expect": [r"^\[good\] 1\.\.60$", r"^keel: vm 'hostile' stopped: guest shut down",
                r"^keel: vm 'good' stopped: guest shut down",
                r"^keel: health: \d+ exits handled, 0 of 2 VMs alive, \d+ exceptions injected"]}
    for mode, seed in (("sbi", 1), ("mmio", 3), ("storm", 4), ("priv", 5))
] + [
    # A guest that breaks its own page tables beyond repair is stopped; the other VM runs on.
    {"name": "hostile-satp", "plans": 2,
     "vms": [{"guest": "hostile", "name": "hostile", "harts": "0", "mem": "16M", "bootargs": "keel hostile=satp"},
             {"guest": "sbi", "name": "good", "harts": "1", "mem": "16M"}],
     "expect": [r"^\[good\] 1\.\.60$", r"^keel: vm 'hostile' stopped: vcpu 0: unhandled trap",
                r"^keel: vm 'good' stopped: guest shut down", r"^keel: no VM left running, powering off"]},
    # A guest that never yields (interrupts off, no traps) cannot starve the VM on another hart.
    {"name": "hostile-spin", "plans": 1, "exit": "killed", "kill_after": r"^keel: health: ",
     "vms": [{"guest": "hostile", "name": "hostile", "harts": "0", "mem": "16M", "bootargs": "keel hostile=spin"},
             {"guest": "sbi", "name": "good", "harts": "1", "mem": "16M"}],
     "expect": [r"^\[hostile\] # spin: interrupts off", r"^\[good\] 1\.\.60$",
                r"^keel: vm 'good' stopped: guest shut down",
                r"^keel: health: \d+ exits handled, 1 of 2 VMs alive"]},
    # ... nor the VM sharing its hart: the host timer ends its slices whatever it masks.
    {"name": "hostile-spin-shared", "plans": 1, "exit": "killed", "kill_after": r"^keel: health: ",
     "vms": [{"guest": "hostile", "name": "hostile", "harts": "0", "mem": "16M", "bootargs": "keel hostile=spin"},
             {"guest": "sbi", "name": "good", "harts": "0", "mem": "16M"}],
     "expect": [r"^\[hostile\] # spin: interrupts off", r"^\[good\] 1\.\.60$",
                r"^keel: vm 'good' stopped: guest shut down",
                r"^keel: health: \d+ exits handled, 1 of 2 VMs alive"]},
] + NET_CASES + DISTRO_CASES

# Keel on each interrupt controller QEMU's virt has, on both platforms: the PLIC (bookworm's
# default), aia=aplic-imsic (trixie's: the APLIC's S domain in MSI mode, each hart's IMSIC S-level
# file, Keel's IPIs through the IMSICs) and aia=aplic (direct delivery). Each platform runs the
# cases below again on the machines that are not its default: the cases whose devices interrupt
# Keel itself (console input, host disks, the uplink card, a pass-through line held from claim to
# guest completion, an interrupt storm) and whose vCPUs wake each other across harts.
# tag: (machine, Keel's line about it, what wakes a hart's WFI when another sends it an IPI, what
# Linux says natively when its driver for the machine's controller starts)
AIA_MACHINES = {
    "plic": ("virt", r"^keel: host interrupts: PLIC, 95 sources$", r"soft-irq=[1-9]",
             r"plic: plic@c000000: mapped \d+ interrupts"),
    "aia-msi": ("virt,aia=aplic-imsic",
                r"^keel: host interrupts: APLIC \(MSI delivery\) and IMSICs, 96 sources, IPIs through the IMSICs$",
                r"soft-irq=0 ext-irq=[1-9]", r"riscv-aplic \S+: 96 interrupts forwarded to MSI base"),
    "aia-direct": ("virt,aia=aplic", r"^keel: host interrupts: APLIC \(direct delivery\), 96 sources$",
                   r"soft-irq=[1-9]", r"riscv-aplic \S+: 96 interrupts directly connected to \d+ CPUs"),
}
AIA_HOST_CASES = ("smp", "smp-across-shared-harts", "console-prompt", "blk-two-disks", "passthrough-reset",
                  "hostile-storm-seed4", "net-uplink", "linux-disk", "linux-smp4-2harts")


def machine_of(machine):
    """The tag of a -machine value (AIA_MACHINES), by its aia= property."""
    aia = [o for o in machine.split(",") if o.startswith("aia=")]
    return {"aia=aplic-imsic": "aia-msi", "aia=aplic": "aia-direct"}.get(aia[0] if aia else "", "plic")


def machine_facts(machine):
    """{platform.ipi_wake}: the host interrupt counter a cross-hart IPI raises on the machine;
    {platform.linux_irqchip}: what native Linux says of its controller."""
    return dict(zip(("ipi_wake", "linux_irqchip"), AIA_MACHINES[machine_of(machine)][2:]))


HOST_LINE = r"^keel: host interrupts: "


def on_machine(case, tag):
    """The case again on another machine (the one run is the same case where that is the platform's
    default: run.py leaves it out there)."""
    machine, host_line, wake, _ = AIA_MACHINES[tag]
    c = dict(case, name="%s-%s" % (case["name"], tag), qemu_opts=case.get("qemu_opts", []) + ["-machine", machine],
             machine_tag=tag)
    c["expect"] = [e.replace("{platform.ipi_wake}", wake) for e in case.get("expect", [])] + [host_line]
    # Any other controller line: Keel took the wrong one.
    c["reject"] = list(case.get("reject", [])) + [r"^keel: host interrupts: (?!%s)" % host_line[len(HOST_LINE):]]
    return c


# A VM is given none of the interrupt controllers' registers: the S-level IMSIC files (a guest file
# too), the S domain, and the firmware's M-level IMSIC and domain (DT nodes it marks disabled).
AIA_KEEL_REGIONS = (("simsic", "0x28000000"), ("saplic", "0xd000000"), ("guestfile", "0x28001000"),
                    ("mimsic", "0x24000000"), ("maplic", "0xc000000"))
AIA_PASSTHROUGH = {
    "name": "aia-passthrough-refused", "plans": 1, "qemu_opts": ["-machine", "virt,aia=aplic-imsic"],
    "vms": [{"guest": "hello", "name": name, "harts": "0", "mem": "16M", "devices": "%s:4K:0" % base}
            for name, base in AIA_KEEL_REGIONS] +
           [{"guest": "hello", "name": "good", "harts": "1", "mem": "16M"}],
    "expect": [r"^keel: vm '%s' not started: field keel,devices: %s is Keel's own device" % (name, base)
               for name, base in AIA_KEEL_REGIONS] +
              [r"^keel: vm 'good' stopped: guest shut down", AIA_MACHINES["aia-msi"][1]],
}

# AIA for guests (keel,irqchip = "aia"), on a machine with guest interrupt files on both platforms:
# the Linux guests again, each vCPU's IMSIC its hart's guest file, the wired sources on the
# vAPLIC. Linux finds both, its IPIs and remote fences become MSI writes into the other vCPUs'
# files (no SBI calls: few ecalls where the vPLIC's guests make thousands), and the checks (the
# UART's line, IPIs, the 1 s sleep, disks, NICs) pass as on the vPLIC. Four vCPUs on two harts wake
# from their WFIs through SGEI; two VMs, each on a hart of its own (net-two-vms), take a file each.
GUEST_AIA_MACHINE = "virt,aia=aplic-imsic,aia-guests=7"
# Not yet two-linux-vms-shared: with the AIA it hung in 2 of 7 runs (alpha's ping-pong to CPU 1 after
# CPU 1's offline/online on a hart shared with the other VM): open in issue 26.
GUEST_AIA_CASES = ("linux-hvc0-sstc", "linux-virtio-console", "linux-smp4", "linux-smp4-2harts", "linux-disk",
                   "net-two-vms")
# Alone on their harts, the secondary vCPUs' IPIs and remote fences take no SBI call: fewer than
# 1000 ecalls each through the whole run of checks (on the vPLIC: 2000 to 9000 each).
GUEST_AIA_EXTRA = {"linux-smp4": [r"^keel: vm 'linux' vcpu %d exits \d+: ecall=\d{1,3} " % i for i in (1, 2, 3)]}
GUEST_AIA_LINES = [r"riscv-imsic: interrupt-controller@28000000: providing IPIs using interrupt",
                   r"riscv-aplic d000000\.interrupt-controller: 95 interrupts forwarded to MSI base 0x0*28000000"]


def guest_aia(case):
    vms = [dict(vm, irqchip="aia") if vm.get("guest") == "linux" else vm for vm in case["vms"]]
    # Only where the Linux guest has the AIA's drivers (6.10 on): trixie's 6.12, not bookworm's 6.1.
    c = dict(case, name=case["name"] + "-guest-aia", vms=vms, platforms=("trixie",),
             qemu_opts=case.get("qemu_opts", []) + ["-machine", GUEST_AIA_MACHINE])
    c["expect"] = list(case.get("expect", [])) + GUEST_AIA_LINES + GUEST_AIA_EXTRA.get(case["name"], [])
    c["reject"] = list(case.get("reject", [])) + [r"plic@c000000", r"keel,irqchip"]
    return c


CASES += [on_machine(c, tag) for tag in AIA_MACHINES for c in CASES if c["name"] in AIA_HOST_CASES] + [AIA_PASSTHROUGH]
CASES += [guest_aia(c) for c in CASES if c["name"] in GUEST_AIA_CASES]

# The AIA as a guest sees it (guests/bare/aia.c): natively on QEMU's own S-level IMSIC and APLIC, and
# under Keel on its vCPUs' guest files and the vAPLIC, two vCPUs on two harts (each waits in its WFI)
# and on one shared hart (the waiting vCPU wakes through SGEI). A hart has 7 guest files: an eighth
# AIA vCPU there is refused with the field named, and the next VM still starts.
AIA_GUEST_CASES = [
    {"name": "aia-native", "native": "aia", "smp": 2, "qemu_opts": ["-machine", GUEST_AIA_MACHINE]},
    {"name": "aia-guest", "qemu_opts": ["-machine", GUEST_AIA_MACHINE],
     "vms": [{"guest": "aia", "harts": "0-1", "mem": "16M", "irqchip": "aia"}],
     "expect": [r"^keel: vm 'vm0' stopped: guest shut down"]},
    {"name": "aia-guest-shared", "qemu_opts": ["-machine", GUEST_AIA_MACHINE],
     "vms": [{"guest": "aia", "harts": "0", "vcpus": "2", "mem": "16M", "irqchip": "aia"}],
     "expect": [r"^keel: vm 'vm0' stopped: guest shut down", r"^keel: hart 0 scheduler: [1-9]\d* switches"]},
    {"name": "aia-files-exhausted", "plans": 2, "qemu_opts": ["-machine", GUEST_AIA_MACHINE],
     "vms": [{"guest": "hello", "name": "seven", "harts": "0", "vcpus": "7", "mem": "16M", "irqchip": "aia"},
             {"guest": "hello", "name": "eighth", "harts": "0", "mem": "16M", "irqchip": "aia"},
             {"guest": "hello", "name": "plic", "harts": "0", "mem": "16M"}],
     "expect": [r"^keel: vm 'eighth' not started: field keel,irqchip: \"aia\" but hart 0 has no free guest "
                r"interrupt file \(7 in use\)$", r"^keel: vm 'plic' stopped: guest shut down"]},
]
CASES += AIA_GUEST_CASES
