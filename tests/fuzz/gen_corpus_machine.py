#!/usr/bin/env python3
# Generates tests/fuzz/corpus/machine/, the seed corpus of fuzz_machine.c: a
# few driver stories (NVMe-like set-up, dynamic MSI-X, IMS, multi-MSI,
# hotplug, masking, removal) on each arch and model switch, plus fault
# injection. The encoding mirrors fuzz_machine.c (keep them in step).
# Usage: python3 tests/fuzz/gen_corpus_machine.py   (rewrites the generated files;
# reproducers of fixed bugs, named bug-*, are kept)
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus', 'machine')

OPS = ['pci_add', 'alloc', 'free_vectors', 'alloc_at', 'free_at', 'ims_domain', 'ims_alloc',
       'ims_free', 'request', 'free_irq', 'enable', 'mask', 'affinity', 'hotplug', 'raise',
       'run', 'spawn', 'remove', 'run2', 'raise2']
ARCHES = {'x86': 0, 'arm64': 1, 'ppc64': 2}
MSI = [0, 1, 2, 4, 8, 16, 32]
MSIX = [0, 0, 1, 2, 3, 4, 8, 16, 17, 32, 64, 65, 128, 256, 1024, 2048]
IMS = [0, 0, 1, 2, 4, 16, 64, 600]


def header(arch='x86', cpus=4, ir=False, glob=False, per_alloc=False, alloc_dyn=True,
           post_free=False, seed=1, alloc_fail=0, controller=0, cpu_offline=False):
    h0 = ARCHES[arch] | (cpus - 1) << 2 | ir << 5 | glob << 6 | per_alloc << 7
    h1 = (not alloc_dyn) | post_free << 1 | bool(alloc_fail) << 2 | cpu_offline << 6
    h1 |= (seed >> 8 & 1) << 7
    if controller:
        h1 |= 7 << 3
    out = bytes([h0, h1, seed & 0xFF])
    if alloc_fail:
        out += struct.pack('<H', alloc_fail - 1)
    if controller:
        out += bytes([controller - 1])
    return out


def op(name, *args):
    return bytes([OPS.index(name)]) + bytes(args)


def add(slot=0, msi=0, msix=0, ims=0, latch=False):
    b = slot & 15
    c1 = MSI.index(msi) | MSIX.index(msix) << 3
    c2 = IMS.index(ims) | latch << 3
    return op('pci_add', b, c1, c2)


def alloc(dev, lo, hi, msi=True, msix=True, affinity=False, pre=0, post=0, sets=False):
    a = lo & 0x3F
    b = (hi - lo) & 0x3F
    f = msi | msix << 1 | affinity << 2
    pp = pre | post << 3 | sets << 6
    return op('alloc', dev, a, b, f, pp)


def alloc_at(dev, index=None, cpus=None):
    v = 0xFFFF if index is None else index
    a = 0
    if cpus:
        a = 0x80 | sum(1 << c for c in cpus)
    return op('alloc_at', dev) + struct.pack('<H', v) + bytes([a])


def vref(dev, index, ims=False):
    if index < 64:
        return bytes([dev, (2 << 6 if ims else 0) | index])
    return bytes([dev, 0xC0]) + struct.pack('<H', index | (0x8000 if ims else 0))


def request(dev, index, ims=False, mode=0):
    return op('request') + vref(dev, index, ims) + bytes([mode])


def free_irq(dev, index, ims=False):
    return op('free_irq') + vref(dev, index, ims)


def enable(dev, index, how):  # 0 enable, 1 disable, 2 disable_nosync, 3 synchronize
    return op('enable') + vref(dev, index) + bytes([how])


def mask(dev, index, unmask=False, ims=False):
    return op('mask') + vref(dev, index, ims) + bytes([unmask])


def affinity(dev, index, cpus):
    return op('affinity') + vref(dev, index) + bytes([sum(1 << c for c in cpus)])


def hotplug(cpu, online):
    return op('hotplug', cpu | online << 7)


def raise_(dev, index, ims=False, count=1, weight=1):
    v = (index & 0x3FFF) | (0x4000 if index >= 64 else 0) | (0x8000 if ims else 0)
    cnt = (count - 1) & 15
    if weight > 1:
        cnt |= 0x80 | ((weight - 1) & 7) << 4
    return op('raise', dev) + struct.pack('<H', v) + bytes([cnt])


