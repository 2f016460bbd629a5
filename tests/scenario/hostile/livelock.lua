-- expect: livelock: [0-9]+ interrupts in a row without time passing or an actor running
-- line: 9
-- A handler that raises its own vector again: said soon (it took 10^7 steps).
local m = msikit.machine{ arch = "test" }
local d = m:pci{ msix = 2 }
d:alloc_vectors{ min = 1 }
local n = 0
d:request(0, "q0", function()
  d:raise(0)
  n = n + 1
end)
d:raise(0)
m:run()
