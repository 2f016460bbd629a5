#!/usr/bin/env python3
# Generates tests/fuzz/corpus/lua/, the seed corpus of fuzz_lua.c: the
# shipped scenarios and stories and the API tests, on each real arch (the
# fuzz target has no "test" arch), under the model switches and faults, plus
# variants with wrong types and arguments and a few short scripts aimed at
# the edges (finalizers, handlers that misbehave, limits). Every file stays
# under 4 KiB.
# Usage: python3 tests/fuzz/gen_corpus_lua.py   (rewrites the generated files;
# reproducers of fixed bugs, named bug-*, are kept)
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
OUT = os.path.join(HERE, 'corpus', 'lua')
ARCHES = ('x86', 'arm64', 'ppc64')


def scripts():
    """(name, text) of the scenarios, stories and API tests."""
    dirs = [('', os.path.join(ROOT, 'scenarios')),
            ('story-', os.path.join(ROOT, 'scenarios', 'stories')),
            ('api-', os.path.join(ROOT, 'tests', 'scenario', 'api'))]
    for prefix, d in dirs:
        for f in sorted(os.listdir(d)):
            if f.endswith('.lua'):
                with open(os.path.join(d, f)) as fh:
                    yield prefix + f[:-4], fh.read()


def set_arch(text, arch):
    return re.sub(r'arch = "[a-z0-9]+"', f'arch = "{arch}"', text)


def add_machine_keys(text, keys):
    return text.replace('msikit.machine{', 'msikit.machine{ ' + keys + ',', 1)


# (pattern, replacement): one wrong argument each.
WRONG = [
    (r'msix = (\d+)', r'msix = "\1"'),
    (r'min = (\d+)', r'min = 0'),
    (r'max = (\d+)', r'max = -\1'),
    (r':raise\(([^)]*)\)', r':raise({ ims = -1 }, 0)'),
    (r':request\((\w+)', r':request({ \1 }'),
    (r'cpus = (\d+)', r'cpus = 0'),
    (r'type = "msix"', r'type = "msi-x"'),
    (r':alloc_vectors\{', r':alloc_vectors{ affinity = { pre = 65536 }, '),
    (r'm:run\(\)', r'm:run(m:run)'),
    (r':sleep\((\w+)', r':sleep(-\1'),
]

