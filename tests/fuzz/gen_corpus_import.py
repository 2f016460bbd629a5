#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of tests/fuzz/fuzz_import.c into tests/fuzz/corpus/import/.

Each seed is a /proc/interrupts file, then "@@<kind> <path>" entries (see
fuzz_import.c) for the sysfs and /proc/irq files that go with it:

  * the real captures of tests/data/real-machines/ (the KVM guest with its
    sysfs tree - vendor, device, config, msi_irqs/ - and /proc/irq lists),
    and the 6.12 q35 capture of /work/shared/data/ when it is there;
  * every file the import tests use (tests/scenario/import/, bad/ too);
  * hostile trees: a FIFO, a directory, a symlink loop where a regular
    file belongs, a missing msi_irqs/ entry, a truncated file.

Files the readers never open (lspci output, class, irq, ...) are left out.
Run from anywhere:
    python3 tests/fuzz/gen_corpus_import.py
"""
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "corpus", "import")
REAL = os.path.join(ROOT, "tests", "data", "real-machines")
IMP = os.path.join(ROOT, "tests", "scenario", "import")
SHARED = "/work/shared/data/linux-6.12-q35-plain/sections/proc_interrupts.txt"

SYSFS_FILES = ("vendor", "device", "config")
IRQ_FILES = ("smp_affinity_list", "effective_affinity_list")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def entry(kind, path, data=b""):
    return b"\n@@" + kind + b" " + path.encode() + b"\n" + data


def sysfs_entries(top, prefix="sys"):
    out = []
    for bdf in sorted(os.listdir(top)):
        d = os.path.join(top, bdf)
        for name in SYSFS_FILES:
            p = os.path.join(d, name)
            if os.path.isfile(p):
                out.append(entry(b"f", f"{prefix}/{bdf}/{name}", read(p)))
        m = os.path.join(d, "msi_irqs")
        if os.path.isdir(m):
            for irq in sorted(os.listdir(m), key=int):
                out.append(entry(b"f", f"{prefix}/{bdf}/msi_irqs/{irq}",
                                 read(os.path.join(m, irq))))
    return out


def irq_entries(top, prefix="irq"):
    out = []
    for irq in sorted(os.listdir(top), key=lambda s: int(s) if s.isdigit() else -1):
        for name in IRQ_FILES:
            p = os.path.join(top, irq, name)
            if os.path.isfile(p):
                out.append(entry(b"f", f"{prefix}/{irq}/{name}", read(p)))
    return out


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if not old.startswith("bug-"):
            os.remove(os.path.join(OUT, old))
    for m in sorted(os.listdir(REAL)):
        proc = os.path.join(REAL, m, "proc_interrupts.txt")
        write(f"real-{m}", read(proc))
    kvm = os.path.join(REAL, "kvm-virtio-linux618")
    proc = read(os.path.join(kvm, "proc_interrupts.txt"))
    sysfs = sysfs_entries(os.path.join(kvm, "sys_bus_pci_devices"))
    irqs = irq_entries(os.path.join(kvm, "proc_irq"))
    write("real-kvm-tree", proc + b"".join(sysfs + irqs))
    write("real-kvm-sysfs", proc + b"".join(sysfs))
    if os.path.isfile(SHARED):
        text = read(SHARED)
        m = re.search(rb"^\s*CPU0", text, re.M)  # the section may carry a title first
        write("shared-q35-linux612", text[m.start():] if m else text)
    for d in (IMP, os.path.join(IMP, "bad")):
        for f in sorted(os.listdir(d)):
            if f.endswith(".txt"):
                write(("bad-" if d != IMP else "imp-") + f[:-4], read(os.path.join(d, f)))
    x = read(os.path.join(IMP, "x86-linux3.txt"))
    write("imp-x86-linux3-sysfs", x + b"".join(sysfs_entries(os.path.join(IMP, "sysfs"))))
    good = read(os.path.join(IMP, "bad", "good.txt"))
    fn = "sys/0000:00:01.0"
    base = [entry(b"f", f"{fn}/vendor", b"0x1af4\n"), entry(b"f", f"{fn}/device", b"0x1041\n"),
            entry(b"f", f"{fn}/msi_irqs/28", b"msix\n"),
            entry(b"f", "irq/28/smp_affinity_list", b"0-1\n"),
            entry(b"f", "irq/28/effective_affinity_list", b"1\n")]
    hostile = {
        "fifo-vendor": (1, entry(b"p", f"{fn}/vendor")),
        "dir-msi-irq": (3, entry(b"d", f"{fn}/msi_irqs/28")),
        "loop-config": (None, entry(b"l", f"{fn}/config")),
        "loop-msi-irqs": (3, entry(b"l", f"{fn}/msi_irqs")),
        "fifo-affinity": (4, entry(b"p", "irq/28/smp_affinity_list")),
        "truncated-config": (None, entry(b"f", f"{fn}/config", bytes(40))),
    }
    write("tree-good", good + b"".join(base))
    for name, (replace, e) in hostile.items():
        parts = list(base)
        if replace is None:
            parts.append(e)
        else:
            parts[replace - 1 if replace > 0 else 0] = e
        write("tree-" + name, good + b"".join(parts))


if __name__ == "__main__":
    main()
