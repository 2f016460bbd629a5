-- expect: the handler broke
local m = msikit.machine{ arch = "test" }
local d = m:pci{ msix = 4 }
d:alloc_vectors{ min = 1 }
d:request(0, "q0", function() error("the handler broke") end)
d:raise(0)
m:run()
