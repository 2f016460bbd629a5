#!/usr/bin/env python3
# Generates tests/fuzz/corpus/its/, the seed corpus of fuzz_its.c: a few
# dozen small inputs that boot the GIC and exercise each command, the
# translation path, register pokes and the error policies.
# Usage: python3 tests/fuzz/gen_corpus_its.py   (rewrites the corpus)
import os
import random
import struct

OPS = {'its_r': 0, 'its_w': 1, 'rd_r': 2, 'rd_w': 3, 'ram': 4, 'cmd': 5, 'cwriter': 6,
       'msi': 7, 'ack': 8, 'creadr': 9, 'msi_any': 10, 'prop': 11}
CMDS = ['MOVI', 'INT', 'CLEAR', 'SYNC', 'MAPD', 'MAPC', 'MAPTI', 'MAPI', 'INV', 'INVALL',
        'MOVALL', 'DISCARD']


def config(ncpu=2, lpi15=0, devbits=16, evbits=16, cidbits=16, hcc=0, cmds=16, stall=0,
           idmap=0, boot=1, indirect=0):
    c = ((ncpu - 1) | lpi15 << 2 | (devbits - 1) << 3 | (evbits - 1) << 8 | (cidbits - 1) << 13
         | hcc << 17 | (cmds - 1) << 20 | stall << 24 | idmap << 25 | boot << 26 | indirect << 27)
    return c.to_bytes(6, 'little')


def cmd(name, dev=0, ev=0, lpi=0, icid=0, rd1=0, rd2=0, size=0, valid=True, raw=None,
        ev_is_lpi=False):
    sel = CMDS.index(name) if raw is None else (0x80 | raw << 8)
    sel |= (ev & 0x3F) << 20
    if ev_is_lpi:
        sel |= 1 << 19
    if name == 'MAPD':
        sel &= ~(1 << 20)
    if not valid:
        sel |= 1 << 30
    b = (lpi & 0x3FFF) | (icid & 7) << 16 | (rd1 & 7) << 20 | (rd2 & 7) << 24 | (size & 0xF) << 28
    return bytes([OPS['cmd']]) + struct.pack('<III', sel, dev, b)


def msi(rid, ev, w=1):
    return bytes([OPS['msi']]) + struct.pack('<HHB', rid, ev, w - 1)


def ack(cpu):
    return bytes([OPS['ack'], cpu])


def prop(lpi, prio=0xa0, en=1):
    return bytes([OPS['prop']]) + struct.pack('<HB', lpi, (prio & 0xfc) | 2 | en)


def route(dev, ev, lpi, icid, size=3):
    return (cmd('MAPD', dev=dev, size=size) + cmd('MAPTI', dev=dev, ev=ev, lpi=lpi, icid=icid)
            + prop(lpi) + cmd('INV', dev=dev, ev=ev))


def reg(kind, off_sel, size_sel, value=None, cpu=None):
    out = bytes([OPS[kind]]) + struct.pack('<H', off_sel | size_sel << 12)
    if cpu is not None:
        out += bytes([cpu])
    if value is not None:
        out += struct.pack('<Q', value)
    return out


seeds = {}
seeds['empty-boot'] = config()
seeds['route-msi-ack'] = config() + route(1, 2, 5, 1) + msi(1, 2) + ack(1) + ack(0)
seeds['coalesce'] = config() + route(1, 0, 0, 0) + msi(1, 0, 3) + msi(1, 0, 2) + ack(0)
seeds['int'] = config() + route(2, 1, 9, 1) + cmd('INT', dev=2, ev=1) + ack(1)
seeds['clear'] = config() + route(2, 1, 9, 1) + prop(9, en=0) + cmd('INV', dev=2, ev=1) + \
    msi(2, 1) + cmd('CLEAR', dev=2, ev=1) + ack(1)
seeds['discard'] = config() + route(3, 4, 20, 0) + msi(3, 4) + cmd('DISCARD', dev=3, ev=4) + \
    msi(3, 4) + ack(0)
seeds['movi'] = config(ncpu=4) + route(3, 4, 20, 0) + prop(20, en=0) + \
    cmd('INV', dev=3, ev=4) + msi(3, 4, 2) + cmd('MOVI', dev=3, ev=4, icid=3) + prop(20) + \
    cmd('INV', dev=3, ev=4) + ack(0) + ack(3)
seeds['movall'] = config(ncpu=3) + route(1, 0, 1, 1) + route(1, 1, 2, 1) + msi(1, 0) + \
    msi(1, 1) + cmd('MOVALL', rd1=1, rd2=2) + ack(2) + ack(2)
seeds['invall'] = config() + route(1, 0, 1, 0) + prop(1, en=0) + cmd('INVALL', icid=0) + \
    msi(1, 0) + prop(1) + cmd('INVALL', icid=0) + ack(0)
seeds['mapi'] = config() + cmd('MAPD', dev=5, size=14) + \
    cmd('MAPI', dev=5, lpi=5, icid=1, ev_is_lpi=True) + prop(5) + \
    cmd('INV', dev=5, lpi=5, ev_is_lpi=True) + msi(5, 8197) + ack(1)
seeds['mapc-unmap'] = config() + route(1, 0, 1, 1) + cmd('MAPC', icid=1, rd1=1, valid=False) + \
    msi(1, 0) + ack(1)
seeds['mapd-unmap'] = config() + route(1, 0, 1, 1) + cmd('MAPD', dev=1, valid=False) + \
    msi(1, 0) + ack(1)
