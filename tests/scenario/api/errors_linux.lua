-- alloc_vectors refuses with the codes of Linux 6.12 pci_alloc_irq_vectors_affinity().
local m = msikit.machine{ arch = "test", cpus = 2 }
local d = m:pci{ bdf = "0000:01:00.0", msix = 8, msi = 4 }

local n, err = d:alloc_vectors{ min = 5, max = 4, type = "msix" }
msikit.expect(n == nil and err:match("^ERANGE: .*min > max") ~= nil, "min > max: " .. tostring(err))
n, err = d:alloc_vectors{ min = 3, max = 2, type = "msi" }
msikit.expect(n == nil and err:match("^ERANGE") ~= nil, "MSI, min > max: " .. tostring(err))
n, err = d:alloc_vectors{ min = 9, max = 16, type = "msix" }
msikit.expect(n == nil and err:match("^ENOSPC") ~= nil, "min beyond the table: " .. tostring(err))
n = d:alloc_vectors{ min = 2, max = 64, type = "msix" }
msikit.expect(n == 8, "max beyond the table is clamped to it: " .. tostring(n))
n, err = d:alloc_vectors{ min = 1, max = 1, type = "msi" }
msikit.expect(n == nil and err:match("^EINVAL: .*already enabled") ~= nil, "twice: " .. tostring(err))
msikit.expect(d:free_vectors(), "freed")
