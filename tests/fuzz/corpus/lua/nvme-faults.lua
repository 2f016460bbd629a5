-- Persona: an NVMe driver on x86.
--
-- Probe on one vector (the admin queue), free it, then the real set-up:
-- the admin queue plus one I/O queue per CPU, spread with managed affinity
-- (pre = 1 keeps the admin vector out of the spreading). Every I/O queue
-- has a submitter (an actor); completions come back as interrupts on the
-- queue's CPU. Finally the device is removed: nothing may be left behind.

local CPUS = 4
local m = msikit.machine{ faults = { alloc = 25 }, arch = "x86", cpus = CPUS }
local nvme = m:pci{ bdf = "0000:01:00.0", name = "nvme0", msix = 65 }

-- Probe: identify the controller over the admin queue.
msikit.expect(nvme:alloc_vectors{ min = 1, max = 1, type = "msix" } == 1, "probe vector")
nvme:request(0, "nvme0q0")
nvme:raise(0)
m:run()
nvme:free_irq(0)
msikit.expect(nvme:free_vectors(), "probe vector freed")

-- Set-up: admin + one I/O queue per CPU.
local n = nvme:alloc_vectors{ min = 2, max = CPUS + 1, type = "msix", affinity = { pre = 1 } }
msikit.expect(n == CPUS + 1, "admin + " .. CPUS .. " I/O vectors (" .. tostring(n) .. ")")
local completions = {}
for q = 0, n - 1 do
  completions[q] = 0
  nvme:request(q, "nvme0q" .. q, function(virq, cpu) completions[q] = completions[q] + 1 end)
end
for _, row in ipairs(m:irqs()) do
  if row.index and row.index >= 1 then
    msikit.expect(row.managed, "I/O vector " .. row.index .. " is managed")
  end
end

-- I/O: one submitter per queue; each command completes with an interrupt.
for q = 1, n - 1 do
  m:spawn(function()
    for cmd = 1, 40 do
      nvme:raise(q)
      m:sleep(1 + m:random(3))
    end
  end)
end
m:run()

local l = m:ledger()
msikit.expect(l.lost == 0 and l.delivered == l.raised, "every completion delivered")
for _, row in ipairs(m:irqs()) do
  if row.index and row.index >= 1 then
    msikit.expect(row.counts[row.effective_cpu + 1] == row.total,
                  "queue " .. row.index .. " completes on its own CPU only")
  end
end

-- Removal: the driver unbinds, the device goes, the controller gets everything back.
msikit.expect(nvme:remove(), "device removed")
msikit.expect(#m:irqs() == 0, "no virq left")
msikit.expect(#m:violations() == 0, "the lifecycle contract held")
