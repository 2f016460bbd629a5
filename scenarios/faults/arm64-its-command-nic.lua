-- Persona under a controller fault (arm64, "its-command"): a NIC and its
-- RDMA driver on one function while the ITS fails one command, the Nth
-- after the machine is built, N drawn from the seed (controller = true:
-- N in [1, 64]). Explore it over many seeds: the fault lands on every kind
-- of command the drivers issue - MAPD at the first allocation, MAPTI at
-- allocation, request_irq and a managed vector's restart, MOVI when
-- irqbalance or CPU hotplug moves a vector, INV at mask/unmask, DISCARD at
-- free and shutdown, every SYNC - in every interleaving.
--
-- What must hold whatever N and the seed: a call the fault hits fails with
-- a clean EIO naming the ITS's report and works when the driver tries
-- again (a CPU whose managed vector did not restart is cycled once more);
-- the paths that cannot fail absorb it; nothing is lost, every event of a
-- vector that was set up is handled; the machine's invariants (ledger,
-- messages, msi-route, the MSI contract) hold after every step; removal
-- leaves the ITS empty.

local m = msikit.machine{ arch = "arm64", cpus = 4, faults = { controller = true } }
local dev = m:pci{ bdf = "0000:04:00.0", name = "ice", msix = 32 }
local NIC, RDMA = 4, 2

local failed = 0
local function clean_eio(what, err)
  failed = failed + 1
  local f = m:faults().controller
  msikit.expect(failed == 1 and f.fired == 1, what .. ": only the injected fault fails a call")
  msikit.expect(type(err) == "string" and err:match("^EIO: .*%(ITS internal error%)") ~= nil,
    what .. " fails with a clean EIO: " .. tostring(err))
end

-- Call fn; if the fault hits it, check the error and call it again.
local function try(what, fn)
  local a, b = fn()
  if a == nil then
    clean_eio(what, b)
    a, b = fn()
    msikit.expect(a ~= nil, what .. " works on the second try: " .. tostring(b))
  end
  return a, b
end

local raised, handled, live = {}, {}, {}
local function handler(index)
  return function() handled[index] = (handled[index] or 0) + 1 end
end
local function up(index, name)
  try("request " .. name, function() return dev:request(index, name, handler(index)) end)
  live[index] = true
end

-- The NIC: managed queues spread over the CPUs.
try("NIC vectors", function()
  return dev:alloc_vectors{ min = NIC, max = NIC, type = "msix", affinity = { pre = 0 } }
end)
for q = 0, NIC - 1 do up(q, "ice-q" .. q) end

local traffic_done = false
m:spawn(function() -- traffic on every vector that is up
  for tick = 1, 12 do
    for i = 0, NIC + RDMA - 1 do
      if live[i] then
        dev:raise(i)
        raised[i] = (raised[i] or 0) + 1
      end
    end
    m:sleep(1)
  end
  traffic_done = true
end)

m:spawn(function() -- RDMA: two vectors from base_vector = NIC, pinned to CPUs 1 and 3, then unloaded
  m:sleep(1)
  for k = 0, RDMA - 1 do
    try("RDMA vector " .. k, function() return dev:alloc_at(NIC + k, { cpus = { 2 * k + 1 } }) end)
    up(NIC + k, "irdma-" .. k)
  end
  while not traffic_done do m:sleep(1) end
  for k = 0, RDMA - 1 do live[NIC + k] = false end
  m:sleep(1) -- what is pending is taken first
  for k = 0, RDMA - 1 do
    msikit.expect(dev:free_irq(NIC + k) and dev:free_at(NIC + k), "RDMA unloads")
  end
end)

m:spawn(function() -- irqbalance moves the RDMA vectors between CPUs 0-2 (3 goes offline)
  for round = 1, 3 do
    m:sleep(2 + m:random(2))
    local k = m:random(RDMA)
    local virq = live[NIC + k] and dev:virq(NIC + k)
    if virq then try("irqbalance", function() return m:set_affinity(virq, { m:random(3) }) end) end
  end
end)

m:spawn(function() -- an admin masks a queue for a while, and cycles CPU 3
  m:sleep(2)
  msikit.expect(dev:mask(1), "mask queue 1")
  m:sleep(1)
  msikit.expect(dev:unmask(1), "unmask queue 1")
  -- The NIC quiesces the queue managed on CPU 3 first (as blk-mq drains a
  -- hardware queue): its shutdown discards what would still be pending.
  live[3] = false
  m:sleep(1)
  try("CPU 3 offline", function() return m:cpu_offline(3) end)
  m:sleep(2)
  local ok, err = m:cpu_online(3)
  if not ok then -- the CPU is up; its managed queue did not restart: cycle it again
    clean_eio("CPU 3 online", err)
    msikit.expect(m:cpu_offline(3) and m:cpu_online(3), "CPU 3 cycled again")
  end
  live[3] = true
end)
m:run()

-- Events held meanwhile (masked, CPU offline) coalesce: one handler run, their weight.
local total = 0
for i = 0, NIC + RDMA - 1 do
  msikit.expect((raised[i] or 0) == 0 or (handled[i] or 0) > 0,
    string.format("vector %d: %d raised, handled %d times", i, raised[i] or 0, handled[i] or 0))
  total = total + (raised[i] or 0)
end
local l = m:ledger()
msikit.expect(l.lost == 0 and l.raised == total and l.delivered == total, "nothing lost")
msikit.expect(dev:remove(), "the NIC goes")
for _, v in ipairs(m:violations()) do
  msikit.expect(false, "contract violation: " .. v.rule .. ": " .. v.detail)
end
local r = m:resources()
msikit.expect(r.lpis == 0 and r.its_devices == 0 and r.lpis_quarantined == 0, "the ITS is empty")
msikit.expect(m:faults().controller.fired <= 1, "the ITS failed at most one command")
