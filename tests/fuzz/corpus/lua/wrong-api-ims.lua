-- IMS beside MSI-X: domain, slots, masking, raising, freeing.
local m = msikit.machine{ arch = "ppc64", cpus = 0 }
local d = m:pci{ bdf = "0000:10:00.0", name = "dsa", msix = 2, ims = 64 }
local plain = m:pci{ bdf = "0000:11:00.0", msix = 2 }

local slot0, e0 = d:ims_alloc()
msikit.expect(slot0 == nil and e0:match("^ENODEV"), "no IMS domain yet: " .. tostring(e0))
local nd, e1 = plain:ims_domain{ size = 8 }
msikit.expect(nd == nil and e1:match("^ENODEV: .*no IMS store"), "no store: " .. tostring(e1))
local big, e2 = d:ims_domain{ size = 65 }
msikit.expect(big == nil and e2:match("^EINVAL"), "larger than the store: " .. tostring(e2))
msikit.expect(d:ims_domain{ size = 64 }, "IMS domain of 64")
local again, e3 = d:ims_domain{ size = 64 }
msikit.expect(again == nil and e3:match("^EEXIST"), "created twice: " .. tostring(e3))
msikit.expect(d:alloc_vectors{ min = 1, max = 1, type = "msix" } == 1, "MSI-X beside IMS")

local got = {}
local slots = {}
for k = 1, 3 do
  local s, virq = d:ims_alloc({ cpus = { k % 2 } })
  msikit.expect(s == k - 1 and virq > 0, "slot " .. (k - 1))
  slots[k] = s
  got[s] = 0
  d:request({ ims = s }, nil, function() got[s] = got[s] + 1 end)
  msikit.expect(d:virq({ ims = s }) == virq, "virq of the slot")
end
local found = false
for _, dom in ipairs(m:domains()) do
  if dom.name == "TEST-IMS-0000:10:00.0" then
    found = true
    msikit.expect(dom.kind == "msi-device" and dom.bus == "PCI_DEVICE_IMS", "an IMS device domain")
    msikit.expect(dom.hwsize == 64, "hwsize 64")
  end
end
msikit.expect(found, "the IMS domain is listed")

-- Masked: events wait; unmask delivers them once.
d:mask({ ims = 1 })
d:raise({ ims = 1 }, 3)
m:run()
msikit.expect(got[1] == 0, "nothing while masked")
msikit.expect(m:ledger().held >= 3 or m:ledger().pending == 3, "held while masked")
d:unmask({ ims = 1 })
m:run()
msikit.expect(got[1] == 1, "one interrupt for the three events")
d:raise({ ims = 0 })
d:raise({ ims = 2 }, 2)
m:run()
msikit.expect(got[0] == 1 and got[2] >= 1, "the other slots")
local bad, e4 = d:raise({ ims = 64 })
msikit.expect(bad == nil and e4:match("^EINVAL"), "beyond the store: " .. tostring(e4))

for k = 1, 3 do
  d:free_irq({ ims = slots[k] })
  msikit.expect(d:ims_free(slots[k]), "slot " .. slots[k] .. " freed")
end
local twice, e5 = d:ims_free(0)
msikit.expect(twice == nil and e5:match("^ENOENT"), "freed twice: " .. tostring(e5))
local l = m:ledger()
msikit.expect(l.lost == 0 and l.delivered == l.raised, "every event delivered")
msikit.expect(d:remove(), "removed with its IMS domain")
msikit.expect(#m:violations() == 0, "nothing leaked")
