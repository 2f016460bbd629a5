-- Fault: the pSeries firmware refuses a call (ppc64, controller kind "firmware").
--
-- On pSeries the OS owns no MSI hardware: RTAS ibm,change-msi hands a
-- device's interrupts out, H_INT_* hcalls route them. Here the very first
-- firmware call - the NVMe driver's probe asking ibm,change-msi for its
-- MSI-X vectors - is refused with RTAS status -1, "hardware error", and has
-- no effect. The allocation must fail with a clear error, leave nothing
-- assigned in the firmware or in the kernel, and the driver's retry must
-- give a working device: every completion delivered, nothing leaked at
-- removal. (ppc64-firmware-any.lua puts the refusal anywhere, by seed.)

local CPUS = 4
local m = msikit.machine{ arch = "ppc64", cpus = CPUS, faults = { controller = 1 } }
local nvme = m:pci{ bdf = "0000:01:00.0", name = "nvme0", msix = 17 }
local base = m:resources()

-- Probe: refused.
local n, err = nvme:alloc_vectors{ min = 2, max = CPUS + 1, type = "msix", affinity = { pre = 1 } }
local f = m:faults().controller
msikit.expect(n == nil, "the allocation fails")
msikit.expect(type(err) == "string" and err:match("^EIO: ") ~= nil
              and err:find("RTAS ibm,change-msi(MSI-X, 17) failed -1 (hardware error)", 1, true) ~= nil,
              "with an error naming the call and the firmware's report: " .. tostring(err))
msikit.expect(f.kind == "firmware" and f.nth == 1 and f.fired == 1, "the first firmware call was refused")
msikit.expect(f.what == "RTAS ibm,change-msi 01:00.0 function 4 count 17 -> hardware error",
              "the fault names it: " .. f.what)

-- Nothing assigned anywhere.
local r = m:resources()
msikit.expect(r.lisns == 0 and r["lisn-pool-free"] == base["lisn-pool-free"],
              "the firmware holds no LISN for the device")
msikit.expect(r["xive-mapped"] == 0 and #m:irqs() == 0, "the kernel holds no virq")
msikit.expect(nvme:state().msix_enabled == false, "MSI-X stays off")
msikit.expect(#m:violations() == 0, "the lifecycle contract holds")

-- The driver tries again: the firmware answers now.
n, err = nvme:alloc_vectors{ min = 2, max = CPUS + 1, type = "msix", affinity = { pre = 1 } }
msikit.expect(n == CPUS + 1, "the retry gets admin + " .. CPUS .. " I/O vectors: " .. tostring(n or err))
msikit.expect(m:resources().lisns == 17, "the firmware granted the whole table once")
local completions = 0
for q = 0, n - 1 do
  nvme:request(q, "nvme0q" .. q, function() completions = completions + 1 end)
end
for q = 1, n - 1 do
  m:spawn(function()
    for cmd = 1, 20 do
      nvme:raise(q)
      m:sleep(1 + m:random(3))
    end
  end)
end
nvme:raise(0)
m:run()

local l = m:ledger()
msikit.expect(l.lost == 0 and l.delivered == l.raised and completions == l.raised,
              "every completion delivered (" .. l.delivered .. " of " .. l.raised .. ")")

-- Removal: everything goes back.
msikit.expect(nvme:remove(), "device removed")
r = m:resources()
msikit.expect(r.lisns == 0 and r["lisn-pool-free"] == base["lisn-pool-free"]
              and r["lisns-stranded"] == 0, "every LISN back in the firmware's pool")
msikit.expect(#m:irqs() == 0, "no virq left")
msikit.expect(#m:violations() == 0, "nothing leaked (resources-returned)")
