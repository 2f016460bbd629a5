-- Persona: a NIC and its RDMA auxiliary driver on one function (arm64 ITS).
--
-- The NIC takes 8 vectors, spread over the CPUs (managed). The RDMA driver
-- then adds 8 vectors from base_vector = 8, each pinned to a CPU it chooses,
-- and irqbalance moves them around while traffic flows. The NIC's vectors
-- are never touched; nothing is lost.

local m = msikit.machine{ arch = "arm64", cpus = 4, its = { alloc_dyn = true } }
local dev = m:pci{ bdf = "0000:04:00.0", name = "ice", msix = 64 }
local NIC, RDMA = 8, 8

local n = dev:alloc_vectors{ min = 2, max = NIC, type = "msix", affinity = { pre = 0 } }
msikit.expect(n ~= nil and n >= 4, "NIC vectors (" .. tostring(n) .. ")")
NIC = n
for q = 0, NIC - 1 do dev:request(q, "ice-txrx-" .. q) end
local before = {}
for _, row in ipairs(m:irqs()) do before[row.virq] = row.effective_cpu end

-- RDMA: vectors from base_vector = NIC, each on a chosen CPU.
local rdma = {}
for k = 0, RDMA - 1 do
  local index, virq = dev:alloc_at(NIC + k, { cpus = { k % 4 } })
  msikit.expect(index == NIC + k, "RDMA vector " .. NIC + k .. " " .. tostring(virq))
  if index then
    dev:request(index, "irdma-" .. k)
    rdma[#rdma + 1] = virq
  end
end

-- Traffic on everything, and irqbalance moving the RDMA vectors.
m:spawn(function()
  for tick = 1, 30 do
    for i = 0, NIC + RDMA - 1 do dev:raise(i) end
    m:sleep(1)
  end
end)
m:spawn(function()
  for round = 1, 10 do
    m:sleep(3)
    local virq = rdma[m:random(#rdma) + 1]
    msikit.expect(m:set_affinity(virq, { m:random(4) }), "irqbalance moves virq " .. virq)
  end
end)
m:run()

local l = m:ledger()
msikit.expect(l.lost == 0 and l.delivered == l.raised, "every event delivered")
for _, row in ipairs(m:irqs()) do
  if before[row.virq] then
    msikit.expect(row.effective_cpu == before[row.virq], "NIC vector " .. row.virq .. " untouched")
  end
end
msikit.expect(m:check(), "every MSI-X entry holds its composed message")
