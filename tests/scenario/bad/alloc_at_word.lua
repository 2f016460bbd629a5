-- expect: bad argument #1 to 'alloc_at' \(an MSI-X index or "any"\)$
local m = msikit.machine{ arch = "test" }
local d = m:pci{ msix = 8 }
d:alloc_vectors{ max = 2, type = "msix" }
d:alloc_at("anyone")
