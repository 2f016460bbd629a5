-- Persona: an IMS accelerator (IDXD-like) on x86 with interrupt remapping.
--
-- One MSI-X vector for the device's own events; an IMS domain of 2048
-- entries beside it for per-client completions. Clients (actors) come and
-- go: each gets an IMS vector, submits descriptors, and frees its vector.
-- One client masks its vector for a while: its completions are held and
-- delivered once on unmask. Nothing is lost, nothing is left behind.

local m = msikit.machine{ arch = "arm64", cpus = 4, x86 = { ir = true } }
local dsa = m:pci{ bdf = "0000:6a:01.0", name = "idxd", msix = 9, ims = 2048 }

msikit.expect(dsa:alloc_vectors{ min = 1, max = 1, type = "msix" } == 1, "misc MSI-X vector")
dsa:request(0, "idxd-misc")
msikit.expect(dsa:ims_domain{ size = 2048 }, "IMS domain beside MSI-X")

local done = {}
local function client(id, jobs, mask_for)
  return function()
    local slot, virq = dsa:ims_alloc({ cpus = { id % 4 } })
    msikit.expect(slot ~= nil, "client " .. id .. " gets an IMS vector (" .. tostring(virq) .. ")")
    if not slot then return end
    done[id] = 0
    dsa:request({ ims = slot }, "idxd-wq" .. id, function() done[id] = done[id] + 1 end)
    if mask_for then dsa:mask({ ims = slot }) end
    for j = 1, jobs do
      dsa:raise({ ims = slot })
      m:sleep(1)
    end
    if mask_for then
      m:sleep(mask_for)
      msikit.expect(done[id] == 0, "client " .. id .. ": nothing delivered while masked")
      dsa:unmask({ ims = slot })
      m:yield()
    end
    m:sleep(2)
    dsa:free_irq({ ims = slot })
    msikit.expect(dsa:ims_free(slot), "client " .. id .. " frees its vector")
  end
end

for id = 1, 12 do
  m:spawn(function()
    m:sleep(m:random(10))
    client(id, 5 + m:random(10), id == 3 and 4 or nil)()
  end)
end
m:spawn(function()
  for t = 1, 10 do dsa:raise(0); m:sleep(3) end
end)
m:run()

local l = m:ledger()
msikit.expect(l.lost == 0 and l.delivered == l.raised, "every completion delivered")
msikit.expect(done[3] == 1, "the masked client's completions came as one interrupt on unmask")
msikit.expect(#m:irqs() == 1, "only the misc vector is left")
msikit.expect(dsa:remove(), "device removed")
msikit.expect(#m:violations() == 0, "the lifecycle contract held")
