local m = msikit.machine{ arch = "arm64", cpus = 2 }
local d = m:pci{ msix = 8 }
d:alloc_vectors{ max = 8, type = "msix" }
for i = 1, 200 do setmetatable({}, { __gc = function() d:raise(i % 8); m:check() end }) end
d:request(0, "q0", function() collectgarbage() ; return true end)
d:raise(0, 5)
m:run()
collectgarbage()
