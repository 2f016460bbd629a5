-- expect: none
-- line: 0
-- exit: 0
-- stdout: methods listed; metatable out of reach
-- getmetatable() of a binding object is a table listing its methods, not the
-- metatable: a __gc (or __index) added to it reaches no object made later.
local m = msikit.machine{ arch = "test" }
local mt = getmetatable(m)
mt.__gc = function() while true do end end
mt.__index = function() error("hijacked") end
local d = m:pci{ msix = 4 }
local dm = getmetatable(d)
dm.__gc = function() while true do end end
local d2 = m:pci{ msix = 2 }
assert(d2:alloc_vectors{ max = 1 } == 1)
assert(type(mt.__methods.pci) == "function" and type(dm.__methods.request) == "function")
assert(not pcall(setmetatable, d, {}))
print("methods listed; metatable out of reach")
