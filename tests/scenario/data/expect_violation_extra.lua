-- An expected violation happens, and another one nobody expected: the run fails (exit 1).
local m = msikit.machine{ arch = "test", cpus = 2, prepare = "per-alloc" }
local d = m:pci{ bdf = "0000:01:00.0", msix = 8 }
msikit.expect_violation("prepare-size", "0000:01:00.0")
msikit.expect(d:alloc_vectors{ min = 1, max = 1, type = "msix" } == 1, "one vector")
d:alloc_at(1) -- prepare-size again (expected), and prepare-once (not expected)
m:run()
