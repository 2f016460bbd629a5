-- Whether two raises coalesce into one interrupt depends on the interleaving
-- the seed picks: explore finds the seeds where they do.
local m = msikit.machine{ arch = "test", cpus = 2 }
local d = m:pci{ msix = 4 }
d:alloc_vectors{ min = 1, max = 1 }
local runs = 0
d:request(0, "q0", function() runs = runs + 1 end)
m:spawn(function() d:raise(0) end)
m:spawn(function() d:raise(0) end)
m:run()
msikit.expect(runs == 2, "two interrupts, not one coalesced")
