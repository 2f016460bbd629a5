-- The vector calls of a device: MSI, MSI-X, affinity, dynamic MSI-X, errors.
local m = msikit.machine{ arch = "arm64", cpus = 4 }

-- Plain MSI, multi-vector (the test parent offers MULTI_PCI_MSI).
local a = m:pci{ bdf = "0000:01:00.0", msi = 8 }
msikit.expect(a:alloc_vectors{ affinity = { pre = 65536 },  min = 4, max = 4, type = "msi" } == 4, "4 MSI vectors")
msikit.expect(a:state().msi_enabled and not a:state().msix_enabled, "MSI on")
local v0, v3 = a:virq(0), a:virq(3)
msikit.expect(v3 == v0 + 3, "a multi-MSI block is consecutive")
local n, err = a:alloc_vectors{ min = 1, max = 2 }
msikit.expect(n == nil and err:match("^EINVAL: .*already enabled"), "enabled twice: " .. tostring(err))
local idx, e2 = a:alloc_at(5)
msikit.expect(idx == nil and e2:match("^ENOTSUP"), "alloc_at needs MSI-X: " .. tostring(e2))
msikit.expect(a:free_vectors(), "MSI freed")
msikit.expect(a:state().msi_enabled == false, "MSI off")

-- MSI-X with managed affinity: pre and post vectors are not managed.
local b = m:pci{ bdf = "0000:02:00.0", msix = 32 }
local nb = b:alloc_vectors{ min = 3, max = 6, type = "msix", affinity = { pre = 1, post = 1 } }
msikit.expect(nb == 6, "1 pre + 4 spread + 1 post: " .. tostring(nb))
local managed = 0
for _, row in ipairs(m:irqs()) do
  if row.device == "0000:02:00.0" and row.managed then managed = managed + 1 end
end
msikit.expect(managed == 4, "4 managed vectors, one per CPU")
msikit.expect(b:can_alloc_dyn(), "dynamic MSI-X offered")

-- Dynamic MSI-X: a chosen index, "any", an affinity, freeing one.
local i1, q1 = b:alloc_at(20, { cpus = { 2 } })
msikit.expect(i1 == 20 and q1 > 0, "index 20 added")
msikit.expect(b:virq(20) == q1, "virq of index 20")
local i2 = b:alloc_at("any")
msikit.expect(i2 == 6, "the first free index is 6")
local dup, e3 = b:alloc_at(20)
msikit.expect(dup == nil and e3:match("^E"), "index 20 twice: " .. tostring(e3))
local far, e4 = b:alloc_at(40)
msikit.expect(far == nil and e4:match("^ERANGE"), "beyond the table: " .. tostring(e4))
msikit.expect(b:free_at(20), "index 20 freed")
local gone, e5 = b:virq(20)
msikit.expect(gone == nil and e5:match("^EINVAL"), "no virq after free: " .. tostring(e5))
for _, row in ipairs(m:irqs()) do
  if row.index == 20 then msikit.expect(false, "index 20 is still listed") end
end

-- A device without MSI-X.
local c = m:pci{ bdf = "0000:03:00.0", msi = 1 }
local nc, e6 = c:alloc_vectors{ min = 1, max = 1, type = "msix" }
msikit.expect(nc == nil and e6:match("^EINVAL: .*no MSI%-X capability"), "no MSI-X: " .. tostring(e6))
msikit.expect(c:alloc_vectors{ min = 1, max = 4 } == 1, "type any falls back to MSI")

-- Handlers keep vectors: free_vectors refuses while one is installed.
b:request(0)
local ok, e7 = b:free_vectors()
msikit.expect(ok == nil and e7:match("^EBUSY"), "free_vectors with a handler: " .. tostring(e7))
msikit.expect(b:free_irq(0), "handler freed")
msikit.expect(b:free_vectors(), "then the vectors go")
local ok2, e8 = b:free_irq(0)
msikit.expect(ok2 == nil and e8 ~= nil, "no vector 0 any more: " .. tostring(e8))

-- Removal and what follows.
msikit.expect(c:remove(), "device removed")
local r2, e9 = c:remove()
msikit.expect(r2 == nil and e9:match("^ENODEV"), "removed twice: " .. tostring(e9))
local r3, e10 = c:raise(0)
msikit.expect(r3 == nil and e10:match("^ENODEV"), "a removed device raises nothing")
msikit.expect(tostring(c):match("removed"), "tostring says removed")
local dupdev, e11 = m:pci{ bdf = "0000:01:00.0", msix = 2 }
msikit.expect(dupdev == nil and e11:match("^EEXIST"), "BDF taken: " .. tostring(e11))
local auto = m:pci{ msix = 2 }
msikit.expect(auto:name() == "0000:04:00.0", "the next free bus: " .. auto:name())
