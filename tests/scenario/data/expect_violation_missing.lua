-- An expected violation that does not happen: the run fails (exit 1) and says which.
local m = msikit.machine{ arch = "test", cpus = 2 }
local d = m:pci{ bdf = "0000:01:00.0", msix = 8 }
msikit.expect_violation("prepare-once", "0000:01:00.0")
msikit.expect(d:alloc_vectors{ min = 2, max = 2, type = "msix" } == 2, "two vectors")
