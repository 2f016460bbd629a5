-- Explore the x86 IRTE fetch fault: `msikit explore` over many seeds.
--
-- faults.controller = true draws N in [1, 64] from the seed: the Nth
-- remapped request faults fetching its IRTE. Meanwhile, as the seed
-- interleaves them: two queues' worth of traffic from a NIC, a vector
-- added and removed while MSI-X stays enabled, affinity moves, and a CPU
-- taken offline (the fault event's own vector moves with it). More than
-- 64 requests are sent, so the fault fires in every seed - wherever it
-- lands, exactly one event is lost, as "ir-table-invalid", and nothing
-- else; dmar0 services the record; the device is removed leaving nothing.

local m = msikit.machine{ arch = "x86", cpus = 4, x86 = { ir = true },
                          faults = { controller = true, cpu_offline = true } }
local nic = m:pci{ bdf = "0000:05:00.0", name = "nic", msix = 16 }

msikit.expect(nic:alloc_vectors{ min = 4, max = 4, type = "msix" } == 4, "four queues")
for q = 0, 3 do nic:request(q, "nic-q" .. q) end
local base = m:resources()

local extra_live = false
local sent = 0

-- Traffic: two actors, 40 ticks, every live queue each tick.
for a = 0, 1 do
  m:spawn(function()
    for tick = 1, 40 do
      for q = a, 3, 2 do nic:raise(q); sent = sent + 1 end
      if a == 0 and extra_live then nic:raise(8); sent = sent + 1 end
      m:sleep(1)
    end
  end)
end

-- A vector added while MSI-X is enabled, used for a while, removed again.
m:spawn(function()
  m:sleep(1 + m:random(8))
  local index, err = nic:alloc_at(8)
  msikit.expect(index == 8, "vector 8 added: " .. tostring(err))
  nic:request(8, "nic-extra")
  extra_live = true
  m:sleep(5 + m:random(10))
  extra_live = false
  m:sleep(1) -- whatever was sent is taken before the vector goes
  nic:free_irq(8)
  msikit.expect(nic:free_at(8), "vector 8 removed")
end)

-- irqbalance: moves some queues around (a move still in progress is refused).
m:spawn(function()
  for i = 1, 6 do
    m:sleep(1 + m:random(6))
    m:set_affinity(nic:virq(m:random(4)), { m:random(4) })
  end
end)

m:run()

local f = m:faults().controller
msikit.expect(sent > 64, "more than 64 remapped requests sent")
msikit.expect(f ~= nil and f.kind == "irte" and f.fired == 1, "the IRTE fault fired once")
local l = m:ledger()
msikit.expect(l.lost == 1 and l.lost_by_reason["ir-table-invalid"] == 1,
              "exactly one event lost, as ir-table-invalid")
msikit.expect(l.delivered == l.raised - 1 and l.pending == 0, "every other event delivered")
local r = m:resources()
msikit.expect(r.ir_faults == 1, "dmar0 serviced exactly one fault record")
msikit.expect(r.irtes == base.irtes, "the extra vector's IRTE came back")

for q = 0, 3 do nic:free_irq(q) end
msikit.expect(nic:remove(), "device removed")
msikit.expect(m:resources().irtes == 0, "no IRTE left")
msikit.expect(#m:violations() == 0, "the lifecycle contract held")
