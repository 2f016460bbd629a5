-- expect: d:raise options: every = 0 is out of range \(1\.\.9223372036854775807\)
local m = msikit.machine{ arch = "test" }
local d = m:pci{ msix = 4 }
d:raise(0, 5, { every = 0 })
