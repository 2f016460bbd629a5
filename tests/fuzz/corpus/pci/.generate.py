#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes the seed corpus of tests/fuzz/fuzz_pci.c into this directory.
# Run from anywhere: python3 tests/fuzz/corpus/pci/.generate.py
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "..", "data", "real-machines", "kvm-virtio-linux618",
                    "sys_bus_pci_devices")

# Operation codes (low 5 bits); bits 7:5 select the access size
# (0:1 1:2 2:4 3:8 4:4 5:8 6:3 7:0 bytes).
CFG_RD, CFG_WR, BAR_RD, BAR_WR, RAISE, IMS_RAISE, RESET, BUS_WR, BUS_RD, MSIX_ENTRY, \
    CONTROL, CONTROL2, IMS_ENTRY, MSI = range(14)
SZ = {1: 0, 2: 1, 4: 2, 8: 3, 3: 6, 0: 7}


def op(code, size=4):
    return bytes([code | SZ[size] << 5])


def u16(v):
    return struct.pack("<H", v & 0xFFFF)


def u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


def u64(v):
    return struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF)


def header(msi_idx=0, msi64=False, pvm=False, latch=False, flr=False, msix=0, ims=0,
           flags=0, locs=b""):
    mode = msi_idx << 1 | msi64 << 4 | pvm << 5 | latch << 6 | flr << 7
    return bytes([mode]) + u16(msix) + bytes([ims, flags]) + locs


def command(v):
    return op(CONTROL) + bytes([0]) + u32(v)


def bar_addr(bar, addr):
    return op(CONTROL) + bytes([1 | bar << 2]) + u32(addr >> 12)


def msix_ctl(bits):
    return op(CONTROL) + bytes([2]) + u32(bits)


def devctl(v):
    return op(CONTROL) + bytes([3]) + u32(v)


def msix_entry(k, sel, off, data, masked, qword=False):
    return op(MSIX_ENTRY) + u16(k) + bytes([sel]) + u32(off) + u16(data) + \
        bytes([(1 if qword else 0) | (2 if masked else 0)])


def ims_entry(k, sel, off, data, ctrl):
    return op(IMS_ENTRY) + u16(k) + bytes([sel]) + u32(off) + u16(data) + u32(ctrl)


def msi(sel, off, data, mask, ctl):
    return op(MSI) + bytes([sel]) + u32(off) + u16(data) + u32(mask) + bytes([ctl])


def raise_(k, w=1):
    return op(RAISE) + u16(k) + bytes([w])


def ims_raise(k, w=1):
    return op(IMS_RAISE) + u16(k) + bytes([w])


def cfg_wr(off, v, size):
    return op(CFG_WR, size) + u16(off) + u64(v)


def cfg_rd(off, size):
    return op(CFG_RD, size) + u16(off)


def bar_wr(bar, off, v, size):
    return op(BAR_WR, size) + bytes([bar]) + u32(off)[:3] + u64(v)


def bar_rd(bar, off, size):
    return op(BAR_RD, size) + bytes([bar]) + u32(off)[:3]


def bus_wr(sel, off, v, size):
    return op(BUS_WR, size) + bytes([sel]) + u32(off) + u64(v)


def bus_rd(sel, off, size):
    return op(BUS_RD, size) + bytes([sel]) + u32(off)


def linux_msix(n, bar_at=0xC0000):
    s = command(0x406) + bar_addr(0, bar_at << 12) + msix_ctl(0xC0)
    for k in range(n):
        s += msix_entry(k, 0, 0x1000 + 16 * k, 0x40 + k, masked=False, qword=k & 1)
    return s + msix_ctl(0x80)


seeds = {}
seeds["msix-basic"] = header(msix=8) + linux_msix(8) + b"".join(raise_(k) for k in range(8))
seeds["msix-mask-pending"] = header(msix=8) + linux_msix(8) + \
    msix_entry(3, 0, 0x30, 0x43, True) + raise_(3) + raise_(3, 5) + \
    msix_entry(3, 0, 0x30, 0x43, False) + raise_(3)
seeds["msix-function-mask"] = header(msix=64) + linux_msix(64) + msix_ctl(0xC0) + \
    b"".join(raise_(k) for k in range(0, 64, 5)) + msix_ctl(0x80)
seeds["msix-latch"] = header(msix=4, latch=True) + command(0x4) + \
    msix_entry(1, 1, 0x100, 7, False) + raise_(1) + raise_(1) + msix_ctl(0x80)
