-- Story 4: VFIO MSI-X expansion on GICv3 ITS (seed 002).
--
-- A NIC and its RDMA function share one PCI function and one ITS DeviceID:
-- NIC vectors low, RDMA vectors from base_vector = number of NIC vectors.
-- Passed through with VFIO, the guest loading its RDMA driver makes the host
-- add vectors while the NIC keeps raising interrupts.
-- Before (its.alloc_dyn = false): the ITS parent does not offer dynamic
-- MSI-X allocation; the host disables MSI-X, frees everything and enables
-- again with more. NIC events raised in that window are dropped: the ledger
-- counts them as lost "msix-disabled".
-- After (its.alloc_dyn = true): each new vector gets a new ITT entry in the
-- already sized ITT; the NIC's vectors are never touched (their messages do
-- not change); nothing is lost.

local form = msikit.story{
  title = "VFIO MSI-X expansion on GICv3 ITS",
  before = "its.alloc_dyn = false",
  after = "its.alloc_dyn = true",
}
local before = form == "before"

local m = msikit.machine{ arch = "arm64", cpus = 4, its = { alloc_dyn = not before } }
local dev = m:pci{ bdf = "0000:03:00.0", name = "vfio", msix = 64, while_disabled = "drop" }
local NIC, RDMA = 4, 4
if before then
  -- The documented failure: NIC events raised while MSI-X is off are dropped.
  msikit.expect_violation("msix-disabled")
end

-- Where the MSI-X table is, read the way a VMM would: the capability list.
local function msix_table()
  local cap = dev:cfg_read(0x34, 1)
  while cap ~= 0 do
    if dev:cfg_read(cap, 1) == 0x11 then
      local t = dev:cfg_read(cap + 4, 4)
      return t & 7, t & ~7
    end
    cap = dev:cfg_read(cap + 1, 1)
  end
end
local bar, table_off = msix_table()
local function message(i)
  local e = table_off + 16 * i
  return string.format("%08x%08x/%08x", dev:bar_read(bar, e + 4, 4), dev:bar_read(bar, e, 4),
                       dev:bar_read(bar, e + 8, 4))
end

msikit.expect(dev:alloc_vectors{ min = NIC, max = NIC, type = "msix" } == NIC, "NIC vectors")
for i = 0, NIC - 1 do dev:request(i, "vfio-msix[" .. i .. "]") end
local nic_messages = {}
for i = 0, NIC - 1 do nic_messages[i] = message(i) end

-- The guest's NIC traffic never stops.
m:spawn(function()
  for tick = 1, 20 do
    for q = 0, NIC - 1 do dev:raise(q) end
    m:sleep(1)
  end
end)

-- At tick 5 the guest loads its RDMA driver: the host needs RDMA more vectors.
m:spawn(function()
  m:sleep(5)
  msikit.expect(dev:can_alloc_dyn() == not before, "dynamic MSI-X only after")
  if dev:can_alloc_dyn() then
    for i = NIC, NIC + RDMA - 1 do
      local index = dev:alloc_at(i)
      msikit.expect(index == i, "RDMA vector " .. i .. " added while enabled")
      dev:request(i, "vfio-msix[" .. i .. "]")
    end
  else
    -- VFIO without dynamic MSI-X: disable, free all, enable again with more.
    for i = 0, NIC - 1 do dev:free_irq(i) end
    msikit.expect(dev:free_vectors(), "MSI-X disabled and freed")
    m:sleep(2) -- the ioctl round trip: MSI-X stays off meanwhile
    local n = dev:alloc_vectors{ min = NIC + RDMA, max = NIC + RDMA, type = "msix" }
    msikit.expect(n == NIC + RDMA, "MSI-X enabled again with " .. NIC + RDMA)
    for i = 0, NIC + RDMA - 1 do dev:request(i, "vfio-msix[" .. i .. "]") end
  end
  for i = NIC, NIC + RDMA - 1 do dev:raise(i) end
end)

m:run()
local l = m:ledger()
local dropped = l.lost_by_reason["msix-disabled"] or 0
if before then
  msikit.expect(dropped > 0, "before: NIC events raised while MSI-X was off are lost ("
                .. dropped .. " msix-disabled)")
else
  msikit.expect(l.lost == 0, "after: nothing lost")
  for i = 0, NIC - 1 do
    msikit.expect(message(i) == nic_messages[i], "after: NIC vector " .. i .. " untouched")
  end
end
msikit.expect(l.raised == l.delivered + l.lost + l.pending, "every event has one fate")
