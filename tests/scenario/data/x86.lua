-- A minimal run on x86: exits 2 with "the x86 platform drivers are not built
-- yet" until that platform is built, then passes.
local m = msikit.machine{ arch = "x86", cpus = 2 }
local d = m:pci{ bdf = "0000:01:00.0", msix = 4 }
msikit.expect(d:alloc_vectors{ min = 1, max = 2, type = "msix" } ~= nil, "vectors")
d:request(0)
d:raise(0)
m:run()
msikit.expect(m:ledger().delivered == 1, "the event is delivered")
