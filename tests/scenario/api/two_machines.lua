-- Several machines in one run (issue 16): a migration's source and destination.
-- Each has its own devices, actors and handlers; the main chunk runs on the machine
-- it waits on; the report describes the machine built last (cli/json-two-machines).
local src = msikit.machine{ arch = "test", cpus = 2 }
local d1 = src:pci{ msix = 4, name = "nic" }
msikit.expect(d1:alloc_vectors{ min = 2 } == 2, "source: two vectors")
local seen = { src = 0, dst = 0 }
d1:request(0, "nic-q0", function() seen.src = seen.src + 1 end)
local ticks = 0
src:spawn(function()
  for _ = 1, 3 do src:sleep(10) d1:raise(0) ticks = ticks + 1 end
end)
src:run()
msikit.expect(seen.src == 3 and ticks == 3 and src:now() == 30, "the source ran its actor")

local dst = msikit.machine{ arch = "test", cpus = 6 }
local d2 = dst:pci{ msix = 8, name = "nic" }
msikit.expect(d2:alloc_vectors{ min = 8 } == 8, "destination: eight vectors")
d2:request(1, "nic-q1", function() seen.dst = seen.dst + 1 end)
dst:spawn(function() dst:sleep(5) d2:raise(1) end)
dst:sleep(1)          -- the main chunk moves to the destination
msikit.expect(dst:now() == 1 and src:now() == 30, "each machine keeps its own time")
src:sleep(100)        -- and back to the source
msikit.expect(src:now() == 130, "the source's time moved on")
dst:run()
msikit.expect(seen.dst == 1, "the destination's handler ran")
msikit.expect(src:ledger().delivered == 3 and dst:ledger().delivered == 1, "two ledgers")
msikit.expect(tostring(src):match("2 CPUs") and tostring(dst):match("6 CPUs"), "two machines")
-- An actor spawned on the source after the chunk left it runs once the chunk ends.
src:spawn(function() src:sleep(1) d1:raise(0) end)