def spawn(dev, index, n, sleep=0, ims=False):
    return op('spawn', dev, index | ims << 7, (n - 1) | sleep << 5)


def run():
    return op('run')


def remove(dev, unbind=True):
    return op('remove', dev, unbind)


def ims_domain(dev, n):
    return op('ims_domain', dev) + struct.pack('<H', n)


def ims_alloc(dev, cpus=None):
    a = 0x80 | sum(1 << c for c in cpus) if cpus else 0
    return op('ims_alloc', dev, a, 7)


def ims_free(dev, slot):
    return op('ims_free', dev) + struct.pack('<H', slot)


def free_at(dev, index):
    return op('free_at', dev) + struct.pack('<H', index)


# --- stories -------------------------------------------------------------------------------

def nvme(cpus=4):
    s = add(0, msix=65) + alloc(0, 1, 1, msi=False) + request(0, 0) + raise_(0, 0) + run()
    s += free_irq(0, 0) + op('free_vectors', 0)
    s += alloc(0, 2, cpus + 1, msi=False, affinity=True, pre=1)
    for q in range(cpus + 1):
        s += request(0, q)
    for q in range(cpus + 1):
        s += raise_(0, q, count=3)
    s += run() + remove(0)
    return s


def dynamic():
    s = add(0, msix=32) + alloc(0, 2, 2, msi=False) + request(0, 0) + request(0, 1)
    s += alloc_at(0, 5) + alloc_at(0) + alloc_at(0, 20, cpus=[1]) + request(0, 5)
    s += raise_(0, 5) + raise_(0, 20) + raise_(0, 31) + raise_(0, 40) + run()
    s += free_at(0, 20) + free_irq(0, 5) + free_at(0, 5) + run() + remove(0)
    return s


def ims():
    s = add(0, msix=8, ims=64) + alloc(0, 1, 4, msi=False) + ims_domain(0, 16)
    s += ims_alloc(0) + ims_alloc(0, cpus=[0]) + ims_alloc(0) + request(0, 1, ims=True)
    s += request(0, 0, ims=True, mode=1) + raise_(0, 1, ims=True, count=2)
    s += raise_(0, 0, ims=True) + raise_(0, 9, ims=True) + mask(0, 1, ims=True)
    s += raise_(0, 1, ims=True) + mask(0, 1, unmask=True, ims=True) + run()
    s += free_irq(0, 1, ims=True) + ims_free(0, 1) + ims_free(0, 7) + run() + remove(0)
    return s


def multi_msi():
    s = add(0, msi=8) + alloc(0, 4, 8, msix=False) + request(0, 0) + request(0, 3, mode=2)
    s += raise_(0, 3) + run() + enable(0, 3, 0) + mask(0, 0) + raise_(0, 0, count=4)
    s += mask(0, 0, unmask=True) + raise_(0, 7) + raise_(0, 12) + run()
    s += op('free_vectors', 0) + remove(0, unbind=False) + remove(0)
    return s


def hotplug_story():
    s = add(0, msix=16) + alloc(0, 4, 8, msi=False, affinity=True) + alloc(0, 1, 1)
    for q in range(4):
        s += request(0, q)
    s += hotplug(1, False) + raise_(0, 1) + raise_(0, 2) + run() + hotplug(1, True)
    s += hotplug(0, False) + hotplug(2, False) + hotplug(3, False) + raise_(0, 0) + run()
    s += hotplug(0, True) + hotplug(2, True) + hotplug(3, True) + run()
    s += affinity(0, 0, [2]) + affinity(0, 1, [3]) + raise_(0, 0) + run() + remove(0)
    return s


def masking():
    s = add(0, msix=4, latch=True) + raise_(0, 1) + alloc(0, 4, 4, msi=False)
    s += request(0, 1) + enable(0, 1, 1) + raise_(0, 1, count=3) + run() + enable(0, 1, 0)
    s += enable(0, 1, 0) + enable(0, 2, 2) + request(0, 2) + raise_(0, 2) + run()
    s += enable(0, 2, 0) + enable(0, 2, 3) + mask(0, 3) + request(0, 3) + raise_(0, 3)
    s += mask(0, 3, unmask=True) + run() + remove(0)
    return s


