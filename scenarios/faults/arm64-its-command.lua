-- Controller fault on arm64 ("its-command"): the ITS fails one command.
--
-- A NIC driver runs four queues and adds a fifth vector at run time
-- (dynamic MSI-X) while traffic flows. The 26th ITS command after the
-- machine is built - the MAPTI that maps the new vector's event - completes
-- with a command error (0x010afc: MAPTI, "ITS internal error"), which the
-- ITS skips (its default policy). The driver's call fails cleanly with EIO
-- naming the command; nothing is left half-done (no LPI, no ITT entry, no
-- virq); the driver asks again and gets its vector. No event of any vector
-- is lost, and every message reaches its own virq (the machine checks
-- "msi-route" after every step).
--
-- The commands before it: MAPD for the device (1), MAPTI + SYNC per queue
-- at allocation (2-9), and at request_irq MAPTI + SYNC again (reservation
-- mode activates for real) and INV + SYNC to unmask (10-25).

local m = msikit.machine{ arch = "arm64", cpus = 4, faults = { controller = 26 } }
local nic = m:pci{ bdf = "0000:05:00.0", name = "nic", msix = 16 }
msikit.expect(nic:alloc_vectors{ min = 4, max = 4, type = "msix" } == 4, "four queues")
local handled = 0
local function count() handled = handled + 1 end
for q = 0, 3 do nic:request(q, "nic-q" .. q, count) end

m:spawn(function() -- traffic on the four queues, all along
  for tick = 1, 10 do
    for q = 0, 3 do nic:raise(q) end
    m:sleep(1)
  end
end)

m:spawn(function() -- the driver grows by one vector
  m:sleep(3)
  local before = m:resources()
  local index, err = nic:alloc_at(8)
  msikit.expect(index == nil, "the new vector's MAPTI fails")
  msikit.expect(type(err) == "string" and err:match("^EIO: .*command MAPTI %(DeviceID 0x500, "
      .. "EventID 4%) failed: error 0x010afc %(ITS internal error%)") ~= nil,
    "a clean EIO naming the ITS's report: " .. tostring(err))
  local f = m:faults().controller
  msikit.expect(f.kind == "its-command" and f.nth == 26 and f.fired == 1,
    "the 26th ITS command failed, once")
  msikit.expect(f.what:match("^MAPTI DeviceID 0x500 EventID 4 %-> LPI 8196 ICID %d") ~= nil,
    "it was that MAPTI: " .. f.what)
  local after = m:resources()
  msikit.expect(after.lpis == before.lpis and after.its_cmd_errors == before.its_cmd_errors + 1,
    "nothing left behind")
  msikit.expect(nic:virq(8) == nil, "no virq for vector 8")

  -- The driver tries again: the ITS works.
  msikit.expect(nic:alloc_at(8) == 8, "the second try gets vector 8")
  nic:request(8, "nic-q8", count)
  for tick = 1, 5 do
    nic:raise(8)
    m:sleep(1)
  end
end)
m:run()

local l = m:ledger()
msikit.expect(l.lost == 0 and l.delivered == l.raised and handled == 45, "every event delivered")
msikit.expect(m:check(), "every message reaches its own virq")
nic:remove()
for _, v in ipairs(m:violations()) do
  msikit.expect(false, "contract violation: " .. v.rule .. ": " .. v.detail)
end
local r = m:resources()
msikit.expect(r.lpis == 0 and r.its_devices == 0 and r.lpis_quarantined == 0, "the ITS is empty")
