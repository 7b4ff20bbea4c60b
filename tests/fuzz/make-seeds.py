#!/usr/bin/env python3
"""Write the checked-in seed corpus of Keel's fuzz targets: tests/fuzz/corpus/<target>/<seed>.

    python3 tests/fuzz/make-seeds.py [CORPUS_DIR]     (make fuzz-seeds)

Reproducible: the same files every run (the config seeds need dtc, from device-tree-compiler).
Each target's directory is emptied first. The byte layouts follow the comments at the top of each
tests/fuzz/fuzz_<target>.c; every number is written in the harnesses' "raw" form (selector byte
0xff, then 8 bytes little-endian), so the seeds do not depend on the order of their value tables.
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

RAW = 0xFF


def u8(v):
    return bytes([v & 0xFF])


def u16(v):
    return struct.pack("<H", v & 0xFFFF)


def u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


def u64(v):
    return struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF)


def raw(v):
    """A take_pick value given in full."""
    return u8(RAW) + u64(v)


# ---------------------------------------------------------------- insn
# 8 bytes: the low 32 bits are the raw instruction, all 64 the htinst value.
# Encodings from riscv64-linux-gnu-as -march=rv64gc, printed by objdump -M no-aliases.
INSNS = {
    "lb": 0x00058503, "lh": 0xFFE49283, "lw": 0x7FF12083, "ld": 0x8007BF83, "lbu": 0x00154403,
    "lhu": 0x00635783, "lwu": 0x00CFEF83, "sb": 0x00A58023, "sh": 0xFE549E23, "sw": 0x06112223,
    "sd": 0xFFF7BC23, "sd-zero": 0x00053023, "flw": 0x0045A507, "fld": 0x00863487, "fsw": 0x0006A627,
    "fsd": 0xFFF73827, "amoadd.w": 0x00B6252F, "amoadd.d.aqrl": 0x0663B2AF, "amoswap.w.aq": 0x0D3A292F,
    "lr.w": 0x100726AF, "sc.d": 0x1908B7AF, "amomaxu.d": 0xE021B0AF, "amoor.w-zero": 0x40A5A02F,
    "addi": 0x00150513, "csrrw": 0x14051573, "ecall": 0x00000073, "wfi": 0x10500073,
    "c.lw": 0x41C8, "c.ld": 0x6780, "c.sw": 0xDCF0, "c.sd": 0xFF74, "c.lwsp": 0x50FE, "c.ldsp": 0x7FFE,
    "c.swsp": 0xC06E, "c.sdsp": 0xE42A, "c.fld": 0x2988, "c.fsd": 0xAE04, "c.fldsp": 0x3082,
    "c.fsdsp": 0xB422, "c.nop": 0x0001, "c.addi4spn": 0x0808,
}
# htinst as the hart reports it (priv spec 8.6.3): transformed loads/stores (rs1 and offset zeroed,
# bit 1 clear when the original was compressed) and the pseudo-instructions of a guest page walk.
HTINSTS = {
    "ht-lw": 0x00002503, "ht-c.lw": 0x00002501, "ht-sd": 0x00A03023, "ht-c.sdsp": 0x00A03021,
    "ht-sc.d": 0x190037AF, "ht-flw": 0x00002507, "ht-pseudo-read32": 0x2000, "ht-pseudo-write64": 0x3020,
    "ht-wide": 0x1_00002503,
}


def insn_seeds():
    seeds = {}
    for name, v in INSNS.items():
        seeds[name] = u64(v)
    for name, v in HTINSTS.items():
        seeds[name] = u64(v)
    return seeds


# ---------------------------------------------------------------- sbi
EID = {"base": 0x10, "time": 0x54494D45, "ipi": 0x735049, "rfence": 0x52464E43, "hsm": 0x48534D,
       "srst": 0x53525354, "dbcn": 0x4442434E, "hvc": 0x485643, "pmu": 0x504D55}
RAM = 0x80000000
STARTED, STOPPED, SUSPENDED = 0, 1, 4


def sbi_header(nvcpus=4, running=True, pages=4, base=RAM, hsm=None, console=b"", va=(), guest_fault=True):
    hsm = hsm if hsm is not None else [STARTED] + [STOPPED] * (nvcpus - 1)
    b = u8(nvcpus - 1) + u8(0 if running else 0xF0) + u8(1) + u8(pages - 1) + raw(base)
    for s in hsm:
        b += u8(s) + u8(0)
    b += u8(len(console)) + console + u8(len(va))
    for gva, value in va:
        b += raw(gva) + u64(value)
    return b + u8(1 if guest_fault else 0)


def ecall(eid, fid, *args, caller=0):
    args = list(args) + [0] * (6 - len(args))
    b = u8(caller) + raw(eid) + raw(fid)
    for a in args:
        b += raw(a)
    return b


def sbi_seeds():
    h = sbi_header()
    s = {}
    s["base"] = h + b"".join(ecall(EID["base"], f) for f in range(7)) + ecall(EID["base"], 7)
    s["base-probe"] = h + b"".join(ecall(EID["base"], 3, e) for e in
                                   list(EID.values()) + [0, 2, 8, 9, 0x100000010])
    s["time"] = h + ecall(EID["time"], 0, 0x12345678) + ecall(EID["time"], 1, 5)
    s["ipi"] = h + ecall(EID["ipi"], 0, 0b1011, 0) + ecall(EID["ipi"], 0, 0, -1) + \
        ecall(EID["ipi"], 0, 1, 4) + ecall(EID["ipi"], 0, 1, -2) + ecall(EID["ipi"], 1)
    s["rfence"] = h + b"".join(ecall(EID["rfence"], f, 0b11, 0, RAM, 0x1000, 1) for f in range(8))
    s["hsm-start"] = h + ecall(EID["hsm"], 0, 1, RAM + 0x1000, 0xABC) + ecall(EID["hsm"], 2, 1) + \
        ecall(EID["hsm"], 0, 1, RAM, 0) + ecall(EID["hsm"], 0, 2, RAM + 0x4000, 0) + \
        ecall(EID["hsm"], 0, 9, RAM, 0) + ecall(EID["hsm"], 2, 9)
    s["hsm-stop"] = h + ecall(EID["hsm"], 2, 0) + ecall(EID["hsm"], 1) + ecall(EID["hsm"], 2, 0, caller=1)
    s["hsm-suspend"] = h + ecall(EID["hsm"], 3, 0) + ecall(EID["hsm"], 3, 0x80000000, RAM + 0x100, 7) + \
        ecall(EID["hsm"], 3, 0x80000000, RAM - 4) + ecall(EID["hsm"], 3, 0x10000000) + \
        ecall(EID["hsm"], 3, 0x100000000)
    s["hsm-stopped-vm"] = sbi_header(running=False) + ecall(EID["hsm"], 0, 1, RAM, 0)
    s["srst"] = h + ecall(EID["srst"], 0, 3, 0) + ecall(EID["srst"], 0, 0, 2) + ecall(EID["srst"], 0, 1, 0) + \
        ecall(EID["srst"], 0, 0, 0)
    s["srst-reboot"] = h + ecall(EID["srst"], 0, 2, 0xE0000000) + ecall(EID["srst"], 1, 0)
    s["dbcn-write"] = h + ecall(EID["dbcn"], 0, 16, RAM + 0x10, 0) + ecall(EID["dbcn"], 0, 0x2000, RAM + 0xFF0, 0) + \
        ecall(EID["dbcn"], 0, 8, RAM + 0x3FFC, 0) + ecall(EID["dbcn"], 0, 8, RAM, 1) + ecall(EID["dbcn"], 2, 0x41)
    s["dbcn-read"] = sbi_header(console=b"hello, keel\n") + ecall(EID["dbcn"], 1, 4, RAM + 0xFFE, 0) + \
        ecall(EID["dbcn"], 1, 64, RAM + 0x2000, 0) + ecall(EID["dbcn"], 1, 4, RAM - 2, 0) + ecall(EID["dbcn"], 3)
    s["hvc"] = h + b"".join(ecall(EID["hvc"], f, 1, 2, 3, 4, 5, 6) for f in range(5)) + \
        ecall(EID["hvc"], 1, -1, -1, -1, -1, -1, -1)
    mask_va = 0x1000
    s["legacy"] = sbi_header(console=b"xy", va=[(mask_va, 0b110)]) + \
        ecall(0, 0, 0x1000) + ecall(1, 0, ord("k")) + ecall(2, 0) + ecall(2, 0) + ecall(2, 0) + ecall(3, 0) + \
        ecall(4, 0, mask_va) + ecall(4, 0, 0) + ecall(4, 0, 0x2000) + ecall(5, 0, mask_va) + ecall(6, 0, 0) + \
        ecall(7, 0, mask_va, 0, 0x1000, 1) + ecall(8, 0)
    s["legacy-bad-mask"] = sbi_header(va=[(mask_va, 0xFF)], guest_fault=False) + ecall(4, 0, mask_va) + \
        ecall(6, 0, 0x3000)
    s["unknown"] = h + ecall(EID["pmu"], 0) + ecall(9, 0) + ecall(0x0A000000, 0) + ecall(-1, -1)
    s["one-vcpu-top-ram"] = sbi_header(nvcpus=1, pages=1, base=0xFFFFFFFFFFE00000) + \
        ecall(EID["dbcn"], 0, 0x1000, 0xFFFFFFFFFFE00000, 0) + ecall(EID["hsm"], 0, 0, 0xFFFFFFFFFFE00FFC)
    s["eight-vcpus"] = sbi_header(nvcpus=8, hsm=[STARTED] * 4 + [STOPPED, SUSPENDED, 2, 3]) + \
        ecall(EID["ipi"], 0, 0xFF, 0) + ecall(EID["ipi"], 0, 1, 7) + ecall(EID["hsm"], 2, 5, caller=3) + \
        ecall(EID["rfence"], 1, 0xF0, 0, caller=7)
    return s


# ---------------------------------------------------------------- vdev
PLIC, UART, SYSCON = 0xC000000, 0x10000000, 0x100000
WIDTH = {1: 0, 2: 1, 4: 2, 8: 3}


def addr(a):
    return u8(7) + u64(a)


def rd(a, w=4):
    return u8(0) + addr(a) + u8(WIDTH[w])


def wr(a, v, w=4):
    return u8(1) + addr(a) + u8(WIDTH[w]) + u8(1) + u64(v)


def wr_raw_width(a, v, width_byte):
    return u8(1) + addr(a) + u8(width_byte) + u8(1) + u64(v)


def set_level(src, lvl):
    return u8(2) + u8(src) + u8(lvl)


def receive(data):
    return u8(3) + u16(len(data)) + data


def take():
    return u8(4)


def add_region(base, size):
    return u8(5) + raw(base) + raw(size)


def claim_complete(ctx, other=None):
    """Claim on ctx, complete there (or on context `other`)."""
    return u8(6) + u8(ctx) + u8(0 if other is None else 0x80 | other)


def readback(val, choice, n):
    return u8(7) + u32(val) + u8(choice) + u8(n)


def vdev_header(ncontexts=2, passthrough=(1, 2)):
    mask = 0
    for s in passthrough:
        mask |= 1 << s
    return u8(ncontexts + 2) + mask.to_bytes(12, "little")


def plic_setup(ctx=0, sources=(10, 1, 2)):
    b = b""
    for s in sources:
        b += wr(PLIC + 4 * s, s % 7 + 1)
    en = sum(1 << s for s in sources)
    b += wr(PLIC + 0x2000 + 0x80 * ctx, en & 0xFFFFFFFF) + wr(PLIC + 0x2000 + 0x80 * ctx + 4, en >> 32)
    return b + wr(PLIC + 0x200000 + 0x1000 * ctx, 0)


def vdev_seeds():
    h = vdev_header()
    s = {}
    # Linux's 8250 probe and set-up: scratch, divisor latch, 8N1, FIFO, interrupts.
    s["uart-init"] = h + wr(UART + 7, 0x5A, 1) + rd(UART + 7, 1) + wr(UART + 3, 0x80, 1) + wr(UART + 0, 1, 1) + \
        wr(UART + 1, 0, 1) + rd(UART + 0, 1) + wr(UART + 3, 0x03, 1) + wr(UART + 2, 0x07, 1) + \
        wr(UART + 4, 0x0B, 1) + rd(UART + 2, 1) + rd(UART + 5, 1) + rd(UART + 6, 1) + wr(UART + 1, 0x03, 1) + \
        rd(UART + 2, 1) + wr(UART + 0, 0x41, 1)
    s["uart-rx-irq"] = h + plic_setup() + wr(UART + 1, 0x01, 1) + receive(b"keel> ls\n") + claim_complete(0) + \
        rd(UART + 2, 1) + rd(UART + 0, 1) + rd(UART + 0, 1) + take() + rd(UART + 5, 1) + claim_complete(0) + \
        wr(UART + 2, 0x03, 1) + rd(UART + 5, 1)
    s["uart-fifo-full"] = h + receive(bytes(range(256)) * 4) + receive(b"overflow") + rd(UART + 0, 1) + take() + \
        receive(b"ab") + wr(UART + 2, 0x02, 1) + take()
    s["uart-wide"] = h + rd(UART + 0, 8) + wr(UART + 0, 0x4142434445464748, 8) + rd(UART + 4, 4) + \
        rd(UART + 5, 2) + rd(UART + 0xF8, 8) + rd(UART + 0x100, 1) + wr(UART + 0xFF, 1, 1)
    s["uart-thre"] = h + plic_setup(sources=(10,)) + wr(UART + 1, 0x02, 1) + claim_complete(0) + rd(UART + 2, 1) + \
        rd(UART + 2, 1) + wr(UART + 0, 0x30, 1) + rd(UART + 2, 1) + wr(UART + 1, 0x00, 1)
    s["plic-claim"] = h + plic_setup() + set_level(1, 1) + set_level(2, 1) + rd(PLIC + 0x1000) + \
        claim_complete(0) + set_level(1, 0) + claim_complete(0) + rd(PLIC + 0x200004) + wr(PLIC + 0x200004, 2) + \
        rd(PLIC + 0x1000, 8)
    s["plic-threshold"] = h + plic_setup(ctx=1, sources=(3, 4, 5)) + set_level(3, 1) + set_level(5, 1) + \
        wr(PLIC + 0x201000, 7) + rd(PLIC + 0x201004) + wr(PLIC + 0x201000, 2) + rd(PLIC + 0x201004) + \
        wr(PLIC + 0x201004, 5) + wr(PLIC + 0x201004, 3) + rd(PLIC + 0x201004)
    s["plic-widths"] = h + wr(PLIC + 4, 0x0706050403020100, 8) + rd(PLIC + 4, 1) + rd(PLIC + 6, 2) + \
        wr(PLIC + 9, 0xFF, 1) + rd(PLIC + 8, 4) + rd(PLIC + 0x2000, 8) + wr(PLIC + 0x2000, 0xFFFFFFFF, 2) + \
        rd(PLIC + 0x200000, 8) + wr(PLIC + 0x200000, 1, 8) + rd(PLIC + 0x200004, 2) + rd(PLIC + 0x200006, 1) + \
        rd(PLIC + 0x200008, 8) + rd(PLIC + 0x5FFFFC, 4) + rd(PLIC + 0x5FFFFC, 8)
    s["plic-bad"] = vdev_header(ncontexts=1) + wr(PLIC + 0, 5) + rd(PLIC + 0) + wr(PLIC + 0x1000, 0xFFFFFFFF) + \
        rd(PLIC + 0x1000) + wr(PLIC + 0x2080, 0xFFFFFFFF) + rd(PLIC + 0x2080) + rd(PLIC + 0x201004) + \
        wr(PLIC + 0x201004, 1) + rd(PLIC + 0x17C) + rd(PLIC + 0x180) + wr(PLIC + 0x200004, 0)
    s["plic-passthrough"] = h + plic_setup(sources=(1, 2, 3)) + set_level(1, 1) + set_level(3, 1) + \
        claim_complete(0) + claim_complete(0) + set_level(3, 0) + set_level(0, 1) + set_level(200, 1) + \
        claim_complete(0)
    s["plic-complete-elsewhere"] = vdev_header(ncontexts=3) + plic_setup(ctx=0, sources=(4,)) + \
        plic_setup(ctx=1, sources=(5,)) + set_level(4, 1) + claim_complete(0, other=1) + claim_complete(0, other=2) + \
        wr(PLIC + 0x2000, 0) + wr(PLIC + 0x200004, 4) + wr(PLIC + 0x2000, 1 << 4) + wr(PLIC + 0x200004, 4)
    s["plic-readback"] = vdev_header(ncontexts=8) + readback(0xFFFFFFFF, 0, 1) + readback(9, 0, 0) + \
        readback(0xFFFFFFFF, 1, 7) + readback(0xFFFFFFFF, 2, 0) + readback(0xFFFFFFFF, 2, 23) + \
        readback(5, 1, 3)
    s["no-contexts"] = vdev_header(ncontexts=0) + set_level(1, 1) + rd(PLIC + 0x200004) + \
        wr(PLIC + 0x200000, 1) + claim_complete(0)
    s["too-many-contexts"] = vdev_header(ncontexts=9) + plic_setup(ctx=7) + set_level(10, 1) + \
        claim_complete(7) + claim_complete(8)
    s["syscon"] = h + rd(SYSCON, 4) + wr(SYSCON, 0x7777) + wr(SYSCON, 0x5555, 2) + wr(SYSCON + 4, 0x5555) + \
        wr(SYSCON, 0x00013333) + wr(SYSCON, 0x5555, 8) + wr(SYSCON, 0x5555)
    s["bus"] = h + rd(0x0, 4) + rd(PLIC + 2, 4) + rd(UART + 1, 2) + wr_raw_width(UART, 1, 0x80 | (3 << 2)) + \
        rd(0xFFFFFFFFFFFFFFF8, 8) + add_region(0x30000000, 0x1000) + rd(0x30000FF8, 8) + \
        add_region(0x30000800, 0x1000) + add_region(0xFFFFFFFFFFFFF000, 0x1000) + add_region(0x1000, 0) + \
        wr(0x30000000, 1, 4)
    return s


# ---------------------------------------------------------------- guest_fdt
GUEST_FDT_MAX = 64 * 1024
ISA = b"rv64imafdch_zicsr_zifencei_zihintpause_sstc_svinval"


def guest_cfg(name=b"demo", bootargs=b"console=ttyS0", nvcpus=2, ram_base=RAM, ram_size=0x4000000,
              initrd=(0, 0), sbi_timer=False, passthrough=(), timebase=10000000, isa=ISA, isa_len=64,
              out_size=GUEST_FDT_MAX, host=True):
    b = name[:31].ljust(32, b"\0") + u8(len(bootargs)) + bootargs + u8(nvcpus) + raw(ram_base) + raw(ram_size)
    b += raw(initrd[0]) + raw(initrd[1]) + u8(1 if sbi_timer else 0) + u8(len(passthrough))
    for base, size, irq in passthrough:
        b += raw(base) + raw(size) + u8(irq)
    return b + u64(timebase) + u8(len(isa)) + isa + u8(isa_len) + raw(out_size) + u8(1 if host else 0)


def guest_fdt_seeds():
    s = {}
    s["demo"] = guest_cfg()
    s["linux-initrd"] = guest_cfg(name=b"linux", nvcpus=1, ram_size=0x10000000,
                                  initrd=(0x200000, 0x10000000 - 0x400000), sbi_timer=True)
    s["eight-vcpus"] = guest_cfg(nvcpus=8, bootargs=b"x" * 255, name=b"n" * 31)
    s["passthrough"] = guest_cfg(passthrough=[(0x10001000, 0x1000, 1), (0x10002000, 0x1000, 2),
                                              (0x10003000, 0x1000, 0), (0x10004000, 0x1000, 3)])
    s["passthrough-no-host"] = guest_cfg(passthrough=[(0x10001000, 0x1000, 1)], host=False)
    s["zero-vcpus"] = guest_cfg(nvcpus=0, bootargs=b"")
    s["small-buffer"] = guest_cfg(out_size=512)
    s["tiny-buffer"] = guest_cfg(out_size=40)
    s["no-buffer"] = guest_cfg(out_size=0)
    s["isa-rv32"] = guest_cfg(isa=b"rv32imach_h_hx_sstc__zba_", isa_len=8)
    s["isa-bad"] = guest_cfg(isa=b"x86_64")
    s["isa-short"] = guest_cfg(isa=b"rv6")
    s["isa-long"] = guest_cfg(isa=b"rv64imafdc" + b"_zexample" * 20, isa_len=199)
    s["top-ram"] = guest_cfg(ram_base=0xFFFFFFFFFFE00000, ram_size=0x200000, initrd=(0x1000, 0x1000))
    return s


# ---------------------------------------------------------------- config (DTBs, with dtc)
HOST_FULL = """/dts-v1/;
/memreserve/ 0x80000000 0x80000;
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	compatible = "riscv-virtio";
	model = "riscv-virtio,qemu";
	chosen {
		stdout-path = "/soc/serial@10000000";
%(vms)s
	};
	memory@80000000 {
		device_type = "memory";
		reg = <0x0 0x80000000 0x0 0x40000000>;
	};
	reserved-memory {
		#address-cells = <2>;
		#size-cells = <2>;
		ranges;
		mmode_resv0@80000000 {
			reg = <0x0 0x80000000 0x0 0x80000>;
			no-map;
		};
	};
	cpus {
		#address-cells = <1>;
		#size-cells = <0>;
		timebase-frequency = <10000000>;
%(cpus)s
	};
	soc {
		#address-cells = <2>;
		#size-cells = <2>;
		compatible = "simple-bus";
		ranges;
		serial@10000000 {
			compatible = "ns16550a";
			reg = <0x0 0x10000000 0x0 0x100>;
			interrupts = <10>;
			interrupt-parent = <&plic>;
			clock-frequency = <3686400>;
		};
		plic: plic@c000000 {
			compatible = "sifive,plic-1.0.0", "riscv,plic0";
			reg = <0x0 0xc000000 0x0 0x600000>;
			#interrupt-cells = <1>;
			interrupt-controller;
			riscv,ndev = <95>;
			interrupts-extended = <%(plic_ctx)s>;
		};
		test@100000 {
			compatible = "sifive,test1", "sifive,test0", "syscon";
			reg = <0x0 0x100000 0x0 0x1000>;
		};
		virtio_mmio@10001000 {
			compatible = "virtio,mmio";
			reg = <0x0 0x10001000 0x0 0x1000>;
			interrupts = <1>;
			interrupt-parent = <&plic>;
		};
		virtio_mmio@10002000 {
			compatible = "virtio,mmio";
			reg = <0x0 0x10002000 0x0 0x1000>;
			interrupts = <2>;
			interrupt-parent = <&plic>;
		};
	};
};
"""

HOST_MIN = """/dts-v1/;
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	chosen {
%(vms)s
	};
	memory@80000000 {
		device_type = "memory";
		reg = <0x0 0x80000000 0x0 0x40000000>;
	};
	cpus {
		#address-cells = <1>;
		#size-cells = <0>;
%(cpus)s
	};
};
"""

CPU = """		cpu@%(i)d {
			device_type = "cpu";
			reg = <%(i)d>;
			status = "okay";
			compatible = "riscv";
			riscv,isa = "rv64imafdch_zicsr_zifencei_zihintpause_sstc";
			mmu-type = "riscv,sv57";
			cpu%(i)d_intc: interrupt-controller {
				#interrupt-cells = <1>;
				interrupt-controller;
				compatible = "riscv,cpu-intc";
			};
		};"""


def vm(i, name='"demo"', harts="0", mem="0x0 0x80000000 0x0 0x4000000", kernel="0x0 0x90000000 0x0 0x5000",
       extra=""):
    lines = ['\t\tkeel,vm@%d {' % i, '\t\t\tcompatible = "keel,vm";']
    if name is not None:
        lines.append("\t\t\tkeel,name = %s;" % name)
    if harts is not None:
        lines.append("\t\t\tkeel,harts = <%s>;" % harts)
    if mem is not None:
        lines.append("\t\t\tkeel,memory = <%s>;" % mem)
    if kernel is not None:
        lines.append("\t\t\tkeel,kernel = <%s>;" % kernel)
    for line in extra.split(";"):
        if line.strip():
            lines.append("\t\t\t%s;" % line.strip())
    lines.append("\t\t};")
    return "\n".join(lines)


def dts(vms, full=True, ncpus=4):
    cpus = "\n".join(CPU % {"i": i} for i in range(ncpus))
    ctx = " ".join("&cpu%d_intc 11 &cpu%d_intc 9" % (i, i) for i in range(ncpus))
    return (HOST_FULL if full else HOST_MIN) % {"vms": "\n".join(vms), "cpus": cpus, "plic_ctx": ctx}


def config_seeds():
    s = {}
    s["readme-demo"] = dts([vm(0, harts="0 1", extra='keel,timer = "sbi"; keel,stage2 = "sv48x4"; bootargs = "keel"')])
    s["linux-initrd"] = dts([vm(0, name='"linux"', mem="0x0 0x80000000 0x0 0x10000000",
                                kernel="0x0 0xb0000000 0x0 0x1000000",
                                extra='keel,initrd = <0x0 0xa0000000 0x0 0x200000>; bootargs = "console=ttyS0"')])
    s["two-vms"] = dts([vm(0, name='"linux"', mem="0x0 0x80000000 0x0 0x8000000", extra='bootargs = "console=hvc0"'),
                        vm(1, name='"sbi-tests"', harts="1", mem="0x0 0x80000000 0x0 0x1000000",
                           kernel="0x0 0x90100000 0x0 0x3000")])
    s["devices"] = dts([vm(0, extra="keel,devices = <0x0 0x10001000 0x0 0x1000 1 0x0 0x10002000 0x0 0x1000 2>")])
    s["kernel-offset"] = dts([vm(0, extra="keel,kernel-offset = <0x0 0x400000>; keel,stage2 = \"sv39x4\"; "
                                          "keel,timer = \"sstc\"")], full=False)
    s["minimal"] = dts([vm(0, name=None)], full=False, ncpus=1)
    s["four-vms-and-more"] = dts([vm(i, name='"vm%d"' % i, harts=str(i)) for i in range(4)] +
                                 [vm(4, harts="0")], full=False)
    s["not-a-vm"] = dts(["\t\tsomething-else {\n\t\t\tkeel,harts = <0>;\n\t\t};", vm(0)], full=False)
    # Each refused field (the config-error QEMU case's list, and more).
    s["err-nohart"] = dts([vm(0, name='"nohart"', harts="7")], full=False)
    s["err-hart-taken"] = dts([vm(0, harts="0"), vm(1, name='"good"', harts="1 0")], full=False)
    s["err-hart-twice"] = dts([vm(0, harts="1 1")], full=False)
    # Shared harts: vCPUs beyond the harts, weights and slices, pinned VMs and their conflicts.
    s["shared-three-vms"] = dts([vm(0, harts="0 1", extra="keel,vcpus = <4>; keel,weight = <2>"),
                                 vm(1, name='"b"', harts="0", extra="keel,vcpus = <2>; keel,slice-us = <2000>"),
                                 vm(2, name='"c"', harts="1", extra="keel,slice-us = <100>; keel,weight = <64>")],
                                full=False)
    s["pinned-then-shared"] = dts([vm(0, name='"rt"', harts="2 3", extra="keel,pinned"),
                                   vm(1, name='"late"', harts="1 3")], full=False)
    s["shared-then-pinned"] = dts([vm(0, harts="0"), vm(1, name='"alone"', harts="0", extra="keel,pinned")],
                                  full=False)
    s["err-sched-fields"] = dts([vm(0, extra="keel,vcpus = <9>"), vm(1, extra="keel,slice-us = <99>"),
                                 vm(2, extra="keel,weight = <0>"), vm(3, harts="0 1", extra="keel,pinned; keel,vcpus = <3>")],
                                full=False)
    s["err-nokernel"] = dts([vm(0, name='"nokernel"', kernel=None)], full=False)
    s["err-kernel-outside"] = dts([vm(0, kernel="0x1 0x00000000 0x0 0x1000")], full=False)
    s["err-huge"] = dts([vm(0, name='"huge"', mem="0x0 0x80000000 0x100 0x0")], full=False)
    s["err-unaligned-memory"] = dts([vm(0, mem="0x0 0x80001000 0x0 0x4000000")], full=False)
    s["err-short-memory"] = dts([vm(0, mem="0x0 0x80000000")], full=False)
    s["err-badtimer"] = dts([vm(0, name='"badtimer"', extra='keel,timer = "fast"')], full=False)
    s["err-badstage2"] = dts([vm(0, extra='keel,stage2 = "sv57x4"')], full=False)
    s["err-initrd-overlap"] = dts([vm(0, mem="0x0 0x80000000 0x0 0x800000", kernel="0x0 0x90000000 0x0 0x300000",
                                      extra="keel,initrd = <0x0 0x91000000 0x0 0x300000>")], full=False)
    s["err-bootargs-long"] = dts([vm(0, extra='bootargs = "%s"' % ("x" * 300))], full=False)
    s["err-devices"] = dts([vm(0, extra="keel,devices = <0x0 0x10001001 0x0 0x1000 1>")], full=False)
    s["err-devices-five"] = dts([vm(0, extra="keel,devices = <%s>" % " ".join(
        ["0x0 0x%x 0x0 0x1000 0" % (0x10001000 + 0x1000 * i) for i in range(5)]))], full=False)
    s["err-nine-harts"] = dts([vm(0, harts="0 1 2 3 4 5 6 7 8")], full=False)
    s["err-empty-harts"] = dts([vm(0, harts="")], full=False)
    s["err-kernel-offset"] = dts([vm(0, extra="keel,kernel-offset = <0xffffffff 0xfffff000>")], full=False)
    # Boundaries: each pair is the largest accepted value and the smallest refused one.
    small = "0x0 0x80000000 0x0 0x800000"  # 8 MiB: the DTB's 2 MiB on top, 6 MiB below
    s["edge-initrd-fits"] = dts([vm(0, mem=small, kernel="0x0 0x90000000 0x0 0x200000",
                                    extra="keel,initrd = <0x0 0x91000000 0x0 0x200000>")], full=False)
    s["edge-initrd-one-over"] = dts([vm(0, mem=small, kernel="0x0 0x90000000 0x0 0x200000",
                                        extra="keel,initrd = <0x0 0x91000000 0x0 0x200001>")], full=False)
    s["edge-kernel-fits"] = dts([vm(0, mem=small, kernel="0x0 0x90000000 0x0 0x200000",
                                    extra="keel,kernel-offset = <0x0 0x400000>")], full=False)
    s["edge-kernel-one-over"] = dts([vm(0, mem=small, kernel="0x0 0x90000000 0x0 0x200001",
                                        extra="keel,kernel-offset = <0x0 0x400000>")], full=False)
    s["edge-bootargs-255"] = dts([vm(0, extra='bootargs = "%s"' % ("b" * 255))], full=False)
    s["edge-bootargs-256"] = dts([vm(0, extra='bootargs = "%s"' % ("b" * 256))], full=False)
    s["edge-name-31"] = dts([vm(0, name='"%s"' % ("n" * 31))], full=False)
    s["edge-name-32"] = dts([vm(0, name='"%s"' % ("n" * 32))], full=False)
    s["edge-kernel-host-ram-end"] = dts([vm(0, kernel="0x0 0xbffff000 0x0 0x1000")], full=False)
    s["edge-kernel-past-host-ram"] = dts([vm(0, kernel="0x0 0xbffff000 0x0 0x1001")], full=False)
    s["edge-gpa-sv39x4-top"] = dts([vm(0, mem="0x1ff 0xff800000 0x0 0x800000",
                                       extra='keel,stage2 = "sv39x4"')], full=False)
    s["edge-gpa-sv39x4-over"] = dts([vm(0, mem="0x1ff 0xffa00000 0x0 0x800000",
                                        extra='keel,stage2 = "sv39x4"')], full=False)
    s["edge-eight-harts"] = dts([vm(0, harts="0 1 2 3 4 5 6 7")], full=False, ncpus=8)
    s["name-long"] = dts([vm(0, name='"%s"' % ("n" * 40))], full=False)
    s["name-unterminated"] = dts([vm(0, name="[6b 65 65 6c]")], full=False)
    s["name-empty"] = dts([vm(0, name='""', extra="bootargs = [61 62]")], full=False)
    return s


def dtb(source, tmp):
    src = os.path.join(tmp, "seed.dts")
    out = os.path.join(tmp, "seed.dtb")
    with open(src, "w") as f:
        f.write(source)
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", out, src], check=True)
    with open(out, "rb") as f:
        return f.read()


# ---------------------------------------------------------------- switch


SW_OWN_SOURCE, SW_SPRAY, SW_LOCKED = 0x04, 0x08, 0x20  # kind bits of an input; a port's locked bit


def sw_frame(port, dst, src, length, fill=0x5A, kind=0):
    """input(port, length, bytes): dst and src are 6-byte MACs (kind bits may replace src)."""
    body = (dst + src + bytes([0x08, 0x00]) + bytes([fill]) * max(0, length - 14))[:length]
    return u8(kind) + u8(port) + u16(length) + body


def sw_take(port, buflen):
    return u8(1) + u8(port) + u16(buflen)


def sw_tick(n):
    return u8(2) + u8(0) + u16(n)


def sw_tso(port, length, gso_size, flags=3, csum_start=34, csum_offset=16):
    """an offloaded TCP/IPv4 frame (fuzz_switch builds the headers): flags 3 = partial checksum + TSO4"""
    return (u8(3) + u8(port) + u16(0) + u8(flags) + u16(csum_start) + u16(csum_offset) + u16(gso_size)
            + u16(length) + u8(0) + u8(0))


def switch_seeds():
    mac = [bytes([0x52, 0x54, 0, 0, 0, i]) for i in range(8)]
    bcast = b"\xff" * 6
    three = u8(2) + bytes([0, 0, 0])  # three ports on network 0
    two_nets = u8(3) + bytes([0, 1, 0, 1])  # four ports, networks 0 and 1
    return {
        "learn": three + sw_frame(0, mac[2], mac[1], 60) + sw_frame(1, mac[1], mac[2], 60)
        + sw_take(0, 1518) + sw_take(1, 1518) + sw_take(2, 1518),
        "broadcast-two-nets": two_nets + sw_frame(0, bcast, mac[1], 64) + sw_frame(1, bcast, mac[2], 64)
        + b"".join(sw_take(p, 2048) for p in range(4)),
        "flood": three + b"".join(sw_frame(0, bcast, mac[1], 14) for _ in range(80))
        + sw_frame(2, mac[5], mac[3], 100) + sw_take(1, 1518),
        "bad-frames": three + sw_frame(0, mac[2], mac[1], 13) + sw_frame(0, mac[2], mac[1], 1519)
        + sw_frame(0, mac[2], bcast, 60) + sw_frame(16, mac[2], mac[1], 60) + sw_frame(0, mac[2], mac[1], 1518),
        "small-buffer": three + sw_frame(0, mac[2], mac[1], 1000) + sw_take(1, 100) + sw_take(1, 0),
        "aging": three + sw_frame(0, bcast, mac[1], 60) + sw_tick(20) + sw_frame(1, mac[1], mac[2], 60),
        # port 1 takes offloads (caps in the top bits), port 2 does not: it gets the frame cut and checksummed
        "tso-segmented-for-a-plain-port": u8(2) + bytes([0, 0xC0, 0]) + sw_tso(0, 20000, 1448)
        + sw_take(2, 2000) * 4 + sw_take(1, 0xffff),
        "tso-bad-metadata": u8(2) + bytes([0, 0xC0, 0]) + sw_tso(0, 20000, 1448, csum_start=33)
        + sw_tso(0, 20000, 0) + sw_tso(0, 20000, 1500) + sw_tso(0, 66000, 1448) + sw_tso(0, 1000, 1448, flags=1),
        # a partial checksum starting in the frame's last byte (flag 0x80: start = length - 1),
        # its field up to 64 KiB past the frame, for a plain port that has the switch complete it
        "csum-past-the-frame": u8(2) + bytes([0, 0, 0]) + sw_tso(0, 100, 0, flags=0x81, csum_start=1,
                                                                csum_offset=0xffff)
        + sw_tso(0, 100, 0, flags=1, csum_start=99, csum_offset=0) + sw_take(1, 1518),
        # locked ports: 0 and 1 locked (guests, MACs 1 and 2), port 2 learns (the uplink): each
        # claims the others' MACs and a made-up one; the victim's unicast must still reach it
        "spoofed-source": u8(2) + bytes([SW_LOCKED, SW_LOCKED, 0]) + sw_frame(0, bcast, mac[1], 60)
        + sw_frame(1, bcast, mac[2], 60) + sw_frame(2, bcast, mac[5], 60) + sw_frame(0, mac[5], mac[2], 60)
        + sw_frame(0, mac[5], mac[5], 60) + sw_frame(2, mac[2], mac[1], 60) + sw_frame(1, mac[1], mac[7], 60)
        + sw_frame(2, mac[1], mac[5], 60) + sw_frame(0, mac[5], mac[0], 60, kind=SW_OWN_SOURCE)
        + sw_tso(1, 3000, 1000) + b"".join(sw_take(p, 2048) for p in range(3)),
        # learning bounds: port 0 (network 0) and port 2 (the uplink of network 1) spray made-up sources;
        # network 1's learned station behind port 3 and its locked port 1 keep their unicast
        "spray-two-nets": u8(4) + bytes([0, SW_LOCKED | 1, 1, 1, 0]) + sw_frame(3, bcast, mac[6], 60)
        + b"".join(sw_frame(0, bcast, mac[0], 14, kind=SW_SPRAY) for _ in range(300))
        + b"".join(sw_frame(2, mac[3], mac[0], 14, kind=SW_SPRAY) for _ in range(150))
        + sw_frame(1, mac[6], mac[0], 60, kind=SW_OWN_SOURCE) + sw_take(3, 1518) + sw_take(2, 1518),
    }
# fuzz_virtio: operations (see the enum at the top of tests/fuzz/fuzz_virtio.c)
V_WRITE_REG, V_READ_REG, V_NOTIFY, V_SETUP, V_DESC, V_AVAIL, V_RAM, V_COMPLETE, V_BUSY, V_RESET, V_RESUME = range(11)
V_RAM_GPA = 0x80000000
V_HDR, V_DATA, V_STATUS = V_RAM_GPA + 0x4000, V_RAM_GPA + 0x8000, V_RAM_GPA + 0x5000
V_TABLE = V_RAM_GPA + 0x6000  # an indirect table
V_NEXT, V_WRITE, V_INDIRECT = 1, 2, 4
V_FLAG_INDIRECT = 4  # input flags: the standard setup negotiates indirect descriptors


def v_desc(i, addr, length, flags, nxt=0):
    return u8(V_DESC) + u8(i) + raw(addr) + raw(length) + u16(flags) + u16(nxt)


def v_request(rtype, sector, length, data_flags, status_flags=V_WRITE, status_next=0):
    b = u8(V_RAM) + u16(V_HDR - V_RAM_GPA) + u8(16) + u32(rtype) + u32(0) + u64(sector)
    b += v_desc(0, V_HDR, 16, V_NEXT, 1) + v_desc(1, V_DATA, length, V_NEXT | data_flags, 2)
    b += v_desc(2, V_STATUS, 1, status_flags, status_next)
    return b + u8(V_AVAIL) + u16(0) + u8(V_NOTIFY) + u8(0)


def v_indirect_request(rtype, sector, length, data_flags):
    """The request of v_request in an indirect table (written with V_RAM), named by descriptor 0."""
    b = u8(V_RAM) + u16(V_HDR - V_RAM_GPA) + u8(16) + u32(rtype) + u32(0) + u64(sector)
    chain = [(V_HDR, 16, V_NEXT, 1), (V_DATA, length, V_NEXT | data_flags, 2), (V_STATUS, 1, V_WRITE, 0)]
    for k, (addr, n, flags, nxt) in enumerate(chain):
        b += u8(V_RAM) + u16(V_TABLE - V_RAM_GPA + 16 * k) + u8(16) + u64(addr) + u32(n) + u16(flags) + u16(nxt)
    b += v_desc(0, V_TABLE, 16 * len(chain), V_INDIRECT)
    return b + u8(V_AVAIL) + u16(0) + u8(V_NOTIFY) + u8(0)


def virtio_seeds():
    setup = u8(V_SETUP) + u8(4)
    done = u8(V_COMPLETE) + u8(0) + u8(0)
    s = {}
    s["read"] = u8(0) + u8(10) + setup + v_request(0, 1, 512, V_WRITE) + done
    s["write"] = u8(0) + u8(10) + setup + v_request(1, 2, 1024, 0) + done
    s["write-ro"] = u8(1) + u8(10) + setup + v_request(1, 2, 1024, 0)
    s["flush-getid"] = u8(0) + u8(10) + setup + v_request(4, 0, 0, 0) + done + v_request(8, 0, 20, V_WRITE)
    s["past-end"] = u8(0) + u8(10) + setup + v_request(0, 69, 1024, V_WRITE)
    s["loop"] = u8(0) + u8(10) + setup + v_request(0, 0, 512, V_WRITE, V_WRITE | V_NEXT, 0)
    s["indirect"] = u8(0) + u8(10) + setup + v_request(0, 0, 512, V_WRITE | V_INDIRECT)
    s["indirect-table"] = u8(V_FLAG_INDIRECT) + u8(10) + setup + v_indirect_request(0, 1, 512, V_WRITE) + done
    s["indirect-table-write"] = u8(V_FLAG_INDIRECT) + u8(10) + setup + v_indirect_request(1, 2, 1024, 0) + done
    s["busy-retry"] = u8(2) + u8(10) + setup + v_request(0, 1, 512, V_WRITE) + u8(V_BUSY) + done
    s["reset-inflight"] = u8(0) + u8(10) + setup + v_request(0, 1, 512, V_WRITE) + u8(V_RESET) + done
    # a ring whose every entry names one head (a driver bug: NEEDS_RESET at the second), then a resume
    s["repeated-heads"] = (u8(0) + u8(10) + u8(V_SETUP) + u8(5) + v_request(0, 1, 512, V_WRITE)[:-2] +
                           b"".join(u8(V_AVAIL) + u16(0) for _ in range(31)) + u8(V_NOTIFY) + u8(0) + u8(V_RESUME))
    # a ring's worth of requests over one indirect table naming the whole RAM as data, resumed
    s["huge-requests"] = (u8(V_FLAG_INDIRECT) + u8(10) + u8(V_SETUP) + u8(5) +
                          v_indirect_request(0, 100000, 0x8000, V_WRITE)[:-2] +
                          b"".join(v_desc(i, V_TABLE, 48, V_INDIRECT) + u8(V_AVAIL) + u16(i) for i in range(1, 32)) +
                          u8(V_NOTIFY) + u8(0) + u8(V_RESUME) + u8(V_RESUME))
    s["bad-queue"] = u8(0) + u8(10) + u8(V_WRITE_REG) + raw(0x38) + u8(2) + raw(3) + \
        u8(V_WRITE_REG) + raw(0x44) + u8(2) + raw(1) + u8(V_READ_REG) + raw(0x70) + u8(2)
    return s


# fuzz_vnet: operations (see the enum at the top of tests/fuzz/fuzz_vnet.c); bit 7 picks device B
N_WRITE_REG, N_NOTIFY, N_SETUP, N_DESC, N_AVAIL, N_RAM, N_UPLINK_IN, N_UPLINK_OUT, N_RESET, N_RESUME = range(10)
N_COUNT = 10
N_RAM_GPA = 0x80000000
N_BUF = N_RAM_GPA + 0x8000
N_TXQ = 128  # descriptor index bit 7: the transmit queue


def n_op(op, dev=0):
    return u8(op + (N_COUNT * 13 if dev else 0))  # 130 + op: bit 7 set, same op


def n_frame(dev, length, flags=0, nxt=0, addr=N_BUF):
    """Device dev transmits one descriptor of `length` bytes (header included) at addr."""
    return (n_op(N_RAM, dev) + u16(addr - N_RAM_GPA) + u8(12 + 12) + bytes(12) + b"\xff" * 6 + b"\x02\x00\x00\x00\x00" +
            u8(dev + 1) + n_op(N_DESC, dev) + u8(N_TXQ) + raw(addr) + raw(length) + u16(flags) + u16(nxt) +
            n_op(N_AVAIL, dev) + u8(1) + u16(0) + n_op(N_NOTIFY, dev) + u8(1))


def n_rx_buffer(dev, length, index=0):
    return (n_op(N_DESC, dev) + u8(index) + raw(N_BUF + 0x1000) + raw(length) + u16(2) + u16(0) +
            n_op(N_AVAIL, dev) + u8(0) + u16(index) + n_op(N_NOTIFY, dev) + u8(0))


def vnet_seeds():
    up = n_op(N_SETUP, 0) + u8(3) + n_op(N_SETUP, 1) + u8(3)
    s = {}
    s["a-to-b"] = up + n_rx_buffer(1, 1530) + n_frame(0, 72)
    s["b-posts-late"] = up + n_frame(0, 72) + n_rx_buffer(1, 1530) + n_op(N_UPLINK_OUT) + u16(0)
    s["runt-oversize"] = up + n_frame(0, 20) + n_frame(0, 1531) + n_frame(0, 0xffffffff)
    s["small-rx"] = up + n_rx_buffer(1, 30) + n_frame(0, 1530)
    s["loop"] = up + n_frame(0, 72, flags=1, nxt=0)
    s["outside-ram"] = up + n_frame(0, 72, addr=N_RAM_GPA + 0x10000 - 16)
    s["uplink-flood"] = up + n_rx_buffer(0, 1530) + b"".join(n_op(N_UPLINK_IN) + u16(n) + u8(0) for n in
                                                              (0, 13, 14, 60, 1518, 1519, 3000))
    s["reset-midway"] = up + n_frame(0, 72) + n_op(N_RESET, 1) + n_rx_buffer(1, 1530)
    # a ring's worth of broadcast frames (all descriptors naming one frame) on one notify, then its resumes
    burst = (n_op(N_SETUP, 0) + u8(5) + n_frame(0, 72)[:-2] +
             b"".join(n_op(N_DESC, 0) + u8(N_TXQ + i) + raw(N_BUF) + raw(72) + u16(0) + u16(0) +
                      n_op(N_AVAIL, 0) + u8(1) + u16(i) for i in range(1, 32)))
    s["broadcast-burst"] = burst + n_op(N_NOTIFY, 0) + u8(1) + n_op(N_RESUME, 0) + n_op(N_RESUME, 0)
    s["repeated-heads"] = (up + n_frame(0, 72)[:-2] + b"".join(n_op(N_AVAIL, 0) + u8(1) + u16(0) for _ in range(7)) +
                           n_op(N_NOTIFY, 0) + u8(1) + n_op(N_RESUME, 0))
    s["tso-to-b-and-uplink"] = (n_op(N_SETUP, 0) + u8(0x83) + n_op(N_SETUP, 1) + u8(0x83)
                                + n_rx_buffer(1, 0x4000) + n_tso(0, 3000, 1000))
    # a 100-byte frame whose partial checksum starts at its last byte, the field 64 KiB on
    s["csum-past-the-frame"] = (n_op(N_SETUP, 0) + u8(0x83) + n_op(N_SETUP, 1) + u8(0x83)
                                + n_tso(0, 100 - 54, 0, gso_type=0, csum_start=99, csum_offset=0xffff))
    return s


# fuzz_vcons: operations (see the enum at the top of tests/fuzz/fuzz_vcons.c)
C_WRITE_REG, C_NOTIFY, C_SETUP, C_DESC, C_AVAIL, C_RAM, C_INPUT, C_RESET, C_RESUME = range(9)
C_RAM_GPA = 0x80000000
C_BUF = C_RAM_GPA + 0x8000
C_TXQ = 128  # descriptor index bit 7: the transmit queue


def c_print(text, flags=0, nxt=0, addr=C_BUF, length=None):
    """The guest transmits `text` from one descriptor at addr (length: another descriptor length)."""
    return (u8(C_RAM) + u16(addr - C_RAM_GPA) + u8(len(text)) + text + u8(C_DESC) + u8(C_TXQ) + raw(addr) +
            raw(len(text) if length is None else length) + u16(flags) + u16(nxt) +
            u8(C_AVAIL) + u8(1) + u16(0) + u8(C_NOTIFY) + u8(1))


def c_rx_buffer(length, index=0):
    return (u8(C_DESC) + u8(index) + raw(C_BUF + 0x1000) + raw(length) + u16(2) + u16(0) +
            u8(C_AVAIL) + u8(0) + u16(index) + u8(C_NOTIFY) + u8(0))


def c_input(text):
    return u8(C_INPUT) + u8(len(text)) + text


def vcons_seeds():
    up = u8(C_SETUP) + u8(3)
    s = {}
    s["print"] = up + c_print(b"hello, world\n")
    s["input-then-buffer"] = up + c_input(b"ls -l\n") + c_rx_buffer(16)
    s["buffer-then-input"] = up + c_rx_buffer(2) + c_input(b"abcdef") + c_rx_buffer(16, 1)
    s["loop"] = up + c_print(b"loop", flags=1, nxt=0)
    s["outside-ram"] = up + c_print(b"x", addr=C_RAM_GPA + 0x10000 - 16, length=32)
    s["writable-tx"] = up + c_print(b"oops", flags=2)
    s["input-overflow"] = up + b"".join(c_input(bytes([0x61 + i]) * 64) for i in range(20)) + c_rx_buffer(0xffffffff)
    s["reset-midway"] = up + c_input(b"kept") + u8(C_RESET) + up + c_rx_buffer(16)
    # one chain of 16 descriptors each naming the whole RAM: out a budget at a time over resumes
    huge = b"".join(u8(C_DESC) + u8(C_TXQ + k) + raw(C_RAM_GPA) + raw(0x10000) + u16(1 if k < 15 else 0) + u16(k + 1)
                    for k in range(16))
    s["huge-chain"] = (u8(C_SETUP) + u8(5) + huge + u8(C_AVAIL) + u8(1) + u16(0) + u8(C_NOTIFY) + u8(1) +
                       u8(C_RESUME) * 8 + u8(C_RESET))
    # every ring entry names that chain's head: the second is refused (NEEDS_RESET)
    s["repeated-heads"] = (u8(C_SETUP) + u8(5) + huge + b"".join(u8(C_AVAIL) + u8(1) + u16(0) for _ in range(32)) +
                           u8(C_NOTIFY) + u8(1) + u8(C_RESUME) * 4)
    return s


def n_tso(dev, payload, gso_size, gso_type=1, csum_start=34, csum_offset=16):
    """Device dev transmits a broadcast TCP/IPv4 TSO frame (virtio header: NEEDS_CSUM, GSO_TCPV4)."""
    hdr = u8(1) + u8(gso_type) + u16(54) + u16(gso_size) + u16(csum_start) + u16(csum_offset) + u16(0)
    eth = b"\xff" * 6 + b"\x02\x00\x00\x00\x00" + u8(dev + 1) + b"\x08\x00"
    ip = b"\x45\x00" + u16(0) + b"\x00\x01\x00\x00\x40\x06\x00\x00\x0a\x00\x03\x01\x0a\x00\x03\x02"
    tcp = bytes(12) + b"\x50\x18" + bytes(6)
    data = hdr + eth + ip + tcp
    ram = b"".join(n_op(N_RAM, dev) + u16(N_BUF - N_RAM_GPA + k) + u8(len(data[k:k + 24])) + data[k:k + 24]
                   for k in range(0, len(data), 24))
    return (ram + n_op(N_DESC, dev) + u8(N_TXQ) + raw(N_BUF) + raw(len(data) + payload) + u16(0) + u16(0)
            + n_op(N_AVAIL, dev) + u8(1) + u16(0) + n_op(N_NOTIFY, dev) + u8(1)
            + n_op(N_UPLINK_OUT) + u16(0) + n_op(N_UPLINK_OUT) + u16(0))


# fuzz_vswalk: how (bits 3:0 vsatp MODE, bit 4 a raw root, bits 6:5 the fault address), root, va, fault, pick, RAM
W_RAM = 0x80000000
W_SV39, W_SV48 = 8, 9


def w_pte(ppn_gpa, leaf=False):
    """A valid PTE naming the page at ppn_gpa: a pointer, or a leaf (R W X)."""
    return u64((ppn_gpa >> 12) << 10 | (0xF if leaf else 0x1))


def w_tables(levels_gpas, va, device_gpa):
    """RAM bytes: a table per level at the given pages, the last pointer naming device_gpa."""
    ram = bytearray(64 * 1024)
    for lvl, page in enumerate(levels_gpas):
        idx = (va >> (12 + 9 * (len(levels_gpas) - 1 - lvl))) & 511
        nxt = levels_gpas[lvl + 1] if lvl + 1 < len(levels_gpas) else device_gpa
        off = page - W_RAM + idx * 8
        ram[off:off + 8] = w_pte(nxt)
    return bytes(ram[:0x4000])


def vswalk_seeds():
    va = 0x40201010
    tables = [W_RAM, W_RAM + 0x1000, W_RAM + 0x2000]
    ram = w_tables(tables, va, 0x0c000000)  # the last level's table in the vPLIC's window
    walk = lambda how, fault, pick=0: u8(how) + u8(0) + u64(va) + u64(fault) + u8(pick) + ram
    return {
        "sv39-pte-in-device": walk(W_SV39 | 3 << 5, 0x0c000000 + ((va >> 12) & 511) * 8),
        "sv39-explicit": walk(W_SV39 | 1 << 5, 0x0c000000),
        "sv39-offset-is-an-index": walk(W_SV39 | 2 << 5, 0x0c000000, 1),
        "sv39-root-pte": walk(W_SV39, 0, 2),
        "sv48-raw-root": u8(W_SV48 | 1 << 4 | 3 << 5) + u64(0x0c000) + u64(va) + u64(0x0c000000) + u8(0),
        "bare": walk(0, 0x0c000000),
    }


# ---------------------------------------------------------------- vaplic
# Operations as fuzz_vaplic.c takes them: 0 write (offset, width, value), 2 read, 3 line change, 5 reset.
def a_off(kind, *idx):
    return bytes([kind, *idx])


def a_wr(off, value):
    return bytes([0]) + off + bytes([0]) + bytes([3]) + struct.pack("<I", value)


def a_rd(off):
    return bytes([2]) + off + bytes([0])


def a_line(source, level):
    return bytes([3, source, level])


A_DOMAINCFG, A_SETIENUM, A_SETIPNUM_LE = a_off(0, 0), a_off(1, 2, 0xdc // 4), a_off(2, 0)


def vaplic_seeds():
    def route(source, mode, hart, eiid):
        return (a_wr(a_off(0, source), mode) + a_wr(a_off(3, source), hart << 18 | eiid) +
                a_wr(A_SETIENUM, source) + a_wr(A_DOMAINCFG, 0x100))
    return {
        "edge": bytes([2, 63]) + route(3, 4, 1, 9) + a_line(3, 1) + a_line(3, 0) + a_line(3, 1) + a_rd(a_off(1, 0, 0)),
        "level": bytes([1, 255]) + route(10, 6, 0, 5) + a_line(10, 1) + a_wr(A_SETIPNUM_LE, 10) + a_line(10, 0) +
        a_wr(A_SETIPNUM_LE, 10) + a_rd(a_off(1, 1, 0)) + bytes([5]),
        "genmsi": bytes([4, 31]) + a_wr(a_off(3, 0), 3 << 18 | 7) + a_rd(a_off(3, 0)) +
        a_wr(a_off(0, 7), 0x402) + a_rd(a_off(0, 7)),
    }


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
    with tempfile.TemporaryDirectory() as tmp:
        targets = {
            "insn": insn_seeds(),
            "sbi": sbi_seeds(),
            "vdev": vdev_seeds(),
            "guest_fdt": guest_fdt_seeds(),
            "config": {name: dtb(src, tmp) for name, src in config_seeds().items()},
            "switch": switch_seeds(),
            "virtio": virtio_seeds(),
            "vnet": vnet_seeds(),
            "vcons": vcons_seeds(),
            "vswalk": vswalk_seeds(),
            "vaplic": vaplic_seeds(),
        }
    total = 0
    for target, seeds in targets.items():
        d = os.path.join(corpus, target)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        for name, data in sorted(seeds.items()):
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
            total += len(data)
        print("make-seeds: %-9s %3d seeds, %6d bytes" % (target, len(seeds), sum(map(len, seeds.values()))))
    print("make-seeds: %d bytes in all" % total)


if __name__ == "__main__":
    main()
