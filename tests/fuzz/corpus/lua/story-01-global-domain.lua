-- Story 1: one global PCI/MSI domain vs per-device MSI domains (seeds 003, 000).
--
-- Before (msi = "global"): every device's vectors live in one PCI/MSI
-- domain. A device cannot get a vector after MSI-X is enabled, and cannot
-- have IMS beside MSI-X: both calls fail with a clear error, and the NIC
-- grows the old way (disable, free, enable again with more).
-- After (msi = "per-device"): each device has its own MSI domain under the
-- controller's MSI parent; vectors come and go after enable, and the
-- accelerator holds an MSI-X and an IMS domain at once.

local form = msikit.story{
  title = "One PCI/MSI domain vs per-device domains",
  before = 'msi = "global"',
  after = 'msi = "per-device"',
}
local before = form == "before"

local m = msikit.machine{ arch = "x86", cpus = 4, x86 = { ir = true },
                          msi = before and "global" or "per-device" }
local nic = m:pci{ bdf = "0000:01:00.0", name = "nic", msix = 64 }
local acc = m:pci{ bdf = "0000:02:00.0", name = "accel", msix = 8, ims = 256 }

-- The NIC probes with four queues.
msikit.expect(nic:alloc_vectors{ min = 4, max = 4, type = "msix" } == 4, "nic: 4 MSI-X vectors")
for q = 0, 3 do nic:request(q) end

-- Later it wants a fifth queue, with MSI-X already enabled.
local index, err = nic:alloc_at("any")
if before then
  msikit.expect(index == nil and tostring(err):match("^ENOTSUP") ~= nil,
                "before: no vector after MSI-X is enabled: " .. tostring(err))
  -- The old way: quiesce, free everything, enable again with five.
  for q = 0, 3 do nic:free_irq(q) end
  msikit.expect(nic:free_vectors(), "nic: vectors freed")
  msikit.expect(nic:alloc_vectors{ min = 5, max = 5, type = "msix" } == 5, "nic: 5 vectors again")
  for q = 0, 4 do nic:request(q) end
else
  msikit.expect(index == 4, "after: the fifth vector is added at index 4 while enabled")
  nic:request(4)
end

-- The accelerator wants IMS beside its MSI-X vector.
msikit.expect(acc:alloc_vectors{ min = 1, max = 1, type = "msix" } == 1, "accel: 1 MSI-X vector")
acc:request(0)
local ok, ims_err = acc:ims_domain{ size = 256 }
if before then
  msikit.expect(not ok and tostring(ims_err):match("^ENOTSUP") ~= nil,
                "before: no IMS beside MSI-X: " .. tostring(ims_err))
else
  msikit.expect(ok, "after: an IMS domain beside MSI-X")
  local slot, virq = acc:ims_alloc()
  msikit.expect(slot == 0 and virq ~= nil, "after: IMS slot 0 allocated")
  acc:request({ ims = 0 }, "accel-wq0")
  acc:raise({ ims = 0 })
end

-- The domains say which model this is.
local global, per_device = 0, 0
for _, d in ipairs(m:domains()) do
  if d.bus == "PCI_MSI" then global = global + 1 end
  if d.kind == "msi-device" and d.name:match("PCI%-MSIX%-0000:01:00%.0$") then
    per_device = per_device + 1
    if before then
      msikit.expect(d.parent and d.parent:match("PCI%-MSI$") ~= nil,
                    "before: the NIC's vectors pass through the global domain")
    end
  end
end
msikit.expect(global == (before and 1 or 0), "one global PCI/MSI domain only before")
msikit.expect(per_device == 1, "the NIC's MSI-X level exists")

-- Traffic on every vector: nothing is lost in either form.
for q = 0, 4 do nic:raise(q) end
acc:raise(0)
m:run()
local l = m:ledger()
msikit.expect(l.lost == 0, "no event lost")
msikit.expect(l.delivered == l.raised, "every event delivered")
