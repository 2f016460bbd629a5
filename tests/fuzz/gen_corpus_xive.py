#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of tests/fuzz/fuzz_xive.c into tests/fuzz/corpus/xive/.

Each seed is a configuration byte and a sequence of operations encoded as
fuzz_xive.c reads them (see its ops[] and operand layouts). The seeds play
short guest scenarios: the pSeries NVMe seed story, PQ transitions through
the ESB pages, queue set-up and scribbles, RTAS allocations under quotas,
hcall argument errors, device failure and removal. Run from anywhere:
    python3 tests/fuzz/gen_corpus_xive.py
"""
import os
import random
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "xive")

PRIOS = [0, 1, 2, 3, 4, 5, 6, 7, 0xFF, 0x100]
QSIZES = [0, 12, 16, 21, 24, 13]
H = {"get_source_info": 0, "set_source_config": 1, "get_source_config": 2,
     "get_queue_info": 3, "set_queue_config": 4, "get_queue_config": 5,
     "reporting_line": 6, "esb": 7, "sync": 8, "reset": 9, "bad": 10}
SET_PQ = {0: 0xC00, 1: 0xD00, 2: 0xE00, 3: 0xF00}


def u8(v): return struct.pack("<B", v & 0xFF)
def u16(v): return struct.pack("<H", v & 0xFFFF)
def u32(v): return struct.pack("<I", v & 0xFFFFFFFF)
def u64(v): return struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF)


# hcall arguments: (selector, value) as fuzz_xive.c's arg() decodes them
def A(v): return (0, v)
def LISN(v): return (2, v)
def CPU(v): return (3, v)
def PRIO(p): return (4, PRIOS.index(p))
def QSIZE(q): return (5, QSIZES.index(q))
def QPAGE(n): return (6, n)  # 0x10000 * n


def esb_load(off, sizesel=3): return u8(0) + u8(sizesel) + u32(off)
def esb_store(off, val=0, w=0, sizesel=3): return u8(1) + u8(sizesel) + u32(off) + u64(val) + u8(w)
def msg(target, k, v, w): return u8(2) + u8(target) + u8(k) + u32(v) + u8(w)
def trig(lisn, w): return u8(3) + u8(lisn) + u8(w)
def change(fn, func, count, nsel=4): return u8(5) + u8(fn) + u8(func) + u8(count) + u8(nsel)
def query(fn, idx): return u8(6) + u8(fn) + u8(idx)
def qram(cpu, prio, slot, val): return u8(7) + u8(cpu) + u8(prio) + u16(slot) + u32(val)
def take(cpu): return u8(8) + u8(cpu)
def device(fn, action): return u8(9) + u8(fn) + u8(action)
def model(action, a, b, c): return u8(10) + u8(action) + u8(a) + u8(b) + u8(c)
def bus(region, sizesel, off, val, write): return u8(11) + u8(region) + u8(sizesel) + u32(off) + u64(val) + u8(write)
def burst(lisn, k, w): return u8(12) + u8(lisn) + u16(k) + u8(w)
def drain(cpu, k): return u8(13) + u8(cpu) + u16(k)


def hcall(name, *args, sel_extra=0):
    args = list(args) + [A(0)] * (5 - len(args))
    return u8(4) + u8(H[name] | sel_extra) + b"".join(u8(s) + u32(v) for s, v in args)


def mgmt(lisn, shift=16): return ((2 * lisn + 1) << shift)
def trigp(lisn, shift=16): return ((2 * lisn) << shift)


def conf(shift4k=False, store_eoi=False, quota=0):
    return u8((1 if shift4k else 0) | (2 if store_eoi else 0) | ({0: 0, 8: 1, 16: 2, 128: 3}[quota] << 2))


def route(lisn, cpu, prio, eisn, shift=16, qsize=16):
    """The guest OS: queue for (cpu, prio), source config, unmask at the ESB."""
    return (hcall("set_queue_config", A(1), CPU(cpu), PRIO(prio), QPAGE(16 + cpu * 8 + prio), QSIZE(qsize))
            + hcall("set_source_config", A(2), LISN(lisn), CPU(cpu), PRIO(prio), A(eisn))
            + esb_load(mgmt(lisn, shift) + SET_PQ[0]))


def seeds():
    s = {}
    # The NVMe story: allocate 1, use it, disable, then use the LISN again (H_P2).
    s["seed_nvme_post_free"] = (conf() + change(0, 4, 1) + query(0, 0) + hcall("get_source_info", A(0), LISN(4))
                                + route(4, 1, 6, 0x44) + msg(1, 0, 0, 2) + take(1) + esb_load(mgmt(4))
                                + change(0, 4, 0) + hcall("get_source_info", A(0), LISN(4))
                                + msg(1, 0, 0, 3))
    # The fixed order: allocate many once, free/allocate vectors via hcalls only.
    b = conf() + change(0, 4, 16) + query(0, 15)
    for i in range(4):
        b += route(4 + i, i % 4, 6, 0x100 + i)
    for i in range(4):
        b += msg(1, i, 0, 1)
    for c in range(4):
        b += take(c)
    b += change(0, 4, 0)
    s["seed_nvme_teardown"] = b
    # Quota: 129 asked with quota 128, then 128; PE shared by functions 1 and 2.
    s["quota_129"] = conf(quota=128) + change(0, 4, 39) + change(0, 4, 32) + query(0, 31)
    s["pe_shared"] = (conf(quota=16) + change(1, 3, 8) + change(2, 4, 8) + change(2, 4, 8)
                      + device(1, 3) + change(2, 4, 8) + change(1, 3, 0))
    s["msi_align"] = conf() + change(2, 4, 1) + change(1, 3, 3) + query(1, 2) + query(1, 3) + change(1, 5, 2)
    s["functions"] = conf() + b"".join(change(f, fn, c) for f in range(4) for fn in range(7) for c in (0, 1, 3))[:3000]
    s["rtas_bad_args"] = conf() + change(0, 4, 2, nsel=3) + change(0, 4, 2, nsel=0x80 | 4) + change(0, 4, 2, nsel=0x44) + query(3, 9)
    s["callback_failure"] = conf() + change(0, 4, 4) + device(0, 0) + change(0, 4, 8) + device(0, 0) + change(0, 4, 8)
    s["removal"] = (conf() + change(0, 4, 8) + route(4, 0, 5, 1) + msg(1, 0, 0, 1) + device(0, 1)
                    + msg(1, 0, 0, 2) + take(0) + device(0, 2) + change(0, 4, 8))
    # PQ transitions through the ESB pages, both page sizes.
    for shift, tag in ((16, "64k"), (12, "4k")):
        b = conf(shift4k=(shift == 12), store_eoi=True) + change(0, 4, 2) + route(4, 2, 3, 9, shift)
        for st in range(4):
            for off in (0x000, 0x400, 0x7F8, 0x800, 0xC00, 0xD00, 0xE00, 0xF00):
                b += esb_load(mgmt(4, shift) + SET_PQ[st]) + esb_load(mgmt(4, shift) + off)
                b += esb_load(mgmt(4, shift) + SET_PQ[st]) + esb_store(mgmt(4, shift) + off, w=1)
            b += esb_store(trigp(4, shift), w=2) + esb_load(trigp(4, shift))
        b += take(2) + take(2) + take(2)
        s["pq_" + tag] = b[:4000]
    s["odd_sizes"] = conf() + change(0, 4, 1) + b"".join(
        esb_load(mgmt(4) + SET_PQ[1] + o, sizesel=z) + esb_store(trigp(4) + o, w=1, sizesel=z)
        for z in range(3) for o in (0, 1, 2, 4, 7))
    # Coalescing and huge weights.
    s["coalesce"] = (conf() + change(0, 4, 1) + route(4, 0, 0, 4) + trig(4, 1) + trig(4, 255) + trig(4, 255)
                     + take(0) + esb_load(mgmt(4)) + take(0) + esb_load(mgmt(4) + SET_PQ[0]) + esb_store(trigp(4)) + take(0))
    # Queues: scribbles, forged entries, overflow of a 4K queue, resets.
    b = conf() + change(0, 4, 2) + hcall("set_queue_config", A(1), CPU(0), PRIO(1), QPAGE(40), QSIZE(12))
    b += hcall("set_source_config", A(2), LISN(4), CPU(0), PRIO(1), A(4))
    for i in range(300):
        b += esb_store(mgmt(4) + SET_PQ[0]) + trig(4, 1)
    s["queue_fill"] = b[:4000]
    s["queue_wrap_overflow"] = (conf() + change(0, 4, 1) + route(4, 1, 3, 4, qsize=12)
                                + burst(4, 1000, 1) + drain(1, 900) + burst(4, 1000, 2) + drain(1, 2000)
                                + burst(4, 2000, 1) + qram(1, 3, 5, 0) + drain(1, 2000) + burst(4, 30, 1))
    s["queue_scribble"] = (conf() + change(0, 4, 1) + route(4, 3, 2, 4) + trig(4, 1) + qram(3, 2, 0, 0)
                           + take(3) + qram(3, 2, 1, 0x42000080) + take(3) + esb_load(mgmt(4) + SET_PQ[0])
                           + trig(4, 3) + take(3) + hcall("set_queue_config", A(0), CPU(3), PRIO(2), A(0), QSIZE(0)))
    s["queue_sizes"] = conf() + b"".join(
        hcall("set_queue_config", A(f), CPU(c), PRIO(p), QPAGE(n), QSIZE(q))
        for f, c, p, n, q in ((1, 0, 0, 256, 24), (0, 1, 6, 64, 21), (0, 2, 7, 1, 12), (2, 4, 0, 0, 16),
                              (0, 3, 3, 3, 16), (0, 3, 3, 600, 16), (0, 0, 0, 0, 13), (1, 0, 0x100, 0, 12)))
    s["queue_config_debug"] = (conf() + change(0, 4, 1) + route(4, 1, 4, 4) + trig(4, 1)
                               + hcall("get_queue_config", A(1), CPU(1), PRIO(4)) + hcall("get_queue_info", A(0), CPU(1), PRIO(4)))
    # hcall argument errors, every call.
    b = conf() + change(0, 4, 4)
    for name in H:
        for args in ((A(1), LISN(4), CPU(5), PRIO(7), A(0)), (A(0), LISN(70), CPU(0), PRIO(0), A(1)),
                     (A(0), LISN(4), CPU(5), PRIO(6), A(2)), (A(0), LISN(4), CPU(1), PRIO(0xFF), QSIZE(12)),
                     (A(1), CPU(1), PRIO(3), QPAGE(33), QSIZE(16))):
            b += hcall(name, *args)
    s["hcall_errors"] = b
    s["hcall_modes"] = conf() + change(0, 4, 1) + hcall("get_source_info", A(0), LISN(4), sel_extra=0xF0) + hcall("get_source_info", A(0), LISN(4), sel_extra=0x10)
    s["esb_hcall"] = (conf(store_eoi=True) + change(3, 4, 4) + route(4, 0, 2, 4)
                      + hcall("esb", A(1), LISN(4), A(0), A(0)) + take(0) + hcall("esb", A(0), LISN(4), A(0))
                      + hcall("esb", A(0), LISN(4), A(0x10000)) + hcall("esb", A(1), LISN(4), A(0x400)))
    s["h_int_reset"] = (conf() + change(0, 4, 2) + route(4, 0, 1, 4) + trig(4, 2) + trig(4, 3)
                        + hcall("reset") + esb_load(mgmt(4)) + hcall("get_source_config", A(0), LISN(4)))
    # The MSI window and stray messages.
    s["msi_window"] = (conf() + change(0, 4, 2) + route(4, 0, 0, 4) + msg(0, 0, 4 << 12, 2) + msg(0, 0, 70 << 12, 1)
                       + msg(5, 0, 0x21C00, 3) + msg(1, 31, 0, 1) + bus(2, 1, 0, 4, 1) + bus(2, 3, 8, 4, 1) + bus(2, 2, 0, 0, 0))
    s["model_direct"] = conf() + b"".join(model(a, l, b_, c) for a in range(5) for l, b_, c in ((4, 1, 0), (70, 0x83, 2), (5, 0x0C, 3)))
    s["bus_random"] = conf() + b"".join(bus(r, z, o, 0x1122334455667788, w)
                                        for r in range(4) for z in range(4) for o, w in ((0, 0), (0x10C00, 0), (0x3FFF8, 1)))
    s["empty"] = b""
    s["config_only"] = conf(shift4k=True, store_eoi=True, quota=8)
    rnd = random.Random(20250722)
    for i in range(6):
        s["random_%d" % i] = bytes(rnd.randrange(256) for _ in range(rnd.randrange(16, 1024)))
    return s


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in seeds().items():
        assert len(data) < 4096, name
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
