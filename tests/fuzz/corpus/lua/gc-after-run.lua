local m = msikit.machine{ arch = "x86", x86 = { ir = true } }
local d = m:pci{ msix = 4, ims = 8 }
d:alloc_vectors{ max = 4 }
setmetatable({}, { __gc = function() m:pci{ msix = 2 }; d:raise(0); d:ims_domain{ size = 4 } end })
