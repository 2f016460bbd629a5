-- Handlers: Lua functions run by the CPUs; what they may and may not do.
local m = msikit.machine{ arch = "test", cpus = 2 }
local d = m:pci{ bdf = "0000:01:00.0", msix = 8 }
msikit.expect(d:alloc_vectors{ min = 4, max = 4, type = "msix" } == 4, "4 vectors")

-- A handler that says "not mine": the event is lost as unhandled.
d:request(0, "shy", function() return false end)
d:raise(0)
m:run()
msikit.expect((m:ledger().lost_by_reason["unhandled"] or 0) == 1, "lost as unhandled")

-- A handler runs on the CPU the vector targets, with its virq.
local seen = {}
m:set_affinity(d:virq(1), { 1 })
d:request(1, "where", function(virq, cpu) seen[#seen + 1] = { virq, cpu } end)
d:raise(1)
m:run()
msikit.expect(#seen == 1 and seen[1][1] == d:virq(1) and seen[1][2] == 1, "virq and CPU 1")

-- Inside a handler: no waiting, no freeing itself; raising and spawning are fine.
local answers = {}
d:request(2, "busy", function(virq, cpu)
  answers.sleep = select(2, m:sleep(1))
  answers.run = select(2, m:run())
  answers.free = select(2, d:free_irq(2))
  answers.vectors = select(2, d:free_vectors())
  answers.offline = select(2, m:cpu_offline(1))
  answers.check = select(2, m:check())
  answers.raise = d:raise(3)
  answers.spawn = m:spawn(function() answers.spawned = true end)
end)
local third = 0
d:request(3, "third", function() third = third + 1 end)
d:raise(2)
m:run()
for _, k in ipairs{ "sleep", "run", "free", "vectors", "offline", "check" } do
  msikit.expect(tostring(answers[k]):match("^EPERM") ~= nil, k .. " refused: " .. tostring(answers[k]))
end
msikit.expect(answers.raise == true and third == 1, "a handler may make the device raise")
msikit.expect(answers.spawned == true, "a handler may spawn an actor")

-- A masked vector holds its events; unmask replays them once.
local count = 0
d:free_irq(1)
d:request(1, "masked", function() count = count + 1 end)
d:mask(1)
d:raise(1, 5)
m:run()
msikit.expect(count == 0, "held while masked")
d:unmask(1)
m:run()
msikit.expect(count == 1, "replayed exactly once")

-- Requesting twice, and a default handler.
local again, err = d:request(1, "twice")
msikit.expect(again == nil and err:match("^EBUSY"), "requested twice: " .. tostring(err))
msikit.expect(d:free_irq(0), "the shy handler freed")
msikit.expect(d:request(0), "the default handler")
d:raise(0)
m:run()
local row
for _, r in ipairs(m:irqs()) do if r.index == 0 then row = r end end
msikit.expect(row.name == "0000:01:00.0-q0" and row.total == 2, "default name; the count goes on")

-- Removing the device frees its handlers first.
msikit.expect(d:remove(), "removed with handlers installed")
msikit.expect(#m:irqs() == 0, "nothing left")
local l = m:ledger()
msikit.expect(l.raised == l.delivered + l.lost + l.pending, "one fate each")
