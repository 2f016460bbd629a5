local m = msikit.machine{ arch = "x86" }
local d = m:pci{ msi = 4 }
d:alloc_vectors{ max = 4, type = "msi" }
d:request(2, "q", function() error({}) end)
d:raise(2)
m:run()
