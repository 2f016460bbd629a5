-- Story 3: pSeries NVMe: allocate, free, allocate again (seed 000).
--
-- RTAS ibm,change-msi enables a device's MSIs all at once and disables them
-- all at once. The NVMe driver allocates one vector (admin queue), frees it,
-- then allocates its I/O queue vectors.
-- Before (free_hook = "post_free"): the free runs msi_post_free, which
-- disables MSI in firmware; prepare does not run again, so the second
-- allocation fails (the source lookup answers H_P2). On the real machine the
-- kernel locked up; here the allocation fails with an error, the contract
-- monitor names the rule, and the process goes on with nothing leaked.
-- After (free_hook = "teardown"): the firmware disable happens in
-- msi_teardown, when the domain goes; allocate/free/allocate works.

local form = msikit.story{
  title = "pSeries NVMe: alloc, free, alloc again",
  before = 'pseries.free_hook = "post_free"',
  after = 'pseries.free_hook = "teardown"',
}
local before = form == "before"

local m = msikit.machine{ arch = "ppc64", cpus = 4,
                          pseries = { free_hook = before and "post_free" or "teardown" } }
local nvme = m:pci{ bdf = "0000:01:00.0", name = "nvme0", msix = 65 }
if before then
  -- The documented failure: post_free undoes the firmware's prepare while the domain lives.
  msikit.expect_violation("post-free-undid-prepare", "0000:01:00.0")
end

-- Probe: one vector for the admin queue, a command, then free it.
msikit.expect(nvme:alloc_vectors{ min = 1, max = 1, type = "msix" } == 1, "admin vector")
nvme:request(0, "nvme0q0")
nvme:raise(0)
m:run()
msikit.expect(nvme:free_irq(0), "admin handler freed")
msikit.expect(nvme:free_vectors(), "admin vector freed")

-- Then the admin queue and the I/O queues: one pre vector, the rest spread.
local n, err = nvme:alloc_vectors{ min = 2, max = 8, type = "msix", affinity = { pre = 1 } }
if before then
  msikit.expect(n == nil, "before: the second allocation fails: " .. tostring(err))
  local named = false
  for _, v in ipairs(m:violations()) do
    if v.rule == "post-free-undid-prepare" then named = true end
  end
  msikit.expect(named, "before: the monitor names the rule (post_free undid prepare)")
  -- The process stays healthy: calls still answer, removal leaks nothing.
  msikit.expect(nvme:state().msix_enabled == false, "before: MSI-X stays off")
  msikit.expect(nvme:remove(), "before: the device can still be removed")
  msikit.expect(#m:irqs() == 0, "before: no virq left behind")
  for _, v in ipairs(m:violations()) do
    msikit.expect(v.rule ~= "resources-returned", "before: nothing leaked: " .. v.detail)
  end
else
  msikit.expect(n ~= nil and n >= 2, "after: the I/O vectors are allocated (" .. tostring(n) .. ")")
  for q = 0, n - 1 do nvme:request(q, "nvme0q" .. q) end
  for q = 0, n - 1 do nvme:raise(q) end
  m:run()
  local l = m:ledger()
  msikit.expect(l.lost == 0 and l.delivered == l.raised, "after: every completion delivered")
  msikit.expect(#m:violations() == 0, "after: the lifecycle contract holds")
end
