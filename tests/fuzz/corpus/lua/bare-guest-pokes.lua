local m = msikit.machine{ arch = "x86", os = false, cpus = 2 }
local d = m:pci{ msix = 4, msi = 2 }
local l = m:layout()
d:cfg_write(4, 6, 2)
d:bar_write(0, 0, l.msi, 8)
d:bar_write(0, 8, 0x41, 4)
d:cfg_write(0x52, 0x8000, 2)
d:raise(0, 2)
m:mmio_write(l.msi, 0x31, 4)
m:mem_write(l.ram, 7, 8)
msikit.expect(m:mem_read(l.ram, 8) == 7)
m:cpu(0):take()
m:cpu(1):take()
