-- expect: m:set_affinity: CPU #1 must be a CPU number 0\.\.1
local m = msikit.machine{ arch = "test", cpus = 2 }
m:set_affinity(1, { 5 })
