local m = msikit.machine{ arch = "arm64", cpus = 4, faults = { cpu_offline = true, alloc = "random" } }
local d = m:pci{ msix = 32 }
local n = d:alloc_vectors{ min = 1, max = 8, affinity = {} }
for q = 0, (n or 1) - 1 do d:request(q) end
for c = 1, 3 do
  m:spawn(function() for i = 1, 10 do m:cpu_offline(c); d:raise(i % 8); m:sleep(1); m:cpu_online(c) end end)
end
m:spawn(function() for i = 1, 10 do d:alloc_at("any"); m:yield() end end)
m:run()
for _, row in ipairs(m:irqs()) do m:set_affinity(row.virq, { 0 }) end
d:remove()
