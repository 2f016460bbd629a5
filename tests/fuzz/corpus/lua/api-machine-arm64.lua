-- The machine's own calls: views, affinity, hotplug, time, randomness, layout.
local m = msikit.machine{ arch = "arm64", cpus = 4, seed = 5 }
msikit.expect(tostring(m):match("test, 4 CPUs"), "tostring")
local lay = m:layout()
msikit.expect(lay.msi == 0xfee00000 and lay.ram > 0 and lay.ram_size > 0, "layout")
msikit.expect(lay.pci_mmio == 0xC0000000, "the PCI window")

local d = m:pci{ bdf = "0000:01:00.0", msix = 8 }
d:alloc_vectors{ min = 2, max = 2, type = "msix" }
d:request(0)
d:request(1)

-- Views.
local doms = m:domains()
msikit.expect(#doms == 2 and doms[1].name == "TEST-PARENT" and doms[2].parent == "TEST-PARENT",
              "two domains")
local irqs = m:irqs()
msikit.expect(#irqs == 2 and irqs[1].chip == "TEST-PCI-MSIX-0000:01:00.0", "two irqs")
msikit.expect(#irqs[1].levels == 2 and irqs[1].levels[2].domain == "TEST-PARENT", "levels")
local res = m:resources()
msikit.expect(res.hwirqs == 2 and res.prepares == 1, "controller counters")
msikit.expect(#m:violations() == 0, "no violations")
msikit.expect(m:check(), "invariants hold")

-- Affinity moves delivery.
local v = d:virq(1)
msikit.expect(m:set_affinity(v, { 3 }), "affinity to CPU 3")
d:raise(1)
m:run()
for _, r in ipairs(m:irqs()) do
  if r.virq == v then msikit.expect(r.effective_cpu == 3 and r.counts[4] == 1, "taken by CPU 3") end
end
local bad, e1 = m:set_affinity(9999, { 0 })
msikit.expect(bad == nil and e1:match("^EINVAL"), "no such virq: " .. tostring(e1))

-- Hotplug: offline moves the vector, online brings the CPU back.
msikit.expect(m:cpu_offline(3), "CPU 3 offline")
local off, e2 = m:cpu_offline(3)
msikit.expect(off == nil and e2:match("^EINVAL"), "offline twice: " .. tostring(e2))
d:raise(1)
m:run()
for _, r in ipairs(m:irqs()) do
  if r.virq == v then msikit.expect(r.effective_cpu ~= 3 and r.total == 2, "moved off CPU 3") end
end
msikit.expect(m:cpu_online(3), "CPU 3 online")

-- Time and determinism: sleep advances virtual time; m:random follows the seed.
local t0 = m:now()
m:sleep(25)
msikit.expect(m:now() == t0 + 25, "25 ticks later")
local r = { m:random(1000), m:random(1000), m:random(1000) }
msikit.expect(r[1] >= 0 and r[1] < 1000, "in range")
local l = m:ledger()
msikit.expect(l.raised == 2 and l.delivered == 2 and l.lost == 0 and l.pending == 0, "ledger")
msikit.expect(next(l.lost_by_reason) == nil, "nothing lost by any reason")

-- Inspection of the hardware on a machine with an OS.
local entry = m:mmio_read(lay.pci_mmio + 12, 4)
msikit.expect(entry == 0, "MSI-X entry 0 unmasked by the driver (vector control 0)")
local ram = lay.ram
msikit.expect(m:mem_write(ram, 0x1122334455667788, 8), "RAM write")
msikit.expect(m:mem_read(ram, 8) == 0x1122334455667788 and m:mem_read(ram, 1) == 0x88, "RAM read")
local nomem, e3 = m:mem_read(0, 4)
msikit.expect(nomem == nil and e3:match("^EFAULT"), "not RAM: " .. tostring(e3))
local val, e4 = m:mmio_read(0x10, 4)
msikit.expect(val == 0xffffffff and e4:match("^EFAULT"), "nothing there: all-ones")
local take, e5 = m:cpu(0):take()
msikit.expect(take == nil, "the OS's CPUs are not taken by hand: " .. tostring(e5))
