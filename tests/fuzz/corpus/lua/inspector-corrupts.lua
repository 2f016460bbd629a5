local m = msikit.machine{ arch = "arm64" }
local d = m:pci{ msix = 8 }
d:alloc_vectors{ max = 8 }
d:request(3)
d:bar_write(0, 3 * 16 + 8, 0xdead, 4)
d:cfg_write(4, 0, 2)
d:raise(3)
m:run()
msikit.expect(not m:check())