SNIPPETS = {
    'gc-after-run': '''
local m = msikit.machine{ arch = "x86", x86 = { ir = true } }
local d = m:pci{ msix = 4, ims = 8 }
d:alloc_vectors{ max = 4 }
setmetatable({}, { __gc = function() m:pci{ msix = 2 }; d:raise(0); d:ims_domain{ size = 4 } end })
''',
    'gc-during-run': '''
local m = msikit.machine{ arch = "arm64", cpus = 2 }
local d = m:pci{ msix = 8 }
d:alloc_vectors{ max = 8, type = "msix" }
for i = 1, 200 do setmetatable({}, { __gc = function() d:raise(i % 8); m:check() end }) end
d:request(0, "q0", function() collectgarbage() ; return true end)
d:raise(0, 5)
m:run()
collectgarbage()
''',
    'handler-misbehaves': '''
local m = msikit.machine{ arch = "ppc64", cpus = 4 }
local d = m:pci{ msix = 16 }
d:alloc_vectors{ min = 4, max = 16, affinity = { pre = 1 } }
d:request(0, "q0", function(virq, cpu)
  msikit.expect(m:sleep(1) == nil and d:free_irq(0) == nil and d:remove() == nil)
  d:mask(0); d:unmask(0); m:cpu_offline(1); d:alloc_at("any")
  return false
end)
d:raise(0, 3)
m:run()
d:free_irq(0)
d:free_vectors()
d:remove()
''',
    'handler-errors': '''
local m = msikit.machine{ arch = "x86" }
local d = m:pci{ msi = 4 }
d:alloc_vectors{ max = 4, type = "msi" }
d:request(2, "q", function() error({}) end)
d:raise(2)
m:run()
''',
    'actors-and-hotplug': '''
local m = msikit.machine{ arch = "arm64", cpus = 4, faults = { cpu_offline = true, alloc = "random" } }
local d = m:pci{ msix = 32 }
local n = d:alloc_vectors{ min = 1, max = 8, affinity = {} }
for q = 0, (n or 1) - 1 do d:request(q) end
for c = 1, 3 do
  m:spawn(function() for i = 1, 10 do m:cpu_offline(c); d:raise(i % 8); m:sleep(1); m:cpu_online(c) end end)
end
m:spawn(function() for i = 1, 10 do d:alloc_at("any"); m:yield() end end)
m:run()
for _, row in ipairs(m:irqs()) do m:set_affinity(row.virq, { 0 }) end
d:remove()
''',
    'bare-guest-pokes': '''
local m = msikit.machine{ arch = "x86", os = false, cpus = 2 }
local d = m:pci{ msix = 4, msi = 2 }
local l = m:layout()
d:cfg_write(4, 6, 2)
d:bar_write(0, 0, l.msi, 8)
d:bar_write(0, 8, 0x41, 4)
d:cfg_write(0x52, 0x8000, 2)
d:raise(0, 2)
m:mmio_write(l.msi, 0x31, 4)
m:mem_write(l.ram, 7, 8)
msikit.expect(m:mem_read(l.ram, 8) == 7)
m:cpu(0):take()
m:cpu(1):take()
''',
    'inspector-corrupts': '''
local m = msikit.machine{ arch = "arm64" }
local d = m:pci{ msix = 8 }
d:alloc_vectors{ max = 8 }
d:request(3)
d:bar_write(0, 3 * 16 + 8, 0xdead, 4)
d:cfg_write(4, 0, 2)
d:raise(3)
m:run()
msikit.expect(not m:check())
''',
    'limits': '''
local m = msikit.machine{ arch = "x86", max_steps = 1 << 40 }
local d = m:pci{ msix = 2048 }
d:alloc_vectors{ max = 2048 }
d:raise(0, 1000000)
m:spawn(function() while true do m:yield() end end)
m:run()
''',
    'coroutines': '''
local m = msikit.machine{ arch = "ppc64" }
local co = coroutine.wrap(function() m:sleep(1) end)
msikit.expect(not pcall(co))
coroutine.yield()
m:spawn(function(a, b) coroutine.yield(); m:run(); return a + b end, 1, 2)
m:run()
''',
    'two-machines': '''
local a = msikit.machine{ arch = "x86" }
local ok = pcall(msikit.machine, { arch = "arm64" })
msikit.expect(not ok)
''',
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if not name.startswith('bug-'):
            os.unlink(os.path.join(OUT, name))
    files = {}
    for name, text in scripts():
        m = re.search(r'arch = "([a-z0-9]+)"', text)
        native = m.group(1) if m else None
        if native in ARCHES:
            files[name] = text
        else:  # the test arch: the same script on a real one
            for arch in ARCHES:
                files[f'{name}-{arch}'] = set_arch(text, arch)
        if name.startswith('api-') and native not in ARCHES:
            continue
        other = [a for a in ARCHES if a != native][0]
        files[f'{name}-on-{other}'] = set_arch(text, other)
        files[f'{name}-global'] = add_machine_keys(text, 'msi = "global"')
        files[f'{name}-per-alloc'] = add_machine_keys(text, 'prepare = "per-alloc"')
        files[f'{name}-faults'] = add_machine_keys(text, 'faults = { alloc = 25 }')
    for i, (name, text) in enumerate(sorted(scripts())):
        pat, rep = WRONG[i % len(WRONG)]
        t = re.sub(pat, rep, text, count=1)
        if t != text:
            files[f'wrong-{name}'] = set_arch(t, ARCHES[i % 3])
    for name, text in SNIPPETS.items():
        files[name] = text.lstrip()
    for name, text in files.items():
        data = text.encode()
        assert len(data) < 4096, name
        with open(os.path.join(OUT, name + '.lua'), 'wb') as f:
            f.write(data)
    print(f'{len(files)} inputs in {OUT}')


if __name__ == '__main__':
    main()