seeds['itt-oor'] = config() + route(1, 0, 1, 1, size=0) + msi(1, 7) + ack(1)
seeds['errors'] = config() + cmd('MAPTI', dev=9, ev=0, lpi=3) + cmd('MAPD', dev=1, size=15) + \
    cmd('MOVALL', rd1=7) + cmd('MAPC', icid=3, rd1=6) + cmd('SYNC', raw=0x21)
seeds['stall-retry'] = config(stall=1) + cmd('MAPTI', dev=9) + cmd('MAPD', dev=9) + \
    bytes([OPS['cwriter']]) + struct.pack('<I', 1 | 0x60)[:3] + bytes([OPS['creadr']])
seeds['stall-unknown'] = config(stall=1) + cmd('SYNC', raw=0xff) + bytes([OPS['creadr']]) + \
    bytes([OPS['cwriter']]) + b'\x01\x00\x00'
seeds['indirect'] = config(indirect=1) + route(4, 1, 30, 0) + msi(4, 1) + ack(0)
seeds['idmap'] = config(idmap=1) + route(2, 1, 9, 1) + msi(0x102, 1) + msi(2, 1) + ack(1)
seeds['hcc'] = config(hcc=2, ncpu=2) + route(1, 0, 1, 1) + msi(1, 0) + ack(1)
seeds['small-ids'] = config(devbits=2, evbits=2, cidbits=1) + route(3, 3, 4, 0, size=1) + \
    msi(3, 3) + msi(7, 0) + ack(0)
seeds['no-boot-msi'] = config(boot=0) + msi(1, 0) + ack(0)
seeds['rd-disable'] = config() + route(1, 0, 1, 1) + prop(1, en=0) + cmd('INV', dev=1, ev=0) + \
    msi(1, 0) + reg('rd_w', 0, 2, 0, cpu=1) + ack(1)
seeds['rd-reenable-import'] = config() + route(1, 0, 1, 1) + msi(1, 0) + \
    reg('rd_w', 0, 2, 0, cpu=1) + reg('rd_w', 0, 2, 1, cpu=1) + ack(1)
seeds['its-disable'] = config() + reg('its_w', 0, 2, 0) + msi(1, 0) + reg('its_w', 0, 2, 1) + \
    bytes([OPS['creadr']])
seeds['baser-pokes'] = config(boot=0) + b''.join(
    reg('its_w', sel, sz, v) for sel, sz, v in [(10, 3, (1 << 63) | 0x40100000), (12, 3, 1 << 63),
                                                (4, 3, (1 << 63) | 0x40200000), (0, 2, 1)])
seeds['odd-sizes'] = config() + b''.join(
    reg(k, sel, sz, 0xffffffffffffffff) for k, sel, sz in
    [('its_w', 0x800 | 0x100 | 4, 3), ('its_w', 10, 0), ('its_w', 8, 1), ('rd_w', 5, 1),
     ('its_w', 0x8000 | 0x123, 2)]) + bytes([OPS['creadr']])


def msi_any(off_sel, its, size_sel, rid, value):
    return bytes([OPS['msi_any']]) + struct.pack('<HBI', off_sel, its | size_sel << 1 | rid << 3,
                                                 value)


seeds['msi-odd'] = config() + route(1, 0, 1, 0) + \
    msi_any(17, 1, 2, 1, 0) + msi_any(17, 1, 1, 1, 0) + msi_any(17, 1, 0, 1, 0) + \
    msi_any(17, 1, 3, 1, 0) + msi_any(0, 1, 2, 1, 0) + msi_any(0, 0, 2, 1, 0) + ack(0) + ack(0)
seeds['ram-garbage'] = (config() + route(1, 0, 1, 0)
                        + bytes([OPS['ram']]) + struct.pack('<IQ', (3 << 24) | 8, 0xffffffffffffffff)
                        + bytes([OPS['ram']]) + struct.pack('<IQ', (7 << 24) | 0x1000, (1 << 63) | 0xffff)
                        + msi(1, 0) + msi(1, 1) + ack(0))

rng = random.Random(7)
for i in range(10):
    body = config(ncpu=rng.randint(1, 4), stall=rng.randint(0, 1), boot=1,
                  indirect=rng.randint(0, 1), cmds=rng.randint(1, 16))
    for d in range(4):
        body += route(d, rng.randint(0, 7), rng.randint(0, 7), rng.randint(0, 3))
    for _ in range(rng.randint(20, 60)):
        k = rng.choice(['cmd'] * 4 + ['msi'] * 3 + ['ack'] * 2 + ['prop'] * 2 + ['reg'])
        if k == 'cmd':
            body += cmd(rng.choice(CMDS[:4] + CMDS[4:7] * 3 + CMDS[7:]), dev=rng.randint(0, 3), ev=rng.randint(0, 7),
                        lpi=rng.randint(0, 7), icid=rng.randint(0, 3), rd1=rng.randint(0, 3),
                        rd2=rng.randint(0, 3), size=rng.randint(0, 4))
        elif k == 'msi':
            body += msi(rng.randint(0, 3), rng.randint(0, 7), rng.randint(1, 4))
        elif k == 'ack':
            body += ack(rng.randint(0, 3))
        elif k == 'prop':
            body += prop(rng.randint(0, 7), rng.randint(0, 255), rng.randint(0, 1))
        else:
            body += bytes([rng.choice([0, 2, 9])]) + bytes(rng.randrange(256) for _ in range(3))
    seeds['random-%02d' % i] = body

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus', 'its')
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    assert len(data) < 4096, name
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)
print(len(seeds), 'seeds')
