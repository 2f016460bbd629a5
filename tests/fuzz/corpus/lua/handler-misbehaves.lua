local m = msikit.machine{ arch = "ppc64", cpus = 4 }
local d = m:pci{ msix = 16 }
d:alloc_vectors{ min = 4, max = 16, affinity = { pre = 1 } }
d:request(0, "q0", function(virq, cpu)
  msikit.expect(m:sleep(1) == nil and d:free_irq(0) == nil and d:remove() == nil)
  d:mask(0); d:unmask(0); m:cpu_offline(1); d:alloc_at("any")
  return false
end)
d:raise(0, 3)
m:run()
d:free_irq(0)
d:free_vectors()
d:remove()