seeds["msix-drop"] = header(msix=4) + command(0x4) + raise_(0) + msix_ctl(0x80) + \
    msix_entry(0, 0, 0, 1, False) + raise_(0) + msix_ctl(0x00) + raise_(0)
seeds["msix-bme-off"] = header(msix=4) + linux_msix(4) + msix_entry(2, 0, 0x20, 2, True) + \
    raise_(2) + command(0x2) + msix_entry(2, 0, 0x20, 2, False) + raise_(2)
seeds["msix-2048"] = header(msix=2048) + linux_msix(16) + msix_ctl(0xC0) + \
    b"".join(raise_(k) for k in range(0, 2048, 97)) + msix_ctl(0x80) + raise_(2047)
seeds["msix-odd-access"] = header(msix=8) + linux_msix(2) + \
    b"".join(bar_wr(0, off, 0xFFFFFFFFFFFFFFFF, size) for off in (1, 2, 3, 5, 0x1C, 0x14)
             for size in (1, 2, 3, 4, 8)) + \
    b"".join(bar_rd(0, off, size) for off in (0, 2, 4, 0x800, 0x804, 0x1000)
             for size in (1, 2, 4, 8, 0))
seeds["msix-pba-write"] = header(msix=70) + linux_msix(70) + \
    msix_entry(69, 0, 0x40, 9, True) + raise_(69) + bar_wr(0, 0x808, 0, 8) + \
    bar_wr(0, 0x800, 0xFFFFFFFF, 4) + bar_rd(0, 0x808, 8) + msix_entry(69, 0, 0x40, 9, False)
seeds["msix-own-bar"] = header(msix=4) + linux_msix(4) + \
    msix_entry(0, 5, 0x0C, 1, False) + raise_(0) + msix_entry(1, 3, 0x100, 1, False) + \
    raise_(1) + msix_entry(2, 4, 0x100, 1, False) + raise_(2)
seeds["msix-bar-move"] = header(msix=4, flags=1) + linux_msix(4) + bar_addr(0, 0xD0000000) + \
    bus_wr(5, 0x0C, 1, 4) + bus_rd(5, 0x800, 8) + command(0x4) + bar_addr(1, 0x1000) + \
    command(0x406) + bus_wr(5, 0x0C, 0, 4)
seeds["msix-explicit-locs"] = header(msix=16, flags=2, locs=bytes([2]) + u16(0x200) +
                                     bytes([2]) + u16(0x100)) + linux_msix(0) + \
    bar_addr(2, 0xC1000000) + msix_ctl(0x80) + msix_entry(5, 0, 0x50, 5, False) + raise_(5)
seeds["msix-bad-locs"] = header(msix=16, flags=2, locs=bytes([1]) + u16(0x1) + bytes([1]) +
                                u16(0x2)) + raise_(0)
seeds["msi-multi"] = header(msi_idx=6, msi64=True, pvm=True) + command(0x4) + \
    msi(0, 0x200, 0x4AE0, 0, 0x51) + b"".join(raise_(k) for k in range(32))
seeds["msi-mask"] = header(msi_idx=3, pvm=True) + command(0x4) + \
    msi(0, 0x200, 0x60, 0xFF, 0x31) + raise_(2) + raise_(3) + msi(0, 0x200, 0x60, 0xB, 0x31) + \
    msi(0, 0x200, 0x60, 0, 0x11) + msi(0, 0x200, 0x60, 0, 0x31)
seeds["msi-nopvm"] = header(msi_idx=2) + command(0x4) + msi(1, 0x10, 0x70, 0, 0x71) + \
    raise_(0) + raise_(1) + raise_(3) + cfg_wr(0x82, 0x0071, 2) + cfg_rd(0x82, 2)
seeds["msi-and-msix"] = header(msi_idx=4, msi64=True, msix=2) + command(0x4) + \
    msi(0, 0, 0x80, 0, 0x41) + raise_(15) + msix_ctl(0x80) + raise_(15) + msix_ctl(0) + raise_(1)
seeds["ims"] = header(msix=2, ims=32) + command(0x4) + \
    ims_entry(3, 0, 0x300, 0x33, 1) + ims_raise(3) + ims_raise(3, 4) + \
    ims_entry(3, 0, 0x300, 0x33, 0) + ims_raise(3) + ims_raise(40) + \
    ims_entry(31, 2, 0x40, 1, 0xFFFFFFFF)
