local m = msikit.machine{ arch = "x86", max_steps = 1 << 40 }
local d = m:pci{ msix = 2048 }
d:alloc_vectors{ max = 2048 }
d:raise(0, 1000000)
m:spawn(function() while true do m:yield() end end)
m:run()
