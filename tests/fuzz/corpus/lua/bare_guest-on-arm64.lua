-- The VMM view (os = false): the script is the guest OS. It programs the
-- function's MSI-X capability and table itself and takes the interrupt at
-- the CPU's interrupt interface, exactly as a guest kernel would.

local m = msikit.machine{ arch = "arm64", cpus = 2, os = false }
local nic = m:pci{ bdf = "0000:01:00.0", msix = 4 }
local lay = m:layout()
msikit.expect(lay.msi == 0xFEE00000, "the x86 MSI window")

-- Find the MSI-X capability by walking the capability list.
local cap = nic:cfg_read(0x34, 1)
while cap ~= 0 and nic:cfg_read(cap, 1) ~= 0x11 do cap = nic:cfg_read(cap + 1, 1) end
msikit.expect(cap ~= 0, "an MSI-X capability")
local tbl = nic:cfg_read(cap + 4, 4)
local bar, off = tbl & 7, tbl & ~7

-- Bus master on; entry 2 -> CPU 1, vector 0x41, unmasked; MSI-X on.
nic:cfg_write(0x04, nic:cfg_read(0x04, 2) | 0x4, 2)
local e = off + 16 * 2
nic:bar_write(bar, e + 0, lay.msi | (1 << 12), 4)
nic:bar_write(bar, e + 4, 0, 4)
nic:bar_write(bar, e + 8, 0x41, 4)
nic:bar_write(bar, e + 12, 0, 4)
nic:cfg_write(cap + 2, nic:cfg_read(cap + 2, 2) | 0x8000, 2)

nic:raise(2)
m:run()
msikit.expect(m:cpu(0):take() == nil, "nothing for CPU 0")
local vector, weight = m:cpu(1):take()
msikit.expect(vector == 0x41 and weight == 1, "CPU 1 takes vector 0x41: " .. tostring(vector))
msikit.expect(m:cpu(1):take() == nil, "taken once")

-- A masked entry holds its event in the PBA until the guest unmasks it.
nic:bar_write(bar, e + 12, 1, 4)
nic:raise(2)
msikit.expect(m:cpu(1):take() == nil, "masked: held in the device")
nic:bar_write(bar, e + 12, 0, 4)
m:run()
msikit.expect(m:cpu(1):take() == 0x41, "sent once on unmask")
local l = m:ledger()
msikit.expect(l.raised == 2 and l.delivered == 2 and l.lost == 0, "every event taken")
