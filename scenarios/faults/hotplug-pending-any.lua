-- CPU hotplug with an interrupt pending, on any arch:
-- `MSIKIT_FAULT_ARCH=ppc64 msikit run scenarios/faults/hotplug-pending-any.lua`
-- (x86, arm64 or ppc64; `arch = "x86"` when unset).
--
-- A managed queue's last CPU goes offline while the queue's interrupt waits
-- at that CPU, not taken yet. Each arch loses it as Linux 6.12 does:
--  * x86 "cpu-offline": fixup_irqs() (arch/x86/kernel/irq.c) retriggers
--    only vectors whose vector_irq entry still names a descriptor; the
--    shut-down queue's is VECTOR_SHUTDOWN (clear_irq_vector), so its IRR
--    bit dies with the CPU;
--  * arm64 "its-discard": its_irq_domain_deactivate()
--    (drivers/irqchip/irq-gic-v3-its.c) sends DISCARD, which removes the
--    pending LPI from the redistributor;
--  * ppc64 "xive-eas-masked": xive_smp_disable_cpu() flushes the queue with
--    xive_flush_cpu_queue() (arch/powerpc/sysdev/xive/common.c),
--    re-triggering each entry at its source, whose EAS xive_irq_shutdown()
--    masked.
-- Then the device raises while the queue is shut down (managed shutdown
-- masks it at the device: the events wait in the PBA, pending), and the CPU
-- comes back: the queue starts again and the pending bit delivers them, on
-- that CPU.

local ARCH = os.getenv("MSIKIT_FAULT_ARCH") or "x86"
local WHY = { x86 = "cpu-offline", arm64 = "its-discard", ppc64 = "xive-eas-masked" }
local m = msikit.machine{ arch = ARCH, cpus = 2 }
local d = m:pci{ bdf = "0000:01:00.0", name = "nvme0", msix = 4 }
local n = d:alloc_vectors{ min = 3, max = 3, type = "msix", affinity = { pre = 1 } }
for q = 0, n - 1 do d:request(q, "nvme0q" .. q) end

local q1
for _, i in ipairs(m:irqs()) do
  if i.managed and i.effective_cpu == 1 then q1 = i.index end
end
msikit.expect(q1 ~= nil, "a managed queue on CPU 1")

d:raise(q1) -- at CPU 1, which has not run yet
local ok, err = m:cpu_offline(1)
msikit.expect(ok, "CPU 1 goes offline: " .. tostring(err))
local l = m:ledger()
msikit.expect(l.lost == 1 and l.lost_by_reason[WHY[ARCH]] == 1 and l.pending == 0,
              "the pending interrupt is lost as " .. WHY[ARCH])

d:raise(q1, 3) -- shut down: masked at the device
m:run()
l = m:ledger()
msikit.expect(l.pending == 3 and l.delivered == 0, "3 events wait in the device: " .. l.pending)

ok, err = m:cpu_online(1)
msikit.expect(ok, "CPU 1 is back: " .. tostring(err))
m:run()
l = m:ledger()
msikit.expect(l.delivered == 3 and l.pending == 0 and l.lost == 1, "the pending bit delivers the 3")
for _, i in ipairs(m:irqs()) do
  if i.index == q1 then
    msikit.expect(i.total == 1 and i.counts[2] == 1, "one interrupt, on CPU 1")
  end
end
