-- expect: attempt to yield across a C-call boundary
-- line: 8
-- coroutine.yield in a handler (handlers must not wait).
local m = msikit.machine{ arch = "test" }
local d = m:pci{ msix = 4 }
d:alloc_vectors{ min = 1 }
d:request(0, "q0", function()
  coroutine.yield()
end)
d:raise(0)
m:run()
