-- expect: attempt to index a nil value \(global 'debug'\)
-- The debug library could give a machine a device's metatable; scenarios do not get it.
local m = msikit.machine{ arch = "test" }
local d = m:pci{ msix = 4 }
debug.setmetatable(m, getmetatable(d))
m:alloc_vectors{ max = 1 }
