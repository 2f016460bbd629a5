-- expect: bad argument #2 to 'raise' \(count must be 1\.\.4294967295\)
local m = msikit.machine{ arch = "test" }
local d = m:pci{ msix = 4 }
d:raise(0, 4294967296)
