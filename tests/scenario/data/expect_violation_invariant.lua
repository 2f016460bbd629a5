-- An expected broken invariant: a script overwrites an MSI-X entry behind the driver's back.
local m = msikit.machine{ arch = "test", cpus = 2 }
local d = m:pci{ bdf = "0000:01:00.0", msix = 4 }
msikit.expect_violation("msix-message", "0000:01:00.0")
msikit.expect(d:alloc_vectors{ min = 1, max = 1, type = "msix" } == 1, "one vector")
d:request(0)
local cap = d:cfg_read(0x34, 1)
while d:cfg_read(cap, 1) ~= 0x11 do cap = d:cfg_read(cap + 1, 1) end
local t = d:cfg_read(cap + 4, 4)
d:bar_write(t & 7, (t & ~7) + 8, 0x5a5a, 4) -- entry 0's data: not what its hierarchy composed
m:run()
