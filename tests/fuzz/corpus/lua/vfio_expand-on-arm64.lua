-- Persona: a VFIO host expanding a passed-through device's MSI-X vectors.
--
-- The guest enables MSI-X with one vector, then unmasks the others one at a
-- time as its driver brings queues up. Since dynamic MSI-X (Linux 6.5), the
-- host adds each vector while MSI-X stays enabled (pci_msix_alloc_irq_at),
-- and removes it again when the guest tears a queue down. Traffic on the
-- vectors already live never stops and is never lost.

local m = msikit.machine{ arch = "arm64", cpus = 4, x86 = { ir = true } }
local dev = m:pci{ bdf = "0000:05:00.0", name = "vfio", msix = 16, while_disabled = "drop" }

msikit.expect(dev:alloc_vectors{ min = 1, max = 1, type = "msix" } == 1, "first vector")
dev:request(0, "vfio-msix[0]")
msikit.expect(dev:can_alloc_dyn(), "the platform offers dynamic MSI-X")

local live = { [0] = true }

-- The guest's traffic on whatever vectors are live.
m:spawn(function()
  for tick = 1, 60 do
    for i = 0, 15 do
      if live[i] then dev:raise(i) end
    end
    m:sleep(1)
  end
end)

-- The guest brings up queues 1..15, one every two ticks, then tears down 8..15.
m:spawn(function()
  for i = 1, 15 do
    m:sleep(2)
    local index, err = dev:alloc_at(i)
    msikit.expect(index == i, "vector " .. i .. " added while MSI-X is enabled " .. tostring(err))
    dev:request(i, "vfio-msix[" .. i .. "]")
    live[i] = true
  end
  m:sleep(5)
  for i = 8, 15 do
    live[i] = false
    m:sleep(1) -- time moves only once the CPUs have taken everything in flight
    dev:free_irq(i)
    msikit.expect(dev:free_at(i), "vector " .. i .. " removed while MSI-X is enabled")
  end
end)

m:run()
local l = m:ledger()
msikit.expect(l.lost == 0, "no event lost while vectors came and went")
msikit.expect(l.delivered == l.raised, "every event delivered")
msikit.expect(#m:irqs() == 8, "8 vectors live at the end")
msikit.expect(m:check(), "every live MSI-X entry holds its composed message")
