-- d:raise: a burst of events at one instant coalesces; a train spaces them out.
local m = msikit.machine{ arch = "test", cpus = 2 }
local d = m:pci{ bdf = "0000:01:00.0", msix = 4 }
msikit.expect(d:alloc_vectors{ min = 4, max = 4, type = "msix" } == 4, "4 vectors")
local runs = {}
for i = 0, 3 do
  runs[i] = 0
  d:request(i, "q" .. i, function() runs[i] = runs[i] + 1 end)
end
local function counts(i)
  for _, r in ipairs(m:irqs()) do
    if r.virq == d:virq(i) then return r.counts[1], r.counts[2] end
  end
end

-- A burst: one weighted event, one interrupt, every event delivered.
d:raise(0, 3000000000)
m:run()
msikit.expect(runs[0] == 1, "a burst is one interrupt: " .. runs[0])
msikit.expect(m:ledger().delivered == 3000000000, "and delivers all its events")

-- A train: one event per tick, each its own interrupt on the vector's CPU.
m:set_affinity(d:virq(1), { 1 })
local t0 = m:now()
msikit.expect(d:raise(1, 1000, { every = 1 }), "a train starts")
m:run()
local c0, c1 = counts(1)
msikit.expect(runs[1] == 1000 and c0 == 0 and c1 == 1000, "1000 interrupts on CPU 1: " .. c1)
msikit.expect(m:now() - t0 == 999, "the last one 999 ticks after the first: " .. (m:now() - t0))

-- Spaced further apart; two trains at once keep their own pace.
t0 = m:now()
d:raise(2, 5, { every = 10 })
d:raise(3, 3, { every = 7 })
m:run()
msikit.expect(runs[2] == 5 and runs[3] == 3, "5 and 3 interrupts")
msikit.expect(m:now() - t0 == 40, "the slower train ends last, at 40: " .. (m:now() - t0))

-- A masked vector holds the train's events: they coalesce into one replay.
d:mask(2)
d:raise(2, 50, { every = 1 })
m:run()
msikit.expect(runs[2] == 5, "nothing while masked")
d:unmask(2)
m:run()
msikit.expect(runs[2] == 6, "one replay for the 50 held events: " .. runs[2])

-- A train whose device goes away stops; the events it had not raised never existed.
local raised = m:ledger().raised
local e = m:pci{ bdf = "0000:02:00.0", msix = 2 }
e:alloc_vectors{ min = 1, max = 1, type = "msix" }
e:request(0, "gone")
e:raise(0, 100, { every = 10 })
m:sleep(35)
msikit.expect(e:remove(), "removed mid-train")
m:run()
msikit.expect(m:ledger().raised - raised == 4, "4 events before the removal: " .. (m:ledger().raised - raised))

-- Bad vectors fail at the call, before any actor exists.
local ok, err = d:raise(9, 10, { every = 1 })
msikit.expect(ok == nil and err:match("^EINVAL") ~= nil, "vector 9 refused: " .. tostring(err))
msikit.expect(m:ledger().lost == 0, "nothing lost")
