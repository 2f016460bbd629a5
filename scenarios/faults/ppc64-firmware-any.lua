-- Fault, anywhere: the pSeries firmware refuses one call, the Nth (ppc64,
-- controller kind "firmware"; N drawn from the seed in [1, 64]).
--
-- Persona: an NVMe driver and a NIC driver probe at once while an admin
-- moves interrupts and takes a CPU away and back (and the machine takes
-- another one away, at a step drawn from the seed); the NIC then switches
-- from MSI-X to multi-MSI (its MSI-X grant goes back to the firmware, a new
-- one is made). Some 70 firmware calls in all - RTAS ibm,change-msi and
-- ibm,query-interrupt-source-number, H_INT_GET_SOURCE_INFO,
-- H_INT_SET_SOURCE_CONFIG, H_INT_SET_QUEUE_CONFIG - in an order the seed
-- decides. Whichever is refused: the call that met it fails cleanly with
-- EIO naming the firmware's report and works when tried again, or the
-- driver absorbs it where nothing can fail (deactivation, releases, queue
-- removal); no event of a vector that was set up is lost; removal gives
-- everything back. `msikit explore` runs it over hundreds of seeds.

local CPUS = 4
local m = msikit.machine{ arch = "ppc64", cpus = CPUS,
                          faults = { controller = true, cpu_offline = true } }
local taken = m:faults().cpu_offlined -- the machine's own victim
local victim = taken == 2 and 3 or 2  -- the admin's
local refused = {}

-- A call either works or is the refusal, reported as such.
local function call(what, fn)
  local a, b = fn()
  if a == nil then
    refused[#refused + 1] = what
    msikit.expect(#refused == 1, what .. ": a second call failed: " .. tostring(b))
    msikit.expect(type(b) == "string" and b:match("^EIO: ") ~= nil
                  and (b:find("failed -1 (hardware error)", 1, true) ~= nil
                       or b:find("failed -1 (H_HARDWARE)", 1, true) ~= nil),
                  what .. " fails cleanly, naming the firmware's report: " .. tostring(b))
  end
  return a, b
end

-- ... and the driver tries once more, which must work.
local function retry(what, fn)
  local a, b = call(what, fn)
  if a == nil then
    a, b = fn()
    msikit.expect(a ~= nil, what .. " works when tried again: " .. tostring(b))
  end
  return a, b
end

local nvme = m:pci{ bdf = "0000:01:00.0", name = "nvme0", msix = 6 }
local nic = m:pci{ bdf = "0000:02:00.0", name = "nic0", msix = 4, msi = 4 }
local base = m:resources()
local ready = { nvme = 0, nic = 0 } -- vectors set up (raised only then)

local function set_up(d, key, n, type)
  local got = retry(key .. " alloc", function()
    return d:alloc_vectors{ min = n, max = n, type = type }
  end)
  for q = 0, (got or 0) - 1 do
    retry(key .. " request " .. q, function() return d:request(q, key .. "q" .. q) end)
  end
  ready[key] = got or 0
end

local function traffic(d, key, rounds)
  for _ = 1, rounds do
    for q = 0, ready[key] - 1 do d:raise(q) end
    m:sleep(1 + m:random(2))
  end
end

m:spawn(function() -- the NVMe driver
  set_up(nvme, "nvme", 5, "msix")
  traffic(nvme, "nvme", 8)
end)

m:spawn(function() -- the NIC driver: MSI-X first, then multi-MSI
  set_up(nic, "nic", 3, "msix")
  traffic(nic, "nic", 5)
  for q = 0, ready.nic - 1 do nic:free_irq(q) end
  ready.nic = 0
  msikit.expect(nic:free_vectors(), "the NIC frees its MSI-X vectors")
  set_up(nic, "nic", 4, "msi")
  traffic(nic, "nic", 3)
end)

m:spawn(function() -- the admin: irqbalance on the NVMe's I/O queues, then a CPU away and back
  m:sleep(2)
  for q = 1, ready.nvme - 1 do
    retry("set_affinity nvme0q" .. q, function()
      return m:set_affinity(nvme:virq(q), { q % CPUS, (q + 1) % CPUS })
    end)
  end
  m:sleep(1)
  local ok = call("cpu_offline " .. victim, function() return m:cpu_offline(victim) end)
  if not ok then
    -- The CPU went anyway; a source the firmware would not move is moved now.
    for _, row in ipairs(m:irqs()) do
      if row.effective_cpu == victim then
        local moved = m:set_affinity(row.virq, { 0, 1 })
        msikit.expect(moved, "the source left on CPU " .. victim .. " moves when asked again")
      end
    end
  end
  m:sleep(2)
  retry("cpu_online " .. victim, function() return m:cpu_online(victim) end)
end)

m:run()

local f = m:faults().controller
msikit.expect(f.kind == "firmware" and f.fired <= 1, "one refusal at most")
msikit.expect(f.fired == 1 or f.seen < f.nth, "it fired if the call came: " .. f.nth .. "/" .. f.seen)
msikit.expect(#refused <= f.fired, "errors only where the firmware refused")
local l = m:ledger()
msikit.expect(l.lost == 0, "no event of a set-up vector is lost (" .. l.lost .. ")")
msikit.expect(l.delivered == l.raised and l.pending == 0,
              "every event delivered: " .. l.delivered .. " of " .. l.raised)
msikit.expect(#m:violations() == 0, "the lifecycle contract holds")

msikit.expect(nvme:remove(), "the NVMe goes")
msikit.expect(nic:remove(), "the NIC goes")
local r = m:resources()
msikit.expect(r.lisns == 0 and r["lisn-pool-free"] == base["lisn-pool-free"]
              and r["lisns-stranded"] == 0, "every LISN back with the firmware")
local online = taken and CPUS - 1 or CPUS
msikit.expect(r["xive-queues"] == online and r["xive-mapped"] == 0,
              "every online CPU has its queue, no virq (" .. r["xive-queues"] .. ")")
msikit.expect(#m:irqs() == 0, "no virq left")
for _, v in ipairs(m:violations()) do
  msikit.expect(false, "violation " .. v.rule .. ": " .. v.detail)
end
