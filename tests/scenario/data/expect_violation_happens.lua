-- An expected violation that happens: the run passes (exit 0).
local m = msikit.machine{ arch = "test", cpus = 2, prepare = "per-alloc" }
local d = m:pci{ bdf = "0000:01:00.0", msix = 8 }
msikit.expect_violation("prepare-once", "0000:01:00.0") -- a second msi_prepare
msikit.expect_violation("prepare-size")                   -- prepared for fewer than hwsize
msikit.expect_violation("bus-master-off")                    -- a loss reason
d:raise(0) -- before the driver enables the function (Bus Master off): lost "bus-master-off"
msikit.expect(d:alloc_vectors{ min = 1, max = 1, type = "msix" } == 1, "one vector")
d:alloc_at(1)
m:run()
msikit.expect(m:ledger().lost == 1, "one event lost")
