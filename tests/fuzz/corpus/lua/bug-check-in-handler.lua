local m = msikit.machine{ arch = "arm64", cpus = 2 }
local d = m:pci{ msix = 8 }
d:alloc_vectors{ max = 8, type = "msix" }
d:request(0, "q0", function() print(m:check()) ; return true end)
d:raise(0, 1)
m:run()
