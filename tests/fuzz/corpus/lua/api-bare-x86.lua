-- A bare machine (os = false): the script programs MSI and MSI-X itself.
local m = msikit.machine{ arch = "x86", cpus = 2, os = false }
local d = m:pci{ bdf = "0000:01:00.0", msi = 4, msix = 4 }
local lay = m:layout()
local ok, err = d:alloc_vectors{ min = 1 }
msikit.expect(ok == nil and err:match("^ENOTSUP: .*bare"), "no OS: " .. tostring(err))

local function cap(id)
  local p = d:cfg_read(0x34, 1)
  while p ~= 0 do
    if d:cfg_read(p, 1) == id then return p end
    p = d:cfg_read(p + 1, 1)
  end
end
local msi = cap(0x05)
msikit.expect(msi ~= nil, "an MSI capability")
d:cfg_write(0x04, 0x6, 2) -- memory space + bus master
-- MSI: address -> CPU 1, data 0x40, 4 vectors (MME = 2), enable.
d:cfg_write(msi + 4, lay.msi | (1 << 12), 4)
d:cfg_write(msi + 8, 0, 4)
d:cfg_write(msi + 12, 0x40, 2)
d:cfg_write(msi + 2, (2 << 4) | 1, 2)
d:raise(3)
m:run()
msikit.expect(m:cpu(1):take() == 0x43, "vector 3 of the block sends data | 3")
msikit.expect(m:cpu(1):take() == nil, "once")
-- A raw bad access answers as the hardware does.
local v, e = d:cfg_read(4095, 4)
msikit.expect(v ~= nil and e ~= nil, "a config read across the end fails: " .. tostring(e))
local l = m:ledger()
msikit.expect(l.raised == 1 and l.delivered == 1, "taken by the guest")
