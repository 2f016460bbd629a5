-- expect: C stack overflow
-- line: 7
-- A C-stack overflow in a handler (metamethods calling themselves through C).
local m = msikit.machine{ arch = "test" }
local d = m:pci{ msix = 4 }
d:alloc_vectors{ min = 1 }
local t = setmetatable({}, { __index = function(t, k) return t[k] end })
d:request(0, "q0", function() return t.x end)
d:raise(0)
m:run()
