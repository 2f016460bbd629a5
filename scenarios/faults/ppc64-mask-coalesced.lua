-- Mask and unmask over a coalesced trigger (ppc64, XIVE PQ bits).
--
-- Two events on one vector before the CPU runs: the first sets P and
-- queues an entry, the second coalesces at the source (Q). Masking sets
-- PQ = 01 - Linux's xive_do_source_set_mask() (6.12,
-- arch/powerpc/sysdev/xive/common.c) keeps the old P in saved_p and drops
-- Q: the coalesced event is lost "xive-q-dropped". Unmasking restores
-- PQ = 10 (saved P); the queued entry is taken, its EOI finds Q clear.
-- Nothing stays pending on the unmasked vector of the idle machine, through
-- more runs and a CPU offline/online cycle.

local m = msikit.machine{ arch = "ppc64", cpus = 2 }
local d = m:pci{ bdf = "0000:01:00.0", name = "nic", msix = 2 }
d:alloc_vectors{ min = 1, max = 1, type = "msix" }
d:request(0, "nic-q0")

d:raise(0)
d:raise(0)
msikit.expect(m:ledger().pending == 2, "two events wait: one queued, one coalesced")
d:mask(0)
local l = m:ledger()
msikit.expect(l.lost == 1 and l.lost_by_reason["xive-q-dropped"] == 1 and l.pending == 1,
              "the mask drops the coalesced one (Q)")
d:unmask(0)
m:run()
l = m:ledger()
msikit.expect(l.delivered == 1 and l.pending == 0, "the queued one is delivered")

-- The same with the CPU taking the entry while the vector is masked.
d:raise(0)
d:raise(0)
d:mask(0)
m:run()
d:unmask(0)
m:run()
l = m:ledger()
msikit.expect(l.raised == 4 and l.delivered == 2 and l.lost == 2 and l.pending == 0,
              "masked while queued: one delivered, one dropped")

msikit.expect(m:cpu_offline(1), "CPU 1 offline")
m:run()
msikit.expect(m:cpu_online(1), "CPU 1 online")
m:run()
l = m:ledger()
msikit.expect(l.pending == 0 and l.raised == l.delivered + l.lost, "nothing pending, nothing stranded")
d:raise(0)
m:run()
msikit.expect(m:ledger().delivered == 3, "the vector still works")
