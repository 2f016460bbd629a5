-- A small, fixed run whose text report is compared byte for byte
-- (tests/data/golden/run-golden.txt): two devices, MSI-X and MSI, a Lua
-- handler, a held event, a loss, a failed call.
local m = msikit.machine{ arch = "x86", cpus = 2 }
local nic = m:pci{ bdf = "0000:01:00.0", name = "eth0", msix = 8, while_disabled = "drop" }
local disk = m:pci{ bdf = "0000:02:00.0", name = "ahci", msi = 1 }

msikit.expect(nic:alloc_vectors{ min = 3, max = 3, type = "msix" } == 3, "3 NIC vectors")
local rx = 0
nic:request(0, "eth0-rx", function() rx = rx + 1 end)
nic:request(1, "eth0-tx")
m:set_affinity(nic:virq(1), { 1 })
msikit.expect(disk:alloc_vectors{ min = 1, max = 1, type = "msi" } == 1, "1 MSI vector")
disk:request(0, "ahci")

nic:raise({ ims = -1 }, 0)
nic:raise(1)
nic:raise(2) -- no handler yet: the entry is masked, the event waits in the PBA
disk:raise(0)
nic:mask(1)
nic:raise(1) -- held while masked
m:run()
msikit.expect(rx == 1, "the two rx events coalesced")
local ok, err = nic:alloc_at(8)
msikit.expect(ok == nil and err:match("^ERANGE") ~= nil, "beyond the table")
