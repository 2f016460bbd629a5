-- Explore heap allocation failures and CPU hotplug at once, on any arch:
-- `MSIKIT_FAULT_ARCH=arm64 msikit explore scenarios/faults/alloc-hotplug-any.lua --seeds 1..2000`
-- (x86, arm64 or ppc64; x86 when unset). `arch = "x86"` below is the default.
--
-- faults.alloc = "random" fails the Nth msikit heap allocation (N in
-- [1, 256], from the seed) and cpu_offline = true takes a CPU other than 0
-- offline at a step drawn from the seed. Around them: an NVMe-like device
-- with managed queues, a NIC whose rings an irqbalance actor keeps moving
-- and masking, a vector added and removed while MSI-X stays enabled, and
-- traffic all along. Every call either works or fails cleanly ("E...: ")
-- and then leaves the machine's resources exactly as they were; taking the
-- CPU offline and back never fails. Nothing is lost but what Linux loses:
-- an interrupt pending at a managed queue's last CPU when it goes
-- (x86 cpu-offline, arm64 its-discard, ppc64 xive-eas-masked) and a
-- trigger coalesced in the XIVE Q bit when its vector is masked
-- (xive-q-dropped) - never "injected-fault". Removal returns everything.
-- The invariants (nothing-stranded at every quiescence included) hold on
-- every seed.

local ARCH = os.getenv("MSIKIT_FAULT_ARCH") or "x86"
local CPUS = 4
local m = msikit.machine{ arch = ARCH, cpus = CPUS, x86 = { ir = true },
                          faults = { alloc = "random", cpu_offline = true } }

-- Resources per arch: what a failed call must leave as it was (those of
-- vectors), and what removal must return (also the device's own: its ITS
-- DeviceID, its firmware LISNs - kept, as in Linux, while the device's MSI
-- domain lives, failed allocations or not).
local CALL_KEYS = {
  x86 = { "vectors", "vectors_reserved", "irtes", "cleanup_pending", "vectors_parked" },
  arm64 = { "lpis", "lpis_quarantined" },
  ppc64 = { "xive-mapped", "lisns-stranded" },
}
local ALL_KEYS = {
  x86 = CALL_KEYS.x86,
  arm64 = { "lpis", "lpis_quarantined", "its_devices" },
  ppc64 = { "xive-mapped", "lisns-stranded", "lisns", "lisn-pool-free" },
}
local ALLOWED = {
  x86 = { ["cpu-offline"] = true },
  arm64 = { ["its-discard"] = true },
  ppc64 = { ["xive-eas-masked"] = true, ["xive-q-dropped"] = true },
}

local function snapshot()
  local r = m:resources()
  local s = {}
  for _, k in ipairs(ALL_KEYS[ARCH]) do s[k] = r[k] end
  return s
end

local function same(a, b, what, keys)
  for _, k in ipairs(keys or CALL_KEYS[ARCH]) do
    msikit.expect(a[k] == b[k], what .. ": " .. k .. " " .. tostring(b[k]) .. " -> " .. tostring(a[k]))
  end
end

-- A call that fails must fail cleanly and leave the resources as they were.
local function call(what, fn, ...)
  local before = snapshot()
  local ok, err = fn(...)
  if ok == nil then
    msikit.expect(type(err) == "string" and err:match("^E[A-Z0-9]+: ") ~= nil,
                  what .. " fails cleanly: " .. tostring(err))
    same(snapshot(), before, what .. " failed and changed nothing")
  end
  return ok
end

local base = snapshot()
local nvme = call("nvme", m.pci, m, { bdf = "0000:01:00.0", name = "nvme0", msix = 8 })
local nic = call("nic", m.pci, m, { bdf = "0000:05:00.0", name = "nic", msix = 16 })

-- Only requested vectors are raised: an unrequested one is masked in the
-- device, its events rightly pending there.
local nvme_live, nic_live = {}, {}
local queues = 0
if nvme then
  queues = call("nvme vectors", nvme.alloc_vectors, nvme,
                { min = 2, max = CPUS + 1, type = "msix", affinity = { pre = 1 } }) or 0
  for q = 0, queues - 1 do
    nvme_live[q] = call("nvme request", nvme.request, nvme, q, "nvme0q" .. q) ~= nil
  end
end
local rings = 0
if nic then
  rings = call("nic vectors", nic.alloc_vectors, nic, { min = 1, max = 4, type = "msix" }) or 0
  for q = 0, rings - 1 do
    nic_live[q] = call("nic request", nic.request, nic, q, "nic-q" .. q) ~= nil
  end
end

-- The clock: at least 100 steps, so the offline (at a step in 1..64)
-- always happens; then the CPU comes back, which cannot fail.
-- (Spawning an actor allocates too: one that cannot be spawned fails cleanly.)
local function spawn(what, fn)
  return call("spawn " .. what, m.spawn, m, fn)
end
local off = m:faults().cpu_offlined
local function back_online()
  local ok, err = m:cpu_online(off)
  msikit.expect(ok or tostring(err):match("^EALREADY: ") ~= nil,
                "CPU " .. tostring(off) .. " comes back online: " .. tostring(err))
end
local clock = spawn("clock", function()
  for _ = 1, 100 do m:yield() end
  back_online()
end)

-- Traffic: every requested vector, 30 ticks.
local extra_live = false
spawn("traffic", function()
  for _ = 1, 30 do
    for q = 0, queues - 1 do if nvme_live[q] then nvme:raise(q) end end
    for q = 0, rings - 1 do if nic_live[q] then nic:raise(q, 2) end end
    if extra_live then nic:raise(8) end
    m:sleep(1)
  end
end)

-- irqbalance: moves a ring, now and then masks and unmasks one.
if rings > 0 then
  spawn("irqbalance", function()
    for i = 1, 60 do
      local q = m:random(rings)
      local virq = nic:virq(q)
      if virq then call("move", m.set_affinity, m, virq, { m:random(CPUS) }) end
      if i % 5 == 0 then
        call("mask", nic.mask, nic, q)
        m:yield()
        call("unmask", nic.unmask, nic, q)
      end
      if i % 4 == 0 then m:sleep(1) else m:yield() end
    end
  end)
end

-- A vector added while MSI-X is enabled, used, then removed.
if rings > 0 then
  spawn("alloc_at", function()
    m:sleep(1 + m:random(5))
    if call("alloc_at", nic.alloc_at, nic, 8) then
      if call("request 8", nic.request, nic, 8, "nic-extra") then
        extra_live = true
        m:sleep(3 + m:random(8))
        extra_live = false
        m:sleep(1)
        nic:free_irq(8)
      end
      call("free_at", nic.free_at, nic, 8)
    end
  end)
end

m:run()
if not clock then -- the CPU comes back all the same
  back_online()
  m:run()
end

local l = m:ledger()
msikit.expect(l.raised == l.delivered + l.lost + l.pending, "one fate per event")
msikit.expect(l.pending == 0, "nothing pending once idle: " .. l.pending)
for reason, n in pairs(l.lost_by_reason) do
  msikit.expect(ALLOWED[ARCH][reason], "lost " .. n .. " as " .. reason)
end

for _, d in ipairs({ nvme or false, nic or false }) do
  if d and not call("remove", d.remove, d) then call("remove again", d.remove, d) end
end
same(snapshot(), base, "everything returned at removal", ALL_KEYS[ARCH])
for _, v in ipairs(m:violations()) do
  msikit.expect(v.rule ~= "resources-returned", "nothing leaked: " .. v.detail)
end
