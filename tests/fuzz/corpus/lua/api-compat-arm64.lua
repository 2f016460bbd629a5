-- msi = "global" on the test arch: one PCI/MSI domain for every device, no
-- vector after enable, no IMS, growth by disable/free/enable. (The other
-- switches are shown by the stories, which run on the test arch too.)
local m = msikit.machine{ arch = "arm64", cpus = 2, msi = "global" }
local a = m:pci{ bdf = "0000:01:00.0", msix = 16, ims = 16 }
local b = m:pci{ bdf = "0000:02:00.0", msix = 16 }
msikit.expect(a:alloc_vectors{ min = 2, max = 2, type = "msix" } == 2, "a: 2")
msikit.expect(b:alloc_vectors{ min = 3, max = 3, type = "msix" } == 3, "b: 3")
local global
for _, d in ipairs(m:domains()) do
  if d.bus == "PCI_MSI" then global = d end
end
msikit.expect(global and global.name == "TEST-PCI-MSI" and global.mapped == 5,
              "one global domain maps both devices' vectors")
msikit.expect(not a:can_alloc_dyn(), "no dynamic MSI-X")
local i, err = a:alloc_at(4)
msikit.expect(i == nil and err:match("^ENOTSUP: .*msi=global"), tostring(err))
local ok, e2 = a:ims_domain{ size = 16 }
msikit.expect(ok == nil and e2:match("^ENOTSUP: .*msi=global"), tostring(e2))
msikit.expect(a:free_vectors(), "disable and free")
msikit.expect(a:alloc_vectors{ min = 6, max = 6, type = "msix" } == 6, "enable again with 6")
for _, d in ipairs(m:domains()) do
  if d.bus == "PCI_MSI" then msikit.expect(d.mapped == 9, "6 + 3 in the global domain") end
end
a:request(0)
a:raise(0)
m:run()
msikit.expect(m:ledger().delivered == 1, "delivered through the global domain")
