-- Controller fault on x86: reading an interrupt remapping table entry fails.
--
-- With VT-d interrupt remapping every interrupt a device sends is a
-- remappable request: the unit fetches its IRTE from memory to learn the
-- vector and the CPU. Here the 5th remapped request after the machine is
-- built hits a hardware error reading the table (faults.controller = 5).
-- As VT-d specifies, the unit blocks that one request, records fault
-- reason 0x23 (error accessing the table IRTA points to) with the
-- device's requester ID and the IRTE index, and sends its fault event.
-- The OS side is Linux's DMAR fault handler ("dmar0" on DMAR-MSI): it
-- reads the fault record, logs it, clears it (write 1 to clear) and
-- clears FSTS, so later faults get recorded too. The interrupt is lost
-- ("ir-table-invalid") - the only loss; the device and its queues go on.

local m = msikit.machine{ arch = "x86", cpus = 2, x86 = { ir = true }, faults = { controller = 5 } }
local nic = m:pci{ bdf = "0000:03:00.0", name = "nic", msix = 8 }

msikit.expect(nic:alloc_vectors{ min = 4, max = 4, type = "msix" } == 4, "four queues")
local handled = { [0] = 0, 0, 0, 0 }
for q = 0, 3 do
  nic:request(q, "nic-q" .. q, function() handled[q] = handled[q] + 1 end)
end
local start = m:resources()
msikit.expect(start.irtes == 4, "one IRTE per queue")

-- Remapped requests 1..4, one per queue: all delivered; setting up sent none.
for q = 0, 3 do nic:raise(q) end
m:run()
local f = m:faults().controller
msikit.expect(f.kind == "irte" and f.nth == 5, "the IRTE fault is armed at the 5th request")
msikit.expect(f.seen == 4 and f.fired == 0, "four remapped requests so far, no fault yet")
msikit.expect(m:ledger().lost == 0, "all four delivered")

-- Request 5: queue 2's IRTE cannot be read.
nic:raise(2)
m:run()
f = m:faults().controller
msikit.expect(f.fired == 1, "the 5th remapped request faulted")
msikit.expect(f.what:find("fetch for 03:00.0") and f.what:find("fault 0x23"),
              "fetching queue 2's IRTE for 03:00.0: " .. f.what)
local l = m:ledger()
msikit.expect(l.lost == 1 and l.lost_by_reason["ir-table-invalid"] == 1,
              "that one event is lost as ir-table-invalid, nothing else")
msikit.expect(handled[2] == 1, "queue 2's handler did not run for it")

-- The OS handled the fault event: one record read and cleared, nothing pending.
local r = m:resources()
msikit.expect(r.ir_fault_events == 1 and r.ir_faults == 1, "dmar0 ran once and serviced one record")
local iommu = m:layout().iommu
msikit.expect(m:mmio_read(iommu + 0x34, 4) & 3 == 0, "FSTS: no primary fault pending, no overflow")
local f_bits = 0
for i = 0, 7 do f_bits = f_bits | (m:mmio_read(iommu + 0x200 + 16 * i + 12, 4) >> 31) end
msikit.expect(f_bits == 0, "every fault recording register cleared")

-- Recovery: the same queue and the others carry traffic again, nothing more is lost.
for q = 0, 3 do nic:raise(q) end
m:run()
msikit.expect(handled[0] == 2 and handled[1] == 2 and handled[2] == 2 and handled[3] == 2,
              "every queue's interrupt handled after the fault")
for q = 0, 3 do nic:raise(q, 3) end -- bursts: coalesced events still all delivered
m:run()
l = m:ledger()
msikit.expect(l.lost == 1 and l.delivered == l.raised - 1 and l.pending == 0,
              "only the faulted event was lost")
msikit.expect(m:faults().controller.fired == 1, "the fault fired once")

-- Tear down: nothing left behind.
for q = 0, 3 do nic:free_irq(q) end
msikit.expect(nic:remove(), "device removed")
msikit.expect(m:resources().irtes == 0 and m:resources().vectors == start.vectors - 4,
              "IRTEs and vectors returned")
msikit.expect(#m:violations() == 0, "the lifecycle contract held")