def actors():
    s = add(0, msix=8) + add(1, msi=4, msix=0) + alloc(0, 4, 4, msi=False)
    s += alloc(1, 1, 4, msix=False) + request(0, 0) + request(0, 1, mode=3) + request(1, 0)
    s += spawn(0, 0, 8, sleep=1) + spawn(0, 1, 4) + spawn(1, 0, 6, sleep=2) + run()
    s += spawn(0, 0, 30, sleep=7) + remove(1) + run() + remove(0)
    return s


def errors():
    s = add(0, msix=4) + add(0, msix=4) + alloc(0, 0, 0) + alloc(0, 5, 8, msi=False)
    s += op('alloc', 0, 2, 1, 8, 0)  # no type: refused
    s += alloc(0, 2, 2, msi=False) + alloc(0, 1, 1) + request(0, 0) + request(0, 0)
    s += request(0, 9) + op('free_vectors', 0) + remove(0, unbind=False) + free_irq(0, 3)
    s += op('enable', 0, 0xC0, 0xFF, 0xFF, 0) + op('mask', 0, 0xC0, 0xFF, 0xFF, 1)
    s += ims_domain(0, 4) + ims_alloc(0) + hotplug(8, False) + hotplug(0, True)
    s += raise_(0, 2047) + op('raise', 0, 0, 0, 0xFF) + free_at(0, 3) + run() + remove(0)
    return s


def growth():
    s = add(0, msix=2048) + add(1, msix=128, ims=600) + alloc(0, 1, 64, msi=False)
    s += op('alloc', 1, 1, 0x85, 2, 0) + request(0, 63) + raise_(0, 63) + raise_(0, 1000)
    s += ims_domain(1, 600) + ims_alloc(1) + request(1, 0, ims=True) + raise_(1, 0, ims=True)
    s += run() + remove(1) + remove(0)
    return s


STORIES = {'nvme': nvme(), 'dynamic': dynamic(), 'ims': ims(), 'multi-msi': multi_msi(),
           'hotplug': hotplug_story(), 'masking': masking(), 'actors': actors(),
           'errors': errors()}

MACHINES = {
    'x86': header('x86'),
    'x86-ir': header('x86', ir=True, cpus=8),
    'arm64': header('arm64', seed=2),
    'ppc64': header('ppc64', seed=3),
    'x86-ir-global': header('x86', ir=True, glob=True),
    'arm64-per-alloc': header('arm64', per_alloc=True),
    'arm64-global': header('arm64', glob=True, alloc_dyn=False),
    'ppc64-post-free': header('ppc64', post_free=True),
    'ppc64-global-per-alloc': header('ppc64', glob=True, per_alloc=True),
}

# Which stories run on which machine: every story on the default of each arch,
# a few on the model switches.
PLAN = [(m, s) for m in ('x86', 'x86-ir', 'arm64', 'ppc64') for s in STORIES]
PLAN += [(m, s) for m in ('x86-ir-global', 'arm64-per-alloc', 'arm64-global',
                          'ppc64-post-free', 'ppc64-global-per-alloc')
         for s in ('nvme', 'dynamic', 'ims', 'multi-msi')]


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if not name.startswith('bug-'):
            os.unlink(os.path.join(OUT, name))
    files = {}
    for m, s in PLAN:
        files[f'{m}-{s}'] = MACHINES[m] + STORIES[s]
    files['growth-x86-ir'] = header('x86', ir=True, cpus=8) + growth()
    files['growth-arm64'] = header('arm64', cpus=8) + growth()
    for n in (1, 7, 40, 150, 400):
        files[f'alloc-fault-{n}-arm64'] = header('arm64', alloc_fail=n) + nvme()
        files[f'alloc-fault-{n}-ppc64'] = header('ppc64', alloc_fail=n) + ims() + nvme()
        files[f'alloc-fault-{n}-x86-ir'] = header('x86', ir=True, alloc_fail=n) + dynamic()
    files['cpu-offline-fault'] = header('arm64', cpu_offline=True, seed=5) + actors()
    files['controller-fault-arm64'] = header('arm64', controller=3) + nvme()
    files['controller-fault-x86-ir'] = header('x86', ir=True, controller=2) + dynamic()
    files['controller-fault-ppc64'] = header('ppc64', controller=1) + multi_msi()
    for name, data in files.items():
        assert len(data) < 4096, name
        with open(os.path.join(OUT, name), 'wb') as f:
            f.write(data)
    print(f'{len(files)} inputs in {OUT}')


if __name__ == '__main__':
    main()
