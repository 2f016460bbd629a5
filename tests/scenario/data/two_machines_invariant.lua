-- Several machines: the report describes the last one (clean here), but the first
-- one's broken invariant is listed, "machine 1: ...", and fails the run (exit 1).
local a = msikit.machine{ arch = "test" }
local d = a:pci{ msix = 4 }
d:alloc_vectors{ min = 4 }
d:request(0)
d:bar_write(0, 8, 0x77, 4) -- entry 0's data, behind the OS's back
d:raise(0)
a:run()
local b = msikit.machine{ arch = "test" }
b:run()
