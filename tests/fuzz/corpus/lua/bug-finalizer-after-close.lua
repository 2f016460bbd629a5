local m = msikit.machine{ arch = "x86" }
local d = m:pci{ msix = 4 }
setmetatable({}, { __gc = function() print(pcall(m.pci, m, { msix = 4 })); print(pcall(d.alloc_vectors, d, {})) end })