seeds["ims-explicit"] = header(ims=200, msix=8, flags=2 | 0x10, locs=bytes([0]) + u16(0) +
                               bytes([0]) + u16(0x100) + bytes([0]) + u16(0x200)) + \
    command(0x406) + ims_entry(199, 0, 0, 1, 0) + ims_raise(199)
seeds["flr"] = header(msix=8, flr=True, msi_idx=1) + linux_msix(8) + \
    msix_entry(0, 0, 0, 1, True) + raise_(0, 9) + devctl(0x8000) + raise_(0)
seeds["reset"] = header(msix=8, ims=4) + linux_msix(8) + msix_ctl(0xC0) + raise_(1) + \
    ims_raise(1) + op(RESET) + raise_(1) + linux_msix(8) + raise_(1)
seeds["cfg-walk"] = header(msix=3, msi_idx=5, msi64=True, pvm=True, flr=True) + \
    b"".join(cfg_wr(off, 0xFFFFFFFFFFFFFFFF, size) for off in range(0, 0x100, 7)
             for size in (1, 2, 4)) + \
    b"".join(cfg_rd(off, size) for off in range(0, 0x100, 9) for size in (1, 2, 4, 8))
seeds["cfg-bar-sizing"] = header(msix=9, flags=1 | 4 | 0x20, ims=8, locs=b"") + bytes([10]) + \
    b"".join(cfg_wr(0x10 + 4 * i, 0xFFFFFFFF, 4) + cfg_rd(0x10 + 4 * i, 4) for i in range(6)) + \
    cfg_wr(0x30, 0xFFFFFFFF, 4) + cfg_rd(0x30, 4) + cfg_wr(0xFFE, 1, 4) + cfg_rd(0x1000, 1)
seeds["overflow"] = header(msix=2) + linux_msix(2) + msix_entry(0, 0, 0, 1, True) + \
    raise_(0, 0xFF) + raise_(0, 0xFF) + raise_(0, 0xFF) + msix_entry(0, 0, 0, 1, False)
seeds["bad-raise"] = header(msix=4, msi_idx=1) + raise_(4) + raise_(2099) + raise_(0, 0) + \
    ims_raise(0) + op(RAISE)

# Functions from the real images (and broken copies of one).
for dev in sorted(os.listdir(DATA)):
    with open(os.path.join(DATA, dev, "config"), "rb") as f:
        img = f.read(256)
    devno = int(dev.split(":")[2].split(".")[0], 16)
    name = "image-" + dev.replace(":", "-")
    hdr = bytes([1 | devno << 3, 0, 0, 0, 0])
    ops = command(0x406) + bar_addr(0, 0x80000000) + bar_addr(1, 0) + msix_ctl(0xC0) + \
        b"".join(msix_entry(k, 0, 0x10 * k, k, False) for k in range(5)) + msix_ctl(0x80) + \
        b"".join(raise_(k) for k in range(6))
    seeds[name] = hdr + img + ops
    if devno == 2:
        seeds["image-keep-state"] = bytes([1 | devno << 3, 0, 0, 0, 1]) + img + raise_(0)
        seeds["image-ims"] = bytes([1 | devno << 3, 0, 0, 5, 0]) + img + bytes([2]) + \
            u16(0x10) + command(0x4) + ims_raise(4) + ims_entry(4, 0, 0, 4, 0)
        loop = bytearray(img)
        loop[0x99] = 0x40  # MSI-X next pointer back to the first capability
        seeds["image-cap-loop"] = hdr + bytes(loop) + raise_(0)
        bad = bytearray(img)
        bad[0x9C] = 0x07  # table BIR 7
        seeds["image-bad-bir"] = hdr + bytes(bad)
        msi_img = bytearray(img)
        msi_img[0x98:0xB0] = bytes([0x05, 0x00, 0x8A, 0x01]) + bytes(20)  # 32 vectors, 64, PVM
        seeds["image-msi"] = hdr + bytes(msi_img) + command(0x4) + msi(0, 0, 0x20, 0, 0x51) + \
            raise_(31)

rng = random.Random(1234)
for i in range(4):
    body = bytes(rng.getrandbits(8) for _ in range(600))
    seeds["random-%d" % i] = header(msix=rng.choice([1, 7, 64]), ims=rng.choice([0, 9]),
                                    msi_idx=rng.randrange(7), pvm=True) + linux_msix(1) + body

for name, blob in seeds.items():
    assert len(blob) < 4096, name
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(blob)
print("%d seeds" % len(seeds))
