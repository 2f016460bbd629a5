-- Explore CPU hotplug on x86 while a heap allocation fails: `msikit explore`.
--
-- faults.alloc = "random" makes the Nth heap allocation msikit performs
-- (N in [1, 256], drawn from the seed) fail; cpu_offline = true takes a
-- CPU other than 0 offline at a step drawn from the seed (1..64). Around
-- it: an NVMe-like device with managed queues, a NIC whose queues an
-- irqbalance actor keeps moving (a move may be in progress when the CPU
-- goes), a vector the NIC adds and removes while MSI-X stays enabled, and
-- traffic all along. Whatever meets the failed allocation fails cleanly
-- ("ENOMEM: ...") - except taking the CPU offline and bringing it back:
-- hardware does not ask, and the x86 vector driver allocates nothing to
-- move, retire or release a vector (a failed offline ends the run with
-- exit 1). Every event ends delivered, pending or lost with a reason;
-- removal leaves no vector, IRTE or cleanup record behind.

local CPUS = 4
local m = msikit.machine{ arch = "x86", cpus = CPUS, x86 = { ir = true },
                          faults = { alloc = "random", cpu_offline = true } }

local function clean(what, ok, err)
  if ok == nil then
    msikit.expect(type(err) == "string" and err:match("^E[A-Z0-9]+: ") ~= nil,
                  what .. " fails cleanly: " .. tostring(err))
  end
  return ok
end

local nvme = clean("nvme", m:pci{ bdf = "0000:01:00.0", name = "nvme0", msix = 8 })
local nic = clean("nic", m:pci{ bdf = "0000:05:00.0", name = "nic", msix = 16 })

local queues = 0
if nvme then
  queues = clean("nvme vectors",
                 nvme:alloc_vectors{ min = 2, max = CPUS + 1, type = "msix", affinity = { pre = 1 } })
       or 0
  for q = 0, queues - 1 do clean("nvme request", nvme:request(q, "nvme0q" .. q)) end
end
local rings = 0
if nic then
  rings = clean("nic vectors", nic:alloc_vectors{ min = 1, max = 4, type = "msix" }) or 0
  for q = 0, rings - 1 do clean("nic request", nic:request(q, "nic-q" .. q)) end
end

-- The clock: at least 100 steps, so the offline (at a step in 1..64) always
-- happens; then the CPU comes back, which cannot fail either.
local off = m:faults().cpu_offlined
m:spawn(function()
  for _ = 1, 100 do m:yield() end
  local ok, err = m:cpu_online(off)
  msikit.expect(ok, "CPU " .. off .. " comes back online: " .. tostring(err))
end)

-- Traffic: every live queue, 30 ticks.
local extra_live = false
m:spawn(function()
  for tick = 1, 30 do
    for q = 1, queues - 1 do clean("nvme raise", nvme:raise(q)) end
    for q = 0, rings - 1 do clean("nic raise", nic:raise(q)) end
    if extra_live then clean("nic raise 8", nic:raise(8)) end
    m:sleep(1)
  end
end)

-- irqbalance, busy: moves a ring (or the extra vector) every step or so, so
-- that moves are often in progress - with events pending on the old CPU -
-- when the CPU goes or the extra vector is freed. A move still in
-- progress is refused (EBUSY), a move to the offline CPU too (EINVAL).
if rings > 0 then
  m:spawn(function()
    for i = 1, 60 do
      local q = m:random(rings + 1)
      local virq = q < rings and nic:virq(q) or (extra_live and nic:virq(8)) or nil
      if virq then clean("move", m:set_affinity(virq, { m:random(CPUS) })) end
      if i % 4 == 0 then m:sleep(1) else m:yield() end
    end
  end)
end

-- A vector added while MSI-X is enabled, used, then removed (deactivation and free).
if rings > 0 then
  m:spawn(function()
    m:sleep(1 + m:random(5))
    if clean("alloc_at", nic:alloc_at(8)) then
      if clean("request 8", nic:request(8, "nic-extra")) then
        extra_live = true
        m:sleep(3 + m:random(8))
        extra_live = false
        m:sleep(1)
        nic:free_irq(8)
      end
      clean("free_at", nic:free_at(8))
    end
  end)
end

m:run()

local l = m:ledger()
msikit.expect(l.raised == l.delivered + l.lost + l.pending, "one fate per event")
for reason, n in pairs(l.lost_by_reason) do
  -- cpu-offline: an event pending at a managed queue's last CPU when it went
  -- (Linux's fixup_irqs() does not retrigger a shut-down vector).
  msikit.expect(reason == "msix-disabled" or reason == "vector-out-of-range" or
                reason == "cpu-offline", "lost " .. n .. " as " .. reason)
end

for _, d in ipairs({ nvme or false, nic or false }) do
  if d then
    if not clean("remove", d:remove()) then clean("remove again", d:remove()) end
  end
end
local irqs = clean("irqs", m:irqs()) or m:irqs()
msikit.expect(#irqs == 1 and irqs[1].name == "dmar0", "only the remapping unit's dmar0 is left")
local r = clean("resources", m:resources()) or m:resources()
msikit.expect(r.vectors == 1, "one vector left, dmar0's: " .. r.vectors)
msikit.expect(r.irtes == 0, "no IRTE left")
msikit.expect(r.cleanup_pending == 0 and r.vectors_parked == 0, "no old vector waiting")
for _, v in ipairs(m:violations()) do
  msikit.expect(v.rule ~= "resources-returned", "nothing leaked: " .. v.detail)
end
